/* JSON request bodies (jansson) under the rules of SPEC Appendix C:
 * duplicate keys, \u0000, raw control characters, invalid UTF-8,
 * trailing data, nesting deeper than 32 and out-of-range numbers are all
 * refused before any handler sees the document. */
#ifndef PHEU_UTIL_JSON_H
#define PHEU_UTIL_JSON_H

#include <jansson.h>
#include <stddef.h>

#include "util/err.h"

#define JSON_MAX_DEPTH 32

/* Parses len bytes at data into a new JSON value (caller decrefs).
 * E_INVALID with a message naming the position on any violation. */
int json_parse_body(const char *data, size_t len, json_t **out,
                    struct err *err);

#endif
