/* SQLite engine for store/db.c: WAL mode, foreign keys on, a busy
 * timeout, a per-connection cache of prepared statements, and one writer
 * at a time (a process mutex plus BEGIN IMMEDIATE). */
#include "store/db_engine.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/xalloc.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <time.h>
#include <stdio.h>
#include <string.h>

#define STMT_CACHE 128
#define CKPT_EVERY_MS 250       /* the checkpointer's pace */
#define CKPT_SOFT_PAGES 4096    /* WAL pages (16 MB) worth catching up */
#define CKPT_HARD_PAGES 16384   /* WAL pages (64 MB): writers wait */
#define CKPT_PRE_RESTART 2       /* checkpoints and syncs before one */

struct lite_stmt {
    struct db_stmt base;
    sqlite3_stmt *st;
    const char *sql;        /* owned copy for cached statements */
    uint64_t hash;
    int busy, cached;
};

struct lite_conn {
    struct db_conn base;
    sqlite3 *h;
    struct lite_stmt cache[STMT_CACHE];
    int ncache, next_evict;
};

#define LC(c) ((struct lite_conn *)(c))
#define LS(s) ((struct lite_stmt *)(s))

/* Maps a SQLite result code to an enum err_code with a message. */
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

/* Opens a connection with the pragmas every connection needs. */
static int lite_open(struct db *db, struct db_conn **out, struct err *err)
{
    sqlite3 *h = NULL;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(db->url, &h, flags, NULL);
    if (rc != SQLITE_OK) {
        err_set(err, E_DB, "db", "cannot open database '%s': %s", db->url,
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
        err_set(err, E_DB, "db", "cannot use database '%s': %s", db->url,
                msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
        sqlite3_close(h);
        return E_DB;
    }
    if (db->upkeep)             /* the checkpointer does it */
        sqlite3_wal_autocheckpoint(h, 0);
    struct lite_conn *c = xcalloc(1, sizeof(*c));
    c->h = h;
    *out = &c->base;
    return 0;
}

/* Finalizes every statement and closes the connection. */
static void lite_close(struct db_conn *conn)
{
    struct lite_conn *c = LC(conn);
    for (int i = 0; i < c->ncache; i++) {
        sqlite3_finalize(c->cache[i].st);
        free((char *)c->cache[i].sql);
    }
    sqlite3_close(c->h);
    free(c);
}

static int lite_exec(struct db_conn *conn, const char *sql, struct err *err)
{
    char *msg = NULL;
    int rc = sqlite3_exec(LC(conn)->h, sql, NULL, NULL, &msg);
    sqlite3_free(msg);
    return rc == SQLITE_OK ? 0 : fail(LC(conn)->h, rc, err, "exec");
}

/* A cache slot for a new statement: a free one, an evictable one, or
 * NULL when every slot is in use. */
static struct lite_stmt *slot(struct lite_conn *c)
{
    if (c->ncache < STMT_CACHE)
        return &c->cache[c->ncache++];
    for (int n = 0; n < STMT_CACHE; n++) {
        struct lite_stmt *v = &c->cache[c->next_evict];
        c->next_evict = (c->next_evict + 1) % STMT_CACHE;
        if (!v->busy) {
            sqlite3_finalize(v->st);
            free((char *)v->sql);
            return v;
        }
    }
    return NULL;
}

/* Finds or prepares the statement for sql. */
static int lite_prepare(struct db_conn *conn, const char *sql,
                        struct db_stmt **out, struct err *err)
{
    struct lite_conn *c = LC(conn);
    uint64_t h = db_sql_hash(sql);
    for (int i = 0; i < c->ncache; i++) {
        struct lite_stmt *s = &c->cache[i];
        if (s->hash == h && !s->busy && !strcmp(s->sql, sql)) {
            s->busy = 1;
            *out = &s->base;
            return 0;
        }
    }
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v3(c->h, sql, -1, SQLITE_PREPARE_PERSISTENT,
                                &st, NULL);
    if (rc != SQLITE_OK)
        return fail(c->h, rc, err, "prepare");
    struct lite_stmt *s = slot(c);
    if (!s) {   /* all cached statements busy: a one-off */
        s = xcalloc(1, sizeof(*s));
        s->cached = 0;
    } else {
        s->sql = xstrdup(sql);
        s->hash = h;
        s->cached = 1;
    }
    s->st = st;
    s->base.conn = conn;
    s->busy = 1;
    *out = &s->base;
    return 0;
}

static int lite_bind_int(struct db_stmt *s, int idx, int64_t v,
                         struct err *err)
{
    int rc = sqlite3_bind_int64(LS(s)->st, idx, v);
    return rc == SQLITE_OK ? 0 : fail(LC(s->conn)->h, rc, err, "bind");
}

static int lite_bind_text(struct db_stmt *s, int idx, const char *t,
                          struct err *err)
{
    int rc = t ? sqlite3_bind_text(LS(s)->st, idx, t, -1, SQLITE_STATIC)
               : sqlite3_bind_null(LS(s)->st, idx);
    return rc == SQLITE_OK ? 0 : fail(LC(s->conn)->h, rc, err, "bind");
}

static int lite_step(struct db_stmt *s, struct err *err)
{
    int rc = sqlite3_step(LS(s)->st);
    if (rc == SQLITE_ROW)
        return DB_ROW;
    if (rc == SQLITE_DONE)
        return DB_DONE;
    fail(LC(s->conn)->h, rc, err, "step");
    return -1;
}

static void lite_done(struct db_stmt *base)
{
    struct lite_stmt *s = LS(base);
    if (!s->cached) {
        sqlite3_finalize(s->st);
        free(s);
        return;
    }
    sqlite3_reset(s->st);
    sqlite3_clear_bindings(s->st);
    s->busy = 0;
}

static int64_t lite_col_int(struct db_stmt *s, int i)
{
    return sqlite3_column_int64(LS(s)->st, i);
}

static const char *lite_col_text(struct db_stmt *s, int i)
{
    return (const char *)sqlite3_column_text(LS(s)->st, i);
}

static int lite_col_null(struct db_stmt *s, int i)
{
    return sqlite3_column_type(LS(s)->st, i) == SQLITE_NULL;
}

static int lite_col_count(struct db_stmt *s)
{
    return sqlite3_column_count(LS(s)->st);
}

static const char *lite_col_name(struct db_stmt *s, int i)
{
    return sqlite3_column_name(LS(s)->st, i);
}

struct lite_copy {
    struct db_copy base;
    sqlite3_stmt *st;
};

/* SQLite has no COPY: a prepared multi-use INSERT is as fast. */
static int lite_copy_begin(struct db_conn *c, const char *table,
                           const char *const *cols, int ncols,
                           struct db_copy **out, struct err *err)
{
    struct buf sql;
    buf_init(&sql, 1 << 16);
    buf_addf(&sql, "INSERT INTO %s (", table);
    for (int i = 0; i < ncols; i++)
        buf_addf(&sql, "%s%s", i ? ", " : "", cols[i]);
    buf_adds(&sql, ") VALUES (");
    for (int i = 0; i < ncols; i++)
        buf_adds(&sql, i ? ", ?" : "?");
    buf_adds(&sql, ")");
    struct lite_copy *cp = xcalloc(1, sizeof(*cp));
    int rc = sqlite3_prepare_v2(LC(c)->h, buf_cstr(&sql), -1, &cp->st, NULL);
    buf_release(&sql);
    if (rc != SQLITE_OK) {
        free(cp);
        return fail(LC(c)->h, rc, err, "copy");
    }
    cp->base.conn = c;
    cp->base.ncols = ncols;
    *out = &cp->base;
    return 0;
}

static int lite_copy_row(struct db_copy *base, const char *const *vals,
                         struct err *err)
{
    struct lite_copy *cp = (struct lite_copy *)base;
    sqlite3 *h = LC(base->conn)->h;
    for (int i = 0; i < base->ncols; i++) {
        int rc = vals[i] ? sqlite3_bind_text(cp->st, i + 1, vals[i], -1,
                                             SQLITE_STATIC)
                         : sqlite3_bind_null(cp->st, i + 1);
        if (rc != SQLITE_OK)
            return fail(h, rc, err, "copy");
    }
    int rc = sqlite3_step(cp->st);
    sqlite3_reset(cp->st);
    return rc == SQLITE_DONE ? 0 : fail(h, rc, err, "copy");
}

static int lite_copy_end(struct db_copy *base, struct err *err)
{
    (void)err;
    sqlite3_finalize(((struct lite_copy *)base)->st);
    free(base);
    return 0;
}

/* One writer: the process mutex, then BEGIN IMMEDIATE for other
 * processes sharing the file. */
static int lite_begin_write(struct db_conn *c, struct err *err)
{
    pthread_mutex_lock(&c->db->writer);
    c->holds_writer = 1;
    int rc = lite_exec(c, "BEGIN IMMEDIATE", err);
    if (rc) {
        c->holds_writer = 0;
        pthread_mutex_unlock(&c->db->writer);
    }
    return rc;
}

static int lite_in_tx(struct db_conn *c)
{
    return !sqlite3_get_autocommit(LC(c)->h);
}

/* ---- the checkpointer (db_start_upkeep) ----
 * In WAL mode a commit only appends to the WAL (synchronous=NORMAL: no
 * fsync); by default the commit that takes the WAL past 1,000 pages then
 * copies them into the database file and fsyncs it, and that request
 * waits: 25 ms p99 for a contact PATCH at 1M contacts (issue 5). Here
 * request connections never checkpoint; this thread runs PASSIVE
 * checkpoints, which wait for no reader or writer, every CKPT_EVERY_MS.
 * Under a steady write load a PASSIVE checkpoint is never complete when
 * the next writer starts, so the WAL would never start over and grows
 * without end. Past CKPT_SOFT_PAGES the checkpointer runs again at once,
 * up to four times, for a moment when it is complete; a WAL past
 * CKPT_HARD_PAGES (writes that never pause) makes it take the writer
 * lock and restart the WAL while writers wait, once per 64 MB, after
 * copying and syncing all it can without the lock. At 1M contacts a
 * stage move writes ~15 WAL pages, so ~155 moves a second restart the
 * WAL every ~7 s. Before those syncs (ckpt_sync) a restart stopped the
 * writers for 150-430 ms; after, 0-4 ms at that pace and 12-58 ms back
 * to back: p99 of a paced move 68-150 -> 1.8-2.5 ms, back to back
 * 281-294 -> 22-24 ms (wrk, which counts the moves a stall holds back). */

struct lite_ckpt {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int stop;
    sqlite3 *h;
    struct db *db;          /* its writer lock */
};

/* The checkpointer's busy handler: a restart waits for the readers of
 * the moment (short requests) in 0.2 ms steps, up to 2 s, where
 * sqlite3_busy_timeout would sleep up to 100 ms at a time while writers
 * wait behind it. */
static int ckpt_busy(void *ctx, int n)
{
    (void)ctx;
    struct timespec ts = {0, 200000};
    nanosleep(&ts, NULL);
    return n < 10000;
}

/* Writes the database file's pages back to disk (fdatasync through
 * SQLite's own handle). A checkpoint syncs the file only when it reaches
 * the WAL's end, which under steady writes it never does (a commit comes
 * during the copy), so the pages of a whole CKPT_HARD_PAGES waited for
 * the restart's sync, with the writers waiting too. */
static void ckpt_sync(sqlite3 *h)
{
    sqlite3_file *f = NULL;
    if (sqlite3_file_control(h, "main", SQLITE_FCNTL_FILE_POINTER, &f) ==
            SQLITE_OK && f && f->pMethods &&
        f->pMethods->xSync(f, SQLITE_SYNC_NORMAL) != SQLITE_OK)
        log_error("db checkpoint: cannot sync the database file");
}

/* The checkpointer's loop: until stopped, checkpoint and sleep. */
static void *ckpt_main(void *arg)
{
    struct lite_ckpt *k = arg;
    int synced = 0;             /* WAL frames copied at the last sync */
    pthread_mutex_lock(&k->lock);
    while (!k->stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += CKPT_EVERY_MS * 1000000L;
        ts.tv_sec += ts.tv_nsec / 1000000000L;
        ts.tv_nsec %= 1000000000L;
        int w = 0;
        while (!k->stop && w != ETIMEDOUT)
            w = pthread_cond_timedwait(&k->wake, &k->lock, &ts);
        if (k->stop)
            break;
        pthread_mutex_unlock(&k->lock);
        int log = 0, done = 0;
        int rc = sqlite3_wal_checkpoint_v2(k->h, NULL,
                                           SQLITE_CHECKPOINT_PASSIVE, &log,
                                           &done);
        /* a checkpoint complete when a writer starts lets it start the
         * WAL over; catch up a few times, and past the hard limit make
         * the writers wait for one (a steady writer never finds one) */
        for (int i = 0; rc == SQLITE_OK && log > CKPT_SOFT_PAGES &&
                        done < log && i < 4; i++)
            rc = sqlite3_wal_checkpoint_v2(k->h, NULL,
                                           SQLITE_CHECKPOINT_PASSIVE, &log,
                                           &done);
        if (rc == SQLITE_OK && done > 0 && done != synced) {
            ckpt_sync(k->h);
            synced = done;
        }
        if (rc == SQLITE_OK && log > CKPT_HARD_PAGES) {
            /* the writers wait while the restart copies and syncs what
             * is left: first copy and sync, twice, what came since */
            for (int i = 0; rc == SQLITE_OK && i < CKPT_PRE_RESTART; i++) {
                rc = sqlite3_wal_checkpoint_v2(k->h, NULL,
                                               SQLITE_CHECKPOINT_PASSIVE,
                                               &log, &done);
                ckpt_sync(k->h);
                synced = done;
            }
            pthread_mutex_lock(&k->db->writer);     /* writers wait */
            if (rc == SQLITE_OK)
                rc = sqlite3_wal_checkpoint_v2(k->h, NULL,
                                               SQLITE_CHECKPOINT_RESTART,
                                               &log, &done);
            pthread_mutex_unlock(&k->db->writer);
        }
        if (rc != SQLITE_OK && rc != SQLITE_BUSY)
            log_error("db checkpoint failed: %s", sqlite3_errmsg(k->h));
        pthread_mutex_lock(&k->lock);
    }
    pthread_mutex_unlock(&k->lock);
    return NULL;
}

/* Starts the checkpointer with a connection of its own; the connections
 * already open stop checkpointing. */
static int lite_upkeep_start(struct db *db, struct err *err)
{
    struct lite_ckpt *k = xcalloc(1, sizeof(*k));
    int rc = sqlite3_open_v2(db->url, &k->h, SQLITE_OPEN_READWRITE |
                             SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        err_set(err, E_DB, "db", "cannot open database '%s': %s", db->url,
                k->h ? sqlite3_errmsg(k->h) : sqlite3_errstr(rc));
        sqlite3_close(k->h);
        free(k);
        return E_DB;
    }
    sqlite3_busy_handler(k->h, ckpt_busy, NULL);
    /* a connection checkpoints only once it has read the WAL's index */
    rc = sqlite3_exec(k->h, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        err_set(err, E_DB, "db", "cannot use database '%s': %s", db->url,
                sqlite3_errmsg(k->h));
        sqlite3_close(k->h);
        free(k);
        return E_DB;
    }
    k->db = db;
    pthread_mutex_init(&k->lock, NULL);
    pthread_cond_init(&k->wake, NULL);
    if (pthread_create(&k->thread, NULL, ckpt_main, k)) {
        pthread_cond_destroy(&k->wake);
        pthread_mutex_destroy(&k->lock);
        sqlite3_close(k->h);
        free(k);
        return err_set(err, E_INTERNAL, NULL, "cannot start the "
                       "checkpointer");
    }
    pthread_mutex_lock(&db->lock);
    db->upkeep = k;
    for (int i = 0; i < db->nconns; i++)
        sqlite3_wal_autocheckpoint(LC(db->conns[i])->h, 0);
    pthread_mutex_unlock(&db->lock);
    return 0;
}

/* Stops the checkpointer after a last checkpoint that empties the WAL. */
static void lite_upkeep_stop(struct db *db)
{
    struct lite_ckpt *k = db->upkeep;
    pthread_mutex_lock(&k->lock);
    k->stop = 1;
    pthread_cond_signal(&k->wake);
    pthread_mutex_unlock(&k->lock);
    pthread_join(k->thread, NULL);
    sqlite3_wal_checkpoint_v2(k->h, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL,
                              NULL);
    sqlite3_close(k->h);
    pthread_cond_destroy(&k->wake);
    pthread_mutex_destroy(&k->lock);
    free(k);
    db->upkeep = NULL;
}

/* json_extract reads a custom field (SQL NULL when absent); it already
 * answers numbers as numbers and booleans as 1/0. */
static void lite_json_get(char *out, size_t outlen, const char *col,
                          const char *k, char type)
{
    (void)type;
    snprintf(out, outlen, "json_extract(%s, '$.%s')", col, k);
}

const struct db_ops db_sqlite_ops = {
    .name = "sqlite",
    /* AUTOINCREMENT: an id is never given again after a delete, so a
     * new record never inherits a deleted one's audit history */
    .id_type = "INTEGER PRIMARY KEY AUTOINCREMENT",
    .bytes_collate = "",
    .no_rowid = "WITHOUT ROWID",
    .json_get = lite_json_get,
    .ilike = "LIKE",
    .in_ints = "IN (SELECT value FROM json_each(?))",
    .in_texts = "IN (SELECT value FROM json_each(?))",
    .in_select = {"IN (", ")"},
    .embedded = 1,
    .indexed_by = " INDEXED BY ",
    .skip_checks = "PRAGMA ignore_check_constraints = ON",
    .conn_open = lite_open,
    .conn_close = lite_close,
    .conn_check = NULL,
    .exec = lite_exec,
    .prepare = lite_prepare,
    .bind_int = lite_bind_int,
    .bind_text = lite_bind_text,
    .step = lite_step,
    .done = lite_done,
    .col_int = lite_col_int,
    .col_text = lite_col_text,
    .col_null = lite_col_null,
    .col_count = lite_col_count,
    .col_name = lite_col_name,
    .copy_begin = lite_copy_begin,
    .copy_row = lite_copy_row,
    .copy_end = lite_copy_end,
    .defer_fks_sql = "PRAGMA defer_foreign_keys = ON",
    .sync_ids = NULL,
    .begin_write = lite_begin_write,
    .in_tx = lite_in_tx,
    .upkeep_start = lite_upkeep_start,
    .upkeep_stop = lite_upkeep_stop,
};
