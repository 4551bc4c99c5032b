/* CSV cells of exports (SPEC §12, App. C): the guard against spreadsheet
 * formula injection, and quoting through libcsv's writer. A cell holding
 * NULL is written empty and unquoted, an empty string as "", so the two
 * read back apart. */
#ifndef PHEU_UTIL_CSVCELL_H
#define PHEU_UTIL_CSVCELL_H

#include <stddef.h>

#include "util/buf.h"

/* Whether s must be guarded with a leading ' (App. C): its first
 * non-blank character is = + - @ or their fullwidth forms (＝ ＋ － ＠),
 * or it starts with a tab or a carriage return. Blanks are the ASCII
 * spaces and line breaks and the Unicode space characters (no-break,
 * en/em and other typographic spaces, ideographic space, zero-width
 * space and no-break space). */
int csvcell_risky(const char *s);

/* Whether s is an E.164 number ("+" and 8 to 15 digits, the first not
 * 0): such a phone cell is written as it is (docs/decisions/0009). */
int csvcell_is_e164(const char *s);

/* Appends one cell (no separator) to b: nothing for NULL, "" for an
 * empty string; otherwise s, prefixed with ' when guard is set and s is
 * risky, and quoted when it holds a comma, a quote, a line break or
 * leading or trailing spaces. */
void csvcell_add(struct buf *b, const char *s, int guard);

#endif
