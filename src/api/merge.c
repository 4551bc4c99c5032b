/* POST /api/v1/{contacts|companies}/{id}/merge {"merge_id"}: merges
 * record merge_id into id (model/merge.c) and answers the survivor. */
#include "api/api.h"
#include "api/records.h"
#include "model/merge.h"
#include "model/record.h"

/* Merges for object o. */
static int merge(struct req *rq, struct resp *rs, const struct object *o)
{
    static const char *const keys[] = {"merge_id", NULL};
    struct err err = {0};
    struct wctx w = api_wctx(rq);
    json_t *body;
    int64_t id;
    w.reason = "merge";
    int rc = req_param_id(rq, "id", &id, &err);
    if (!rc)
        rc = req_json_object(rq, &body, &err);
    if (!rc)
        rc = record_check_keys(body, keys, &err);
    json_t *m = rc ? NULL : json_object_get(body, "merge_id");
    if (!rc && (!json_is_integer(m) || json_integer_value(m) <= 0))
        rc = err_set(&err, E_INVALID, "merge_id", "must be the id of the "
                     "record to merge into this one");
    if (rc)
        return resp_fail(rs, &err);
    rc = db_begin_write(rq->dbc, &err);
    if (!rc)
        rc = merge_records(&w, o, id, json_integer_value(m), &err);
    if (api_finish(rq, rs, rc, &err))
        return 0;
    return api_rec_get(rq, rs, o);
}

/* Route handlers. */
static int contacts_merge(struct req *rq, struct resp *rs)
{
    return merge(rq, rs, &OBJ_CONTACT);
}

static int companies_merge(struct req *rq, struct resp *rs)
{
    return merge(rq, rs, &OBJ_COMPANY);
}

const struct route merge_routes[] = {
    {"POST", "/api/v1/contacts/{id}/merge", contacts_merge, R_AUTH, NULL},
    {"POST", "/api/v1/companies/{id}/merge", companies_merge, R_AUTH, NULL},
    {0},
};
