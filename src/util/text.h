/* Text rules shared by every record: UTF-8 validity, NFC (utf8proc),
 * no control characters, length limits, email syntax (SPEC App. C). */
#ifndef PHEU_UTIL_TEXT_H
#define PHEU_UTIL_TEXT_H

#include <stddef.h>

#include "util/arena.h"
#include "util/err.h"

/* Validates s (len bytes) as UTF-8 without control characters (tab and
 * newline allowed), at most max bytes after normalisation, and stores its
 * NFC form (arena) in *out. Errors are E_INVALID naming field. */
int text_normalize(const char *s, size_t len, size_t max, const char *field,
                   const char **out, struct arena *a, struct err *err);

/* Validates an email address: ASCII local part, no whitespace or
 * zero-width characters, local part <= 64 bytes, whole <= 254, one '@',
 * a dotted domain. E_RULE naming field. */
int text_check_email(const char *email, const char *field, struct err *err);

#endif
