/* Bulk loads (see bulk.h): multi-row INSERTs on SQLite, COPY on
 * PostgreSQL, index drop and rebuild, load-time engine settings. The
 * dialect differences are the few statements chosen by db_engine. */
#include "store/bulk.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH_PARAMS 2000   /* values per SQLite INSERT (limit 32766) */
#define BATCH_ROWS 100      /* rows per SQLite INSERT at most */
#define MAX_COLS 64

struct bval {
    char kind;              /* 'i', 't', 'n' */
    int64_t i;
    const char *s;          /* in b->arena */
};

struct bulk {
    struct db_conn *c;
    char *table;
    char *cols[MAX_COLS];
    int ncols, pg;
    int batch;              /* rows per INSERT */
    struct bval *vals;      /* batch * ncols */
    int nvals, nrows;
    struct arena arena;     /* text of the pending rows */
    struct db_copy *copy;   /* PostgreSQL */
    char ints[MAX_COLS][INT_TEXT_SIZE];
    long count;
    int failed;
};

/* Frees b's memory. */
static void bulk_free(struct bulk *b)
{
    arena_release(&b->arena);
    for (int i = 0; i < b->ncols; i++)
        free(b->cols[i]);
    free(b->table);
    free(b->vals);
    free(b);
}

/* Whether c is a PostgreSQL connection. */
static int is_pg(struct db_conn *c)
{
    return !strcmp(db_engine(db_conn_db(c)), "postgres");
}

int bulk_begin(struct db_conn *c, const char *table, const char *const *cols,
               int ncols, struct bulk **out, struct err *err)
{
    if (ncols < 1 || ncols > MAX_COLS)
        return err_set(err, E_INTERNAL, NULL, "bulk load of %d columns",
                       ncols);
    struct bulk *b = xcalloc(1, sizeof(*b));
    b->c = c;
    b->table = xstrdup(table);
    for (int i = 0; i < ncols; i++)
        b->cols[i] = xstrdup(cols[i]);
    b->ncols = ncols;
    b->pg = is_pg(c);
    b->batch = BATCH_PARAMS / ncols;
    if (b->batch > BATCH_ROWS)
        b->batch = BATCH_ROWS;
    b->vals = xcalloc((size_t)(b->batch * ncols), sizeof(*b->vals));
    arena_init(&b->arena);
    if (b->pg) {
        int rc = db_copy_begin(c, table, cols, ncols, &b->copy, err);
        if (rc) {
            bulk_free(b);
            return rc;
        }
    }
    *out = b;
    return 0;
}

/* The slot of the next value (a row never has more than ncols). */
static struct bval *next_val(struct bulk *b)
{
    int row = b->pg ? 0 : b->nrows;
    int col = b->nvals - row * b->ncols;
    if (col >= b->ncols)
        BUG("bulk row with too many values");
    return &b->vals[b->nvals++];
}

void bulk_int(struct bulk *b, int64_t v)
{
    struct bval *x = next_val(b);
    x->kind = 'i';
    x->i = v;
}

void bulk_text(struct bulk *b, const char *s)
{
    struct bval *x = next_val(b);
    x->kind = s ? 't' : 'n';
    x->s = s ? (b->pg ? s : arena_strdup(&b->arena, s)) : NULL;
}

void bulk_null(struct bulk *b)
{
    struct bval *x = next_val(b);
    x->kind = 'n';
    x->s = NULL;
}

/* The INSERT of n rows. */
static char *insert_sql(const struct bulk *b, int n)
{
    struct buf s;
    buf_init(&s, (size_t)-1);
    buf_addf(&s, "INSERT INTO %s (", b->table);
    for (int i = 0; i < b->ncols; i++)
        buf_addf(&s, "%s%s", i ? ", " : "", b->cols[i]);
    buf_adds(&s, ") VALUES ");
    for (int r = 0; r < n; r++) {
        buf_adds(&s, r ? ", (" : "(");
        for (int i = 0; i < b->ncols; i++)
            buf_adds(&s, i ? ", ?" : "?");
        buf_adds(&s, ")");
    }
    size_t len;
    return buf_detach(&s, &len);
}

/* Sends the pending rows as one INSERT (SQLite). */
static int flush(struct bulk *b, struct err *err)
{
    if (!b->nrows)
        return 0;
    char *sql = insert_sql(b, b->nrows);
    struct db_stmt *st = NULL;
    int rc = db_prepare(b->c, sql, &st, err);
    free(sql);
    for (int i = 0; !rc && i < b->nvals; i++) {
        const struct bval *v = &b->vals[i];
        rc = v->kind == 'i' ? db_bind_int(st, i + 1, v->i, err)
                            : db_bind_text(st, i + 1, v->s, err);
    }
    if (!rc && db_step(st, err) < 0)
        rc = err->code ? err->code : E_DB;
    db_done(st);
    b->nrows = b->nvals = 0;
    arena_release(&b->arena);
    arena_init(&b->arena);
    return rc;
}

/* Sends one row through COPY (PostgreSQL). */
static int copy_row(struct bulk *b, struct err *err)
{
    const char *vals[MAX_COLS];
    for (int i = 0; i < b->ncols; i++) {
        const struct bval *v = &b->vals[i];
        if (v->kind == 'i') {
            vals[i] = int_text(b->ints[i], v->i);
        } else {
            vals[i] = v->kind == 't' ? v->s : NULL;
        }
    }
    b->nvals = 0;
    return db_copy_row(b->copy, vals, err);
}

int bulk_row(struct bulk *b, struct err *err)
{
    int rc = 0;
    if (b->failed)
        return err_set(err, E_INTERNAL, NULL, "bulk load already failed");
    if (b->nvals != (b->pg ? 1 : b->nrows + 1) * b->ncols)
        BUG("bulk row with too few values");
    b->count++;
    if (b->pg) {
        rc = copy_row(b, err);
    } else if (++b->nrows == b->batch) {
        rc = flush(b, err);
    }
    b->failed = rc != 0;
    return rc;
}

int bulk_end(struct bulk *b, struct err *err)
{
    int rc = 0;
    if (!b)
        return 0;
    if (b->pg) {
        struct err e2 = {0};
        rc = db_copy_end(b->copy, b->failed ? &e2 : err);
    } else if (!b->failed) {
        b->nvals = b->nrows * b->ncols;
        rc = flush(b, err);
    }
    if (b->failed && !rc)
        rc = E_DB;
    bulk_free(b);
    return rc;
}

long bulk_count(const struct bulk *b)
{
    return b->count;
}

/* ---- indexes ---- */

/* Adds one saved index. */
static void save_index(struct bulk_indexes *s, const char *name,
                       const char *sql)
{
    s->names = xrealloc(s->names, sizeof(char *) * (size_t)(s->n + 1));
    s->sql = xrealloc(s->sql, sizeof(char *) * (size_t)(s->n + 1));
    s->names[s->n] = xstrdup(name);
    s->sql[s->n] = xstrdup(sql);
    s->n++;
}

int bulk_indexes_drop(struct db_conn *c, const char *table,
                      struct bulk_indexes *saved, struct err *err)
{
    struct db_stmt *st;
    int first = saved->n, r, rc;
    if (is_pg(c))
        rc = db_query(c, &st, err, "SELECT indexname, indexdef FROM "
                      "pg_indexes WHERE schemaname = current_schema() AND "
                      "tablename = ? AND indexname NOT IN (SELECT conname "
                      "FROM pg_constraint) ORDER BY indexname", "t", table);
    else
        rc = db_query(c, &st, err, "SELECT name, sql FROM sqlite_master "
                      "WHERE type = 'index' AND tbl_name = ? AND sql IS NOT "
                      "NULL ORDER BY name", "t", table);
    if (rc)
        return rc;
    while ((r = db_step(st, err)) == DB_ROW)
        save_index(saved, db_col_text(st, 0), db_col_text(st, 1));
    db_done(st);
    if (r < 0)
        return err->code;
    for (int i = first; i < saved->n; i++) {
        char sql[200];
        snprintf(sql, sizeof(sql), "DROP INDEX %s", saved->names[i]);
        rc = db_exec(c, sql, err);
        if (rc)
            return rc;
    }
    return 0;
}

/* Drops table's constraints of type contype ('p' primary key, 'f'
 * foreign keys; PostgreSQL), saving an ALTER TABLE that adds each back;
 * *n says how many it dropped. */
static int drop_constraints(struct db_conn *c, const char *table,
                            const char *contype, struct bulk_indexes *saved,
                            int *n, struct err *err)
{
    struct db_stmt *st;
    int first = saved->n, r, rc;
    *n = 0;
    rc = db_query(c, &st, err, "SELECT conname, pg_get_constraintdef(oid) "
                  "FROM pg_constraint WHERE conrelid = ?::regclass AND "
                  "contype::text = ? ORDER BY conname", "tt", table,
                  contype);
    if (rc)
        return rc;
    while ((r = db_step(st, err)) == DB_ROW) {
        struct buf sql;
        buf_init(&sql, (size_t)-1);
        buf_addf(&sql, "ALTER TABLE %s ADD CONSTRAINT %s %s", table,
                 db_col_text(st, 0), db_col_text(st, 1));
        save_index(saved, db_col_text(st, 0), buf_cstr(&sql));
        buf_release(&sql);
    }
    db_done(st);
    if (r < 0)
        return err->code;
    for (int i = first; !rc && i < saved->n; i++) {
        struct buf sql;
        buf_init(&sql, (size_t)-1);
        buf_addf(&sql, "ALTER TABLE %s DROP CONSTRAINT %s", table,
                 saved->names[i]);
        rc = db_exec(c, buf_cstr(&sql), err);
        buf_release(&sql);
        *n += !rc;
    }
    return rc;
}

int bulk_pkey_drop(struct db_conn *c, const char *table,
                   struct bulk_indexes *saved, int *dropped, struct err *err)
{
    *dropped = 0;
    return is_pg(c) ? drop_constraints(c, table, "p", saved, dropped, err)
                    : 0;
}

int bulk_fkeys_drop(struct db_conn *c, const char *table,
                    struct bulk_indexes *saved, struct err *err)
{
    int n = 0;
    return is_pg(c) ? drop_constraints(c, table, "f", saved, &n, err) : 0;
}

int bulk_indexes_restore(struct db_conn *c, struct bulk_indexes *saved,
                         struct err *err)
{
    int rc = 0;
    for (int i = 0; !rc && i < saved->n; i++)
        rc = db_exec(c, saved->sql[i], err);
    bulk_indexes_release(saved);
    return rc;
}

void bulk_indexes_release(struct bulk_indexes *saved)
{
    for (int i = 0; i < saved->n; i++) {
        free(saved->names[i]);
        free(saved->sql[i]);
    }
    free(saved->names);
    free(saved->sql);
    memset(saved, 0, sizeof(*saved));
}

int bulk_analyze(struct db_conn *c, const char *table, struct err *err)
{
    char sql[128];
    if (!is_pg(c))
        return 0;
    snprintf(sql, sizeof(sql), "ANALYZE %s", table);
    return db_exec(c, sql, err);
}

int bulk_next_id(struct db_conn *c, const char *table, int64_t *id,
                 struct err *err)
{
    int64_t max = 0, seq = 0;
    char sql[256];
    if (is_pg(c)) {
        snprintf(sql, sizeof(sql), "SELECT nextval(pg_get_serial_sequence("
                 "'%s', 'id'))", table);
        return db_int(c, err, id, sql, NULL);
    }
    snprintf(sql, sizeof(sql), "SELECT COALESCE(MAX(id), 0) FROM %s", table);
    int rc = db_int(c, err, &max, sql, NULL);
    if (!rc)
        rc = db_int(c, err, &seq, "SELECT COALESCE(MAX(seq), 0) FROM "
                    "sqlite_sequence WHERE name = ?", "t", table);
    *id = (seq > max ? seq : max) + 1;
    return rc;
}

/* ---- engine settings ---- */

int bulk_tune(struct db_conn *c, struct err *err)
{
    if (is_pg(c))
        return db_exec(c, "SET maintenance_work_mem = '512MB'; "
                       "SET synchronous_commit = off; "
                       "SET statement_timeout = 0", err);
    return db_exec(c, "PRAGMA cache_size = -1000000; PRAGMA threads = 2; "
                   "PRAGMA foreign_keys = OFF; PRAGMA journal_mode = DELETE; "
                   "PRAGMA synchronous = OFF; PRAGMA temp_store = FILE", err);
}

void bulk_tune_end(struct db_conn *c)
{
    struct err err = {0};
    if (is_pg(c))
        db_exec(c, "RESET maintenance_work_mem; RESET synchronous_commit; "
                "SET statement_timeout = '30s'", &err);
    else
        db_exec(c, "PRAGMA cache_size = -8000; PRAGMA threads = 0; "
                "PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL; "
                "PRAGMA synchronous = NORMAL; PRAGMA temp_store = MEMORY",
                &err);
}

int bulk_tune_import(struct db_conn *c, struct err *err)
{
    if (is_pg(c))
        return db_exec(c, "SET LOCAL maintenance_work_mem = '256MB'; "
                       "SET LOCAL statement_timeout = 0", err);
    return db_exec(c, "PRAGMA threads = 2; PRAGMA temp_store = FILE", err);
}

void bulk_tune_import_end(struct db_conn *c)
{
    struct err err = {0};
    if (!is_pg(c))
        db_exec(c, "PRAGMA threads = 0; PRAGMA temp_store = MEMORY", &err);
}
