/* /api/v1/auth: log in (session cookie + CSRF token) and log out. The
 * rules live in model/auth.c. */
#include "api/api.h"
#include "http/auth.h"
#include "model/auth.h"

#include <string.h>

/* POST /api/v1/auth/login {"email","password"}: 200 {user, csrf_token}
 * and the session cookie; 401 on bad credentials, 429 when limited. */
static int auth_login_post(struct req *rq, struct resp *rs)
{
    struct err err = {0};
    json_t *body;
    if (req_json_object(rq, &body, &err))
        return resp_fail(rs, &err);
    json_t *e = json_object_get(body, "email");
    json_t *p = json_object_get(body, "password");
    if (!json_is_string(e))
        return resp_error(rs, E_INVALID, "email", "is required");
    if (!json_is_string(p))
        return resp_error(rs, E_INVALID, "password", "is required");
    if (json_object_size(body) != 2)
        return resp_error(rs, E_INVALID, NULL, "only email and password "
                          "are accepted");
    struct login_result lr;
    int rc = auth_login(rq->dbc, json_string_value(e), json_string_value(p),
                        req_ip(rq), &lr, &rq->arena, &err);
    if (rc)
        return resp_fail(rs, &err);
    json_t *out = json_object();
    json_object_set_new(out, "user", user_to_json(&lr.user));
    json_object_set_new(out, "csrf_token", json_string(lr.csrf));
    resp_header(rs, "Set-Cookie", arena_printf(&rq->arena,
                "%s=%s; Path=/; HttpOnly; SameSite=Lax; Max-Age=%lld%s",
                SESSION_COOKIE, lr.session,
                (long long)(AUTH_SESSION_MS / 1000),
                req_secure(rq) ? "; Secure" : ""));
    resp_header(rs, "Cache-Control", "no-store");
    return resp_json(rs, 200, out);
}

/* POST /api/v1/auth/logout: ends the cookie session; 204. */
static int auth_logout_post(struct req *rq, struct resp *rs)
{
    struct err err = {0};
    if (rq->who->kind == AUTH_COOKIE && auth_logout(rq->dbc, rq->who, &err))
        return resp_fail(rs, &err);
    resp_header(rs, "Set-Cookie", SESSION_COOKIE "=; Path=/; HttpOnly; "
                "SameSite=Lax; Max-Age=0");
    return resp_empty(rs, 204);
}

const struct route auth_routes[] = {
    {"POST", "/api/v1/auth/login", auth_login_post, R_PUBLIC, NULL},
    {"POST", "/api/v1/auth/logout", auth_logout_post, R_AUTH, NULL},
    {0},
};
