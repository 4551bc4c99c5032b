/* A team (SPEC §1): kind marketing | sales | success, nested through
 * parent_id, with a manager. Validation and JSON. */
#ifndef PHEU_MODEL_TEAM_H
#define PHEU_MODEL_TEAM_H

#include <jansson.h>
#include <stdint.h>

#include "util/arena.h"
#include "util/err.h"

struct team {
    int64_t id;
    const char *name, *kind;
    int64_t parent_id, manager_id;  /* 0 = none */
    int64_t created_at, updated_at;
};

struct team_in {
    const char *name, *kind;
    int has_parent, has_manager;
    int64_t parent_id, manager_id;  /* 0 with has_* = clear */
};

/* Returns a new JSON object for t (caller owns it). */
json_t *team_to_json(const struct team *t);
/* Reads a create or update body; E_INVALID naming the field. */
int team_from_json(json_t *body, int creating, struct team_in *in,
                   struct arena *a, struct err *err);
/* Whether kind is marketing, sales or success. */
int team_kind_valid(const char *kind);


struct principal;
struct db_conn;

/* Creates a team (admins only; actor NULL = command line) in its own
 * transaction, audited; fills *out with the stored team. */
int team_create(struct db_conn *c, const struct principal *actor,
                const struct team_in *in, struct team *out,
                struct arena *a, struct err *err);
/* Updates team id (admins only), audited; reloads it into *out. */
int team_update(struct db_conn *c, const struct principal *actor,
                int64_t id, const struct team_in *in, struct team *out,
                struct arena *a, struct err *err);

#endif
