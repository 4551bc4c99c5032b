/* application/x-www-form-urlencoded bodies (HTML form posts to the
 * public /f/{key} endpoint) read into the same JSON object a JSON body
 * gives, so the handler has one input shape: every value a string. */
#ifndef PHEU_HTTP_FORMBODY_H
#define PHEU_HTTP_FORMBODY_H

#include <jansson.h>
#include <stddef.h>

#include "util/arena.h"
#include "util/err.h"

/* At most this many name=value pairs in one body. */
#define FORMBODY_MAX_PAIRS 200

/* Parses len bytes of a urlencoded body into a new JSON object of
 * strings (caller decrefs *out). Pairs are split on '&' (empty pieces
 * skipped) and at their first '='; a name without '=' has the value "".
 * '+' is a space and %XX escapes are decoded by libmicrohttpd's
 * MHD_http_unescape. E_INVALID (400) for: an empty name, a name given
 * twice (the name, when at most 100 bytes, is copied into a),
 * a NUL byte (raw or %00), a name or value that is not UTF-8,
 * more than FORMBODY_MAX_PAIRS pairs; the field names the pair's name
 * when it can be shown. */
int formbody_parse(const char *data, size_t len, json_t **out,
                   struct arena *a, struct err *err);

#endif
