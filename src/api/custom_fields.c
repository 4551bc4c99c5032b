/* /api/v1/custom-fields: declarations of custom fields per object
 * (SPEC §2). Everyone reads them (forms and lists need them); admins
 * declare, relabel and remove them. */
#include "api/api.h"
#include "model/custom_field.h"

#include <string.h>

static const char *const QUERY_CF[] = {"object", NULL};

/* GET /api/v1/custom-fields[?object=contact]: every declaration. */
static int cf_list(struct req *rq, struct resp *rs)
{
    struct err err = {0};
    const char *objects[] = {"contact", "company", "deal", "activity"};
    const char *only = req_query(rq, "object");
    json_t *data = json_array();
    for (size_t i = 0; i < sizeof(objects) / sizeof(objects[0]); i++) {
        if (only && strcmp(only, objects[i]))
            continue;
        struct cf_set s;
        int rc = cf_load(rq->dbc, objects[i], &s, &rq->arena, &err);
        if (rc) {
            json_decref(data);
            return resp_fail(rs, &err);
        }
        for (int k = 0; k < s.n; k++)
            json_array_append_new(data, cf_to_json(&s.defs[k]));
        cf_set_release(&s);
    }
    return resp_list(rs, data, 0);
}

/* Refuses callers other than admins. */
static int admin_only(struct req *rq, struct resp *rs)
{
    if (rq->who->user.role == ROLE_ADMIN)
        return 0;
    resp_error(rs, E_FORBIDDEN, NULL, "only admins can change custom "
               "fields");
    return -1;
}

/* Answers declaration id with status. */
static int answer(struct req *rq, struct resp *rs, int64_t id, int status)
{
    struct err err = {0};
    struct cf_def d;
    int rc = cf_get(rq->dbc, id, &d, &rq->arena, &err);
    if (rc)
        return resp_fail(rs, &err);
    json_t *j = cf_to_json(&d);
    json_decref(d.options);
    return resp_json(rs, status, j);
}

/* GET /api/v1/custom-fields/{id}. */
static int cf_read(struct req *rq, struct resp *rs)
{
    struct err err = {0};
    int64_t id;
    if (req_param_id(rq, "id", &id, &err))
        return resp_fail(rs, &err);
    return answer(rq, rs, id, 200);
}

/* POST /api/v1/custom-fields {"object","name","label","type","options"}. */
static int cf_post(struct req *rq, struct resp *rs)
{
    struct err err = {0};
    json_t *body;
    int64_t id = 0;
    if (admin_only(rq, rs))
        return 0;
    int rc = req_json_object(rq, &body, &err);
    if (!rc)
        rc = cf_create(rq->dbc, rq->who->user.id, body, &id, &rq->arena,
                       &err);
    if (rc)
        return resp_fail(rs, &err);
    return answer(rq, rs, id, 201);
}

/* PATCH /api/v1/custom-fields/{id} {"label","options"}. */
static int cf_patch(struct req *rq, struct resp *rs)
{
    struct err err = {0};
    json_t *body;
    int64_t id;
    if (admin_only(rq, rs))
        return 0;
    int rc = req_param_id(rq, "id", &id, &err);
    if (!rc)
        rc = req_json_object(rq, &body, &err);
    if (!rc)
        rc = cf_update(rq->dbc, rq->who->user.id, id, body, &rq->arena,
                       &err);
    if (rc)
        return resp_fail(rs, &err);
    return answer(rq, rs, id, 200);
}

/* DELETE /api/v1/custom-fields/{id}. */
static int cf_del(struct req *rq, struct resp *rs)
{
    struct err err = {0};
    int64_t id;
    if (admin_only(rq, rs))
        return 0;
    int rc = req_param_id(rq, "id", &id, &err);
    if (!rc)
        rc = cf_delete(rq->dbc, rq->who->user.id, id, &err);
    if (rc)
        return resp_fail(rs, &err);
    return resp_empty(rs, 204);
}

const struct route custom_fields_routes[] = {
    {"GET", "/api/v1/custom-fields", cf_list, R_AUTH, QUERY_CF},
    {"POST", "/api/v1/custom-fields", cf_post, R_AUTH, NULL},
    {"GET", "/api/v1/custom-fields/{id}", cf_read, R_AUTH, NULL},
    {"PATCH", "/api/v1/custom-fields/{id}", cf_patch, R_AUTH, NULL},
    {"DELETE", "/api/v1/custom-fields/{id}", cf_del, R_AUTH, NULL},
    {0},
};
