/* Credentials from headers and cookies. */
#include "http/auth.h"
#include "model/auth.h"

#include <sodium.h>
#include <string.h>
#include <strings.h>

int http_authenticate(struct req *rq, struct err *err)
{
    const char *h = req_header(rq, "Authorization");
    if (h) {
        if (strncasecmp(h, "Bearer ", 7) != 0 || !h[7])
            return err_set(err, E_UNAUTH, NULL, "Authorization must be "
                           "'Bearer <token>'");
        return auth_bearer(rq->dbc, h + 7, &rq->who, err);
    }
    const char *c = req_cookie(rq, SESSION_COOKIE);
    if (c && *c)
        return auth_session(rq->dbc, c, &rq->who, err);
    return err_set(err, E_UNAUTH, NULL, "log in or send a bearer token");
}

int http_check_csrf(struct req *rq, struct err *err)
{
    if (!rq->who || rq->who->kind != AUTH_COOKIE)
        return 0;
    const char *m = rq->method;
    if (!strcmp(m, "GET") || !strcmp(m, "HEAD") || !strcmp(m, "OPTIONS"))
        return 0;
    const char *t = req_header(rq, "X-CSRF-Token");
    size_t n = strlen(rq->who->csrf);
    if (!t || strlen(t) != n || n == 0 ||
        sodium_memcmp(t, rq->who->csrf, n) != 0)
        return err_set(err, E_FORBIDDEN, NULL, "missing or wrong "
                       "X-CSRF-Token header");
    return 0;
}
