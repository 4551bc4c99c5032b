/* The request and response of one HTTP exchange, as handlers see them.
 * Nothing here names libmicrohttpd: handlers and their tests depend only
 * on these structs and the req_ and resp_ helpers. */
#ifndef PHEU_HTTP_HTTP_H
#define PHEU_HTTP_HTTP_H

#include <jansson.h>
#include <stdio.h>
#include <stdint.h>

#include "http/proxy.h"
#include "model/principal.h"
#include "store/db.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/err.h"

#define HTTP_MAX_BODY (10u * 1024 * 1024)   /* SPEC App. C: 413 above */
#define HTTP_MAX_PARAMS 4
#define HTTP_MAX_UPLOAD (2048LL * 1024 * 1024)   /* streamed imports */
#define HTTP_UPLOAD_PATH "/api/v1/imports"      /* the streamed route */
#define HTTP_MAX_FORM_BODY (64u * 1024)         /* R_FORM routes: 413 above */

struct req {
    void *conn;                 /* the server's connection handle */
    const char *method, *path;
    struct arena arena;         /* freed when the request completes */
    struct buf body;
    int too_large;
    json_t *json;               /* parsed body, or NULL when empty */
    const char *param_names[HTTP_MAX_PARAMS];
    const char *param_values[HTTP_MAX_PARAMS];
    int nparams;
    struct principal *who;      /* NULL on public routes */
    struct db *db;
    struct db_conn *dbc;        /* this thread's connection */
    char ip[64];                /* filled by req_ip on first use */
    int secure_cookies;         /* server forces Secure cookies */
    const struct proxy_list *proxies;  /* trusted proxies, or NULL */
    FILE *upload;               /* streamed uploads (imports): the body */
    char upload_path[256];      /* its file, removed unless kept */
    int64_t upload_len;
    int64_t started_us;
    int bare;                   /* an R_BARE route: logged at debug only */
    int form_body;              /* R_FORM routes: the body came urlencoded
                                 * (an HTML form post), read into json */
};

/* A streamed body (resp_stream): appends the next bytes to b; returns
 * 1 while more follow, 0 after the last, -1 on a failure (the
 * connection is then closed, so the client sees a cut body). */
typedef int (*resp_fill_fn)(void *ctx, struct buf *b);

struct resp {
    int status;
    char *body;                 /* malloc'd unless body_static */
    size_t len;
    int body_static;
    const char *content_type;
    const char *headers[8][2];  /* extra headers: name, value (arena) */
    int nheaders;
    const struct resp_fixed *fixed; /* sent as is, or NULL */
    resp_fill_fn fill;          /* streamed body, or NULL */
    void (*fill_free)(void *ctx);
    void *fill_ctx;
};

/* A handler fills rs and returns 0; the resp_ helpers return 0 too. */
typedef int (*handler_fn)(struct req *rq, struct resp *rs);

enum route_flags {
    R_PUBLIC = 1,   /* no authentication */
    R_AUTH = 2,     /* a principal is required */
    R_BARE = 4,     /* with R_PUBLIC: no database connection, query check
                       or body; the handler reads what it needs (the
                       tracking endpoints, decision 0016) */
    R_FORM = 8,     /* public form posts: a JSON or urlencoded body of at
                     * most HTTP_MAX_FORM_BODY (http/formbody.h) */
};

struct route {
    const char *method;
    const char *pattern;        /* "/api/v1/users/{id}" */
    handler_fn fn;
    int flags;
    const char *const *query;   /* allowed query keys; NULL = none */
};

/* The query keys of a paginated list. */
extern const char *const QUERY_PAGE[];
/* Any key (the handler checks them); repeats and missing values are
 * still refused centrally. */
extern const char *const QUERY_ANY[];

/* ---- requests (http/req.c) ---- */

/* A request header's value, or NULL. */
const char *req_header(struct req *rq, const char *name);
/* The client's address as text ("127.0.0.1"), computed on first use. */
const char *req_ip(struct req *rq);
/* Whether the request came over TLS (X-Forwarded-Proto: https from the
 * proxy) or the server forces Secure cookies. */
int req_secure(struct req *rq);
/* A cookie's value, or NULL. */
const char *req_cookie(struct req *rq, const char *name);
/* A path capture ("id" of "{id}"), or NULL. */
const char *req_param(struct req *rq, const char *name);
/* Reads path capture name as a positive integer; E_INVALID otherwise. */
int req_param_id(struct req *rq, const char *name, int64_t *id,
                 struct err *err);
/* Checks the query string: every key must be in allowed (NULL-ended)
 * and appear once (SPEC App. C); E_INVALID naming the key. */
int req_query_check(struct req *rq, const char *const *allowed,
                    struct err *err);
/* Calls fn(key, value, ctx) for every query argument in order; stops at
 * and returns the first non-zero result. */
typedef int (*req_arg_fn)(const char *key, const char *value, void *ctx);
int req_query_each(struct req *rq, req_arg_fn fn, void *ctx);
/* A query parameter's value, or NULL. */
const char *req_query(struct req *rq, const char *name);
/* Reads ?limit= alone (1..500, default 50), for opaque cursors. */
int req_limit(struct req *rq, int *limit, struct err *err);
/* Reads ?limit= (1..500, default 50) and ?cursor= (an opaque id). */
int req_page(struct req *rq, int *limit, int64_t *after, struct err *err);
/* The parsed JSON body as an object; E_INVALID when absent or not an
 * object. */
int req_json_object(struct req *rq, json_t **obj, struct err *err);

/* ---- responses (http/resp.c) ---- */

/* Sends v as JSON with status; takes ownership of v. */
int resp_json(struct resp *rs, int status, json_t *v);
/* Sends a JSON text already encoded; takes the malloc'd body. */
int resp_raw_json(struct resp *rs, int status, char *body, size_t len);
/* Sends {"data": list, "next_cursor": ...}; takes ownership of list. */
int resp_list(struct resp *rs, json_t *list, int64_t next_after);
/* As resp_list with an opaque cursor string (NULL: last page). */
int resp_list_cursor(struct resp *rs, json_t *list, const char *next);
/* Sends the error body for code with field and message. */
int resp_error(struct resp *rs, int code, const char *field,
               const char *msg);
/* Sends the error described by err (code from err->code). */
int resp_fail(struct resp *rs, const struct err *err);
/* Sends status with a body made by fill(ctx, buf) piece by piece while
 * the client reads it (chunked; memory stays that of one piece); takes
 * ctx, which fill_free frees once the response is done or abandoned.
 * fill runs on the server thread of the connection, after the handler
 * returned: ctx must own (or hold references to) what it uses. */
int resp_stream(struct resp *rs, int status, const char *content_type,
                resp_fill_fn fill, void (*fill_free)(void *ctx), void *ctx);
/* Sends a text body (HTML pages of the public form endpoint) with its
 * content type; copies len bytes of body. */
int resp_text(struct resp *rs, int status, const char *content_type,
              const char *body, size_t len);
/* Sends a status with no body. */
int resp_empty(struct resp *rs, int status);
/* A response sent unchanged to every request (the tracking pixel):
 * made once from a template with a static body, a content type and
 * headers, and queued as is, so a request builds no response of its
 * own. Built and freed by http/server.c (it holds the library's
 * response); NULL when the library cannot make it. */
struct resp_fixed *resp_fixed_new(const struct resp *tmpl);
void resp_fixed_free(struct resp_fixed *f);
/* Answers with f (borrowed: must outlive the request); returns 0. */
int resp_send_fixed(struct resp *rs, const struct resp_fixed *f);
/* Adds a header (name and value must outlive the response: use arena). */
void resp_header(struct resp *rs, const char *name, const char *value);
/* The HTTP status for an enum err. */
int resp_status(int code);

#endif
