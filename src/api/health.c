/* GET /healthz: the process serves and its database answers. */
#include "api/api.h"

/* GET /healthz: 200 {"status":"ok"} or 503 when the database fails. */
static int health_get(struct req *rq, struct resp *rs)
{
    struct err err = {0};
    int64_t one = 0;
    if (db_int(rq->dbc, &err, &one, "SELECT 1", NULL))
        return resp_error(rs, E_UNAVAILABLE, NULL, "database unavailable");
    static const char ok[] = "{\"status\":\"ok\"}";
    rs->status = 200;
    rs->content_type = "application/json";
    rs->body = (char *)ok;
    rs->len = sizeof(ok) - 1;
    rs->body_static = 1;
    return 0;
}

const struct route health_routes[] = {
    {"GET", "/healthz", health_get, R_PUBLIC, NULL},
    {0},
};
