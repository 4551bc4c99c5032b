/* Table-by-table copy between two databases through the db_* interface;
 * the target side uses db_copy (COPY on PostgreSQL). */
#include "store/transfer.h"
#include "util/arena.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct table_def db_tables[] = {
    {"teams", 1},
    {"team_closure", 0},
    {"users", 1},
    {"sessions", 1},
    {"api_tokens", 1},
    {"login_failures", 1},
    {"audit_log", 1},
    {"settings", 0},
    {"companies", 1},
    {"contacts", 1},
    {"pipelines", 1},
    {"pipeline_stages", 1},
    {"deals", 1},
    {"deal_contacts", 0},
    {"activities", 1},
    {"collaborators", 0},
    {"custom_fields", 1},
    {"stage_changes", 1},
    {"search_terms", 0},
    {"saved_views", 1},
    {"campaigns", 1},
    {"campaign_costs", 1},
    {"touchpoints", 1},
    {"forms", 1},
    {"form_submissions", 1},
    {"consents", 1},
    {NULL, 0},
};

/* Counts the rows of table. */
static int count_rows(struct db_conn *c, const char *table, int64_t *n,
                      struct err *err)
{
    char sql[128];
    snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM %s", table);
    return db_int(c, err, n, sql, NULL);
}

/* Reads the column names of table from a zero-row query on src. */
static int columns(struct db_conn *c, const char *table, const char ***cols,
                   int *n, struct arena *a, struct err *err)
{
    char sql[128];
    struct db_stmt *st;
    snprintf(sql, sizeof(sql), "SELECT * FROM %s WHERE 1 = 0", table);
    int rc = db_prepare(c, sql, &st, err);
    if (rc)
        return rc;
    *n = db_col_count(st);
    *cols = arena_alloc(a, sizeof(char *) * (size_t)(*n + 1));
    for (int i = 0; i < *n; i++)
        (*cols)[i] = arena_strdup(a, db_col_name(st, i));
    db_done(st);
    return *n > 0 ? 0 : err_set(err, E_DB, NULL, "table %s has no columns",
                                table);
}

/* Streams the rows of st into cp; counts them in *copied and remembers
 * the last id (column id_col) in *last. */
static int pump(struct db_stmt *st, struct db_copy *cp, int ncols,
                int id_col, int64_t *copied, int64_t *last, struct err *err)
{
    const char **vals = xcalloc((size_t)ncols, sizeof(char *));
    int r, rc = 0;
    while (!rc && (r = db_step(st, err)) == DB_ROW) {
        for (int i = 0; i < ncols; i++)
            vals[i] = db_col_text(st, i);
        if (id_col >= 0)
            *last = db_col_int(st, id_col);
        rc = db_copy_row(cp, vals, err);
        (*copied)++;
    }
    if (!rc && r < 0)
        rc = err->code;
    free(vals);
    return rc;
}

/* Copies one batch of rows with id > *after (or the whole table when it
 * has no id) in one target transaction. */
static int copy_batch(struct db_conn *s, struct db_conn *d,
                      const struct table_def *t, const char **cols, int n,
                      int batch, int64_t *after, int64_t *copied,
                      struct err *err)
{
    char sql[256];
    struct db_stmt *st = NULL;
    struct db_copy *cp = NULL;
    int id_col = -1, rc;
    for (int i = 0; i < n && t->has_id; i++)
        if (!strcmp(cols[i], "id"))
            id_col = i;
    if (t->has_id)
        snprintf(sql, sizeof(sql), "SELECT * FROM %s WHERE id > ? ORDER BY "
                 "id LIMIT ?", t->name);
    else
        snprintf(sql, sizeof(sql), "SELECT * FROM %s", t->name);
    rc = db_begin_write(d, err);
    if (rc)
        return rc;
    rc = db_defer_fks(d, err);
    if (!rc && !t->has_id) {
        snprintf(sql + 200, 56, "DELETE FROM %s", t->name);
        rc = db_run(d, err, sql + 200, NULL);
    }
    if (!rc)
        rc = t->has_id ? db_query(s, &st, err, sql, "ii", *after,
                                  (int64_t)batch)
                       : db_query(s, &st, err, sql, NULL);
    if (!rc)
        rc = db_copy_begin(d, t->name, cols, n, &cp, err);
    if (!rc)
        rc = pump(st, cp, n, id_col, copied, after, err);
    db_done(st);
    if (cp) {
        int rc2 = db_copy_end(cp, err);
        rc = rc ? rc : rc2;
    }
    if (!rc && t->has_id)
        rc = db_sync_ids(d, t->name, err);
    if (!rc)
        rc = db_commit(d, err);
    if (rc)
        db_rollback(d);
    return rc;
}

/* Copies one table and fills its report. */
static int copy_table(struct db_conn *s, struct db_conn *d,
                      const struct table_def *t, int batch,
                      struct transfer_report *r, struct err *err)
{
    struct arena a;
    const char **cols = NULL;
    int n = 0, rc;
    int64_t after = 0;
    arena_init(&a);
    memset(r, 0, sizeof(*r));
    r->table = t->name;
    rc = columns(s, t->name, &cols, &n, &a, err);
    if (!rc)
        rc = count_rows(s, t->name, &r->source_rows, err);
    if (!rc && t->has_id)
        rc = db_int(d, err, &after, arena_printf(&a, "SELECT COALESCE("
                    "MAX(id), 0) FROM %s", t->name), NULL);
    while (!rc) {
        int64_t before = r->copied;
        rc = copy_batch(s, d, t, cols, n, batch, &after, &r->copied, err);
        if (!t->has_id || r->copied - before < batch)
            break;
    }
    if (!rc)
        rc = count_rows(d, t->name, &r->target_rows, err);
    arena_release(&a);
    return rc;
}

int transfer_all(struct db *src, struct db *dst, int batch,
                 transfer_progress_fn progress, void *arg, struct err *err)
{
    struct db_conn *s, *d;
    int rc = db_conn_get(src, &s, err);
    if (!rc)
        rc = db_conn_get(dst, &d, err);
    int mismatch = 0;
    for (const struct table_def *t = db_tables; !rc && t->name; t++) {
        struct transfer_report r;
        rc = copy_table(s, d, t, batch, &r, err);
        if (rc)
            break;
        if (r.source_rows != r.target_rows)
            mismatch = 1;
        if (progress)
            progress(&r, arg);
    }
    if (!rc && mismatch)
        rc = err_set(err, E_CONFLICT, NULL, "row counts differ between "
                     "source and target");
    return rc;
}
