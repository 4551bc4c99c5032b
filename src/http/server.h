/* The HTTP server: libmicrohttpd with its internal epoll thread pool,
 * body limits, routing, authentication, CSRF, JSON bodies, the request
 * log and graceful shutdown. */
#ifndef PHEU_HTTP_SERVER_H
#define PHEU_HTTP_SERVER_H

#include "http/proxy.h"
#include "http/router.h"
#include "store/db.h"

struct server_config {
    const char *listen;     /* "127.0.0.1:8080" */
    int workers;            /* threads in the pool */
    int secure_cookies;     /* always mark cookies Secure */
    const struct proxy_list *proxies; /* may set the client address
                                       * (X-Forwarded-For); NULL: none */
    struct db *db;          /* borrowed */
    struct router *router;  /* borrowed */
};

/* 0 when listen is an address server_run can listen on ("host:port",
 * IPv4); else prints why on stderr and returns 2 (bad usage), so
 * `pheu serve` refuses it before starting anything. */
int server_check_listen(const char *listen);

/* Starts the server, prints the URL, serves until SIGINT or SIGTERM, then
 * stops accepting, lets in-flight requests finish and returns 0; or
 * prints why it could not start and returns 1. on_ready (may be NULL)
 * is called once listening, with the URL. */
int server_run(const struct server_config *cfg,
               void (*on_ready)(const char *url));

/* Handles one complete request (routing, auth, CSRF, body) into rs.
 * Exposed for the fuzz targets. */
void server_handle(const struct server_config *cfg, struct req *rq,
                   struct resp *rs);

#endif
