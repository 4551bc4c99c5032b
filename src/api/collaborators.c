/* /api/v1/{contacts|companies|deals}/{id}/collaborators: users added to
 * a record see it as its owner does (SPEC §1). Whoever may see the
 * record may list, add and remove its collaborators; audited. */
#include "api/api.h"
#include "model/object.h"
#include "model/record.h"
#include "store/audit.h"
#include "util/clock.h"

/* Checks that the caller sees record id of o (404 otherwise). */
static int visible(struct req *rq, const struct object *o, int64_t id,
                   struct err *err)
{
    struct rec r;
    int rc = rec_read(rq->dbc, o, &rq->who->vis, id, &r, &rq->arena, err);
    if (!rc)
        rec_release(&r);
    return rc;
}

/* GET: the collaborators as {user_id, name, email}. */
static int collab_list(struct req *rq, struct resp *rs,
                       const struct object *o)
{
    struct err err = {0};
    int64_t id;
    struct db_stmt *st;
    int rc = req_param_id(rq, "id", &id, &err);
    if (!rc)
        rc = visible(rq, o, id, &err);
    if (!rc)
        rc = db_query(rq->dbc, &st, &err, "SELECT u.id, u.name, u.email FROM "
                      "collaborators c JOIN users u ON u.id = c.user_id "
                      "WHERE c.object = ? AND c.record_id = ? ORDER BY u.id",
                      "ti", o->name, id);
    if (rc)
        return resp_fail(rs, &err);
    json_t *data = json_array();
    int r;
    while ((r = db_step(st, &err)) == DB_ROW)
        json_array_append_new(data, json_pack(
            "{sIssss}", "user_id", (json_int_t)db_col_int(st, 0), "name",
            db_col_text(st, 1), "email", db_col_text(st, 2)));
    db_done(st);
    if (r < 0) {
        json_decref(data);
        return resp_fail(rs, &err);
    }
    return resp_list(rs, data, 0);
}

/* POST {"user_id"}: adds an active user; 409 when already there. */
static int collab_add(struct req *rq, struct resp *rs,
                      const struct object *o)
{
    static const char *const keys[] = {"user_id", NULL};
    struct err err = {0};
    json_t *body, *u = NULL;
    int64_t id, n = 0;
    int rc = req_param_id(rq, "id", &id, &err);
    if (!rc)
        rc = req_json_object(rq, &body, &err);
    if (!rc)
        rc = record_check_keys(body, keys, &err);
    if (!rc) {
        u = json_object_get(body, "user_id");
        if (!json_is_integer(u) || json_integer_value(u) <= 0)
            rc = err_set(&err, E_INVALID, "user_id", "must be a user id");
    }
    if (rc)
        return resp_fail(rs, &err);
    int64_t uid = json_integer_value(u);
    rc = db_begin_write(rq->dbc, &err);
    if (!rc)
        rc = visible(rq, o, id, &err);
    if (!rc)
        rc = db_int(rq->dbc, &err, &n, "SELECT COUNT(*) FROM users WHERE id "
                    "= ? AND active = 1", "i", uid);
    if (!rc && !n)
        rc = err_set(&err, E_RULE, "user_id", "no such user");
    if (!rc)
        rc = db_int(rq->dbc, &err, &n, "SELECT COUNT(*) FROM collaborators "
                    "WHERE object = ? AND record_id = ? AND user_id = ?",
                    "tii", o->name, id, uid);
    if (!rc && n)
        rc = err_set(&err, E_CONFLICT, "user_id", "is already a "
                     "collaborator");
    if (!rc)
        rc = db_run(rq->dbc, &err, "INSERT INTO collaborators (object, "
                    "record_id, user_id, created_at) VALUES (?, ?, ?, ?)",
                    "tiii", o->name, id, uid, clock_now_ms());
    if (!rc)
        rc = audit_write(rq->dbc, rq->who->user.id, "collaborator_add",
                         o->name, id, NULL, body, &err);
    if (api_finish(rq, rs, rc, &err))
        return 0;
    return resp_json(rs, 201, json_pack("{sI}", "user_id", (json_int_t)uid));
}

/* DELETE …/collaborators/{user_id}. */
static int collab_del(struct req *rq, struct resp *rs,
                      const struct object *o)
{
    struct err err = {0};
    int64_t id, uid, got;
    int rc = req_param_id(rq, "id", &id, &err);
    if (!rc)
        rc = req_param_id(rq, "user_id", &uid, &err);
    if (rc)
        return resp_fail(rs, &err);
    rc = db_begin_write(rq->dbc, &err);
    if (!rc)
        rc = visible(rq, o, id, &err);
    if (!rc) {
        rc = db_int(rq->dbc, &err, &got, "DELETE FROM collaborators WHERE "
                    "object = ? AND record_id = ? AND user_id = ? RETURNING "
                    "user_id", "tii", o->name, id, uid);
        if (rc == E_NOTFOUND)
            err_set(&err, E_NOTFOUND, NULL, "no such collaborator");
    }
    if (!rc) {
        json_t *ov = json_pack("{sI}", "user_id", (json_int_t)uid);
        rc = audit_write(rq->dbc, rq->who->user.id, "collaborator_remove",
                         o->name, id, ov, NULL, &err);
        json_decref(ov);
    }
    if (api_finish(rq, rs, rc, &err))
        return 0;
    return resp_empty(rs, 204);
}

#define COLLAB_HANDLERS(pfx, obj)                                          \
    static int pfx##_list(struct req *rq, struct resp *rs)                 \
    { return collab_list(rq, rs, &obj); }                                  \
    static int pfx##_add(struct req *rq, struct resp *rs)                  \
    { return collab_add(rq, rs, &obj); }                                   \
    static int pfx##_del(struct req *rq, struct resp *rs)                  \
    { return collab_del(rq, rs, &obj); }

COLLAB_HANDLERS(contact, OBJ_CONTACT)
COLLAB_HANDLERS(company, OBJ_COMPANY)
COLLAB_HANDLERS(deal, OBJ_DEAL)

#define COLLAB_ROUTES(pfx, path)                                           \
    {"GET", "/api/v1/" path "/{id}/collaborators", pfx##_list, R_AUTH,     \
     NULL},                                                                \
    {"POST", "/api/v1/" path "/{id}/collaborators", pfx##_add, R_AUTH,     \
     NULL},                                                                \
    {"DELETE", "/api/v1/" path "/{id}/collaborators/{user_id}", pfx##_del, \
     R_AUTH, NULL}

const struct route collaborators_routes[] = {
    COLLAB_ROUTES(contact, "contacts"),
    COLLAB_ROUTES(company, "companies"),
    COLLAB_ROUTES(deal, "deals"),
    {0},
};
