/* /api/v1/teams: every user reads the team tree; admins change it. Rules
 * in model/team.c. */
#include "api/api.h"
#include "model/team.h"
#include "store/q_team.h"

/* GET /api/v1/teams: all teams by id, paginated. */
static int teams_list(struct req *rq, struct resp *rs)
{
    struct err err = {0};
    int limit, n;
    int64_t after;
    int rc = req_page(rq, &limit, &after, &err);
    if (rc)
        return resp_fail(rs, &err);
    struct team *list = arena_alloc(&rq->arena, sizeof(*list) *
                                    (size_t)(limit + 1));
    rc = q_team_list(rq->dbc, after, limit + 1, list, &n, &rq->arena, &err);
    if (rc)
        return resp_fail(rs, &err);
    json_t *data = json_array();
    for (int i = 0; i < n && i < limit; i++)
        json_array_append_new(data, team_to_json(&list[i]));
    return resp_list(rs, data, n > limit ? list[limit - 1].id : 0);
}

/* GET /api/v1/teams/{id}: one team. */
static int teams_get(struct req *rq, struct resp *rs)
{
    struct err err = {0};
    struct team t;
    int64_t id;
    int rc = req_param_id(rq, "id", &id, &err);
    if (!rc)
        rc = q_team_get(rq->dbc, id, &t, &rq->arena, &err);
    if (rc)
        return resp_fail(rs, &err);
    return resp_json(rs, 200, team_to_json(&t));
}

/* POST /api/v1/teams {"name","kind","parent_id","manager_id"}: 201. */
static int teams_post(struct req *rq, struct resp *rs)
{
    struct err err = {0};
    struct team_in in;
    struct team t;
    json_t *body;
    if (rq->who->user.role != ROLE_ADMIN)
        return resp_error(rs, E_FORBIDDEN, NULL, "only admins can add teams");
    int rc = req_json_object(rq, &body, &err);
    if (!rc)
        rc = team_from_json(body, 1, &in, &rq->arena, &err);
    if (!rc)
        rc = team_create(rq->dbc, rq->who, &in, &t, &rq->arena, &err);
    if (rc)
        return resp_fail(rs, &err);
    resp_header(rs, "Location", arena_printf(&rq->arena, "/api/v1/teams/"
                                             "%lld", (long long)t.id));
    return resp_json(rs, 201, team_to_json(&t));
}

/* PATCH /api/v1/teams/{id}: rename, re-parent (no cycles), new manager. */
static int teams_patch(struct req *rq, struct resp *rs)
{
    struct err err = {0};
    struct team_in in;
    struct team t;
    json_t *body;
    int64_t id;
    int rc = req_param_id(rq, "id", &id, &err);
    if (!rc)
        rc = req_json_object(rq, &body, &err);
    if (!rc)
        rc = team_from_json(body, 0, &in, &rq->arena, &err);
    if (!rc)
        rc = team_update(rq->dbc, rq->who, id, &in, &t, &rq->arena, &err);
    if (rc)
        return resp_fail(rs, &err);
    return resp_json(rs, 200, team_to_json(&t));
}

const struct route teams_routes[] = {
    {"GET", "/api/v1/teams", teams_list, R_AUTH, QUERY_PAGE},
    {"POST", "/api/v1/teams", teams_post, R_AUTH, NULL},
    {"GET", "/api/v1/teams/{id}", teams_get, R_AUTH, NULL},
    {"PATCH", "/api/v1/teams/{id}", teams_patch, R_AUTH, NULL},
    {0},
};
