/* GET /api/v1/{contacts|companies|deals}/{id}/timeline: the record's
 * merged history, newest first (model/timeline.c). */
#include "api/api.h"
#include "model/timeline.h"

/* Answers the timeline page of record id of o. */
static int timeline(struct req *rq, struct resp *rs, const struct object *o)
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
        rc = rec_read(rq->dbc, o, &rq->who->vis, id, &r, &rq->arena, &err);
    if (!rc) {
        rec_release(&r);
        rc = timeline_read(rq->dbc, o, id, req_query(rq, "cursor"), limit,
                           &data, &next, &rq->arena, &err);
    }
    if (rc)
        return resp_fail(rs, &err);
    return resp_list_cursor(rs, data, next);
}

/* Route handlers. */
static int contact_timeline(struct req *rq, struct resp *rs)
{
    return timeline(rq, rs, &OBJ_CONTACT);
}

static int company_timeline(struct req *rq, struct resp *rs)
{
    return timeline(rq, rs, &OBJ_COMPANY);
}

static int deal_timeline(struct req *rq, struct resp *rs)
{
    return timeline(rq, rs, &OBJ_DEAL);
}

const struct route timeline_routes[] = {
    {"GET", "/api/v1/contacts/{id}/timeline", contact_timeline, R_AUTH,
     QUERY_PAGE},
    {"GET", "/api/v1/companies/{id}/timeline", company_timeline, R_AUTH,
     QUERY_PAGE},
    {"GET", "/api/v1/deals/{id}/timeline", deal_timeline, R_AUTH,
     QUERY_PAGE},
    {0},
};
