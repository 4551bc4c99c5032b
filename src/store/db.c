/* The engine-independent half of store/db.h: choosing the engine from the
 * URL, one connection per thread, argument binding by format letters,
 * helpers (db_run, db_int), transactions, the @ID@ rewrite of migrations
 * and test-only fault injection. Engines supply struct db_ops. */
#include "store/db_engine.h"
#include "util/buf.h"
#include "util/xalloc.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static _Atomic long fault_step;   /* PHEU_FAULT_DB_STEP, 0 = off */
static _Atomic long step_count;

void db_fault_reset(void)
{
    const char *v = getenv("PHEU_FAULT_DB_STEP");
    atomic_store(&fault_step, v ? strtol(v, NULL, 10) : 0);
    atomic_store(&step_count, 0);
}

uint64_t db_sql_hash(const char *sql)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *sql; sql++)
        h = (h ^ (unsigned char)*sql) * 0x100000001b3ULL;
    return h;
}

/* Whether url names a PostgreSQL database. */
static int is_pg(const char *url)
{
    return !strncmp(url, "postgres://", 11) ||
           !strncmp(url, "postgresql://", 13);
}

int db_open(const char *url, struct db **out, struct err *err)
{
    if (!url || !*url)
        return err_set(err, E_INVALID, "db", "no database given");
    struct db *db = xcalloc(1, sizeof(*db));
    db->ops = is_pg(url) ? &db_pg_ops : &db_sqlite_ops;
    db->url = xstrdup(!strncmp(url, "sqlite:", 7) ? url + 7 : url);
    pthread_key_create(&db->key, NULL);
    pthread_mutex_init(&db->lock, NULL);
    pthread_mutex_init(&db->writer, NULL);
    db_fault_reset();
    struct db_conn *c;
    int rc = db_conn_get(db, &c, err);   /* fail early on a bad URL */
    if (rc) {
        db_close(db);
        return rc;
    }
    *out = db;
    return 0;
}

void db_close(struct db *db)
{
    if (!db)
        return;
    if (db->upkeep && db->ops->upkeep_stop)
        db->ops->upkeep_stop(db);
    for (int i = 0; i < db->nconns; i++)
        db->ops->conn_close(db->conns[i]);
    free(db->conns);
    pthread_key_delete(db->key);
    pthread_mutex_destroy(&db->lock);
    pthread_mutex_destroy(&db->writer);
    free(db->url);
    free(db);
}

int db_start_upkeep(struct db *db, struct err *err)
{
    if (db->upkeep || !db->ops->upkeep_start)
        return 0;
    return db->ops->upkeep_start(db, err);
}

const char *db_engine(const struct db *db)
{
    return db->ops->name;
}

int db_conn_get(struct db *db, struct db_conn **out, struct err *err)
{
    struct db_conn *c = pthread_getspecific(db->key);
    if (c) {
        *out = c;
        return db->ops->conn_check ? db->ops->conn_check(c, err) : 0;
    }
    int rc = db->ops->conn_open(db, &c, err);
    if (rc)
        return rc;
    c->db = db;
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

void db_conn_release(struct db *db)
{
    struct db_conn *c = pthread_getspecific(db->key);
    if (!c)
        return;
    pthread_setspecific(db->key, NULL);
    pthread_mutex_lock(&db->lock);
    for (int i = 0; i < db->nconns; i++)
        if (db->conns[i] == c) {
            db->conns[i] = db->conns[--db->nconns];
            break;
        }
    pthread_mutex_unlock(&db->lock);
    db->ops->conn_close(c);
}

void db_conn_set_guard(struct db_conn *c, void (*guard)(void *ctx),
                       void *ctx)
{
    c->guard = guard;
    c->guard_ctx = ctx;
}

/* Calls c's guard, if any, before c is used. */
static void guard(struct db_conn *c)
{
    if (c->guard)
        c->guard(c->guard_ctx);
}

int db_exec(struct db_conn *c, const char *sql, struct err *err)
{
    guard(c);
    return c->db->ops->exec(c, sql, err);
}

/* Replaces every `from` in s with `to`; returns a malloc'd string. */
static char *replace_all(const char *s, const char *from, const char *to)
{
    size_t n = 0, fl = strlen(from), tl = strlen(to);
    for (const char *p = strstr(s, from); p; p = strstr(p + fl, from))
        n++;
    char *out = xmalloc(strlen(s) + n * tl + 1), *o = out;
    const char *p = s, *q;
    while ((q = strstr(p, from)) != NULL) {
        memcpy(o, p, (size_t)(q - p));
        o += q - p;
        memcpy(o, to, tl);
        o += tl;
        p = q + fl;
    }
    memcpy(o, p, strlen(p) + 1);
    return out;
}

int db_exec_schema(struct db_conn *c, const char *sql, struct err *err)
{
    const struct db_ops *ops = c->db->ops;
    int pg = !strcmp(ops->name, "postgres");
    const char *const subst[][2] = {
        {"@ID@", ops->id_type},
        {"@BYTES@", ops->bytes_collate},
        {"@NOROWID@", ops->no_rowid},
        {"@PG@", pg ? "" : "--"},       /* a line for one engine only */
        {"@SQLITE@", pg ? "--" : ""},
    };
    char *text = xstrdup(sql);
    for (size_t i = 0; i < sizeof(subst) / sizeof(subst[0]); i++) {
        char *next = replace_all(text, subst[i][0], subst[i][1]);
        free(text);
        text = next;
    }
    int rc = db_exec(c, text, err);
    free(text);
    return rc;
}

void db_json_get(const struct db *db, char *out, size_t outlen,
                 const char *col, const char *k, char type)
{
    db->ops->json_get(out, outlen, col, k, type);
}

const char *db_bytes_collate(const struct db *db)
{
    return db->ops->bytes_collate;
}

const char *db_ilike(const struct db *db)
{
    return db->ops->ilike;
}

const char *db_in_ints(const struct db *db)
{
    return db->ops->in_ints;
}

const char *db_in_texts(const struct db *db)
{
    return db->ops->in_texts;
}

int db_embedded(const struct db *db)
{
    return db->ops->embedded;
}

void db_add_indexed_by(const struct db *db, struct buf *b, const char *index)
{
    if (db->ops->indexed_by)
        buf_addf(b, "%s%s", db->ops->indexed_by, index);
}

int db_skip_checks(struct db_conn *c, struct err *err)
{
    const char *sql = c->db->ops->skip_checks;
    return sql ? db_exec(c, sql, err) : 0;
}

const char *db_in_select(const struct db *db, int close)
{
    return db->ops->in_select[close != 0];
}

struct db *db_conn_db(struct db_conn *c)
{
    return c->db;
}

int db_prepare(struct db_conn *c, const char *sql, struct db_stmt **out,
               struct err *err)
{
    guard(c);
    return c->db->ops->prepare(c, sql, out, err);
}

int db_bind_int(struct db_stmt *s, int idx, int64_t v, struct err *err)
{
    return s->conn->db->ops->bind_int(s, idx, v, err);
}

int db_bind_text(struct db_stmt *st, int idx, const char *s, struct err *err)
{
    return st->conn->db->ops->bind_text(st, idx, s, err);
}

/* Binds arguments by the fmt letters of db_query. */
static int bindv(struct db_stmt *s, struct err *err, const char *fmt,
                 va_list ap)
{
    const struct db_ops *ops = s->conn->db->ops;
    int rc = 0;
    for (int i = 0; fmt && fmt[i] && !rc; i++) {
        if (fmt[i] == 'i') {
            rc = ops->bind_int(s, i + 1, va_arg(ap, int64_t), err);
        } else if (fmt[i] == 'I') {
            int64_t v = va_arg(ap, int64_t);
            rc = v ? ops->bind_int(s, i + 1, v, err)
                   : ops->bind_text(s, i + 1, NULL, err);
        } else if (fmt[i] == 't') {
            rc = ops->bind_text(s, i + 1, va_arg(ap, const char *), err);
        } else if (fmt[i] == 'n') {
            rc = ops->bind_text(s, i + 1, NULL, err);
        } else {
            BUG("unknown bind letter");
        }
    }
    return rc;
}

/* db_query with a va_list. */
static int queryv(struct db_conn *c, struct db_stmt **out, struct err *err,
                  const char *sql, const char *fmt, va_list ap)
{
    struct db_stmt *s;
    guard(c);
    int rc = c->db->ops->prepare(c, sql, &s, err);
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
    return s->conn->db->ops->step(s, err);
}

int db_step_nowait(struct db_stmt *s, struct err *err)
{
    const struct db_ops *ops = s->conn->db->ops;
    if (ops->step_nowait && ops->in_tx(s->conn)) {
        long f = atomic_load_explicit(&fault_step, memory_order_relaxed);
        if (f && atomic_fetch_add(&step_count, 1) + 1 == f)
            return err_set(err, E_DB, NULL, "injected database fault");
        return ops->step_nowait(s, err);
    }
    int r;
    do
        r = db_step(s, err);
    while (r == DB_ROW);
    return r < 0 ? err->code : 0;
}

void db_done(struct db_stmt *s)
{
    if (s)
        s->conn->db->ops->done(s);
}

void db_want_binary(struct db_stmt *s)
{
    if (s->conn->db->ops->want_binary)
        s->conn->db->ops->want_binary(s);
}

void db_want_stream(struct db_stmt *s)
{
    if (s->conn->db->ops->want_stream)
        s->conn->db->ops->want_stream(s);
    else
        db_want_binary(s);
}

int64_t db_col_int(struct db_stmt *s, int i)
{
    return s->conn->db->ops->col_int(s, i);
}

const char *db_col_text(struct db_stmt *s, int i)
{
    return s->conn->db->ops->col_text(s, i);
}

int db_col_null(struct db_stmt *s, int i)
{
    return s->conn->db->ops->col_null(s, i);
}

int db_col_count(struct db_stmt *s)
{
    return s->conn->db->ops->col_count(s);
}

const char *db_col_name(struct db_stmt *s, int i)
{
    return s->conn->db->ops->col_name(s, i);
}

int db_copy_begin(struct db_conn *c, const char *table,
                  const char *const *cols, int ncols, struct db_copy **out,
                  struct err *err)
{
    guard(c);
    return c->db->ops->copy_begin(c, table, cols, ncols, out, err);
}

int db_copy_row(struct db_copy *cp, const char *const *vals, struct err *err)
{
    return cp->conn->db->ops->copy_row(cp, vals, err);
}

int db_copy_end(struct db_copy *cp, struct err *err)
{
    return cp->conn->db->ops->copy_end(cp, err);
}

int db_defer_fks(struct db_conn *c, struct err *err)
{
    return db_exec(c, c->db->ops->defer_fks_sql, err);
}

int db_sync_ids(struct db_conn *c, const char *table, struct err *err)
{
    guard(c);
    return c->db->ops->sync_ids ? c->db->ops->sync_ids(c, table, err) : 0;
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

int db_run_nowait(struct db_conn *c, struct err *err, const char *sql,
                  const char *fmt, ...)
{
    struct db_stmt *s;
    va_list ap;
    va_start(ap, fmt);
    int rc = queryv(c, &s, err, sql, fmt, ap);
    va_end(ap);
    if (rc)
        return rc;
    rc = db_step_nowait(s, err);
    db_done(s);
    return rc;
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
    return db_exec(c, "BEGIN", err);
}

int db_begin_write(struct db_conn *c, struct err *err)
{
    guard(c);
    return c->db->ops->begin_write(c, err);
}

/* Releases the in-process writer lock if this connection holds it. */
static void release_writer(struct db_conn *c)
{
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
    release_writer(c);
    return 0;
}

void db_rollback(struct db_conn *c)
{
    guard(c);
    if (c->db->ops->in_tx(c)) {
        struct err ignored = {0};
        db_exec(c, "ROLLBACK", &ignored);
    }
    release_writer(c);
}

/* ---- work on a thread and a connection of its own ---- */

/* Makes a spare connection, if any, this thread's. */
static void spare_take(struct db *db)
{
    struct db_conn *c = NULL;
    pthread_mutex_lock(&db->lock);
    if (db->nspare)
        c = db->spare[--db->nspare];
    pthread_mutex_unlock(&db->lock);
    if (c)
        pthread_setspecific(db->key, c);
}

/* Keeps this thread's connection as a spare when it is idle and there
 * is room, else closes it. */
static void spare_put(struct db *db)
{
    struct db_conn *c = pthread_getspecific(db->key);
    if (!c)
        return;
    int keep = !db->ops->in_tx(c) &&
               (!db->ops->conn_check || !db->ops->conn_check(c, &(struct
                                                                 err){0}));
    pthread_mutex_lock(&db->lock);
    if (keep && db->nspare < DB_SPARE) {
        c->guard = NULL;
        db->spare[db->nspare++] = c;
        pthread_setspecific(db->key, NULL);
    }
    pthread_mutex_unlock(&db->lock);
    db_conn_release(db);        /* nothing left when kept */
}

/* The task's thread: a connection for fn (a spare one, or new), kept
 * or closed after. */
static void *task_main(void *arg)
{
    struct db_task *t = arg;
    struct db_conn *c;
    spare_take(t->db);
    t->rc = db_conn_get(t->db, &c, &t->err);
    if (!t->rc)
        t->rc = t->fn(c, t->ctx, &t->err);
    spare_put(t->db);
    return NULL;
}

int db_task_start(struct db_task *t, struct db *db,
                  int (*fn)(struct db_conn *c, void *ctx, struct err *err),
                  void *ctx)
{
    *t = (struct db_task){.fn = fn, .ctx = ctx, .db = db};
    return pthread_create(&t->thread, NULL, task_main, t) == 0 ? 0 : -1;
}

int db_task_join(struct db_task *t)
{
    pthread_join(t->thread, NULL);
    return t->rc;
}
