/* /api/v1/settings (SPEC §1 "admin ... settings"): the business
 * settings; the rules live in model/settings.c
 * (docs/decisions/0016-tracking.md). */
#include "api/api.h"
#include "model/role.h"
#include "model/settings.h"
#include "util/log.h"

/* GET /api/v1/settings: currency, time_zone and fx_rates for everyone;
 * tracking_origins too for admins. */
static int settings_read(struct req *rq, struct resp *rs)
{
    struct err err = {0};
    json_t *out;
    int rc = settings_get(rq->dbc, rq->who->user.role == ROLE_ADMIN, &out,
                          &err);
    return rc ? resp_fail(rs, &err) : resp_json(rs, 200, out);
}

/* PATCH /api/v1/settings {"tracking_origins","fx_rates"}: admins only;
 * 200 with every setting. Unknown keys 400, read-only keys and bad
 * values 422, each naming the key. */
static int settings_write(struct req *rq, struct resp *rs)
{
    struct err err = {0};
    json_t *body, *out;
    int rc = rq->who->user.role == ROLE_ADMIN ? 0
        : err_set(&err, E_FORBIDDEN, NULL, "only admins change settings");
    if (!rc)
        rc = req_json_object(rq, &body, &err);
    if (rc)
        return resp_fail(rs, &err);
    rc = db_begin_write(rq->dbc, &err);
    if (!rc)
        rc = settings_patch(rq->dbc, rq->who->user.id, body, &rq->arena,
                            &err);
    if (api_finish(rq, rs, rc, &err))
        return 0;
    if (settings_reload(rq->dbc, &err))     /* the writer retries */
        log_warn("settings: cannot reload tracking_origins: %s", err.msg);
    rc = settings_get(rq->dbc, 1, &out, &err);
    return rc ? resp_fail(rs, &err) : resp_json(rs, 200, out);
}

const struct route settings_routes[] = {
    {"GET", "/api/v1/settings", settings_read, R_AUTH, NULL},
    {"PATCH", "/api/v1/settings", settings_write, R_AUTH, NULL},
    {0},
};
