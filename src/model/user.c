/* User validation and JSON. */
#include "model/user.h"
#include "model/auth.h"
#include "model/principal.h"
#include "model/record.h"
#include "store/audit.h"
#include "store/q_user.h"
#include "util/clock.h"
#include "util/text.h"

#include <sodium.h>
#include <string.h>

json_t *user_to_json(const struct user *u)
{
    char c[40], m[40];
    clock_iso(u->created_at, c, sizeof(c));
    clock_iso(u->updated_at, m, sizeof(m));
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(u->id));
    json_object_set_new(o, "email", json_string(u->email));
    json_object_set_new(o, "name", json_string(u->name));
    json_object_set_new(o, "role", json_string(role_name(u->role)));
    json_object_set_new(o, "team_id",
                        u->team_id ? json_integer(u->team_id) : json_null());
    json_object_set_new(o, "locale", json_string(u->locale ? u->locale : "vi"));
    json_object_set_new(o, "sales_mode", u->sales_mode
                        ? json_string(u->sales_mode) : json_null());
    json_object_set_new(o, "phone", u->phone ? json_string(u->phone)
                        : json_null());
    json_object_set_new(o, "active", json_boolean(u->active));
    json_object_set_new(o, "created_at", json_string(c));
    json_object_set_new(o, "updated_at", json_string(m));
    return o;
}

int user_check_email(const char *email, struct err *err)
{
    return text_check_email(email, "email", err);
}

int user_check_password(const char *pw, struct err *err)
{
    size_t n = strlen(pw), chars = 0;
    for (const char *p = pw; *p; p++)
        chars += ((unsigned char)*p & 0xc0) != 0x80;
    if (chars < 8)
        return err_set(err, E_RULE, "password", "must be at least 8 "
                       "characters");
    if (n > 1024)
        return err_set(err, E_RULE, "password", "must be at most 1024 "
                       "bytes");
    return 0;
}

/* Reads the optional string key into *out (NFC); JSON null is refused
 * unless nullable, when it sets *out to NULL and *given. */
static int opt_text(json_t *body, const char *key, const char **out,
                    int *given, int nullable, size_t max, struct arena *a,
                    struct err *err)
{
    json_t *v = json_object_get(body, key);
    if (!v)
        return 0;
    if (given)
        *given = 1;
    if (json_is_null(v) && nullable) {
        *out = NULL;
        return 0;
    }
    if (!json_is_string(v))
        return err_set(err, E_INVALID, key, "must be a string");
    return text_normalize(json_string_value(v), json_string_length(v), max,
                          key, out, a, err);
}

/* Reads role, team_id and active. */
static int read_refs(json_t *body, struct user_in *in, struct err *err)
{
    json_t *v = json_object_get(body, "role");
    if (v) {
        in->role = json_is_string(v) ? role_parse(json_string_value(v))
                                     : ROLE_NONE;
        if (in->role == ROLE_NONE)
            return err_set(err, E_INVALID, "role", "must be one of the "
                           "roles of SPEC §1");
    }
    v = json_object_get(body, "team_id");
    if (v) {
        in->has_team = 1;
        if (json_is_null(v))
            in->team_id = 0;
        else if (json_is_integer(v) && json_integer_value(v) > 0)
            in->team_id = json_integer_value(v);
        else
            return err_set(err, E_INVALID, "team_id", "must be a team id or "
                           "null");
    }
    v = json_object_get(body, "active");
    if (v) {
        if (!json_is_boolean(v))
            return err_set(err, E_INVALID, "active", "must be true or false");
        in->has_active = 1;
        in->active = json_is_true(v);
    }
    return 0;
}

int user_from_json(json_t *body, int creating, struct user_in *in,
                   struct arena *a, struct err *err)
{
    static const char *const keys[] = {"email", "name", "role", "team_id",
        "password", "sales_mode", "locale", "active", "phone", NULL};
    memset(in, 0, sizeof(*in));
    in->role = ROLE_NONE;
    int rc = record_check_readonly(body, err);
    if (!rc)
        rc = record_check_keys(body, keys, err);
    if (!rc)
        rc = opt_text(body, "email", &in->email, NULL, 0, 4096, a, err);
    if (!rc)
        rc = opt_text(body, "name", &in->name, NULL, 0, 200, a, err);
    if (!rc)
        rc = opt_text(body, "password", &in->password, NULL, 0, 1024, a, err);
    if (!rc)
        rc = opt_text(body, "sales_mode", &in->sales_mode,
                      &in->has_sales_mode, 1, 16, a, err);
    if (!rc)
        rc = opt_text(body, "locale", &in->locale, NULL, 0, 8, a, err);
    if (!rc)
        rc = opt_text(body, "phone", &in->phone, &in->has_phone, 1, 32, a,
                      err);
    if (!rc)
        rc = read_refs(body, in, err);
    if (rc)
        return rc;
    if (in->email) {
        char *e = arena_strdup(a, in->email);
        for (char *p = e; *p; p++)
            if (*p >= 'A' && *p <= 'Z')
                *p = (char)(*p - 'A' + 'a');
        in->email = e;
        rc = user_check_email(e, err);
        if (rc)
            return rc;
    }
    if (in->name && !*in->name)
        return err_set(err, E_INVALID, "name", "must not be empty");
    if (in->sales_mode && strcmp(in->sales_mode, "inside") &&
        strcmp(in->sales_mode, "outside"))
        return err_set(err, E_INVALID, "sales_mode", "must be inside or "
                       "outside");
    if (in->locale && strcmp(in->locale, "vi") && strcmp(in->locale, "en"))
        return err_set(err, E_INVALID, "locale", "must be vi or en");
    if (in->password) {
        rc = user_check_password(in->password, err);
        if (rc)
            return rc;
    }
    if (creating) {
        if (!in->email)
            return err_set(err, E_INVALID, "email", "is required");
        if (!in->name)
            return err_set(err, E_INVALID, "name", "is required");
        if (in->role == ROLE_NONE)
            return err_set(err, E_INVALID, "role", "is required");
    }
    return 0;
}

/* ---- rules that touch storage ---- */

/* E_RULE on team_id when the team does not exist. */
static int check_team(struct db_conn *c, const struct user_in *in,
                      struct err *err)
{
    if (!in->has_team || !in->team_id)
        return 0;
    int64_t n = 0;
    int rc = db_int(c, err, &n, "SELECT COUNT(*) FROM teams WHERE id = ?",
                    "i", in->team_id);
    if (rc)
        return rc;
    return n ? 0 : err_set(err, E_RULE, "team_id", "no such team");
}

/* E_CONFLICT (with the other user's id) when email belongs to a user
 * other than self. */
static int check_email_free(struct db_conn *c, const char *email,
                            int64_t self, struct err *err)
{
    int64_t other = 0;
    int rc = db_int(c, err, &other, "SELECT id FROM users WHERE email = ? "
                    "AND id <> ?", "ti", email, self);
    if (rc == E_NOTFOUND)
        return 0;
    if (rc)
        return rc;
    err_set(err, E_CONFLICT, "email", "a user with this email exists");
    err->id = other;
    return E_CONFLICT;
}

/* Hashes in->password when given into hash (or leaves it empty). */
static int hash_if_given(const struct user_in *in, char *hash, size_t len,
                         struct err *err)
{
    hash[0] = '\0';
    return in->password ? auth_hash_password(in->password, hash, len, err)
                        : 0;
}

int user_create(struct db_conn *c, const struct principal *actor,
                const struct user_in *in, struct user *out,
                struct arena *a, struct err *err)
{
    int64_t id = 0;
    char hash[crypto_pwhash_STRBYTES];
    if (actor && actor->user.role != ROLE_ADMIN)
        return err_set(err, E_FORBIDDEN, NULL, "only admins can add users");
    int rc = hash_if_given(in, hash, sizeof(hash), err);
    if (rc)
        return rc;
    rc = db_begin_write(c, err);
    if (rc)
        return rc;
    rc = check_team(c, in, err);
    if (!rc)
        rc = q_user_insert(c, in, hash[0] ? hash : NULL, &id, err);
    if (!rc)
        rc = q_user_get(c, id, out, a, err);
    if (!rc) {
        json_t *nv = user_to_json(out);
        rc = audit_write(c, actor ? actor->user.id : 0, "create", "user", id,
                         NULL, nv, err);
        json_decref(nv);
    }
    if (!rc)
        rc = db_commit(c, err);
    if (rc)
        db_rollback(c);
    else
        principal_cache_invalidate();
    return rc;
}

/* Refuses fields the actor may not set on this user (SPEC App. C). */
static int check_allowed(const struct principal *actor, int64_t id,
                         const struct user_in *in, struct err *err)
{
    if (!actor)
        return 0;
    int self = actor->user.id == id;
    if (actor->user.role == ROLE_ADMIN) {
        if (self && in->role != ROLE_NONE)
            return err_set(err, E_RULE, "role", "you cannot change your "
                           "own role");
        if (self && in->has_active)
            return err_set(err, E_RULE, "active", "you cannot deactivate "
                           "yourself");
        return 0;
    }
    if (!self)
        return err_set(err, E_FORBIDDEN, NULL, "only admins can change "
                       "other users");
    if (in->role != ROLE_NONE)
        return err_set(err, E_RULE, "role", "you cannot change your own "
                       "role");
    if (in->has_team)
        return err_set(err, E_RULE, "team_id", "only admins can move users "
                       "between teams");
    if (in->has_active)
        return err_set(err, E_RULE, "active", "only admins can change this");
    if (in->email)
        return err_set(err, E_RULE, "email", "only admins can change "
                       "emails");
    if (in->has_sales_mode)
        return err_set(err, E_RULE, "sales_mode", "only admins can change "
                       "this");
    return 0;
}

int user_update(struct db_conn *c, const struct principal *actor,
                int64_t id, const struct user_in *in, struct user *out,
                struct arena *a, struct err *err)
{
    char hash[crypto_pwhash_STRBYTES];
    struct user old;
    if (actor && !vis_can_see(&actor->vis, VIS_USER, id))
        return err_set(err, E_NOTFOUND, NULL, "no such user");
    int rc = check_allowed(actor, id, in, err);
    if (!rc)
        rc = hash_if_given(in, hash, sizeof(hash), err);
    if (rc)
        return rc;
    rc = db_begin_write(c, err);
    if (rc)
        return rc;
    rc = q_user_get(c, id, &old, a, err);
    if (!rc)
        rc = check_team(c, in, err);
    if (!rc && in->email)
        rc = check_email_free(c, in->email, id, err);
    if (!rc)
        rc = q_user_update(c, id, in, hash[0] ? hash : NULL, err);
    if (!rc)
        rc = q_user_get(c, id, out, a, err);
    if (!rc) {
        json_t *ov = user_to_json(&old), *nv = user_to_json(out);
        if (in->password)
            json_object_set_new(nv, "password", json_string("(changed)"));
        rc = audit_write(c, actor ? actor->user.id : 0, "update", "user", id,
                         ov, nv, err);
        json_decref(ov);
        json_decref(nv);
    }
    if (!rc)
        rc = db_commit(c, err);
    if (rc)
        db_rollback(c);
    else
        principal_cache_invalidate();
    return rc;
}
