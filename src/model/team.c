/* Team validation and JSON. */
#include "model/team.h"
#include "model/principal.h"
#include "model/record.h"
#include "store/audit.h"
#include "store/q_team.h"
#include "util/clock.h"
#include "util/text.h"

#include <string.h>

json_t *team_to_json(const struct team *t)
{
    char c[40], m[40];
    clock_iso(t->created_at, c, sizeof(c));
    clock_iso(t->updated_at, m, sizeof(m));
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(t->id));
    json_object_set_new(o, "name", json_string(t->name));
    json_object_set_new(o, "kind", json_string(t->kind));
    json_object_set_new(o, "parent_id", t->parent_id
                        ? json_integer(t->parent_id) : json_null());
    json_object_set_new(o, "manager_id", t->manager_id
                        ? json_integer(t->manager_id) : json_null());
    json_object_set_new(o, "created_at", json_string(c));
    json_object_set_new(o, "updated_at", json_string(m));
    return o;
}

int team_kind_valid(const char *kind)
{
    return kind && (!strcmp(kind, "marketing") || !strcmp(kind, "sales") ||
                    !strcmp(kind, "success"));
}

/* Reads an optional id-or-null key. */
static int opt_ref(json_t *body, const char *key, int *has, int64_t *id,
                   struct err *err)
{
    json_t *v = json_object_get(body, key);
    if (!v)
        return 0;
    *has = 1;
    if (json_is_null(v)) {
        *id = 0;
        return 0;
    }
    if (!json_is_integer(v) || json_integer_value(v) <= 0)
        return err_set(err, E_INVALID, key, "must be an id or null");
    *id = json_integer_value(v);
    return 0;
}

int team_from_json(json_t *body, int creating, struct team_in *in,
                   struct arena *a, struct err *err)
{
    static const char *const keys[] = {"name", "kind", "parent_id",
                                       "manager_id", NULL};
    memset(in, 0, sizeof(*in));
    int rc = record_check_readonly(body, err);
    if (!rc)
        rc = record_check_keys(body, keys, err);
    if (rc)
        return rc;
    json_t *v = json_object_get(body, "name");
    if (v) {
        if (!json_is_string(v))
            return err_set(err, E_INVALID, "name", "must be a string");
        rc = text_normalize(json_string_value(v), json_string_length(v), 200,
                            "name", &in->name, a, err);
        if (rc)
            return rc;
        if (!*in->name)
            return err_set(err, E_INVALID, "name", "must not be empty");
    }
    v = json_object_get(body, "kind");
    if (v) {
        in->kind = json_is_string(v) ? json_string_value(v) : NULL;
        if (!team_kind_valid(in->kind))
            return err_set(err, E_INVALID, "kind", "must be marketing, "
                           "sales or success");
    }
    rc = opt_ref(body, "parent_id", &in->has_parent, &in->parent_id, err);
    if (!rc)
        rc = opt_ref(body, "manager_id", &in->has_manager, &in->manager_id,
                     err);
    if (rc)
        return rc;
    if (creating && !in->name)
        return err_set(err, E_INVALID, "name", "is required");
    if (creating && !in->kind)
        return err_set(err, E_INVALID, "kind", "is required");
    return 0;
}

/* ---- rules that touch storage ---- */

/* Only admins change teams. */
static int check_admin(const struct principal *actor, struct err *err)
{
    if (actor && actor->user.role != ROLE_ADMIN)
        return err_set(err, E_FORBIDDEN, NULL, "only admins can change "
                       "teams");
    return 0;
}

/* Commits or rolls back, and drops cached principals after a commit
 * because visibility follows the team tree. */
static int finish(struct db_conn *c, int rc, struct err *err)
{
    if (!rc)
        rc = db_commit(c, err);
    if (rc)
        db_rollback(c);
    else
        principal_cache_invalidate();
    return rc;
}

int team_create(struct db_conn *c, const struct principal *actor,
                const struct team_in *in, struct team *out,
                struct arena *a, struct err *err)
{
    int64_t id = 0;
    int rc = check_admin(actor, err);
    if (!rc)
        rc = db_begin_write(c, err);
    if (rc)
        return rc;
    rc = q_team_insert(c, in, &id, err);
    if (!rc)
        rc = q_team_get(c, id, out, a, err);
    if (!rc) {
        json_t *nv = team_to_json(out);
        rc = audit_write(c, actor ? actor->user.id : 0, "create", "team", id,
                         NULL, nv, err);
        json_decref(nv);
    }
    return finish(c, rc, err);
}

int team_update(struct db_conn *c, const struct principal *actor,
                int64_t id, const struct team_in *in, struct team *out,
                struct arena *a, struct err *err)
{
    struct team old;
    int rc = check_admin(actor, err);
    if (!rc)
        rc = db_begin_write(c, err);
    if (rc)
        return rc;
    rc = q_team_get(c, id, &old, a, err);
    if (!rc)
        rc = q_team_update(c, id, in, err);
    if (!rc)
        rc = q_team_get(c, id, out, a, err);
    if (!rc) {
        json_t *ov = team_to_json(&old), *nv = team_to_json(out);
        rc = audit_write(c, actor ? actor->user.id : 0, "update", "team", id,
                         ov, nv, err);
        json_decref(ov);
        json_decref(nv);
    }
    return finish(c, rc, err);
}
