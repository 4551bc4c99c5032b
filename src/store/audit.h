/* The append-only audit log (SPEC §2): who, when, what, old and new
 * values; written by the caller inside the transaction of the change. */
#ifndef PHEU_STORE_AUDIT_H
#define PHEU_STORE_AUDIT_H

#include <jansson.h>
#include <stdint.h>

#include "store/db.h"

/* Records one action. old_v and new_v are borrowed (may be NULL); actor 0
 * means the system or the command line (stored as 0). */
int audit_write(struct db_conn *c, int64_t actor, const char *action,
                const char *object, int64_t object_id, json_t *old_v,
                json_t *new_v, struct err *err);
/* As audit_write, naming what made the change when no user did (via:
 * "form:12"; NULL for none): the timeline shows it. */
int audit_write_via(struct db_conn *c, int64_t actor, const char *via,
                    const char *action, const char *object,
                    int64_t object_id, json_t *old_v, json_t *new_v,
                    struct err *err);

#endif
