/* /api/v1/users: list, read, create (admins) and update users. Rules in
 * model/user.c; visibility in store/visibility.c. */
#include "api/api.h"
#include "store/q_user.h"

/* GET /api/v1/users: the users the caller may see, by id, paginated. */
static int users_list(struct req *rq, struct resp *rs)
{
    struct err err = {0};
    int limit, n;
    int64_t after;
    int rc = req_page(rq, &limit, &after, &err);
    if (rc)
        return resp_fail(rs, &err);
    struct user *list = arena_alloc(&rq->arena, sizeof(*list) *
                                    (size_t)(limit + 1));
    rc = q_user_list(rq->dbc, &rq->who->vis, after, limit + 1, list, &n,
                     &rq->arena, &err);
    if (rc)
        return resp_fail(rs, &err);
    json_t *data = json_array();
    for (int i = 0; i < n && i < limit; i++)
        json_array_append_new(data, user_to_json(&list[i]));
    return resp_list(rs, data, n > limit ? list[limit - 1].id : 0);
}

/* GET /api/v1/users/{id}: one user the caller may see, else 404. */
static int users_get(struct req *rq, struct resp *rs)
{
    struct err err = {0};
    struct user u;
    int64_t id;
    int rc = req_param_id(rq, "id", &id, &err);
    if (!rc)
        rc = q_user_get_visible(rq->dbc, &rq->who->vis, id, &u, &rq->arena,
                                &err);
    if (rc)
        return resp_fail(rs, &err);
    return resp_json(rs, 200, user_to_json(&u));
}

/* POST /api/v1/users {"email","name","role","team_id","password"}:
 * admins only; 201 with the user (never the password). */
static int users_post(struct req *rq, struct resp *rs)
{
    struct err err = {0};
    struct user_in in;
    struct user u;
    json_t *body;
    if (rq->who->user.role != ROLE_ADMIN)
        return resp_error(rs, E_FORBIDDEN, NULL, "only admins can add users");
    int rc = req_json_object(rq, &body, &err);
    if (!rc)
        rc = user_from_json(body, 1, &in, &rq->arena, &err);
    if (!rc)
        rc = user_create(rq->dbc, rq->who, &in, &u, &rq->arena, &err);
    if (rc)
        return resp_fail(rs, &err);
    resp_header(rs, "Location", arena_printf(&rq->arena, "/api/v1/users/"
                                             "%lld", (long long)u.id));
    return resp_json(rs, 201, user_to_json(&u));
}

/* PATCH /api/v1/users/{id}: partial update; 404 when not visible. */
static int users_patch(struct req *rq, struct resp *rs)
{
    struct err err = {0};
    struct user_in in;
    struct user u;
    json_t *body;
    int64_t id;
    int rc = req_param_id(rq, "id", &id, &err);
    if (!rc)
        rc = req_json_object(rq, &body, &err);
    if (!rc)
        rc = user_from_json(body, 0, &in, &rq->arena, &err);
    if (!rc)
        rc = user_update(rq->dbc, rq->who, id, &in, &u, &rq->arena, &err);
    if (rc)
        return resp_fail(rs, &err);
    return resp_json(rs, 200, user_to_json(&u));
}

const struct route users_routes[] = {
    {"GET", "/api/v1/users", users_list, R_AUTH, QUERY_PAGE},
    {"POST", "/api/v1/users", users_post, R_AUTH, NULL},
    {"GET", "/api/v1/users/{id}", users_get, R_AUTH, NULL},
    {"PATCH", "/api/v1/users/{id}", users_patch, R_AUTH, NULL},
    {0},
};
