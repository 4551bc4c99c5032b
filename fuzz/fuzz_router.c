/* libFuzzer target for http/router.c router_match. The first byte picks
 * the method, the rest (NUL-terminated) is the path. A match must hold the
 * pattern's captures, each non-empty and free of '/', and say the path is
 * known; a miss must never leave path_known undecided. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/router.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int dummy(struct req *rq, struct resp *rs)
{
    (void)rq;
    (void)rs;
    return 0;
}

/* The shapes of the real tables in src/api. */
static const struct route table[] = {
    {"GET", "/", dummy, R_PUBLIC, NULL},
    {"GET", "/healthz", dummy, R_PUBLIC, NULL},
    {"POST", "/api/v1/auth/login", dummy, R_PUBLIC, NULL},
    {"POST", "/api/v1/auth/logout", dummy, R_AUTH, NULL},
    {"GET", "/api/v1/me", dummy, R_AUTH, NULL},
    {"GET", "/api/v1/users", dummy, R_AUTH, QUERY_PAGE},
    {"POST", "/api/v1/users", dummy, R_AUTH, NULL},
    {"GET", "/api/v1/users/{id}", dummy, R_AUTH, NULL},
    {"PATCH", "/api/v1/users/{id}", dummy, R_AUTH, NULL},
    {"GET", "/api/v1/teams", dummy, R_AUTH, QUERY_PAGE},
    {"POST", "/api/v1/teams", dummy, R_AUTH, NULL},
    {"GET", "/api/v1/teams/{id}", dummy, R_AUTH, NULL},
    {"PATCH", "/api/v1/teams/{id}", dummy, R_AUTH, NULL},
    {"GET", "/api/v1/tokens", dummy, R_AUTH, QUERY_PAGE},
    {"POST", "/api/v1/tokens", dummy, R_AUTH, NULL},
    {"DELETE", "/api/v1/tokens/{id}", dummy, R_AUTH, NULL},
    {"GET", "/api/v1/teams/{team}/members/{user}", dummy, R_AUTH, NULL},
    {0},
};

static const char *const methods[] = {
    "GET", "HEAD", "POST", "PATCH", "PUT", "DELETE", "OPTIONS", "get", "",
};

/* How many "{name}" segments a pattern has. */
static int captures(const char *pattern)
{
    int n = 0;
    for (const char *p = pattern; *p; p++)
        n += *p == '{';
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct router *r;
    if (!r) {
        r = router_new();
        router_add(r, table);
    }
    if (size == 0)
        return 0;
    const char *method =
        methods[data[0] % (sizeof(methods) / sizeof(methods[0]))];
    char *path = malloc(size);
    memcpy(path, data + 1, size - 1);
    path[size - 1] = '\0';

    struct req rq;
    memset(&rq, 0, sizeof(rq));
    arena_init(&rq.arena);
    int known = -1;
    const struct route *rt = router_match(r, method, path, &rq, &known);
    if (known != 0 && known != 1)
        abort();
    /* without a request the answer is the same */
    int known2 = -1;
    if (router_match(r, method, path, NULL, &known2) != rt || known2 != known)
        abort();
    if (rt) {
        if (known != 1)
            abort();
        if (strcmp(rt->method, method) &&
            !(strcmp(method, "HEAD") == 0 && strcmp(rt->method, "GET") == 0))
            abort();
        if (rq.nparams != captures(rt->pattern))
            abort();
        for (int i = 0; i < rq.nparams; i++) {
            const char *v = rq.param_values[i];
            if (!v || !*v || strchr(v, '/') || !rq.param_names[i] ||
                !*rq.param_names[i])
                abort();
            if (!strstr(path, v))
                abort(); /* a capture is a piece of the path */
        }
        /* a match never comes from a trailing slash or empty segment */
        size_t n = strlen(path);
        if (path[0] != '/' || (n > 1 && path[n - 1] == '/') ||
            strstr(path, "//"))
            abort();
    }
    arena_release(&rq.arena);
    free(path);
    return 0;
}
