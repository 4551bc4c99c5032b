/* HTML text: escaping for element content and attribute values, so a
 * page or snippet built from user data (form labels, consent texts,
 * thank-you messages) cannot break out of the markup. */
#ifndef PHEU_UTIL_HTML_H
#define PHEU_UTIL_HTML_H

#include <stddef.h>

#include "util/buf.h"

/* Appends s to b with & < > " ' written as entities: safe inside
 * element content and inside a double- or single-quoted attribute
 * value. NULL appends nothing. Returns buf_add's result. */
int html_escape(struct buf *b, const char *s);
/* As html_escape for the n bytes at s. */
int html_escape_n(struct buf *b, const char *s, size_t n);

#endif
