/* PostgreSQL engine for store/db.c (libpq): one connection per thread,
 * "?" parameters rewritten to $n and prepared once per connection, text
 * parameters and results, SQLSTATE mapped to enum err_code, writers
 * serialised by a transaction-level advisory lock (the same one-writer
 * rule as SQLite, across every pheu process sharing the database),
 * pipelining of the statements whose results nobody reads (step_nowait),
 * and reconnection after the server restarts. */
#include "store/db_engine.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/xalloc.h"

#include <endian.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STMT_CACHE 256
#define MAX_PARAMS 64
#define WRITER_LOCK "SELECT pg_advisory_xact_lock(7243100)"
/* BEGIN and the lock in one simple-protocol message: one round trip */
#define BEGIN_WRITE "BEGIN; " WRITER_LOCK
#define RECONNECT_MS 1000   /* after a failed reconnect, fail fast */

struct pg_stmt {
    struct db_stmt base;
    char name[16];
    char *sql;              /* the original "?" text (cache key) */
    uint64_t hash;
    int nparams, prepared, busy, cached;
    int described;          /* res holds a description, not rows */
    int binary;             /* db_want_binary: results in binary form */
    /* db_want_stream: one row per result (single-row mode) */
    enum { STREAM_OFF, STREAM_READY, STREAM_ROWS, STREAM_DONE } stream;
    const char *params[MAX_PARAMS];
    char ints[MAX_PARAMS][24];
    PGresult *res;
    int row, nrows;
};

struct pg_conn {
    struct db_conn base;
    PGconn *h;
    struct pg_stmt cache[STMT_CACHE];
    int ncache, next_evict, counter;
    int64_t last_reset_fail;
    int queued;             /* statements sent by step_nowait whose
                             * results are not read yet (pipeline mode) */
};

#define PC(c) ((struct pg_conn *)(c))
#define PS(s) ((struct pg_stmt *)(s))

/* Maps a failed result (or a broken connection) to an enum err_code. */
static int fail(PGconn *h, PGresult *res, struct err *err, const char *what)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE)
                            : NULL;
    const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(h);
    if (PQstatus(h) != CONNECTION_OK || !state ||
        !strncmp(state, "08", 2) || !strncmp(state, "57P", 3) ||
        !strncmp(state, "53", 2) || !strcmp(state, "40001") ||
        !strcmp(state, "40P01") || !strcmp(state, "57014") ||
        !strcmp(state, "55P03")) {
        log_warn("db %s unavailable: %s", what, msg);
        return err_set(err, E_UNAVAILABLE, NULL, "database unavailable");
    }
    if (!strcmp(state, "23505"))
        return err_set(err, E_CONFLICT, NULL, "already exists");
    if (!strcmp(state, "23503"))
        return err_set(err, E_RULE, NULL, "refers to a record that does "
                       "not exist");
    if (!strncmp(state, "23", 2) || !strncmp(state, "22", 2)) {
        log_msg(LOG_DEBUG, "db %s refused: %s", what, msg);
        return err_set(err, E_INVALID, NULL, "value not allowed");
    }
    log_error("db %s failed: %s", what, msg);
    return err_set(err, E_DB, NULL, "database error");
}

/* The statements every write transaction sends in its pipeline,
 * prepared once per session: sent by name they skip the server's parse
 * and plan of an unnamed statement (~0.1 ms of a stage move's 1.4). */
static const char *const tx_stmts[][2] = {
    {"pheu_begin", "BEGIN"},
    {"pheu_lock", WRITER_LOCK},
    {"pheu_commit", "COMMIT"},
};

/* Runs the per-session settings every connection needs and prepares
 * tx_stmts. */
static int session_setup(PGconn *h, struct err *err)
{
    PGresult *r = PQexec(h, "SET statement_timeout = '30s';"
                         "SET client_min_messages = warning;"
                         "SET TIME ZONE 'UTC'");
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    int rc = ok ? 0 : fail(h, r, err, "setup");
    PQclear(r);
    for (size_t i = 0; !rc && i < sizeof(tx_stmts) / sizeof(tx_stmts[0]);
         i++) {
        r = PQprepare(h, tx_stmts[i][0], tx_stmts[i][1], 0, NULL);
        if (PQresultStatus(r) != PGRES_COMMAND_OK)
            rc = fail(h, r, err, "setup");
        PQclear(r);
    }
    return rc;
}

/* Sends the tx_stmts statement named name in the pipeline. */
static int send_tx(struct pg_conn *c, const char *name, struct err *err)
{
    if (!PQsendQueryPrepared(c->h, name, 0, NULL, NULL, NULL, 0))
        return fail(c->h, NULL, err, "send");
    return 0;
}

/* Sends the server's notices and warnings to our log, not to stderr. */
static void notice(void *arg, const char *msg)
{
    size_t n = strlen(msg);
    (void)arg;
    log_warn("db notice: %.*s", (int)(n && msg[n - 1] == '\n' ? n - 1 : n),
             msg);
}

static int pg_open(struct db *db, struct db_conn **out, struct err *err)
{
    const char *keys[] = {"dbname", "connect_timeout", "application_name",
                          NULL};
    const char *vals[] = {db->url, "5", "pheu", NULL};
    PGconn *h = PQconnectdbParams(keys, vals, 1);
    if (!h || PQstatus(h) != CONNECTION_OK) {
        err_set(err, E_UNAVAILABLE, "db", "cannot connect to PostgreSQL: "
                "%s", h ? PQerrorMessage(h) : "out of memory");
        PQfinish(h);
        return E_UNAVAILABLE;
    }
    PQsetNoticeProcessor(h, notice, NULL);
    int rc = session_setup(h, err);
    if (rc) {
        PQfinish(h);
        return rc;
    }
    struct pg_conn *c = xcalloc(1, sizeof(*c));
    c->h = h;
    *out = &c->base;
    return 0;
}

static void stream_skip(struct pg_conn *c, struct pg_stmt *s);

/* Forgets a statement's result and parameters (and the rest of a
 * stream's rows). */
static void stmt_reset(struct pg_stmt *s)
{
    if (s->stream == STREAM_ROWS)
        stream_skip(PC(s->base.conn), s);
    s->stream = STREAM_OFF;
    PQclear(s->res);
    s->res = NULL;
    s->described = 0;
    s->binary = 0;
    s->row = -1;
    s->nrows = 0;
    memset(s->params, 0, sizeof(s->params));
}

static void pg_close(struct db_conn *conn)
{
    struct pg_conn *c = PC(conn);
    for (int i = 0; i < c->ncache; i++) {
        stmt_reset(&c->cache[i]);
        free(c->cache[i].sql);
    }
    PQfinish(c->h);
    free(c);
}

/* Whether an idle connection was closed by the server while nobody used
 * it (a restart, an administrator): the socket then has a FATAL message
 * or end-of-file waiting, and an idle session that does not LISTEN is
 * never sent anything else. One poll(2), no round trip. */
static int closed_while_idle(PGconn *h)
{
    if (PQtransactionStatus(h) != PQTRANS_IDLE)
        return 0;
    struct pollfd p = {.fd = PQsocket(h), .events = POLLIN};
    return p.fd < 0 || poll(&p, 1, 0) > 0;
}

/* Reconnects a broken connection; prepared statements must be prepared
 * again on the new session. */
static int pg_check(struct db_conn *conn, struct err *err)
{
    struct pg_conn *c = PC(conn);
    if (PQstatus(c->h) == CONNECTION_OK && !closed_while_idle(c->h))
        return 0;
    int64_t now = clock_now_ms();
    if (c->last_reset_fail && now - c->last_reset_fail < RECONNECT_MS)
        return err_set(err, E_UNAVAILABLE, NULL, "database unavailable");
    PQreset(c->h);
    if (PQstatus(c->h) != CONNECTION_OK || session_setup(c->h, err)) {
        c->last_reset_fail = now;
        return err_set(err, E_UNAVAILABLE, NULL, "database unavailable");
    }
    c->last_reset_fail = 0;
    c->base.holds_writer = 0;
    c->queued = 0;
    for (int i = 0; i < c->ncache; i++)
        c->cache[i].prepared = 0;
    log_info("db reconnected engine=postgres");
    return 0;
}

/* ---- pipelining ----
 * step_nowait sends a statement in pipeline mode and returns without
 * reading its result. The results are read at the next synchronous call
 * (pipe_end): a prepared statement or a COMMIT rides in the same pipeline,
 * so the queued statements cost no round trip of their own; anything
 * else (a prepare, a describe, COPY, a multi-statement exec) first ends
 * the pipeline alone. The first error among the queued statements is the
 * one reported (mapped as any other), the rest of the pipeline is
 * skipped by the server, and the transaction is left failed: the caller's
 * rollback undoes the whole request. */

/* Sends Sync and reads the results of the c->queued statements, then of
 * one more statement when out is given (its result is stored in *out,
 * NULL when the pipeline was aborted before it), and leaves pipeline
 * mode. Returns 0 or the first error's code. */
static int pipe_end(struct pg_conn *c, PGresult **out, struct err *err)
{
    int rc = 0, want = c->queued + (out != NULL), ends = 0;
    if (out)
        *out = NULL;
    if (!PQpipelineSync(c->h)) {
        c->queued = 0;
        PQexitPipelineMode(c->h);
        return fail(c->h, NULL, err, "pipeline");
    }
    while (!rc || PQstatus(c->h) == CONNECTION_OK) {
        PGresult *r = PQgetResult(c->h);
        if (!r) {       /* the end of one statement's results */
            if (++ends > want + 1) {
                if (!rc)
                    rc = fail(c->h, NULL, err, "pipeline");
                break;
            }
            continue;
        }
        ExecStatusType st = PQresultStatus(r);
        if (st == PGRES_PIPELINE_SYNC) {
            PQclear(r);
            break;
        }
        if (st == PGRES_FATAL_ERROR && !rc) {
            rc = fail(c->h, r, err, ends < c->queued ? "queued statement"
                                                     : "step");
        } else if (out && ends == c->queued && !*out &&
                   st != PGRES_PIPELINE_ABORTED) {
            *out = r;
            continue;
        }
        PQclear(r);
    }
    c->queued = 0;
    if (!PQexitPipelineMode(c->h) && !rc)
        rc = fail(c->h, NULL, err, "pipeline");
    if (rc && out) {
        PQclear(*out);
        *out = NULL;
    }
    return rc;
}

/* Ends a pipeline before a synchronous libpq call. */
static int drain(struct pg_conn *c, struct err *err)
{
    return c->queued ? pipe_end(c, NULL, err) : 0;
}

static int pg_exec(struct db_conn *conn, const char *sql, struct err *err)
{
    struct pg_conn *c = PC(conn);
    if (c->queued && !strcmp(sql, "COMMIT")) {
        /* the commit rides in the pipeline: one round trip for both */
        PGresult *r = NULL;
        int rc = send_tx(c, "pheu_commit", err);
        if (!rc)
            rc = pipe_end(c, &r, err);
        if (!rc && (!r || PQresultStatus(r) != PGRES_COMMAND_OK))
            rc = fail(c->h, r, err, "exec");
        PQclear(r);
        return rc;
    }
    if (c->queued) {
        int rc = drain(c, err);
        /* a rollback still runs after a failed pipeline */
        if (rc && strcmp(sql, "ROLLBACK"))
            return rc;
    }
    PGresult *r = PQexec(c->h, sql);
    ExecStatusType st = PQresultStatus(r);
    /* empty: comments only, as a migration for the other engine is */
    int rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ||
             st == PGRES_EMPTY_QUERY ? 0 : fail(c->h, r, err, "exec");
    PQclear(r);
    return rc;
}

/* Rewrites "?" placeholders to $1, $2 ... outside quotes and comments;
 * returns a new string and the parameter count. */
static char *rewrite(const char *sql, int *n)
{
    size_t len = strlen(sql);
    char *out = xmalloc(len * 4 + 1), *o = out;
    char quote = 0;
    *n = 0;
    for (const char *p = sql; *p; p++) {
        if (quote) {
            if (*p == quote)
                quote = 0;
            *o++ = *p;
        } else if (*p == '\'' || *p == '"') {
            quote = *p;
            *o++ = *p;
        } else if (*p == '-' && p[1] == '-') {
            while (*p && *p != '\n')
                *o++ = *p++;
            if (!*p)
                break;
            *o++ = *p;
        } else if (*p == '?') {
            o += snprintf(o, 12, "$%d", ++*n);
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
    return out;
}

/* Prepares s->sql on the server under s->name. */
static int server_prepare(struct pg_conn *c, struct pg_stmt *s,
                          struct err *err)
{
    int n, rc = drain(c, err);
    if (rc)
        return rc;
    char *text = rewrite(s->sql, &n);
    if (n > MAX_PARAMS) {
        free(text);
        return err_set(err, E_INTERNAL, NULL, "more than %d parameters",
                       MAX_PARAMS);
    }
    PGresult *r = PQprepare(c->h, s->name, text, 0, NULL);
    free(text);
    rc = PQresultStatus(r) == PGRES_COMMAND_OK
                 ? 0 : fail(c->h, r, err, "prepare");
    PQclear(r);
    s->nparams = n;
    s->prepared = !rc;
    return rc;
}

/* Deallocates a cached statement on the server to reuse its slot. */
static void evict(struct pg_conn *c, struct pg_stmt *s)
{
    char sql[40];
    drain(c, &(struct err){0});     /* its queued runs happen first */
    if (s->prepared && PQstatus(c->h) == CONNECTION_OK) {
        snprintf(sql, sizeof(sql), "DEALLOCATE %s", s->name);
        PQclear(PQexec(c->h, sql));
    }
    stmt_reset(s);
    free(s->sql);
    s->sql = NULL;
    s->prepared = 0;
}

/* A cache slot for a new statement, or NULL when all are in use. */
static struct pg_stmt *slot(struct pg_conn *c)
{
    if (c->ncache < STMT_CACHE)
        return &c->cache[c->ncache++];
    for (int n = 0; n < STMT_CACHE; n++) {
        struct pg_stmt *v = &c->cache[c->next_evict];
        c->next_evict = (c->next_evict + 1) % STMT_CACHE;
        if (!v->busy) {
            evict(c, v);
            return v;
        }
    }
    return NULL;
}

static int pg_prepare(struct db_conn *conn, const char *sql,
                      struct db_stmt **out, struct err *err)
{
    struct pg_conn *c = PC(conn);
    uint64_t h = db_sql_hash(sql);
    struct pg_stmt *s = NULL;
    for (int i = 0; i < c->ncache && !s; i++)
        if (c->cache[i].hash == h && !c->cache[i].busy &&
            c->cache[i].sql && !strcmp(c->cache[i].sql, sql))
            s = &c->cache[i];
    if (!s) {
        s = slot(c);
        if (!s) {
            s = xcalloc(1, sizeof(*s));
            s->cached = 0;
        } else {
            s->cached = 1;
        }
        s->sql = xstrdup(sql);
        s->hash = h;
        s->prepared = 0;
        snprintf(s->name, sizeof(s->name), "p%d", ++c->counter);
    }
    s->base.conn = conn;
    stmt_reset(s);
    if (!s->prepared) {
        int rc = server_prepare(c, s, err);
        if (rc) {
            if (!s->cached) {
                free(s->sql);
                free(s);
            }
            return rc;
        }
    }
    s->busy = 1;
    *out = &s->base;
    return 0;
}

static int pg_bind_int(struct db_stmt *base, int idx, int64_t v,
                       struct err *err)
{
    struct pg_stmt *s = PS(base);
    if (idx < 1 || idx > MAX_PARAMS)
        return err_set(err, E_INTERNAL, NULL, "parameter %d out of range",
                       idx);
    int i = idx - 1;
    snprintf(s->ints[i], sizeof(s->ints[0]), "%lld", (long long)v);
    s->params[i] = s->ints[i];
    return 0;
}

static int pg_bind_text(struct db_stmt *base, int idx, const char *t,
                        struct err *err)
{
    if (idx < 1 || idx > MAX_PARAMS)
        return err_set(err, E_INTERNAL, NULL, "parameter %d out of range",
                       idx);
    PS(base)->params[idx - 1] = t;
    return 0;
}

/* Reads and drops the rest of a streamed statement's results (db_done
 * before its last row, or after an error). */
static void stream_skip(struct pg_conn *c, struct pg_stmt *s)
{
    PGresult *r;
    PQclear(s->res);
    s->res = NULL;
    while ((r = PQgetResult(c->h)))
        PQclear(r);
    s->stream = STREAM_DONE;
}

/* The next row of a streamed statement: DB_ROW, DB_DONE or -1. */
static int stream_step(struct pg_conn *c, struct pg_stmt *s,
                       struct err *err)
{
    if (s->stream == STREAM_READY) {
        int rc = drain(c, err);
        if (rc)
            return -1;
        if (!PQsendQueryPrepared(c->h, s->name, s->nparams, s->params,
                                 NULL, NULL, 1)) {
            fail(c->h, NULL, err, "send");
            return -1;
        }
        PQsetSingleRowMode(c->h);   /* 0 only if too late: it is not */
        s->stream = STREAM_ROWS;
    }
    if (s->stream != STREAM_ROWS)
        return DB_DONE;
    PQclear(s->res);
    s->res = PQgetResult(c->h);
    ExecStatusType st = PQresultStatus(s->res);
    if (st == PGRES_SINGLE_TUPLE) {
        s->row = 0;
        s->nrows = 1;
        return DB_ROW;
    }
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
        fail(c->h, s->res, err, "step");
        stream_skip(c, s);
        return -1;
    }
    stream_skip(c, s);          /* the end: its NULL result */
    return DB_DONE;
}

static int pg_step(struct db_stmt *base, struct err *err)
{
    struct pg_stmt *s = PS(base);
    struct pg_conn *c = PC(base->conn);
    if (s->stream != STREAM_OFF)
        return stream_step(c, s, err);
    if (s->described) {     /* col_name ran before the first step */
        PQclear(s->res);
        s->res = NULL;
        s->described = 0;
    }
    if (!s->res) {
        if (c->queued) {    /* ride in the pipeline: one round trip */
            if (!PQsendQueryPrepared(c->h, s->name, s->nparams, s->params,
                                     NULL, NULL, s->binary)) {
                fail(c->h, NULL, err, "send");
                drain(c, &(struct err){0});
                return -1;
            }
            if (pipe_end(c, &s->res, err))
                return -1;
        } else {
            s->res = PQexecPrepared(c->h, s->name, s->nparams, s->params,
                                    NULL, NULL, s->binary);
        }
        ExecStatusType st = PQresultStatus(s->res);
        if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
            fail(c->h, s->res, err, "step");
            PQclear(s->res);
            s->res = NULL;
            return -1;
        }
        s->nrows = PQntuples(s->res);
        s->row = -1;
    }
    if (++s->row < s->nrows)
        return DB_ROW;
    return DB_DONE;
}

/* Sends the statement in pipeline mode; its result is read later. */
static int pg_step_nowait(struct db_stmt *base, struct err *err)
{
    struct pg_stmt *s = PS(base);
    struct pg_conn *c = PC(base->conn);
    if (PQpipelineStatus(c->h) == PQ_PIPELINE_OFF &&
        !PQenterPipelineMode(c->h))
        return fail(c->h, NULL, err, "pipeline");
    if (!PQsendQueryPrepared(c->h, s->name, s->nparams, s->params, NULL,
                             NULL, 0)) {
        int rc = fail(c->h, NULL, err, "send");
        drain(c, &(struct err){0});
        return rc;
    }
    c->queued++;
    return 0;
}

static void pg_done(struct db_stmt *base)
{
    struct pg_stmt *s = PS(base);
    stmt_reset(s);
    if (!s->cached) {
        struct pg_conn *c = PC(base->conn);
        evict(c, s);
        free(s);
        return;
    }
    s->busy = 0;
}

static void pg_want_binary(struct db_stmt *base)
{
    PS(base)->binary = 1;
}

static void pg_want_stream(struct db_stmt *base)
{
    PS(base)->binary = 1;
    PS(base)->stream = STREAM_READY;
}

/* An integer sent in binary form: big-endian int8, int4 or int2. */
static int64_t binary_int(const char *p, int len)
{
    uint64_t v8;
    uint32_t v4;
    uint16_t v2;
    switch (len) {
    case 8:
        memcpy(&v8, p, 8);
        return (int64_t)be64toh(v8);
    case 4:
        memcpy(&v4, p, 4);
        return (int32_t)be32toh(v4);
    case 2:
        memcpy(&v2, p, 2);
        return (int16_t)be16toh(v2);
    default:
        return 0;
    }
}

static int64_t pg_col_int(struct db_stmt *base, int i)
{
    struct pg_stmt *s = PS(base);
    if (PQgetisnull(s->res, s->row, i))
        return 0;
    if (s->binary)
        return binary_int(PQgetvalue(s->res, s->row, i),
                          PQgetlength(s->res, s->row, i));
    return strtoll(PQgetvalue(s->res, s->row, i), NULL, 10);
}

static const char *pg_col_text(struct db_stmt *base, int i)
{
    struct pg_stmt *s = PS(base);
    if (PQgetisnull(s->res, s->row, i))
        return NULL;
    return PQgetvalue(s->res, s->row, i);
}

static int pg_col_null(struct db_stmt *base, int i)
{
    struct pg_stmt *s = PS(base);
    return PQgetisnull(s->res, s->row, i);
}

static int pg_col_count(struct db_stmt *base)
{
    struct pg_stmt *s = PS(base);
    struct pg_conn *c = PC(base->conn);
    if (drain(c, &(struct err){0}))
        return 0;
    PGresult *d = PQdescribePrepared(c->h, s->name);
    int n = PQresultStatus(d) == PGRES_COMMAND_OK ? PQnfields(d) : 0;
    PQclear(d);
    return n;
}

/* Column names come from the statement's description, kept until done. */
static const char *pg_col_name(struct db_stmt *base, int i)
{
    struct pg_stmt *s = PS(base);
    struct pg_conn *c = PC(base->conn);
    if (!s->res) {
        if (drain(c, &(struct err){0}))
            return NULL;
        s->res = PQdescribePrepared(c->h, s->name);
        s->nrows = 0;
        s->row = -1;
        s->described = 1;
    }
    return PQfname(s->res, i);
}

struct pg_copy {
    struct db_copy base;
    struct buf line;
};

/* COPY FROM STDIN in text format. */
static int pg_copy_begin(struct db_conn *conn, const char *table,
                         const char *const *cols, int ncols,
                         struct db_copy **out, struct err *err)
{
    struct pg_conn *c = PC(conn);
    int rc = drain(c, err);
    if (rc)
        return rc;
    struct buf sql;
    buf_init(&sql, 1 << 16);
    buf_addf(&sql, "COPY %s (", table);
    for (int i = 0; i < ncols; i++)
        buf_addf(&sql, "%s%s", i ? ", " : "", cols[i]);
    buf_adds(&sql, ") FROM STDIN");
    PGresult *r = PQexec(c->h, buf_cstr(&sql));
    buf_release(&sql);
    rc = PQresultStatus(r) == PGRES_COPY_IN ? 0
                                                : fail(c->h, r, err, "copy");
    PQclear(r);
    if (rc)
        return rc;
    struct pg_copy *cp = xcalloc(1, sizeof(*cp));
    cp->base.conn = conn;
    cp->base.ncols = ncols;
    buf_init(&cp->line, 64u << 20);
    *out = &cp->base;
    return 0;
}

/* Appends one value escaped for COPY's text format: runs of plain bytes
 * are copied whole (a byte at a time was a quarter of an import's CPU). */
static int copy_value(struct buf *b, const char *v)
{
    if (!v)
        return buf_add(b, "\\N", 2);
    for (;;) {
        size_t n = strcspn(v, "\\\t\n\r");
        if (buf_add(b, v, n))
            return -1;
        v += n;
        if (!*v)
            return 0;
        char esc[2] = {'\\', *v == '\t' ? 't' : *v == '\n' ? 'n'
                       : *v == '\r' ? 'r' : '\\'};
        if (buf_add(b, esc, 2))
            return -1;
        v++;
    }
}

#define COPY_SEND 65536     /* bytes of rows gathered per PQputCopyData */

/* Hands the gathered rows to libpq. */
static int copy_send(struct pg_copy *cp, struct pg_conn *c, struct err *err)
{
    if (cp->line.len &&
        PQputCopyData(c->h, cp->line.data, (int)cp->line.len) != 1)
        return fail(c->h, NULL, err, "copy");
    cp->line.len = 0;
    return 0;
}

static int pg_copy_row(struct db_copy *base, const char *const *vals,
                       struct err *err)
{
    struct pg_copy *cp = (struct pg_copy *)base;
    struct pg_conn *c = PC(base->conn);
    int bad = 0;
    for (int i = 0; i < base->ncols; i++) {
        if (i)
            bad |= buf_add(&cp->line, "\t", 1);
        bad |= copy_value(&cp->line, vals[i]);
    }
    bad |= buf_add(&cp->line, "\n", 1);
    if (bad)
        return err_set(err, E_INTERNAL, NULL, "COPY row too long");
    return cp->line.len >= COPY_SEND ? copy_send(cp, c, err) : 0;
}

static int pg_copy_end(struct db_copy *base, struct err *err)
{
    struct pg_copy *cp = (struct pg_copy *)base;
    struct pg_conn *c = PC(base->conn);
    int rc = copy_send(cp, c, err);
    if (PQputCopyEnd(c->h, rc ? "failed" : NULL) != 1 && !rc)
        rc = fail(c->h, NULL, err, "copy");
    PGresult *r;
    while ((r = PQgetResult(c->h)) != NULL) {
        if (!rc && PQresultStatus(r) != PGRES_COMMAND_OK)
            rc = fail(c->h, r, err, "copy");
        PQclear(r);
    }
    buf_release(&cp->line);
    free(cp);
    return rc;
}

/* Moves the identity sequence of table.id past the largest id. */
static int pg_sync_ids(struct db_conn *c, const char *table, struct err *err)
{
    char sql[512];
    snprintf(sql, sizeof(sql), "SELECT setval(pg_get_serial_sequence('%s', "
             "'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM %s",
             table, table);
    return pg_exec(c, sql, err);
}

static int pg_in_tx(struct db_conn *c)
{
    PGTransactionStatusType t = PQtransactionStatus(PC(c)->h);
    return t == PQTRANS_INTRANS || t == PQTRANS_INERROR ||
           t == PQTRANS_ACTIVE || PC(c)->queued;
}

/* One writer: a transaction-level advisory lock, released by COMMIT or
 * ROLLBACK, shared by every process on this database. BEGIN and the lock
 * are queued in pipeline mode: they ride with the transaction's first
 * synchronous statement (most often the read of the row to change), one
 * round trip less per write under the lock. A failed lock is reported by
 * that statement, as any queued statement's error (see pipelining), and
 * the caller's rollback ends the transaction. Without pipeline mode they
 * travel in one message of their own; a failed lock then leaves the
 * transaction open, rolled back here. */
static int pg_begin_write(struct db_conn *conn, struct err *err)
{
    struct pg_conn *c = PC(conn);
    if (!c->queued && PQpipelineStatus(c->h) == PQ_PIPELINE_OFF &&
        PQtransactionStatus(c->h) == PQTRANS_IDLE &&
        PQenterPipelineMode(c->h)) {
        int rc = send_tx(c, "pheu_begin", err);
        if (rc)
            return rc;
        c->queued++;
        rc = send_tx(c, "pheu_lock", err);
        if (!rc)
            c->queued++;
        return rc;
    }
    int rc = pg_exec(conn, BEGIN_WRITE, err);
    if (rc && pg_in_tx(conn))
        pg_exec(conn, "ROLLBACK", &(struct err){0});
    return rc;
}

/* ->> on the jsonb cast reads a custom field as text (NULL when
 * absent), cast to numeric for numbers and to 1/0 for booleans. */
static void pg_json_get(char *out, size_t outlen, const char *col,
                        const char *k, char type)
{
    if (type == 'n')
        snprintf(out, outlen, "((%s::jsonb ->> '%s')::numeric)", col, k);
    else if (type == 'b')
        snprintf(out, outlen, "(CASE %s::jsonb ->> '%s' WHEN 'true' THEN 1 "
                 "WHEN 'false' THEN 0 END)", col, k);
    else
        snprintf(out, outlen, "(%s::jsonb ->> '%s')", col, k);
}

const struct db_ops db_pg_ops = {
    .name = "postgres",
    .id_type = "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
    .bytes_collate = " COLLATE \"C\"",
    .no_rowid = "",
    .json_get = pg_json_get,
    .ilike = "ILIKE",
    /* an array: an index condition (ScalarArrayOp) on the column, where
     * "IN (SELECT …)" may hash the list and scan the whole table */
    .in_ints = "= ANY(ARRAY(SELECT CAST(json_array_elements_text("
               "CAST(? AS json)) AS BIGINT)))",
    .in_texts = "IN (SELECT json_array_elements_text(CAST(? AS json)))",
    /* inside an OR, "IN (subquery)" is a hashed subplan no index serves
     * (decision 0015: a rep's contacts found by scanning them all) */
    .in_select = {"= ANY(ARRAY(", "))"},
    .embedded = 0,
    .indexed_by = NULL,         /* the planner is not told */
    .skip_checks = NULL,
    .conn_open = pg_open,
    .conn_close = pg_close,
    .conn_check = pg_check,
    .exec = pg_exec,
    .prepare = pg_prepare,
    .bind_int = pg_bind_int,
    .bind_text = pg_bind_text,
    .step = pg_step,
    .step_nowait = pg_step_nowait,
    .done = pg_done,
    .col_int = pg_col_int,
    .col_text = pg_col_text,
    .col_null = pg_col_null,
    .want_binary = pg_want_binary,
    .want_stream = pg_want_stream,
    .col_count = pg_col_count,
    .col_name = pg_col_name,
    .copy_begin = pg_copy_begin,
    .copy_row = pg_copy_row,
    .copy_end = pg_copy_end,
    .defer_fks_sql = "SET CONSTRAINTS ALL DEFERRED",
    .sync_ids = pg_sync_ids,
    .begin_write = pg_begin_write,
    .in_tx = pg_in_tx,
};
