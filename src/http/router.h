/* Method + path-pattern routing ("/api/v1/users/{id}"). Tables of routes
 * live beside their handlers (one per api/ file) and are added at start. */
#ifndef PHEU_HTTP_ROUTER_H
#define PHEU_HTTP_ROUTER_H

#include "http/http.h"

struct router;

/* Returns a new, empty router; free with router_free. */
struct router *router_new(void);
void router_free(struct router *r);
/* Adds every route of a table ending with a {0} entry (borrowed: the
 * table must outlive the router). */
void router_add(struct router *r, const struct route *table);
/* Finds the route for method and path and stores its captures in rq
 * (copied into rq->arena; rq may be NULL to only test for a match). Returns NULL when none matches; then
 * *path_known tells whether the path exists for another method (405). */
const struct route *router_match(const struct router *r, const char *method,
                                 const char *path, struct req *rq,
                                 int *path_known);

#endif
