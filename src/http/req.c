/* Request accessors over libmicrohttpd's connection values. */
#include "http/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *req_header(struct req *rq, const char *name)
{
    return MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, name);
}

/* The peer's address as text into out ("unknown" when it has none). */
static void peer_ip(struct req *rq, char *out, size_t size)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(
        rq->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(out, size, "unknown");
    if (ci && ci->client_addr) {
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr,
                      out, (socklen_t)size);
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6,
                      &((const struct sockaddr_in6 *)sa)->sin6_addr, out,
                      (socklen_t)size);
    }
}

const char *req_ip(struct req *rq)
{
    if (rq->ip[0])
        return rq->ip;
    if (!rq->proxies || !rq->proxies->n) {
        peer_ip(rq, rq->ip, sizeof(rq->ip));
        return rq->ip;
    }
    char peer[sizeof(rq->ip)];
    peer_ip(rq, peer, sizeof(peer));
    proxy_client(rq->proxies, peer, req_header(rq, "X-Forwarded-For"),
                 rq->ip, sizeof(rq->ip));
    return rq->ip;
}

int req_secure(struct req *rq)
{
    const char *proto = req_header(rq, "X-Forwarded-Proto");
    return rq->secure_cookies || (proto && !strcasecmp(proto, "https"));
}

const char *req_cookie(struct req *rq, const char *name)
{
    return MHD_lookup_connection_value(rq->conn, MHD_COOKIE_KIND, name);
}

const char *req_param(struct req *rq, const char *name)
{
    for (int i = 0; i < rq->nparams; i++)
        if (!strcmp(rq->param_names[i], name))
            return rq->param_values[i];
    return NULL;
}

/* Parses a decimal positive int64 with nothing else around it. */
static int parse_id(const char *s, int64_t *out)
{
    if (!s || !*s || *s == '0' || strlen(s) > 18)
        return -1;
    for (const char *p = s; *p; p++)
        if (*p < '0' || *p > '9')
            return -1;
    *out = strtoll(s, NULL, 10);
    return 0;
}

int req_param_id(struct req *rq, const char *name, int64_t *id,
                 struct err *err)
{
    if (parse_id(req_param(rq, name), id))
        return err_set(err, E_INVALID, name, "must be a positive integer");
    return 0;
}

const char *const QUERY_PAGE[] = {"limit", "cursor", NULL};
const char *const QUERY_ANY[] = {"*", NULL};

struct qcheck {
    const char *const *allowed;
    const char *seen[32];
    int nseen;
    const char *bad;
    const char *why;
};

/* Visits one query argument: unknown or repeated keys are errors. */
static enum MHD_Result visit(void *cls, enum MHD_ValueKind kind,
                             const char *key, const char *value)
{
    struct qcheck *q = cls;
    (void)kind;
    int ok = q->allowed[0] && !strcmp(q->allowed[0], "*");
    for (int i = 0; q->allowed[i] && !ok; i++)
        ok = !strcmp(q->allowed[i], key);
    if (!ok) {
        q->bad = key;
        q->why = "unknown query parameter";
        return MHD_NO;
    }
    for (int i = 0; i < q->nseen; i++) {
        if (!strcmp(q->seen[i], key)) {
            q->bad = key;
            q->why = "query parameter given more than once";
            return MHD_NO;
        }
    }
    if (q->nseen < 32)
        q->seen[q->nseen++] = key;
    if (!value) {
        q->bad = key;
        q->why = "query parameter needs a value";
        return MHD_NO;
    }
    return MHD_YES;
}

int req_query_check(struct req *rq, const char *const *allowed,
                    struct err *err)
{
    static const char *const none[] = {NULL};
    struct qcheck q = {.allowed = allowed ? allowed : none};
    MHD_get_connection_values(rq->conn, MHD_GET_ARGUMENT_KIND, visit, &q);
    if (q.bad)
        return err_set(err, E_INVALID, arena_strdup(&rq->arena, q.bad),
                       "%s", q.why);
    return 0;
}

const char *req_query(struct req *rq, const char *name)
{
    return MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND,
                                       name);
}

int req_limit(struct req *rq, int *limit, struct err *err)
{
    const char *l = req_query(rq, "limit");
    int64_t v;
    *limit = 50;
    if (l && (parse_id(l, &v) || v > 500))
        return err_set(err, E_INVALID, "limit", "must be a whole number "
                       "from 1 to 500");
    if (l)
        *limit = (int)v;
    return 0;
}

int req_page(struct req *rq, int *limit, int64_t *after, struct err *err)
{
    const char *l = req_query(rq, "limit"), *c = req_query(rq, "cursor");
    int64_t v;
    *limit = 50;
    *after = 0;
    if (l) {
        if (parse_id(l, &v) || v > 500)
            return err_set(err, E_INVALID, "limit", "must be a whole "
                           "number from 1 to 500");
        *limit = (int)v;
    }
    if (c && parse_id(c, after))
        return err_set(err, E_INVALID, "cursor", "is not a cursor this "
                       "server gave");
    return 0;
}

int req_json_object(struct req *rq, json_t **obj, struct err *err)
{
    if (!rq->json)
        return err_set(err, E_INVALID, NULL, "a JSON object body is "
                       "required");
    if (!json_is_object(rq->json))
        return err_set(err, E_INVALID, NULL, "the body must be a JSON "
                       "object");
    *obj = rq->json;
    return 0;
}

struct each {
    req_arg_fn fn;
    void *ctx;
    int rc;
};

/* Visits one query argument for req_query_each. */
static enum MHD_Result each_arg(void *cls, enum MHD_ValueKind kind,
                                const char *key, const char *value)
{
    struct each *e = cls;
    (void)kind;
    e->rc = e->fn(key, value ? value : "", e->ctx);
    return e->rc ? MHD_NO : MHD_YES;
}

int req_query_each(struct req *rq, req_arg_fn fn, void *ctx)
{
    struct each e = {fn, ctx, 0};
    MHD_get_connection_values(rq->conn, MHD_GET_ARGUMENT_KIND, each_arg, &e);
    return e.rc;
}
