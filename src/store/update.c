/* Partial UPDATE builder. */
#include "store/update.h"
#include "util/buf.h"
#include "util/xalloc.h"

/* Appends one column assignment. */
static void add(struct update *u, const char *col, char kind,
                const char *t, int64_t i)
{
    if (u->n == UPDATE_MAX)
        BUG("too many columns in one update");
    u->cols[u->n] = col;
    u->kinds[u->n] = kind;
    u->texts[u->n] = t;
    u->ints[u->n] = i;
    u->n++;
}

void update_init(struct update *u, const char *table)
{
    u->table = table;
    u->n = 0;
}

void update_text(struct update *u, const char *col, const char *v)
{
    add(u, col, v ? 't' : 'n', v, 0);
}

void update_int(struct update *u, const char *col, int64_t v)
{
    add(u, col, 'i', NULL, v);
}

void update_ref(struct update *u, const char *col, int64_t v)
{
    add(u, col, v ? 'i' : 'n', NULL, v);
}

int update_run(struct update *u, struct db_conn *c, int64_t id,
               struct err *err)
{
    struct buf sql;
    buf_init(&sql, 8192);
    buf_addf(&sql, "UPDATE %s SET ", u->table);
    for (int i = 0; i < u->n; i++)
        buf_addf(&sql, "%s%s = ?", i ? ", " : "", u->cols[i]);
    buf_adds(&sql, " WHERE id = ? RETURNING id");
    struct db_stmt *st = NULL;
    int rc = db_prepare(c, buf_cstr(&sql), &st, err);
    for (int i = 0; !rc && i < u->n; i++) {
        if (u->kinds[i] == 'i')
            rc = db_bind_int(st, i + 1, u->ints[i], err);
        else
            rc = db_bind_text(st, i + 1, u->texts[i], err);
    }
    if (!rc)
        rc = db_bind_int(st, u->n + 1, id, err);
    if (!rc) {
        int r = db_step(st, err);
        if (r < 0)
            rc = err->code;
        else if (r == DB_DONE)
            rc = err_set(err, E_NOTFOUND, NULL, "not found");
    }
    db_done(st);
    buf_release(&sql);
    return rc;
}
