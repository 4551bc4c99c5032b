/* /api/v1/me: the caller's own user, and their own settings. */
#include "api/api.h"
#include "util/xalloc.h"

#include <string.h>

/* Writes the caller's user, with the CSRF token for cookie sessions so a
 * reloaded page can keep writing. */
static int me_json(struct req *rq, struct resp *rs, const struct user *u)
{
    json_t *o = user_to_json(u);
    if (rq->who->kind == AUTH_COOKIE)
        json_object_set_new(o, "csrf_token", json_string(rq->who->csrf));
    return resp_json(rs, 200, o);
}

/* GET /api/v1/me: the authenticated user, from the body the principal
 * cache built once (this is the hottest authenticated path). */
static int me_get(struct req *rq, struct resp *rs)
{
    const struct principal *p = rq->who;
    if (!p->me_json)
        return me_json(rq, rs, &p->user);
    rs->status = 200;
    rs->content_type = "application/json";
    rs->body = xmalloc(p->me_len);
    memcpy(rs->body, p->me_json, p->me_len);
    rs->len = p->me_len;
    return 0;
}

/* Refuses fields of a user that nobody sets on themselves here (SPEC
 * App. C: 422 naming the field); unknown keys stay a 400. */
static int own_fields_only(json_t *body, struct err *err)
{
    static const char *const admin_only[] = {"role", "team_id", "active",
                                             "email", "sales_mode", NULL};
    for (int i = 0; admin_only[i]; i++)
        if (json_object_get(body, admin_only[i]))
            return err_set(err, E_RULE, admin_only[i], "cannot be changed "
                           "on yourself");
    return 0;
}

/* PATCH /api/v1/me {"name","locale","phone","password"}: own settings;
 * role, team, active, email and sales mode → 422 naming the field. */
static int me_patch(struct req *rq, struct resp *rs)
{
    struct err err = {0};
    struct user_in in;
    struct user u;
    json_t *body;
    int rc = req_json_object(rq, &body, &err);
    if (!rc)
        rc = own_fields_only(body, &err);
    if (!rc)
        rc = user_from_json(body, 0, &in, &rq->arena, &err);
    if (!rc)
        rc = user_update(rq->dbc, rq->who, rq->who->user.id, &in, &u,
                         &rq->arena, &err);
    if (rc)
        return resp_fail(rs, &err);
    return me_json(rq, rs, &u);
}

const struct route me_routes[] = {
    {"GET", "/api/v1/me", me_get, R_AUTH, NULL},
    {"PATCH", "/api/v1/me", me_patch, R_AUTH, NULL},
    {0},
};
