/* Search folding with utf8proc: NFD, case folding, mark stripping and
 * NFC over code-point arrays (see fold.h for the pipeline). The only
 * hand-written rule is đ/Đ -> d. */
#include "util/fold.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "util/xalloc.h"

#define D_BAR_SMALL 0x0111   /* đ */
#define D_BAR_CAPITAL 0x0110 /* Đ */

/* A code-point array; one slot past len is always spare, as
 * utf8proc_reencode needs room for the terminating NUL. */
struct cps {
    utf8proc_int32_t *v;
    utf8proc_ssize_t len;
};

/* Decodes len bytes of s with the utf8proc options opt into c (a new
 * array, freed by the caller). Returns 0, or -1 on invalid UTF-8 (c is
 * then empty). Retries once with the exact size utf8proc asks for. */
static int decode(const char *s, size_t len, utf8proc_option_t opt,
                  struct cps *c)
{
    utf8proc_ssize_t cap = (utf8proc_ssize_t)len + 16;
    c->v = xmalloc((size_t)cap * sizeof(*c->v));
    c->len = 0;
    for (;;) {
        utf8proc_ssize_t n = utf8proc_decompose(
            (const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, c->v, cap, opt);
        if (n < 0) {
            free(c->v);
            c->v = NULL;
            return -1;
        }
        if (n < cap) {
            c->len = n;
            return 0;
        }
        cap = n + 1;
        c->v = xrealloc(c->v, (size_t)cap * sizeof(*c->v));
    }
}

/* Turns s into its case-folded NFD code points (steps 1-2 of fold.h).
 * NFD comes first so that case folding, which utf8proc looks up on the
 * code point as given, sees the same sequence for NFC and NFD input. */
static int folded_nfd(const char *s, struct cps *out)
{
    struct cps nfd;
    if (decode(s, strlen(s), UTF8PROC_DECOMPOSE, &nfd))
        return -1;
    utf8proc_ssize_t n = utf8proc_reencode(nfd.v, nfd.len, 0);
    if (n < 0) /* cannot happen: the code points came from utf8proc */
        BUG("utf8proc_reencode failed on its own output");
    int rc = decode((const char *)nfd.v, (size_t)n,
                    UTF8PROC_DECOMPOSE | UTF8PROC_CASEFOLD, out);
    free(nfd.v);
    return rc;
}

/* Whether cp is a mark (Mn, Mc, Me): what fold_text drops. */
static int is_mark(utf8proc_int32_t cp)
{
    utf8proc_category_t k = utf8proc_category(cp);
    return k == UTF8PROC_CATEGORY_MN || k == UTF8PROC_CATEGORY_MC ||
           k == UTF8PROC_CATEGORY_ME;
}

/* Whether cp is a letter (L*) or number (Nd, Nl, No): what starts a word. */
static int is_word_start(utf8proc_int32_t cp)
{
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
        return 1;
    default:
        return 0;
    }
}

/* Copies the n code points at src to dst without marks and with đ/Đ as
 * "d" (step 3 of fold.h); returns how many were written. */
static utf8proc_ssize_t strip(const utf8proc_int32_t *src, utf8proc_ssize_t n,
                              utf8proc_int32_t *dst)
{
    utf8proc_ssize_t k = 0;
    for (utf8proc_ssize_t i = 0; i < n; i++) {
        utf8proc_int32_t cp = src[i];
        if (is_mark(cp))
            continue;
        if (cp == D_BAR_SMALL || cp == D_BAR_CAPITAL)
            cp = 'd';
        dst[k++] = cp;
    }
    return k;
}

/* Recomposes the n code points at v (NFC, step 4) and re-encodes them in
 * place as a NUL-terminated UTF-8 string; v needs n + 1 slots. */
static char *compose(utf8proc_int32_t *v, utf8proc_ssize_t n)
{
    utf8proc_ssize_t bytes = utf8proc_reencode(v, n, UTF8PROC_COMPOSE);
    if (bytes < 0) /* cannot happen: the code points came from utf8proc */
        BUG("utf8proc_reencode failed on its own output");
    return (char *)v;
}

/* Shrinks a composed string to its length, so callers do not hold the
 * four bytes per code point the array needed. */
static char *shrink(char *s)
{
    return xrealloc(s, strlen(s) + 1);
}

char *fold_text(const char *s)
{
    struct cps c;
    if (!s || folded_nfd(s, &c))
        return NULL;
    c.len = strip(c.v, c.len, c.v);
    return shrink(compose(c.v, c.len));
}

char *fold_lower(const char *s)
{
    struct cps c;
    if (!s || folded_nfd(s, &c))
        return NULL;
    return shrink(compose(c.v, c.len));
}

/* Calls cb for the word made of the n code points at w, building its two
 * forms in the scratch arrays fold and mark (n + 1 slots each). */
static int emit(const utf8proc_int32_t *w, utf8proc_ssize_t n,
                utf8proc_int32_t *fold, utf8proc_int32_t *mark, fold_word_fn cb,
                void *ctx)
{
    utf8proc_ssize_t k = strip(w, n, fold);
    memcpy(mark, w, (size_t)n * sizeof(*w));
    const char *folded = compose(fold, k);
    const char *marked = compose(mark, n);
    return cb(folded, marked, ctx);
}

int fold_words(const char *s, fold_word_fn cb, void *ctx)
{
    struct cps c;
    if (!s || folded_nfd(s, &c))
        return -1;
    utf8proc_int32_t *fold = xmalloc((size_t)(c.len + 1) * sizeof(*fold));
    utf8proc_int32_t *mark = xmalloc((size_t)(c.len + 1) * sizeof(*mark));
    int rc = 0;
    utf8proc_ssize_t i = 0;
    while (i < c.len && rc == 0) {
        if (!is_word_start(c.v[i])) {
            i++;
            continue;
        }
        utf8proc_ssize_t j = i + 1;
        while (j < c.len && (is_word_start(c.v[j]) || is_mark(c.v[j])))
            j++;
        rc = emit(c.v + i, j - i, fold, mark, cb, ctx);
        i = j;
    }
    free(mark);
    free(fold);
    free(c.v);
    return rc;
}
