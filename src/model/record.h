/* Rules shared by every record's JSON input (SPEC App. C). */
#ifndef PHEU_MODEL_RECORD_H
#define PHEU_MODEL_RECORD_H

#include <jansson.h>

#include "util/err.h"

/* Fields no caller sets through the API: id, created_at, updated_at.
 * Returns E_RULE naming the first one present in body, else 0. */
int record_check_readonly(json_t *body, struct err *err);

/* Checks that every key of body is in allowed (NULL-ended); an unknown
 * key is E_INVALID naming it. */
int record_check_keys(json_t *body, const char *const *allowed,
                      struct err *err);

#endif
