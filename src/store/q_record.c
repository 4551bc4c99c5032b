/* Generic record storage from field tables. Column names come from the
 * code's tables, values are always bound. */
#include "store/q_record.h"
#include "store/update.h"
#include "util/buf.h"
#include "util/xalloc.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Whether field f is a column of the table. */
static int is_column(const struct field *f)
{
    return !(f->flags & FF_VIRTUAL);
}

/* Whether f is stored as an integer. */
static int is_int(const struct field *f)
{
    return f->type == FT_ID || f->type == FT_INT || f->type == FT_MONEY ||
           f->type == FT_REF || f->type == FT_TIME;
}

const char *q_rec_cols(const struct object *o, const char *alias,
                       struct arena *a)
{
    struct buf b;
    buf_init(&b, 4096);
    int n = 0;
    for (int i = 0; i < o->nfields; i++) {
        if (!is_column(&o->fields[i]))
            continue;
        buf_addf(&b, "%s%s%s%s", n++ ? ", " : "", alias ? alias : "",
                 alias ? "." : "", o->fields[i].name);
    }
    const char *s = arena_strdup(a, buf_cstr(&b));
    buf_release(&b);
    return s;
}

void q_rec_read_row(struct db_stmt *st, int first, struct rec *r,
                    struct arena *a)
{
    const struct object *o = r->o;
    int col = first;
    for (int i = 0; i < o->nfields; i++) {
        const struct field *f = &o->fields[i];
        if (!is_column(f))
            continue;
        struct val *v = &r->v[i];
        v->set = 1;
        v->null = (unsigned char)db_col_null(st, col);
        if (v->null) {
            col++;
            continue;
        }
        if (is_int(f)) {
            v->i = db_col_int(st, col);
        } else if (f->type == FT_CUSTOM || f->type == FT_COUNTS) {
            const char *t = db_col_text(st, col);
            json_decref(v->j);
            v->j = !strcmp(t, "{}") ? json_object() : json_loads(t, 0, NULL);
            if (!json_is_object(v->j)) {
                json_decref(v->j);
                v->j = json_object();
            }
        } else {
            v->s = arena_strdup(a, db_col_text(st, col));
        }
        col++;
    }
    r->id = r->v[0].i;
}

/* The SELECT-by-id of each object, built once: the hottest query. */
static struct { const struct object *o; char *sql; } by_id[8];
static pthread_once_t by_id_once = PTHREAD_ONCE_INIT;

/* Builds by_id for every object. */
static void build_by_id(void)
{
    struct arena a;
    arena_init(&a);
    const struct object *const *all = object_all();
    for (int i = 0; i < 8 && all[i]; i++) {
        by_id[i].o = all[i];
        by_id[i].sql = xstrdup(arena_printf(&a, "SELECT %s FROM %s WHERE "
                                            "id = ?",
                                            q_rec_cols(all[i], NULL, &a),
                                            all[i]->table));
    }
    arena_release(&a);
}

/* The SELECT-by-id SQL of o. */
static const char *get_sql(const struct object *o, struct arena *a)
{
    pthread_once(&by_id_once, build_by_id);
    for (int i = 0; i < 8 && by_id[i].o; i++)
        if (by_id[i].o == o)
            return by_id[i].sql;
    return arena_printf(a, "SELECT %s FROM %s WHERE id = ?",
                        q_rec_cols(o, NULL, a), o->table);
}

int q_rec_get(struct db_conn *c, const struct object *o, int64_t id,
              struct rec *r, struct arena *a, struct err *err)
{
    const char *sql = get_sql(o, a);
    struct db_stmt *st;
    int rc = db_query(c, &st, err, sql, "i", id);
    if (rc)
        return rc;
    int s = db_step(st, err);
    if (s == DB_ROW)
        q_rec_read_row(st, 0, r, a);
    db_done(st);
    if (s < 0)
        return err->code;
    return s == DB_ROW ? 0 : err_set(err, E_NOTFOUND, NULL, "no such %s",
                                     o->name);
}

/* Binds value v of field f as parameter idx. */
static int bind_val(struct db_stmt *st, int idx, const struct field *f,
                    const struct val *v, char **dump, struct err *err)
{
    if (v->null)
        return db_bind_text(st, idx, NULL, err);
    if (is_int(f))
        return db_bind_int(st, idx, v->i, err);
    if (f->type == FT_CUSTOM || f->type == FT_COUNTS) {
        *dump = json_dumps(v->j, JSON_COMPACT | JSON_SORT_KEYS);
        return db_bind_text(st, idx, *dump ? *dump : "{}", err);
    }
    return db_bind_text(st, idx, v->s, err);
}

/* Runs st after binding the set columns of in (then extra_id when > 0);
 * nowait sends it without reading a result (db_step_nowait). */
static int run_bound(struct db_stmt *st, const struct rec *in,
                     int64_t extra_id, int64_t *out_id, int nowait,
                     struct err *err)
{
    const struct object *o = in->o;
    char *dumps[REC_MAX] = {0};
    int rc = 0, idx = 1;
    for (int i = 0; !rc && i < o->nfields; i++) {
        const struct field *f = &o->fields[i];
        if (is_column(f) && in->v[i].set && f->type != FT_ID)
            rc = bind_val(st, idx++, f, &in->v[i], &dumps[i], err);
    }
    if (!rc && extra_id > 0)
        rc = db_bind_int(st, idx, extra_id, err);
    if (!rc && nowait) {
        rc = db_step_nowait(st, err);
    } else if (!rc) {
        int s = db_step(st, err);
        if (s < 0)
            rc = err->code;
        else if (s == DB_DONE)
            rc = err_set(err, E_NOTFOUND, NULL, "no such %s", o->name);
        else if (out_id)
            *out_id = db_col_int(st, 0);
    }
    db_done(st);
    for (int i = 0; i < REC_MAX; i++)
        free(dumps[i]);
    return rc;
}

int q_rec_insert(struct db_conn *c, const struct rec *in, int64_t *id,
                 struct err *err)
{
    const struct object *o = in->o;
    struct buf sql, vals;
    buf_init(&sql, 8192);
    buf_init(&vals, 1024);
    buf_addf(&sql, "INSERT INTO %s (", o->table);
    int n = 0;
    for (int i = 0; i < o->nfields; i++) {
        const struct field *f = &o->fields[i];
        if (!is_column(f) || !in->v[i].set || f->type == FT_ID)
            continue;
        buf_addf(&sql, "%s%s", n ? ", " : "", f->name);
        buf_adds(&vals, n++ ? ", ?" : "?");
    }
    buf_addf(&sql, ") VALUES (%s) RETURNING id", buf_cstr(&vals));
    struct db_stmt *st;
    int rc = db_prepare(c, buf_cstr(&sql), &st, err);
    if (!rc)
        rc = run_bound(st, in, 0, id, 0, err);
    buf_release(&sql);
    buf_release(&vals);
    return rc;
}

int q_rec_update(struct db_conn *c, const struct rec *in, int64_t id,
                 struct err *err)
{
    const struct object *o = in->o;
    struct buf sql;
    buf_init(&sql, 8192);
    buf_addf(&sql, "UPDATE %s SET ", o->table);
    int n = 0;
    for (int i = 0; i < o->nfields; i++) {
        const struct field *f = &o->fields[i];
        if (!is_column(f) || !in->v[i].set || f->type == FT_ID)
            continue;
        buf_addf(&sql, "%s%s = ?", n++ ? ", " : "", f->name);
    }
    if (!n) {
        buf_release(&sql);
        return 0;
    }
    buf_adds(&sql, " WHERE id = ?");
    struct db_stmt *st;
    int rc = db_prepare(c, buf_cstr(&sql), &st, err);
    if (!rc)
        rc = run_bound(st, in, id, NULL, 1, err);
    buf_release(&sql);
    return rc;
}

int q_rec_delete(struct db_conn *c, const struct object *o, int64_t id,
                 struct err *err)
{
    char sql[128];
    snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE id = ? RETURNING id",
             o->table);
    int64_t got;
    int rc = db_int(c, err, &got, sql, "i", id);
    if (rc == E_NOTFOUND)
        err_set(err, E_NOTFOUND, NULL, "no such %s", o->name);
    return rc;
}
