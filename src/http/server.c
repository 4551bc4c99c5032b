/* libmicrohttpd glue: one struct req per request, body accumulation
 * under HTTP_MAX_BODY, dispatch through the router, the response, the
 * log line, and a shutdown that drains in-flight requests. */
#include "http/server.h"
#include "http/auth.h"
#include "http/formbody.h"
#include "http/static.h"
#include "util/clock.h"
#include "util/json.h"
#include "util/log.h"
#include "util/xalloc.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

struct server {
    const struct server_config *cfg;
    atomic_int inflight;
};

/* Whether the Content-Type ct is type (parameters such as charset
 * aside). */
static int content_type_is(const char *ct, const char *type)
{
    size_t n = strlen(type);
    return ct && strncasecmp(ct, type, n) == 0 &&
           (!ct[n] || ct[n] == ';' || ct[n] == ' ');
}

/* Checks the content type and parses a non-empty body into rq->json:
 * JSON everywhere, and on R_FORM routes also urlencoded form posts,
 * under their smaller limit. */
static int read_body(const struct route *rt, struct req *rq,
                     struct err *err)
{
    const char *ct = req_header(rq, "Content-Type");
    int form = rt->flags & R_FORM;
    if (form && content_type_is(ct, "application/x-www-form-urlencoded"))
        rq->form_body = 1;      /* the answer is HTML, even when empty */
    if (rq->body.len == 0)
        return 0;
    if (form && rq->body.len > HTTP_MAX_FORM_BODY)
        return err_set(err, E_TOOLARGE, NULL, "form body over 64 KiB");
    if (rq->form_body)
        return formbody_parse(rq->body.data, rq->body.len, &rq->json,
                              &rq->arena, err);
    if (!content_type_is(ct, "application/json"))
        return err_set(err, E_MEDIATYPE, NULL, form
                       ? "send the body as application/json or "
                         "application/x-www-form-urlencoded"
                       : "send the body as application/json");
    return json_parse_body(rq->body.data, rq->body.len, &rq->json, err);
}

/* Runs authentication, CSRF and body checks, then the handler. */
static int run_route(const struct route *rt, struct req *rq,
                     struct resp *rs, struct err *err)
{
    if (rt->flags & R_BARE) {
        rq->bare = 1;
        return rt->fn(rq, rs);
    }
    int rc = db_conn_get(rq->db, &rq->dbc, err);
    if (rc)
        return resp_error(rs, E_UNAVAILABLE, NULL, "database unavailable");
    if (!(rt->flags & R_PUBLIC) && !rq->who) {    /* uploads: done */
        rc = http_authenticate(rq, err);
        if (rc)
            resp_header(rs, "WWW-Authenticate", "Bearer realm=\"pheu\"");
        if (!rc)
            rc = http_check_csrf(rq, err);
        if (rc)
            return resp_fail(rs, err);
    }
    rc = req_query_check(rq, rt->query, err);
    if (!rc)
        rc = read_body(rt, rq, err);
    if (rc)
        return resp_fail(rs, err);
    rt->fn(rq, rs);
    db_rollback(rq->dbc);   /* a handler that failed midway wrote nothing */
    return 0;
}

/* The methods the router has for rq->path, for a 405's Allow header. */
static const char *allowed_methods(const struct server_config *cfg,
                                   struct req *rq)
{
    static const char *const methods[] = {"GET", "HEAD", "POST", "PATCH",
                                          "PUT", "DELETE"};
    struct buf b;
    int known;
    buf_init(&b, 256);
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
        if (router_match(cfg->router, methods[i], rq->path, NULL, &known))
            buf_addf(&b, "%s%s", b.len ? ", " : "", methods[i]);
    const char *s = arena_strdup(&rq->arena, buf_cstr(&b));
    buf_release(&b);
    return s;
}

void server_handle(const struct server_config *cfg, struct req *rq,
                   struct resp *rs)
{
    struct err err = {0};
    int known;
    if (rq->too_large) {
        resp_error(rs, E_TOOLARGE, NULL, rq->upload ? "upload over 2 GiB"
                                                    : "request body over 10 MiB");
        return;
    }
    const struct route *rt = router_match(cfg->router, rq->method, rq->path,
                                          rq, &known);
    if (rt) {
        run_route(rt, rq, rs, &err);
    } else if (known) {
        resp_error(rs, E_METHOD, NULL, "method not allowed here");
        resp_header(rs, "Allow", allowed_methods(cfg, rq));
    } else if ((!strcmp(rq->method, "GET") || !strcmp(rq->method, "HEAD"))
               && strncmp(rq->path, "/api/", 5) != 0) {
        static_serve(rq, rs);
    } else {
        resp_error(rs, E_NOTFOUND, NULL, "no such endpoint");
    }
}

/* Whether the handler set a header of this name. */
static int has_header(const struct resp *rs, const char *name)
{
    for (int i = 0; i < rs->nheaders; i++)
        if (!strcasecmp(rs->headers[i][0], name))
            return 1;
    return 0;
}

/* Adds the headers every response carries; an HTML page gets the
 * strict CSP unless its handler set its own (a form's hosted page). */
static void common_headers(struct MHD_Response *r, const struct resp *rs)
{
    if (rs->content_type)
        MHD_add_response_header(r, "Content-Type", rs->content_type);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    if (rs->content_type && !strncmp(rs->content_type, "text/html", 9)) {
        MHD_add_response_header(r, "Referrer-Policy", "same-origin");
        MHD_add_response_header(r, "X-Frame-Options", "DENY");
    }
    if (rs->content_type && !strncmp(rs->content_type, "text/html", 9) &&
        !has_header(rs, "Content-Security-Policy")) {
        MHD_add_response_header(r, "Content-Security-Policy",
                                "default-src 'self'; img-src 'self' data:; "
                                "frame-ancestors 'none'");
    }
    for (int i = 0; i < rs->nheaders; i++)
        MHD_add_response_header(r, rs->headers[i][0], rs->headers[i][1]);
}

/* A streamed body being sent: the piece made last and how much of it
 * went out. */
struct stream {
    struct buf piece;
    size_t off;
    int finished;
    resp_fill_fn fill;
    void (*fill_free)(void *ctx);
    void *ctx;
};

/* libmicrohttpd's content reader: hands out the current piece, making
 * the next one when it is used up. */
static ssize_t stream_read(void *cls, uint64_t pos, char *out, size_t max)
{
    struct stream *st = cls;
    (void)pos;
    while (st->off == st->piece.len) {
        if (st->finished)
            return MHD_CONTENT_READER_END_OF_STREAM;
        st->piece.len = 0;
        st->off = 0;
        int rc = st->fill(st->ctx, &st->piece);
        if (rc < 0)
            return MHD_CONTENT_READER_END_WITH_ERROR;
        st->finished = rc == 0;
    }
    size_t n = st->piece.len - st->off;
    if (n > max)
        n = max;
    memcpy(out, st->piece.data + st->off, n);
    st->off += n;
    return (ssize_t)n;
}

/* Frees a stream when libmicrohttpd is done with its response. */
static void stream_free(void *cls)
{
    struct stream *st = cls;
    if (st->fill_free)
        st->fill_free(st->ctx);
    buf_release(&st->piece);
    free(st);
}

/* The response of a streamed body; takes rs's fill context. */
static struct MHD_Response *stream_response(struct resp *rs)
{
    struct stream *st = xcalloc(1, sizeof(*st));
    buf_init(&st->piece, (size_t)-1);
    st->fill = rs->fill;
    st->fill_free = rs->fill_free;
    st->ctx = rs->fill_ctx;
    rs->fill = NULL;
    rs->fill_free = NULL;
    rs->fill_ctx = NULL;
    struct MHD_Response *r = MHD_create_response_from_callback(
        MHD_SIZE_UNKNOWN, 64 * 1024, stream_read, st, stream_free);
    if (!r)
        stream_free(st);
    return r;
}

/* A response made once (see resp_fixed_new in http.h). */
struct resp_fixed {
    struct MHD_Response *r;
    int status;
};

struct resp_fixed *resp_fixed_new(const struct resp *tmpl)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(
        tmpl->len, tmpl->body, MHD_RESPMEM_PERSISTENT);
    if (!r)
        return NULL;
    common_headers(r, tmpl);
    struct resp_fixed *f = xcalloc(1, sizeof(*f));
    f->r = r;
    f->status = tmpl->status;
    return f;
}

void resp_fixed_free(struct resp_fixed *f)
{
    if (!f)
        return;
    MHD_destroy_response(f->r);
    free(f);
}

int resp_send_fixed(struct resp *rs, const struct resp_fixed *f)
{
    rs->fixed = f;
    rs->status = f->status;
    return 0;
}

/* Writes the access log line of a request answered with rs. */
static void log_resp(struct req *rq, const struct resp *rs)
{
    if (log_enabled(rq->bare ? LOG_DEBUG : LOG_INFO)) {
        char path[512];
        log_msg(rq->bare ? LOG_DEBUG : LOG_INFO, "http method=%s path=%s "
                "status=%d us=%lld",
                rq->method, log_escape(rq->path, path, sizeof(path)),
                rs->status, (long long)(clock_mono_us() - rq->started_us));
    }
}

/* Queues rs on the connection and writes the log line. */
static enum MHD_Result send_resp(struct req *rq, struct resp *rs)
{
    struct MHD_Response *r;
    if (rs->fixed) {
        enum MHD_Result ok = MHD_queue_response(
            rq->conn, (unsigned)rs->fixed->status, rs->fixed->r);
        log_resp(rq, rs);
        return ok;
    }
    if (rs->fill)
        r = stream_response(rs);
    else if (rs->body_static)
        r = MHD_create_response_from_buffer(rs->len, rs->body,
                                            MHD_RESPMEM_PERSISTENT);
    else
        r = MHD_create_response_from_buffer(rs->len, rs->body,
                                            MHD_RESPMEM_MUST_FREE);
    if (!r) {
        if (!rs->body_static)
            free(rs->body);
        return MHD_NO;
    }
    common_headers(r, rs);
    enum MHD_Result ok = MHD_queue_response(rq->conn, (unsigned)rs->status,
                                            r);
    MHD_destroy_response(r);
    log_resp(rq, rs);
    return ok;
}

/* The directory streamed uploads are written to (PHEU_UPLOAD_DIR, else
 * TMPDIR, else /tmp). */
static const char *upload_dir(void)
{
    const char *d = getenv("PHEU_UPLOAD_DIR");
    if (!d || !*d)
        d = getenv("TMPDIR");
    return d && *d ? d : "/tmp";
}

/* Starts a streamed upload (SPEC App. C: imports are exempt from the
 * 10 MiB limit): the caller must be authenticated before a byte is
 * stored; the body goes to a file. Returns 0, or an answer was sent. */
static int begin_upload(struct server *s, struct req *rq, int *sent,
                        enum MHD_Result *ret)
{
    struct err err = {0};
    struct resp rs = {0};
    (void)s;
    *sent = 0;
    int rc = db_conn_get(rq->db, &rq->dbc, &err);
    if (!rc)
        rc = http_authenticate(rq, &err);
    if (!rc)
        rc = http_check_csrf(rq, &err);
    if (!rc) {
        snprintf(rq->upload_path, sizeof(rq->upload_path),
                 "%s/pheu-upload-XXXXXX", upload_dir());
        int fd = mkstemp(rq->upload_path);
        rq->upload = fd < 0 ? NULL : fdopen(fd, "w+b");
        if (!rq->upload) {
            if (fd >= 0)
                close(fd);
            rq->upload_path[0] = '\0';
            rc = err_set(&err, E_INTERNAL, NULL, "cannot store the upload");
        }
    }
    if (!rc)
        return 0;
    if (err.code == E_UNAUTH)
        resp_header(&rs, "WWW-Authenticate", "Bearer realm=\"pheu\"");
    resp_fail(&rs, &err);
    rq->too_large = 1;          /* drop whatever body follows */
    *sent = 1;
    *ret = send_resp(rq, &rs);
    return 1;
}

/* First call for a request: set up struct req; refuse oversized bodies
 * announced by Content-Length before reading them. */
static enum MHD_Result begin(struct server *s, struct MHD_Connection *conn,
                             const char *url, const char *method,
                             void **con_cls)
{
    struct req *rq = xcalloc(1, sizeof(*rq));
    arena_init(&rq->arena);
    buf_init(&rq->body, HTTP_MAX_BODY);
    rq->conn = conn;
    rq->method = method;
    rq->path = url;
    rq->db = s->cfg->db;
    rq->started_us = clock_mono_us();
    rq->secure_cookies = s->cfg->secure_cookies;
    rq->proxies = s->cfg->proxies;
    *con_cls = rq;
    atomic_fetch_add(&s->inflight, 1);
    const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                 "Content-Length");
    if (!strcmp(method, "POST") && !strcmp(url, HTTP_UPLOAD_PATH)) {
        int sent;
        enum MHD_Result ret = MHD_YES;
        if (cl && strtoull(cl, NULL, 10) > (unsigned long long)
            HTTP_MAX_UPLOAD) {
            struct resp rs = {0};
            rq->too_large = 1;
            resp_error(&rs, E_TOOLARGE, NULL, "upload over 2 GiB");
            return send_resp(rq, &rs);
        }
        begin_upload(s, rq, &sent, &ret);
        return ret;
    }
    if (cl && strtoull(cl, NULL, 10) > HTTP_MAX_BODY) {
        struct resp rs = {0};
        rq->too_large = 1;
        resp_error(&rs, E_TOOLARGE, NULL, "request body over 10 MiB");
        return send_resp(rq, &rs);
    }
    return MHD_YES;
}

/* libmicrohttpd's access handler: called once to start, once per body
 * chunk, and once more when the body is complete. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
                                  const char *url, const char *method,
                                  const char *version,
                                  const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    struct server *s = cls;
    struct req *rq = *con_cls;
    (void)version;
    if (!rq)
        return begin(s, conn, url, method, con_cls);
    if (*upload_data_size && rq->upload) {
        if (!rq->too_large &&
            (rq->upload_len + (int64_t)*upload_data_size > HTTP_MAX_UPLOAD ||
             fwrite(upload_data, 1, *upload_data_size, rq->upload) !=
             *upload_data_size))
            rq->too_large = 1;
        rq->upload_len += (int64_t)*upload_data_size;
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (!rq->too_large &&
            buf_add(&rq->body, upload_data, *upload_data_size))
            rq->too_large = 1;
        *upload_data_size = 0;
        return MHD_YES;
    }
    struct resp rs = {0};
    server_handle(s->cfg, rq, &rs);
    return send_resp(rq, &rs);
}

/* Frees a request once libmicrohttpd is done with it. */
static void on_completed(void *cls, struct MHD_Connection *conn,
                         void **con_cls, enum MHD_RequestTerminationCode tc)
{
    struct server *s = cls;
    struct req *rq = *con_cls;
    (void)conn;
    (void)tc;
    if (!rq)
        return;
    json_decref(rq->json);
    if (rq->upload)
        fclose(rq->upload);
    if (rq->upload_path[0])
        unlink(rq->upload_path);    /* a handler that keeps it clears it */
    principal_put(rq->who);
    buf_release(&rq->body);
    arena_release(&rq->arena);
    free(rq);
    *con_cls = NULL;
    atomic_fetch_sub(&s->inflight, 1);
}

/* The value of a hex digit, or -1. */
static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes %XX escapes in place, as libmicrohttpd would, except that %00
 * stays as written: a NUL would cut the C string short, so
 * "/index.html%00.js" would otherwise name "/index.html". */
static size_t unescape(void *cls, struct MHD_Connection *conn, char *s)
{
    char *w = s;
    (void)cls;
    (void)conn;
    for (const char *r = s; *r; r++) {
        int hi = -1, lo = -1;
        if (*r == '%' && r[1] && r[2]) {
            hi = hexval(r[1]);
            lo = hexval(r[2]);
        }
        if (hi >= 0 && lo >= 0 && (hi | lo)) {
            *w++ = (char)(hi * 16 + lo);
            r += 2;
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
    return (size_t)(w - s);
}

/* Parses "host:port" (IPv4) into addr. */
static int parse_listen(const char *listen, struct sockaddr_in *addr)
{
    char host[64];
    const char *colon = strrchr(listen, ':');
    if (!colon || (size_t)(colon - listen) >= sizeof(host))
        return -1;
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (end == colon + 1 || *end || port < 0 || port > 65535)
        return -1;
    memset(addr, 0, sizeof(*addr));
    addr->sin_family = AF_INET;
    addr->sin_port = htons((uint16_t)port);
    if (!strcmp(host, "localhost"))
        snprintf(host, sizeof(host), "127.0.0.1");
    return inet_pton(AF_INET, host, &addr->sin_addr) == 1 ? 0 : -1;
}

/* Logs libmicrohttpd's own errors. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    char line[512];
    (void)cls;
    vsnprintf(line, sizeof(line), fmt, ap);
    size_t n = strlen(line);
    if (n && line[n - 1] == '\n')
        line[n - 1] = '\0';
    log_warn("httpd %s", line);
}

/* Waits for SIGINT/SIGTERM (blocked in every thread), writing the
 * buffered log lines out five times a second meanwhile. */
static void wait_signal(const sigset_t *set)
{
    struct timespec tick = {0, 200 * 1000 * 1000};
    int sig;
    do {
        log_flush();
        sig = sigtimedwait(set, NULL, &tick);
    } while (sig < 0);
    log_info("shutdown signal=%d", sig);
    log_flush();
}

int server_check_listen(const char *listen)
{
    struct sockaddr_in addr;
    if (!parse_listen(listen, &addr))
        return 0;
    fprintf(stderr, "pheu: cannot listen on '%s': use host:port, e.g. "
            "127.0.0.1:8080\n", listen);
    return 2;
}

int server_run(const struct server_config *cfg,
               void (*on_ready)(const char *url))
{
    struct sockaddr_in addr;
    if (parse_listen(cfg->listen, &addr))
        return server_check_listen(cfg->listen);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    struct server s = {.cfg = cfg};
    atomic_init(&s.inflight, 0);
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_TURBO |
                     MHD_USE_ITC | MHD_USE_ERROR_LOG;
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, &s,
        MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->workers,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)1024,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
        MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)512,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, &s,
        MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL,
        MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "pheu: cannot listen on %s (address in use?)\n",
                cfg->listen);
        return 1;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(
        d, MHD_DAEMON_INFO_BIND_PORT);
    char url[96];
    char host[64];
    inet_ntop(AF_INET, &addr.sin_addr, host, sizeof(host));
    snprintf(url, sizeof(url), "http://%s:%u/", host,
             di ? di->port : ntohs(addr.sin_port));
    log_info("listening url=%s workers=%d", url, cfg->workers);
    if (on_ready)
        on_ready(url);
    wait_signal(&set);
    MHD_socket lfd = MHD_quiesce_daemon(d);
    for (int i = 0; i < 3000 && atomic_load(&s.inflight) > 0; i++)
        usleep(10000);
    MHD_stop_daemon(d);
    if (lfd != MHD_INVALID_SOCKET)
        close(lfd);
    log_info("stopped");
    log_flush();
    return 0;
}
