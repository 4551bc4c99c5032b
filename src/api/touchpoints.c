/* /api/v1/touchpoints (SPEC §4, App. A): recording a contact's or a
 * visitor's touches and reading them back; the rules live in
 * model/touchpoint.c (docs/decisions/0013-touchpoints.md). */
#include "api/api.h"
#include "api/records.h"
#include "model/touchpoint.h"
#include "util/clock.h"

#include <stdlib.h>
#include <string.h>

static const char *const QUERY_TP[] = {"limit", "cursor", "contact_id",
    "visitor_id", "campaign_id", "kind", "channel", "at[gte]", "at[lt]",
    NULL};

/* POST /api/v1/touchpoints: 201 with the touchpoint; 403 for roles that
 * may not record them (sales), before the body is read. */
static int tp_post(struct req *rq, struct resp *rs)
{
    struct err err = {0};
    struct wctx w = api_wctx(rq);
    json_t *body, *out = NULL;
    int64_t id = 0;
    int rc = touchpoint_may_write(rq->who) ? 0
        : err_set(&err, E_FORBIDDEN, NULL, "only admins and marketing roles "
                  "record touchpoints");
    if (!rc)
        rc = req_json_object(rq, &body, &err);
    if (rc)
        return resp_fail(rs, &err);
    rc = db_begin_write(rq->dbc, &err);
    if (!rc)
        rc = touchpoint_create(&w, body, &id, &err);
    if (api_finish(rq, rs, rc, &err))
        return 0;
    rc = touchpoint_get(rq->dbc, NULL, id, &out, &err);
    if (rc)
        return resp_fail(rs, &err);
    resp_header(rs, "Location", arena_printf(&rq->arena, "/api/v1/"
                                             "touchpoints/%lld",
                                             (long long)id));
    return resp_json(rs, 201, out);
}

/* A positive id query parameter (0 when absent). */
static int query_id(struct req *rq, const char *key, int64_t *out,
                    struct err *err)
{
    const char *s = req_query(rq, key);
    char *end;
    *out = 0;
    if (!s)
        return 0;
    long long v = strtoll(s, &end, 10);
    if (end == s || *end || v <= 0)
        return err_set(err, E_INVALID, key, "must be a positive integer id");
    *out = v;
    return 0;
}

/* A time query parameter (ISO 8601). */
static int query_time(struct req *rq, const char *key, int64_t *out,
                      int *set, struct err *err)
{
    const char *s = req_query(rq, key);
    *set = 0;
    if (!s)
        return 0;
    if (clock_parse_iso(s, out))
        return err_set(err, E_INVALID, key, "must be a time such as "
                       "2026-03-01T00:00:00Z");
    *set = 1;
    return 0;
}

/* GET /api/v1/touchpoints[?contact_id&visitor_id&campaign_id&kind&channel
 * &at[gte]&at[lt]&limit&cursor]: newest first; only what the caller
 * sees. */
static int tp_list(struct req *rq, struct resp *rs)
{
    struct err err = {0};
    struct tp_filter f = {0};
    int limit, lt_set = 0;
    json_t *data = NULL;
    const char *next = NULL;
    int rc = req_limit(rq, &limit, &err);
    if (!rc)
        rc = query_id(rq, "contact_id", &f.contact_id, &err);
    if (!rc)
        rc = query_id(rq, "campaign_id", &f.campaign_id, &err);
    if (!rc)
        rc = query_time(rq, "at[gte]", &f.at_gte, &f.has_gte, &err);
    if (!rc)
        rc = query_time(rq, "at[lt]", &f.at_lt, &lt_set, &err);
    if (rc)
        return resp_fail(rs, &err);
    if (lt_set && f.at_lt <= 0)     /* nothing is before 1970 */
        f.at_lt = INT64_MIN + 1;
    f.visitor_id = req_query(rq, "visitor_id");
    f.kind = req_query(rq, "kind");
    f.channel = req_query(rq, "channel");
    if (f.kind) {
        int ok = 0;
        for (int i = 0; TOUCHPOINT_KINDS[i]; i++)
            ok |= !strcmp(f.kind, TOUCHPOINT_KINDS[i]);
        if (!ok)
            return resp_error(rs, E_INVALID, "kind", "is not a touchpoint "
                              "kind");
    }
    if (f.channel) {
        for (const char *p = f.channel; *p; p++)
            if (!((*p >= 'a' && *p <= 'z') || *p == '_'))
                return resp_error(rs, E_INVALID, "channel", "is not a "
                                  "campaign channel");
    }
    rc = touchpoint_list(rq->dbc, &rq->who->vis, &f, limit,
                         req_query(rq, "cursor"), &data, &next, &rq->arena,
                         &err);
    if (rc)
        return resp_fail(rs, &err);
    return resp_list_cursor(rs, data, next);
}

/* GET /api/v1/touchpoints/{id}: 404 when not visible. */
static int tp_get(struct req *rq, struct resp *rs)
{
    struct err err = {0};
    int64_t id;
    json_t *out = NULL;
    int rc = req_param_id(rq, "id", &id, &err);
    if (!rc)
        rc = touchpoint_get(rq->dbc, &rq->who->vis, id, &out, &err);
    if (rc)
        return resp_fail(rs, &err);
    return resp_json(rs, 200, out);
}

const struct route touchpoints_routes[] = {
    {"GET", "/api/v1/touchpoints", tp_list, R_AUTH, QUERY_TP},
    {"POST", "/api/v1/touchpoints", tp_post, R_AUTH, NULL},
    {"GET", "/api/v1/touchpoints/{id}", tp_get, R_AUTH, NULL},
    {0},
};
