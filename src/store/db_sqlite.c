/* SQLite implementation of store/db.h: WAL mode, one connection per
 * thread (opened lazily, closed by db_close), a per-connection cache of
 * prepared statements, and one writer at a time through a process mutex
 * plus BEGIN IMMEDIATE. */
#include "store/db.h"
#include "util/log.h"
#include "util/xalloc.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define STMT_CACHE 128

struct db_stmt {
    sqlite3_stmt *st;
    struct db_conn *conn;
    const char *sql;        /* owned copy for cached statements */
    uint64_t hash;
    int busy, cached;
};

struct db_conn {
    struct db *db;
    sqlite3 *h;
    struct db_stmt cache[STMT_CACHE];
    int ncache, next_evict;
    int in_tx, holds_writer;
};

struct db {
    char *path;
    pthread_key_t key;
    pthread_mutex_t lock;   /* guards conns */
    pthread_mutex_t writer; /* one write transaction at a time */
    struct db_conn **conns;
    int nconns, capconns;
};

static _Atomic long fault_step;   /* PHEU_FAULT_DB_STEP, 0 = off */
static _Atomic long step_count;

void db_fault_reset(void)
{
    const char *v = getenv("PHEU_FAULT_DB_STEP");
    atomic_store(&fault_step, v ? strtol(v, NULL, 10) : 0);
    atomic_store(&step_count, 0);
}

/* Maps a SQLite result code to an enum err with a message. */
static int fail(sqlite3 *h, int rc, struct err *err, const char *what)
{
    int ext = h ? sqlite3_extended_errcode(h) : rc;
    const char *msg = h ? sqlite3_errmsg(h) : sqlite3_errstr(rc);
    switch (ext) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
        return err_set(err, E_CONFLICT, NULL, "already exists");
    case SQLITE_CONSTRAINT_FOREIGNKEY:
        return err_set(err, E_RULE, NULL, "refers to a record that does "
                       "not exist");
    case SQLITE_CONSTRAINT_CHECK:
    case SQLITE_CONSTRAINT_NOTNULL:
        log_msg(LOG_DEBUG, "db %s refused: %s", what, msg);
        return err_set(err, E_INVALID, NULL, "value not allowed");
    default:
        break;
    }
    if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
        return err_set(err, E_UNAVAILABLE, NULL, "database busy");
    log_error("db %s failed: %s", what, msg);
    return err_set(err, E_DB, NULL, "database error");
}

int db_open(const char *url, struct db **out, struct err *err)
{
    if (!url || !*url)
        return err_set(err, E_INVALID, "db", "no database given");
    if (!strncmp(url, "postgres://", 11) || !strncmp(url, "postgresql://", 13))
        return err_set(err, E_INVALID, "db", "PostgreSQL is not supported "
                       "by this build yet");
    if (!strncmp(url, "sqlite:", 7))
        url += 7;
    struct db *db = xcalloc(1, sizeof(*db));
    db->path = xstrdup(url);
    pthread_key_create(&db->key, NULL);
    pthread_mutex_init(&db->lock, NULL);
    pthread_mutex_init(&db->writer, NULL);
    db_fault_reset();
    struct db_conn *c;
    int rc = db_conn_get(db, &c, err);   /* fail early on a bad path */
    if (rc) {
        db_close(db);
        return rc;
    }
    *out = db;
    return 0;
}

const char *db_engine(const struct db *db)
{
    (void)db;
    return "sqlite";
}

/* Finalizes every statement and closes one connection. */
static void conn_close(struct db_conn *c)
{
    for (int i = 0; i < c->ncache; i++) {
        sqlite3_finalize(c->cache[i].st);
        free((char *)c->cache[i].sql);
    }
    sqlite3_close(c->h);
    free(c);
}

void db_close(struct db *db)
{
    if (!db)
        return;
    for (int i = 0; i < db->nconns; i++)
        conn_close(db->conns[i]);
    free(db->conns);
    pthread_key_delete(db->key);
    pthread_mutex_destroy(&db->lock);
    pthread_mutex_destroy(&db->writer);
    free(db->path);
    free(db);
}

/* Opens a connection with the pragmas every connection needs. */
static int conn_open(struct db *db, struct db_conn **out, struct err *err)
{
    sqlite3 *h = NULL;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(db->path, &h, flags, NULL);
    if (rc != SQLITE_OK) {
        err_set(err, E_DB, "db", "cannot open database '%s': %s", db->path,
                h ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
        sqlite3_close(h);
        return E_DB;
    }
    sqlite3_busy_timeout(h, 5000);
    static const char *pragmas =
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
        "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;"
        "PRAGMA cache_size=-8000;";
    char *msg = NULL;
    rc = sqlite3_exec(h, pragmas, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        err_set(err, E_DB, "db", "cannot use database '%s': %s", db->path,
                msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
        sqlite3_close(h);
        return E_DB;
    }
    struct db_conn *c = xcalloc(1, sizeof(*c));
    c->db = db;
    c->h = h;
    *out = c;
    return 0;
}

int db_conn_get(struct db *db, struct db_conn **out, struct err *err)
{
    struct db_conn *c = pthread_getspecific(db->key);
    if (c) {
        *out = c;
        return 0;
    }
    int rc = conn_open(db, &c, err);
    if (rc)
        return rc;
    pthread_mutex_lock(&db->lock);
    if (db->nconns == db->capconns) {
        db->capconns = db->capconns ? db->capconns * 2 : 8;
        db->conns = xrealloc(db->conns, sizeof(*db->conns) *
                             (size_t)db->capconns);
    }
    db->conns[db->nconns++] = c;
    pthread_mutex_unlock(&db->lock);
    pthread_setspecific(db->key, c);
    *out = c;
    return 0;
}

int db_exec(struct db_conn *c, const char *sql, struct err *err)
{
    char *msg = NULL;
    int rc = sqlite3_exec(c->h, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        int code = fail(c->h, rc, err, "exec");
        sqlite3_free(msg);
        return code;
    }
    return 0;
}

static uint64_t hash_sql(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return h;
}

/* Finds or prepares the statement for sql. */
static int prepare(struct db_conn *c, const char *sql, struct db_stmt **out,
                   struct err *err)
{
    uint64_t h = hash_sql(sql);
    for (int i = 0; i < c->ncache; i++) {
        struct db_stmt *s = &c->cache[i];
        if (s->hash == h && !s->busy && !strcmp(s->sql, sql)) {
            s->busy = 1;
            *out = s;
            return 0;
        }
    }
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v3(c->h, sql, -1, SQLITE_PREPARE_PERSISTENT,
                                &st, NULL);
    if (rc != SQLITE_OK)
        return fail(c->h, rc, err, "prepare");
    struct db_stmt *s;
    if (c->ncache < STMT_CACHE) {
        s = &c->cache[c->ncache++];
    } else {
        /* Evict a statement that is not in use; if all are, use a
         * one-off that db_done finalizes. */
        s = NULL;
        for (int n = 0; n < STMT_CACHE && !s; n++) {
            struct db_stmt *v = &c->cache[c->next_evict];
            c->next_evict = (c->next_evict + 1) % STMT_CACHE;
            if (!v->busy)
                s = v;
        }
        if (!s) {
            s = xcalloc(1, sizeof(*s));
            s->st = st;
            s->conn = c;
            s->busy = 1;
            *out = s;
            return 0;
        }
        sqlite3_finalize(s->st);
        free((char *)s->sql);
    }
    s->st = st;
    s->conn = c;
    s->sql = xstrdup(sql);
    s->hash = h;
    s->busy = 1;
    s->cached = 1;
    *out = s;
    return 0;
}

/* Binds arguments by the fmt letters of db_query. */
static int bindv(struct db_stmt *s, struct err *err, const char *fmt,
                 va_list ap)
{
    int rc = SQLITE_OK;
    for (int i = 0; fmt && fmt[i] && rc == SQLITE_OK; i++) {
        if (fmt[i] == 'i') {
            rc = sqlite3_bind_int64(s->st, i + 1, va_arg(ap, int64_t));
        } else if (fmt[i] == 'I') {
            int64_t v = va_arg(ap, int64_t);
            rc = v ? sqlite3_bind_int64(s->st, i + 1, v)
                   : sqlite3_bind_null(s->st, i + 1);
        } else if (fmt[i] == 't') {
            const char *t = va_arg(ap, const char *);
            rc = t ? sqlite3_bind_text(s->st, i + 1, t, -1, SQLITE_STATIC)
                   : sqlite3_bind_null(s->st, i + 1);
        } else if (fmt[i] == 'n') {
            rc = sqlite3_bind_null(s->st, i + 1);
        } else {
            BUG("unknown bind letter");
        }
    }
    if (rc != SQLITE_OK)
        return fail(s->conn->h, rc, err, "bind");
    return 0;
}

/* db_query with a va_list. */
static int queryv(struct db_conn *c, struct db_stmt **out, struct err *err,
                  const char *sql, const char *fmt, va_list ap)
{
    struct db_stmt *s;
    int rc = prepare(c, sql, &s, err);
    if (rc)
        return rc;
    rc = bindv(s, err, fmt, ap);
    if (rc) {
        db_done(s);
        return rc;
    }
    *out = s;
    return 0;
}

int db_prepare(struct db_conn *c, const char *sql, struct db_stmt **out,
               struct err *err)
{
    return prepare(c, sql, out, err);
}

int db_bind_int(struct db_stmt *s, int idx, int64_t v, struct err *err)
{
    int rc = sqlite3_bind_int64(s->st, idx, v);
    return rc == SQLITE_OK ? 0 : fail(s->conn->h, rc, err, "bind");
}

int db_bind_text(struct db_stmt *s, int idx, const char *t, struct err *err)
{
    int rc = t ? sqlite3_bind_text(s->st, idx, t, -1, SQLITE_STATIC)
               : sqlite3_bind_null(s->st, idx);
    return rc == SQLITE_OK ? 0 : fail(s->conn->h, rc, err, "bind");
}

int db_query(struct db_conn *c, struct db_stmt **out, struct err *err,
             const char *sql, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = queryv(c, out, err, sql, fmt, ap);
    va_end(ap);
    return rc;
}

int db_step(struct db_stmt *s, struct err *err)
{
    long f = atomic_load_explicit(&fault_step, memory_order_relaxed);
    if (f && atomic_fetch_add(&step_count, 1) + 1 == f)
        return err_set(err, E_DB, NULL, "injected database fault"), -1;
    int rc = sqlite3_step(s->st);
    if (rc == SQLITE_ROW)
        return DB_ROW;
    if (rc == SQLITE_DONE)
        return DB_DONE;
    fail(s->conn->h, rc, err, "step");
    return -1;
}

void db_done(struct db_stmt *s)
{
    if (!s)
        return;
    if (!s->cached) {
        sqlite3_finalize(s->st);
        free(s);
        return;
    }
    sqlite3_reset(s->st);
    sqlite3_clear_bindings(s->st);
    s->busy = 0;
}

int64_t db_col_int(struct db_stmt *s, int i)
{
    return sqlite3_column_int64(s->st, i);
}

const char *db_col_text(struct db_stmt *s, int i)
{
    return (const char *)sqlite3_column_text(s->st, i);
}

int db_col_null(struct db_stmt *s, int i)
{
    return sqlite3_column_type(s->st, i) == SQLITE_NULL;
}

int db_run(struct db_conn *c, struct err *err, const char *sql,
           const char *fmt, ...)
{
    struct db_stmt *s;
    va_list ap;
    va_start(ap, fmt);
    int rc = queryv(c, &s, err, sql, fmt, ap);
    va_end(ap);
    if (rc)
        return rc;
    int r;
    do
        r = db_step(s, err);
    while (r == DB_ROW);
    db_done(s);
    return r < 0 ? err->code : 0;
}

int db_int(struct db_conn *c, struct err *err, int64_t *out, const char *sql,
           const char *fmt, ...)
{
    struct db_stmt *s;
    va_list ap;
    va_start(ap, fmt);
    int rc = queryv(c, &s, err, sql, fmt, ap);
    va_end(ap);
    if (rc)
        return rc;
    int r = db_step(s, err);
    if (r == DB_ROW)
        *out = db_col_int(s, 0);
    db_done(s);
    if (r < 0)
        return err->code;
    return r == DB_ROW ? 0 : err_set(err, E_NOTFOUND, NULL, "not found");
}

int db_begin(struct db_conn *c, struct err *err)
{
    int rc = db_exec(c, "BEGIN", err);
    if (!rc)
        c->in_tx = 1;
    return rc;
}

int db_begin_write(struct db_conn *c, struct err *err)
{
    pthread_mutex_lock(&c->db->writer);
    c->holds_writer = 1;
    int rc = db_exec(c, "BEGIN IMMEDIATE", err);
    if (rc) {
        c->holds_writer = 0;
        pthread_mutex_unlock(&c->db->writer);
        return rc;
    }
    c->in_tx = 1;
    return 0;
}

/* Ends the transaction state and releases the writer lock if held. */
static void tx_end(struct db_conn *c)
{
    c->in_tx = 0;
    if (c->holds_writer) {
        c->holds_writer = 0;
        pthread_mutex_unlock(&c->db->writer);
    }
}

int db_commit(struct db_conn *c, struct err *err)
{
    int rc = db_exec(c, "COMMIT", err);
    if (rc) {
        db_rollback(c);
        return rc;
    }
    tx_end(c);
    return 0;
}

void db_rollback(struct db_conn *c)
{
    if (!sqlite3_get_autocommit(c->h))
        sqlite3_exec(c->h, "ROLLBACK", NULL, NULL, NULL);
    tx_end(c);
}

int db_exec_schema(struct db_conn *c, const char *sql, struct err *err)
{
    static const char from[] = "@ID@", to[] = "INTEGER PRIMARY KEY";
    size_t n = 0, fl = strlen(from), tl = strlen(to);
    for (const char *p = strstr(sql, from); p; p = strstr(p + fl, from))
        n++;
    char *out = xmalloc(strlen(sql) + n * tl + 1), *o = out;
    const char *p = sql, *q;
    while ((q = strstr(p, from)) != NULL) {
        memcpy(o, p, (size_t)(q - p));
        o += q - p;
        memcpy(o, to, tl);
        o += tl;
        p = q + fl;
    }
    size_t rest = strlen(p);
    memcpy(o, p, rest + 1);
    int rc = db_exec(c, out, err);
    free(out);
    return rc;
}
