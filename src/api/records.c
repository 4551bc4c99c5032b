/* /api/v1/contacts, /companies, /deals, /activities and /campaigns
 * (SPEC §12, §4): list
 * with filters, sort, cursor and search; read; create; update; delete.
 * One implementation over the object tables of model/object.h; every
 * call goes through visibility (404 for what the caller may not see)
 * and every write through the audit log. */
#include "api/api.h"
#include "api/records.h"
#include "store/listq.h"
#include "util/buf.h"

#include <stdlib.h>
#include <string.h>

/* The write context of a request. */
struct wctx api_wctx(struct req *rq)
{
    struct wctx w = {.c = rq->dbc, .who = rq->who,
                     .privileged = rq->who->user.role == ROLE_ADMIN,
                     .reason = "manual", .a = &rq->arena};
    return w;
}

struct list_args {
    struct req *rq;
    struct listq *lq;
    struct err *err;
};

/* Feeds one query argument to the list parser. */
static int list_arg(const char *key, const char *value, void *ctx)
{
    struct list_args *la = ctx;
    return listq_arg(la->lq, la->rq->dbc, key, value, &la->rq->arena,
                     la->err);
}

int api_rec_list(struct req *rq, struct resp *rs, const struct object *o)
{
    struct err err = {0};
    struct listq lq;
    listq_init(&lq, o);
    struct list_args la = {rq, &lq, &err};
    int n = 0, rc = req_query_each(rq, list_arg, &la);
    const char *next = NULL;
    struct rec *out = NULL;
    if (!rc) {
        out = arena_alloc(&rq->arena, sizeof(struct rec) *
                          (size_t)(lq.limit + 1));
        rc = listq_run(rq->dbc, &lq, &rq->who->vis, out, &n, &next,
                       &rq->arena, &err);
    }
    listq_release(&lq);
    if (rc) {
        for (int i = 0; out && i < n; i++)
            rec_release(&out[i]);
        return resp_fail(rs, &err);
    }
    struct buf b;
    buf_init(&b, (size_t)-1);
    buf_adds(&b, "{\"data\":[");
    for (int i = 0; i < n; i++) {
        if (i)
            buf_add(&b, ",", 1);
        rec_dump(&out[i], &b);
        rec_release(&out[i]);
    }
    buf_adds(&b, "],\"next_cursor\":");
    if (next) {
        json_t *s = json_string(next);
        char *t = json_dumps(s, JSON_ENCODE_ANY);
        buf_adds(&b, t);
        free(t);
        json_decref(s);
    } else {
        buf_adds(&b, "null");
    }
    buf_add(&b, "}", 1);
    size_t len;
    char *body = buf_detach(&b, &len);
    return resp_raw_json(rs, 200, body, len);
}

int api_rec_get(struct req *rq, struct resp *rs, const struct object *o)
{
    struct err err = {0};
    struct rec r;
    int64_t id;
    int rc = req_param_id(rq, "id", &id, &err);
    if (!rc)
        rc = rec_read(rq->dbc, o, &rq->who->vis, id, &r, &rq->arena, &err);
    if (rc)
        return resp_fail(rs, &err);
    struct buf b;
    buf_init(&b, (size_t)-1);
    rec_dump(&r, &b);
    rec_release(&r);
    size_t len;
    char *body = buf_detach(&b, &len);
    return resp_raw_json(rs, 200, body, len);
}

/* Answers with the record as the write read it back inside its
 * transaction (w.back), which is what was committed: no second read after
 * the commit. Releases r. */
static int answer(struct req *rq, struct resp *rs, struct rec *r,
                  int status)
{
    const struct object *o = r->o;
    int64_t id = r->id;
    json_t *j = rec_to_json(r);
    rec_release(r);
    if (status == 201)
        resp_header(rs, "Location", arena_printf(&rq->arena, "/api/v1/%s/"
                                                 "%lld", o->plural,
                                                 (long long)id));
    return resp_json(rs, status, j);
}

int api_rec_post(struct req *rq, struct resp *rs, const struct object *o)
{
    struct err err = {0};
    struct wctx w = api_wctx(rq);
    struct rec in, back;
    json_t *body;
    int64_t id = 0;
    int rc = object_may_write(o, rq->who, &err);
    if (!rc)
        rc = req_json_object(rq, &body, &err);
    if (rc)
        return resp_fail(rs, &err);
    rec_init(&back, o);
    w.back = &back;
    rc = db_begin_write(rq->dbc, &err);
    if (!rc)
        rc = rec_from_json(rq->dbc, o, body, 1, w.privileged, &in,
                           &rq->arena, &err);
    if (!rc)
        rc = rec_create(&w, &in, &id, &err);
    rec_release(&in);
    if (api_finish(rq, rs, rc, &err)) {
        rec_release(&back);
        return 0;
    }
    return answer(rq, rs, &back, 201);
}

int api_rec_patch(struct req *rq, struct resp *rs, const struct object *o)
{
    struct err err = {0};
    struct wctx w = api_wctx(rq);
    struct rec in, back;
    json_t *body;
    int64_t id;
    int rc = object_may_write(o, rq->who, &err);
    if (!rc)
        rc = req_param_id(rq, "id", &id, &err);
    if (!rc)
        rc = req_json_object(rq, &body, &err);
    if (rc)
        return resp_fail(rs, &err);
    rec_init(&back, o);
    w.back = &back;
    rc = db_begin_write(rq->dbc, &err);
    if (!rc)
        rc = rec_from_json(rq->dbc, o, body, 0, w.privileged, &in,
                           &rq->arena, &err);
    if (!rc)
        rc = rec_update(&w, id, &in, &err);
    rec_release(&in);
    if (api_finish(rq, rs, rc, &err)) {
        rec_release(&back);
        return 0;
    }
    return answer(rq, rs, &back, 200);
}

int api_rec_delete(struct req *rq, struct resp *rs, const struct object *o)
{
    struct err err = {0};
    struct wctx w = api_wctx(rq);
    int64_t id;
    int rc = object_may_write(o, rq->who, &err);
    if (!rc)
        rc = req_param_id(rq, "id", &id, &err);
    if (rc)
        return resp_fail(rs, &err);
    rc = db_begin_write(rq->dbc, &err);
    if (!rc)
        rc = rec_delete(&w, o, id, &err);
    if (api_finish(rq, rs, rc, &err))
        return 0;
    return resp_empty(rs, 204);
}

/* Route handlers per object. */
#define OBJECT_HANDLERS(pfx, obj)                                          \
    static int pfx##_list(struct req *rq, struct resp *rs)                 \
    { return api_rec_list(rq, rs, &obj); }                                 \
    static int pfx##_get(struct req *rq, struct resp *rs)                  \
    { return api_rec_get(rq, rs, &obj); }                                  \
    static int pfx##_post(struct req *rq, struct resp *rs)                 \
    { return api_rec_post(rq, rs, &obj); }                                 \
    static int pfx##_patch(struct req *rq, struct resp *rs)                \
    { return api_rec_patch(rq, rs, &obj); }                                \
    static int pfx##_delete(struct req *rq, struct resp *rs)               \
    { return api_rec_delete(rq, rs, &obj); }

OBJECT_HANDLERS(contacts, OBJ_CONTACT)
OBJECT_HANDLERS(companies, OBJ_COMPANY)
OBJECT_HANDLERS(deals, OBJ_DEAL)
OBJECT_HANDLERS(activities, OBJ_ACTIVITY)
OBJECT_HANDLERS(campaigns, OBJ_CAMPAIGN)

#define OBJECT_ROUTES(pfx, path)                                           \
    {"GET", "/api/v1/" path, pfx##_list, R_AUTH, QUERY_ANY},               \
    {"POST", "/api/v1/" path, pfx##_post, R_AUTH, NULL},                   \
    {"GET", "/api/v1/" path "/{id}", pfx##_get, R_AUTH, NULL},             \
    {"PATCH", "/api/v1/" path "/{id}", pfx##_patch, R_AUTH, NULL},         \
    {"DELETE", "/api/v1/" path "/{id}", pfx##_delete, R_AUTH, NULL}

const struct route records_routes[] = {
    OBJECT_ROUTES(contacts, "contacts"),
    OBJECT_ROUTES(companies, "companies"),
    OBJECT_ROUTES(deals, "deals"),
    OBJECT_ROUTES(activities, "activities"),
    OBJECT_ROUTES(campaigns, "campaigns"),
    {0},
};
