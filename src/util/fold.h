/* Search folding (SPEC §12): case- and diacritic-insensitive keys for
 * Vietnamese text with utf8proc, plus the word splitter the search index
 * uses. NFC and NFD input give byte-identical results. */
#ifndef PHEU_UTIL_FOLD_H
#define PHEU_UTIL_FOLD_H

/* The pipeline, shared by every function here:
 *   1. NFD (canonical decomposition) of the input;
 *   2. Unicode full case folding of that ("ß" -> "ss", "Σ"/"ς" -> "σ"),
 *      decomposed again, canonically ordered;
 *   3. fold_text only: drop every mark (general category Mn, Mc, Me) and
 *      map U+0111 "đ" (and U+0110 "Đ") to "d" -- the one letter Vietnamese
 *      readers strip like a tone mark although Unicode does not decompose it;
 *   4. NFC (recompose).
 * So fold_text(x) == fold_text(fold_lower(x)), and both are idempotent.
 * Letters that are not combining sequences keep their identity: "Ærø"
 * folds to "ærø", "Łódź" to "łodz"; CJK, emoji and unassigned code points
 * pass through unchanged. No compatibility mapping is applied ("ﬁ", "²",
 * full-width digits stay as they are). */

/* Folds s for search: "Nguyễn Văn Đăng" -> "nguyen van dang". Returns a
 * new NUL-terminated string (caller frees with free), or NULL when s is
 * not valid UTF-8. */
char *fold_text(const char *s);

/* Lower-cases (case-folds) s keeping its marks, as NFC: "NGUYỄN" ->
 * "nguyễn", "Đặng" -> "đặng". Returns a new string (caller frees), or
 * NULL when s is not valid UTF-8. */
char *fold_lower(const char *s);

/* Word callback for fold_words: folded is fold_text of the word, marked
 * is fold_lower of it; both are borrowed for the duration of the call.
 * Returning non-zero stops the walk. */
typedef int (*fold_word_fn)(const char *folded, const char *marked, void *ctx);

/* Splits s into words and calls cb(folded, marked, ctx) for each, in
 * order. A word starts at a letter (L*) or number (Nd, Nl, No) and runs
 * over letters, numbers and marks (M*); everything else separates words
 * ("an.nguyen@x.vn" gives an, nguyen, x, vn; "O'Brien" gives o, brien;
 * "snake_case" gives snake, case), and a mark with no letter or number
 * before it is a separator too. Words are found after steps 1-2 above, so
 * NFC and NFD input split alike. Returns 0 when every word was visited,
 * cb's value when it returned non-zero, or -1 (before any call) when s is
 * not valid UTF-8. */
int fold_words(const char *s, fold_word_fn cb, void *ctx);

#endif
