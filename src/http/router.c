/* Linear router over pre-split patterns: routes are few (tens), and a
 * segment compare per route is cheaper than building a trie per start. */
#include "http/router.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

#define MAX_SEGS 12

struct compiled {
    const struct route *route;
    const char *segs[MAX_SEGS];     /* pointers into the pattern copy */
    size_t lens[MAX_SEGS];
    int nsegs;
    char *copy;
};

struct router {
    struct compiled *routes;
    int n, cap;
};

struct router *router_new(void)
{
    return xcalloc(1, sizeof(struct router));
}

void router_free(struct router *r)
{
    if (!r)
        return;
    for (int i = 0; i < r->n; i++)
        free(r->routes[i].copy);
    free(r->routes);
    free(r);
}

/* Splits a path into segments (no leading slash, no empty segments except
 * a trailing one, which never matches). Returns the count or -1. */
static int split(const char *p, const char **segs, size_t *lens)
{
    int n = 0;
    if (*p != '/')
        return -1;
    p++;
    while (*p) {
        const char *e = strchr(p, '/');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (n == MAX_SEGS || len == 0)
            return -1;
        segs[n] = p;
        lens[n++] = len;
        p += len;
        if (*p == '/') {
            p++;
            if (!*p)
                return -1;   /* trailing slash */
        }
    }
    return n;
}

void router_add(struct router *r, const struct route *table)
{
    for (const struct route *t = table; t->method; t++) {
        if (r->n == r->cap) {
            r->cap = r->cap ? r->cap * 2 : 32;
            r->routes = xrealloc(r->routes, sizeof(*r->routes) *
                                 (size_t)r->cap);
        }
        struct compiled *c = &r->routes[r->n];
        c->route = t;
        c->copy = xstrdup(t->pattern);
        c->nsegs = strcmp(t->pattern, "/") ? split(c->copy, c->segs, c->lens)
                                           : 0;
        if (c->nsegs < 0)
            BUG("bad route pattern");
        r->n++;
    }
}

/* Whether the path segments fit the compiled pattern; stores captures. */
static int fits(const struct compiled *c, const char **segs,
                const size_t *lens, int n, struct req *rq)
{
    if (c->nsegs != n)
        return 0;
    int np = 0;
    for (int i = 0; i < n; i++) {
        const char *s = c->segs[i];
        if (s[0] == '{') {
            if (rq && np < HTTP_MAX_PARAMS) {
                rq->param_names[np] = arena_strndup(&rq->arena, s + 1,
                                                    c->lens[i] - 2);
                rq->param_values[np] = arena_strndup(&rq->arena, segs[i],
                                                     lens[i]);
                np++;
            }
            continue;
        }
        if (c->lens[i] != lens[i] || memcmp(s, segs[i], lens[i]) != 0)
            return 0;
    }
    if (rq)
        rq->nparams = np;
    return 1;
}

const struct route *router_match(const struct router *r, const char *method,
                                 const char *path, struct req *rq,
                                 int *path_known)
{
    const char *segs[MAX_SEGS];
    size_t lens[MAX_SEGS];
    int n = strcmp(path, "/") ? split(path, segs, lens) : 0;
    *path_known = 0;
    if (n < 0)
        return NULL;
    int head = !strcmp(method, "HEAD");
    for (int i = 0; i < r->n; i++) {
        const struct compiled *c = &r->routes[i];
        if (!fits(c, segs, lens, n, NULL))
            continue;
        *path_known = 1;
        if (!strcmp(c->route->method, method) ||
            (head && !strcmp(c->route->method, "GET"))) {
            if (rq)
                fits(c, segs, lens, n, rq);
            return c->route;
        }
    }
    return NULL;
}
