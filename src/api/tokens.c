/* /api/v1/tokens: API tokens for integrations, created and revoked by
 * their user or an admin; the token text is shown once. */
#include "api/api.h"
#include "model/auth.h"
#include "model/record.h"
#include "util/clock.h"
#include "util/text.h"

/* POST /api/v1/tokens {"name"[, "user_id" (admins)]}: 201 {id,name,token}. */
static int tokens_post(struct req *rq, struct resp *rs)
{
    struct err err = {0};
    json_t *body;
    const char *name = NULL;
    char tok[96];
    int64_t id, uid = rq->who->user.id;
    int rc = req_json_object(rq, &body, &err);
    if (rc)
        return resp_fail(rs, &err);
    static const char *const keys[] = {"name", "user_id", NULL};
    json_t *n = json_object_get(body, "name"), *u =
        json_object_get(body, "user_id");
    rc = record_check_keys(body, keys, &err);
    if (rc)
        return resp_fail(rs, &err);
    if (!json_is_string(n) || !json_string_length(n))
        return resp_error(rs, E_INVALID, "name", "is required");
    /* The stored form (NFC), so the answer matches what lists show. */
    rc = text_normalize(json_string_value(n), json_string_length(n), 100,
                        "name", &name, &rq->arena, &err);
    if (rc)
        return resp_fail(rs, &err);
    if (u) {
        if (!json_is_integer(u) || json_integer_value(u) <= 0)
            return resp_error(rs, E_INVALID, "user_id", "must be a user id");
        uid = json_integer_value(u);
        if (uid != rq->who->user.id && rq->who->user.role != ROLE_ADMIN)
            return resp_error(rs, E_RULE, "user_id", "only admins can make "
                              "tokens for other users");
    }
    rc = db_begin_write(rq->dbc, &err);
    if (!rc)
        rc = auth_token_create(rq->dbc, rq->who->user.id, uid, name, tok,
                               sizeof(tok), &id, &err);
    if (api_finish(rq, rs, rc, &err))
        return 0;
    return resp_json(rs, 201, json_pack("{s:I, s:s, s:I, s:s}", "id",
                                        (json_int_t)id, "name", name,
                                        "user_id", (json_int_t)uid, "token",
                                        tok));
}

/* GET /api/v1/tokens: the caller's tokens (admins: everyone's), never
 * the token text. */
static int tokens_list(struct req *rq, struct resp *rs)
{
    struct err err = {0};
    struct db_stmt *st;
    int limit, r, n = 0;
    int64_t after, last = 0;
    int rc = req_page(rq, &limit, &after, &err);
    int admin = rq->who->user.role == ROLE_ADMIN;
    if (!rc)
        rc = db_query(rq->dbc, &st, &err, "SELECT id, name, user_id, "
                      "created_at, revoked_at FROM api_tokens WHERE id > ? "
                      "AND (user_id = ? OR ? = 1) ORDER BY id LIMIT ?",
                      "iiii", after, rq->who->user.id, (int64_t)admin,
                      (int64_t)limit + 1);
    if (rc)
        return resp_fail(rs, &err);
    json_t *data = json_array();
    while ((r = db_step(st, &err)) == DB_ROW && n++ < limit) {
        char c[40], v[40];
        last = db_col_int(st, 0);
        clock_iso(db_col_int(st, 3), c, sizeof(c));
        clock_iso(db_col_int(st, 4), v, sizeof(v));
        json_array_append_new(data, json_pack(
            "{s:I, s:s, s:I, s:s, s:o}", "id", (json_int_t)last, "name",
            db_col_text(st, 1), "user_id", (json_int_t)db_col_int(st, 2),
            "created_at", c, "revoked_at", db_col_null(st, 4)
            ? json_null() : json_string(v)));
    }
    db_done(st);
    if (r < 0) {
        json_decref(data);
        return resp_fail(rs, &err);
    }
    return resp_list(rs, data, n > limit ? last : 0);
}

/* DELETE /api/v1/tokens/{id}: revoke; 404 unless yours or you are admin. */
static int tokens_delete(struct req *rq, struct resp *rs)
{
    struct err err = {0};
    int64_t id;
    int rc = req_param_id(rq, "id", &id, &err);
    if (rc)
        return resp_fail(rs, &err);
    rc = db_begin_write(rq->dbc, &err);
    if (!rc)
        rc = auth_token_revoke(rq->dbc, rq->who, id, &err);
    if (api_finish(rq, rs, rc, &err))
        return 0;
    principal_cache_invalidate();
    return resp_empty(rs, 204);
}

const struct route tokens_routes[] = {
    {"GET", "/api/v1/tokens", tokens_list, R_AUTH, QUERY_PAGE},
    {"POST", "/api/v1/tokens", tokens_post, R_AUTH, NULL},
    {"DELETE", "/api/v1/tokens/{id}", tokens_delete, R_AUTH, NULL},
    {0},
};
