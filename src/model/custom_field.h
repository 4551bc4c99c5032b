/* Custom fields (SPEC §2): declared per object with a type, stored in the
 * record's "custom" JSON object, validated on every write. */
#ifndef PHEU_MODEL_CUSTOM_FIELD_H
#define PHEU_MODEL_CUSTOM_FIELD_H

#include <jansson.h>
#include <stdint.h>

#include "store/db.h"
#include "util/arena.h"
#include "util/err.h"

struct cf_def {
    int64_t id;
    const char *object, *name, *label, *type;
    json_t *options;            /* select/multiselect: array (owned) */
    int64_t created_at, updated_at;
};

struct cf_set {
    struct cf_def *defs;
    int n;
};

/* Loads the declarations of object (e.g. "contact") into *out (release
 * with cf_set_release). */
int cf_load(struct db_conn *c, const char *object, struct cf_set *out,
            struct arena *a, struct err *err);
void cf_set_release(struct cf_set *s);
/* The declaration named name, or NULL. */
const struct cf_def *cf_find(const struct cf_set *s, const char *name);
/* Checks v (not null) against d: wrong JSON type is E_INVALID, a value
 * outside the rules (unknown option, bad date) E_RULE; field names
 * "custom.<name>". */
int cf_check_value(const struct cf_def *d, json_t *v, struct arena *a,
                   struct err *err);
/* Whether name is a valid custom field name: [a-z][a-z0-9_]{0,39}. */
int cf_valid_name(const char *name);
/* The API shape of a declaration. */
json_t *cf_to_json(const struct cf_def *d);

/* Declares a field from {"object","name","label","type","options"}
 * (admins); audited; returns the new id. */
int cf_create(struct db_conn *c, int64_t actor, json_t *body, int64_t *id,
              struct arena *a, struct err *err);
/* Changes label or options of field id; audited. */
int cf_update(struct db_conn *c, int64_t actor, int64_t id, json_t *body,
              struct arena *a, struct err *err);
/* Removes declaration id (values stay in records, unshown). */
int cf_delete(struct db_conn *c, int64_t actor, int64_t id,
              struct err *err);
/* Reads declaration id. */
int cf_get(struct db_conn *c, int64_t id, struct cf_def *d, struct arena *a,
           struct err *err);

#endif
