/* The table of API route tables, and the shared end of write handlers. */
#include "api/api.h"

void api_routes(struct router *r)
{
    router_add(r, health_routes);
    router_add(r, track_routes);    /* first: the busiest public routes */
    router_add(r, auth_routes);
    router_add(r, me_routes);
    router_add(r, users_routes);
    router_add(r, teams_routes);
    router_add(r, tokens_routes);
    router_add(r, records_routes);
    router_add(r, pipelines_routes);
    router_add(r, custom_fields_routes);
    router_add(r, timeline_routes);
    router_add(r, merge_routes);
    router_add(r, collaborators_routes);
    router_add(r, views_routes);
    router_add(r, imports_routes);
    router_add(r, exports_routes);
    router_add(r, reports_routes);
    router_add(r, campaigns_routes);
    router_add(r, touchpoints_routes);
    router_add(r, settings_routes);
    router_add(r, forms_routes);
}

int api_finish(struct req *rq, struct resp *rs, int rc, struct err *err)
{
    if (!rc)
        rc = db_commit(rq->dbc, err);
    if (rc) {
        db_rollback(rq->dbc);
        resp_fail(rs, err);
    }
    return rc;
}
