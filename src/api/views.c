/* /api/v1/views: saved list views (a name and the list's query string)
 * per user and object; each user sees and removes only their own.
 * Creations and removals are audited. */
#include "api/api.h"
#include "model/object.h"
#include "model/record.h"
#include "store/audit.h"
#include "util/clock.h"
#include "util/text.h"

#include <string.h>

static const char *const QUERY_VIEWS[] = {"object", NULL};

/* The JSON of the current row (id, object, name, query, created_at). */
static json_t *view_json(struct db_stmt *st)
{
    char iso[40];
    clock_iso(db_col_int(st, 4), iso, sizeof(iso));
    return json_pack("{sIssssssss}", "id", (json_int_t)db_col_int(st, 0),
                     "object", db_col_text(st, 1), "name",
                     db_col_text(st, 2), "query", db_col_text(st, 3),
                     "created_at", iso);
}

/* GET /api/v1/views[?object=contacts]: the caller's views. */
static int views_list(struct req *rq, struct resp *rs)
{
    struct err err = {0};
    const char *object = req_query(rq, "object");
    struct db_stmt *st;
    int rc = object
        ? db_query(rq->dbc, &st, &err, "SELECT id, object, name, query, "
                   "created_at FROM saved_views WHERE user_id = ? AND object "
                   "= ? ORDER BY name, id", "it", rq->who->user.id, object)
        : db_query(rq->dbc, &st, &err, "SELECT id, object, name, query, "
                   "created_at FROM saved_views WHERE user_id = ? ORDER BY "
                   "object, name, id", "i", rq->who->user.id);
    if (rc)
        return resp_fail(rs, &err);
    json_t *data = json_array();
    int r;
    while ((r = db_step(st, &err)) == DB_ROW)
        json_array_append_new(data, view_json(st));
    db_done(st);
    if (r < 0) {
        json_decref(data);
        return resp_fail(rs, &err);
    }
    return resp_list(rs, data, 0);
}

/* Reads a required string key of body into *out (NFC, at most max). */
static int need_text(json_t *body, const char *k, size_t max,
                     const char **out, struct arena *a, struct err *err)
{
    json_t *v = json_object_get(body, k);
    if (!json_is_string(v) || !json_string_length(v))
        return err_set(err, E_INVALID, k, "must be a non-empty string");
    return text_normalize(json_string_value(v), json_string_length(v), max,
                          k, out, a, err);
}

/* POST /api/v1/views {"object","name","query"}. */
static int views_post(struct req *rq, struct resp *rs)
{
    static const char *const keys[] = {"object", "name", "query", NULL};
    struct err err = {0};
    json_t *body;
    const char *object, *name, *query = "";
    int64_t id = 0, now = clock_now_ms();
    int rc = req_json_object(rq, &body, &err);
    if (!rc)
        rc = record_check_readonly(body, &err);
    if (!rc)
        rc = record_check_keys(body, keys, &err);
    if (!rc)
        rc = need_text(body, "object", 32, &object, &rq->arena, &err);
    if (!rc && !object_by_plural(object))
        rc = err_set(&err, E_INVALID, "object", "must be contacts, "
                     "companies, deals or activities");
    if (!rc)
        rc = need_text(body, "name", 200, &name, &rq->arena, &err);
    if (!rc && json_object_get(body, "query"))
        rc = json_is_string(json_object_get(body, "query"))
            ? text_normalize(json_string_value(json_object_get(body,
                                                               "query")),
                             json_string_length(json_object_get(body,
                                                                "query")),
                             4000, "query", &query, &rq->arena, &err)
            : err_set(&err, E_INVALID, "query", "must be a string");
    if (rc)
        return resp_fail(rs, &err);
    rc = db_begin_write(rq->dbc, &err);
    if (!rc)
        rc = db_int(rq->dbc, &err, &id, "INSERT INTO saved_views (user_id, "
                    "object, name, query, created_at, updated_at) VALUES "
                    "(?, ?, ?, ?, ?, ?) RETURNING id", "itttii",
                    rq->who->user.id, object, name, query, now, now);
    if (!rc) {
        json_t *nv = json_pack("{ssssss}", "object", object, "name", name,
                               "query", query);
        rc = audit_write(rq->dbc, rq->who->user.id, "create", "saved_view",
                         id, NULL, nv, &err);
        json_decref(nv);
    }
    if (api_finish(rq, rs, rc, &err))
        return 0;
    char iso[40];
    clock_iso(now, iso, sizeof(iso));
    return resp_json(rs, 201, json_pack("{sIssssssss}", "id",
                                        (json_int_t)id, "object", object,
                                        "name", name, "query", query,
                                        "created_at", iso));
}

/* DELETE /api/v1/views/{id}: only the owner's. */
static int views_delete(struct req *rq, struct resp *rs)
{
    struct err err = {0};
    int64_t id, got;
    int rc = req_param_id(rq, "id", &id, &err);
    if (rc)
        return resp_fail(rs, &err);
    rc = db_begin_write(rq->dbc, &err);
    if (!rc) {
        rc = db_int(rq->dbc, &err, &got, "DELETE FROM saved_views WHERE id = "
                    "? AND user_id = ? RETURNING id", "ii", id,
                    rq->who->user.id);
        if (rc == E_NOTFOUND)
            err_set(&err, E_NOTFOUND, NULL, "no such view");
    }
    if (!rc)
        rc = audit_write(rq->dbc, rq->who->user.id, "delete", "saved_view",
                         id, NULL, NULL, &err);
    if (api_finish(rq, rs, rc, &err))
        return 0;
    return resp_empty(rs, 204);
}

const struct route views_routes[] = {
    {"GET", "/api/v1/views", views_list, R_AUTH, QUERY_VIEWS},
    {"POST", "/api/v1/views", views_post, R_AUTH, NULL},
    {"DELETE", "/api/v1/views/{id}", views_delete, R_AUTH, NULL},
    {0},
};
