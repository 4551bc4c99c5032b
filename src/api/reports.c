/* GET /api/v1/reports/... (SPEC App. A): the reports both teams share.
 * The funnel (SPEC §3) is computed by report/funnel.c over the contacts
 * the caller may see, attribution (SPEC §4) by report/attribution.c over
 * the deals the caller may see, campaign performance (SPEC §4) by
 * report/campaigns.c over the contacts, deals and touchpoints the caller
 * may see. */
#include "api/api.h"
#include "report/attribution.h"
#include "report/campaigns.h"
#include "report/funnel.h"

struct funnel_args {
    struct req *rq;
    struct funnel_query *q;
    struct err *err;
};

/* Feeds one query argument to the funnel query. */
static int funnel_arg(const char *key, const char *value, void *ctx)
{
    struct funnel_args *fa = ctx;
    return funnel_query_arg(fa->q, fa->rq->dbc, key, value, &fa->rq->arena,
                            fa->err);
}

/* GET /api/v1/reports/funnel?from&to[&mode][&group_by][&<contact
 * filters>]: 400 naming the parameter when one is bad. */
static int reports_funnel(struct req *rq, struct resp *rs)
{
    struct err err = {0};
    struct funnel_query q;
    struct funnel_args fa = {rq, &q, &err};
    json_t *doc = NULL;
    funnel_query_init(&q);
    int rc = req_query_each(rq, funnel_arg, &fa);
    if (!rc)
        rc = funnel_query_check(&q, &err);
    if (!rc)
        rc = funnel_run(rq->dbc, &q, &rq->who->vis, &doc, &rq->arena, &err);
    funnel_query_release(&q);
    if (rc)
        return resp_fail(rs, &err);
    return resp_json(rs, 200, doc);
}

struct attr_args {
    struct req *rq;
    struct attr_query *q;
    struct err *err;
};

/* Feeds one query argument to the attribution query. */
static int attr_arg(const char *key, const char *value, void *ctx)
{
    struct attr_args *aa = ctx;
    return attr_query_arg(aa->q, key, value, &aa->rq->arena, aa->err);
}

/* GET /api/v1/reports/attribution?model&by&won_from&won_to[&currency]:
 * 400 naming the parameter when one is bad or missing. */
static int reports_attribution(struct req *rq, struct resp *rs)
{
    struct err err = {0};
    struct attr_query q;
    struct attr_args aa = {rq, &q, &err};
    json_t *doc = NULL;
    attr_query_init(&q);
    int rc = req_query_each(rq, attr_arg, &aa);
    if (!rc)
        rc = attr_query_check(&q, 1, &err);
    if (!rc)
        rc = attribution_run(rq->dbc, &rq->who->vis, &q, &doc, &rq->arena,
                             &err);
    if (rc)
        return resp_fail(rs, &err);
    return resp_json(rs, 200, doc);
}

struct camp_args {
    struct req *rq;
    struct camp_query *q;
    struct err *err;
};

/* Feeds one query argument to the campaign performance query. */
static int camp_arg(const char *key, const char *value, void *ctx)
{
    struct camp_args *ca = ctx;
    return camp_query_arg(ca->q, key, value, &ca->rq->arena, ca->err);
}

/* GET /api/v1/reports/campaigns?from&to[&model][&currency][&channel]
 * [&sort]: 400 naming the parameter when one is bad or missing. */
static int reports_campaigns(struct req *rq, struct resp *rs)
{
    struct err err = {0};
    struct camp_query q;
    struct camp_args ca = {rq, &q, &err};
    json_t *doc = NULL;
    camp_query_init(&q);
    int rc = req_query_each(rq, camp_arg, &ca);
    if (!rc)
        rc = camp_query_check(&q, 1, &err);
    if (!rc)
        rc = campaign_report_run(rq->dbc, &rq->who->vis, &q, &doc,
                                 &rq->arena, &err);
    if (rc)
        return resp_fail(rs, &err);
    return resp_json(rs, 200, doc);
}

const struct route reports_routes[] = {
    {"GET", "/api/v1/reports/funnel", reports_funnel, R_AUTH, QUERY_ANY},
    {"GET", "/api/v1/reports/attribution", reports_attribution, R_AUTH,
     QUERY_ANY},
    {"GET", "/api/v1/reports/campaigns", reports_campaigns, R_AUTH,
     QUERY_ANY},
    {0},
};
