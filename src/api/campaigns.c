/* /api/v1/campaigns/{id}/costs: a campaign's dated cost entries (SPEC §4,
 * App. A). The campaign itself is a record of api/records.c; the rules
 * and the sum kept in campaigns.cost live in model/campaign.c. */
#include "api/api.h"
#include "api/records.h"
#include "model/campaign.h"

/* GET /api/v1/campaigns/{id}/costs[?limit&cursor]: newest date first;
 * 404 for no such campaign. */
static int costs_list(struct req *rq, struct resp *rs)
{
    struct err err = {0};
    struct rec r;
    int64_t id;
    int limit;
    json_t *data = NULL;
    const char *next = NULL;
    int rc = req_param_id(rq, "id", &id, &err);
    if (!rc)
        rc = req_limit(rq, &limit, &err);
    if (!rc)
        rc = rec_read(rq->dbc, &OBJ_CAMPAIGN, &rq->who->vis, id, &r,
                      &rq->arena, &err);
    if (rc)
        return resp_fail(rs, &err);
    rec_release(&r);
    rc = campaign_cost_list(rq->dbc, id, limit, req_query(rq, "cursor"),
                            &data, &next, &rq->arena, &err);
    if (rc)
        return resp_fail(rs, &err);
    return resp_list_cursor(rs, data, next);
}

/* POST /api/v1/campaigns/{id}/costs {"date","amount","note"}: 201 with
 * the entry; 403 for roles that may not write campaigns. */
static int costs_post(struct req *rq, struct resp *rs)
{
    struct err err = {0};
    struct wctx w = api_wctx(rq);
    json_t *body, *out = NULL;
    int64_t id, cost = 0;
    int rc = object_may_write(&OBJ_CAMPAIGN, rq->who, &err);
    if (!rc)
        rc = req_param_id(rq, "id", &id, &err);
    if (!rc)
        rc = req_json_object(rq, &body, &err);
    if (rc)
        return resp_fail(rs, &err);
    rc = db_begin_write(rq->dbc, &err);
    if (!rc)
        rc = campaign_cost_add(&w, id, body, &cost, &err);
    if (api_finish(rq, rs, rc, &err))
        return 0;
    rc = campaign_cost_get(rq->dbc, id, cost, &out, &err);
    if (rc)
        return resp_fail(rs, &err);
    resp_header(rs, "Location", arena_printf(&rq->arena, "/api/v1/campaigns/"
                                             "%lld/costs/%lld", (long long)id,
                                             (long long)cost));
    return resp_json(rs, 201, out);
}

/* GET /api/v1/campaigns/{id}/costs/{cost_id}: one entry. */
static int costs_get(struct req *rq, struct resp *rs)
{
    struct err err = {0};
    struct rec r;
    int64_t id, cost;
    json_t *out = NULL;
    int rc = req_param_id(rq, "id", &id, &err);
    if (!rc)
        rc = req_param_id(rq, "cost_id", &cost, &err);
    if (!rc)
        rc = rec_read(rq->dbc, &OBJ_CAMPAIGN, &rq->who->vis, id, &r,
                      &rq->arena, &err);
    if (rc)
        return resp_fail(rs, &err);
    rec_release(&r);
    rc = campaign_cost_get(rq->dbc, id, cost, &out, &err);
    if (rc)
        return resp_fail(rs, &err);
    return resp_json(rs, 200, out);
}

/* DELETE /api/v1/campaigns/{id}/costs/{cost_id}: 204; 404 when the entry
 * is not one of the campaign's. */
static int costs_delete(struct req *rq, struct resp *rs)
{
    struct err err = {0};
    struct wctx w = api_wctx(rq);
    int64_t id, cost;
    int rc = object_may_write(&OBJ_CAMPAIGN, rq->who, &err);
    if (!rc)
        rc = req_param_id(rq, "id", &id, &err);
    if (!rc)
        rc = req_param_id(rq, "cost_id", &cost, &err);
    if (rc)
        return resp_fail(rs, &err);
    rc = db_begin_write(rq->dbc, &err);
    if (!rc)
        rc = campaign_cost_delete(&w, id, cost, &err);
    if (api_finish(rq, rs, rc, &err))
        return 0;
    return resp_empty(rs, 204);
}

const struct route campaigns_routes[] = {
    {"GET", "/api/v1/campaigns/{id}/costs", costs_list, R_AUTH, QUERY_PAGE},
    {"POST", "/api/v1/campaigns/{id}/costs", costs_post, R_AUTH, NULL},
    {"GET", "/api/v1/campaigns/{id}/costs/{cost_id}", costs_get, R_AUTH,
     NULL},
    {"DELETE", "/api/v1/campaigns/{id}/costs/{cost_id}", costs_delete,
     R_AUTH, NULL},
    {0},
};
