/* Exports: CSV and JSON rows of records, and the page-by-page walk over
 * a filtered list (see export.h). Memory stays constant: one page of
 * records and one arena, reset between pages; the next page starts
 * after the keyset cursor of the last. */
#include "model/export.h"
#include "store/listq.h"
#include "util/arena.h"
#include "util/clock.h"
#include "util/csvcell.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int export_format_parse(const char *s, enum export_format *f,
                        struct err *err)
{
    if (!strcmp(s, "csv"))
        *f = EXPORT_CSV;
    else if (!strcmp(s, "json"))
        *f = EXPORT_JSON;
    else if (!strcmp(s, "ndjson"))
        *f = EXPORT_NDJSON;
    else
        return err_set(err, E_INVALID, "format", "must be csv, json or "
                       "ndjson");
    return 0;
}

const char *export_content_type(enum export_format f)
{
    switch (f) {
    case EXPORT_JSON:
        return "application/json";
    case EXPORT_NDJSON:
        return "application/x-ndjson";
    default:
        return "text/csv; charset=utf-8";
    }
}

const char *export_extension(enum export_format f)
{
    return f == EXPORT_JSON ? "json" : f == EXPORT_NDJSON ? "ndjson" : "csv";
}

/* ---- CSV ---- */

/* Whether field f is a column of the export (custom expands later). */
static int exported(const struct field *f)
{
    return !(f->flags & (FF_HIDDEN | FF_WRITEONLY)) && f->type != FT_CUSTOM;
}

void export_csv_header(const struct object *o, const struct cf_set *cf,
                       struct buf *b)
{
    int n = 0;
    for (int i = 0; i < o->nfields; i++) {
        if (!exported(&o->fields[i]))
            continue;
        if (n++)
            buf_add(b, ",", 1);
        csvcell_add(b, o->fields[i].name, 0);
    }
    for (int i = 0; cf && i < cf->n; i++) {
        char name[64];
        snprintf(name, sizeof(name), "custom.%s", cf->defs[i].name);
        if (n++)
            buf_add(b, ",", 1);
        csvcell_add(b, name, 0);
    }
    buf_add(b, "\r\n", 2);
}

/* Appends a JSON array of ids as "1;2;3". */
static void add_ids(struct buf *b, json_t *arr)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) {
        if (i)
            buf_add(b, ";", 1);
        buf_add_int(b, json_integer_value(v));
    }
}

/* Appends one custom value: text as guarded text, numbers and booleans
 * as written by JSON, a multiselect's options joined with ';'. */
static void add_custom(struct buf *b, json_t *v)
{
    if (!v || json_is_null(v))
        return;
    if (json_is_string(v)) {
        csvcell_add(b, json_string_value(v), 1);
    } else if (json_is_array(v)) {
        struct buf t;
        size_t i;
        json_t *e;
        buf_init(&t, (size_t)-1);
        json_array_foreach(v, i, e) {
            if (i)
                buf_add(&t, ";", 1);
            if (json_is_string(e))
                buf_adds(&t, json_string_value(e));
        }
        csvcell_add(b, buf_cstr(&t), 1);
        buf_release(&t);
    } else {
        char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
        csvcell_add(b, s ? s : "", 0);
        free(s);
    }
}

/* Appends the cell of field i of r. */
static void add_field(struct buf *b, const struct rec *r, int i)
{
    const struct field *f = &r->o->fields[i];
    const struct val *v = &r->v[i];
    char iso[40];
    if (f->type == FT_IDS) {
        if (v->j)
            add_ids(b, v->j);
        return;
    }
    if (!v->set || v->null)
        return;
    switch (f->type) {
    case FT_COUNTS:             /* goals: {"leads":…} as JSON text */
        if (v->j) {
            char *t = json_dumps(v->j, JSON_COMPACT);
            csvcell_add(b, t ? t : "", 0);
            free(t);
        }
        return;
    case FT_ID: case FT_INT: case FT_MONEY: case FT_REF:
        buf_add_int(b, v->i);
        return;
    case FT_TIME:
        clock_iso(v->i, iso, sizeof(iso));
        buf_adds(b, iso);
        return;
    case FT_PHONE:
        csvcell_add(b, v->s, !csvcell_is_e164(v->s));
        return;
    default:
        csvcell_add(b, v->s, 1);
        return;
    }
}

void export_csv_row(const struct rec *r, const struct cf_set *cf,
                    struct buf *b)
{
    int n = 0, custom = -1;
    for (int i = 0; i < r->o->nfields; i++) {
        const struct field *f = &r->o->fields[i];
        if (f->type == FT_CUSTOM)
            custom = i;
        if (!exported(f))
            continue;
        if (n++)
            buf_add(b, ",", 1);
        add_field(b, r, i);
    }
    json_t *obj = custom >= 0 ? r->v[custom].j : NULL;
    for (int i = 0; cf && i < cf->n; i++) {
        if (n++)
            buf_add(b, ",", 1);
        add_custom(b, obj ? json_object_get(obj, cf->defs[i].name) : NULL);
    }
    buf_add(b, "\r\n", 2);
}

/* ---- the walk over a list ---- */

struct export {
    const struct object *o;
    enum export_format fmt;
    const struct vis *v;
    struct listq lq;
    struct arena arena;     /* the arguments and custom fields */
    struct arena page;      /* one page; reset before the next */
    struct cf_set cf;
    int cf_loaded;
    struct rec *out;        /* EXPORT_PAGE records */
    char *cursor;           /* where the next page starts, or NULL */
    int started, done;
    long rows;
};

struct export *export_new(const struct object *o, enum export_format f,
                          const struct vis *v)
{
    struct export *x = xcalloc(1, sizeof(*x));
    x->o = o;
    x->fmt = f;
    x->v = v;
    arena_init(&x->arena);
    arena_init(&x->page);
    listq_init(&x->lq, o);
    x->lq.limit = EXPORT_PAGE;
    x->out = xcalloc(EXPORT_PAGE, sizeof(struct rec));
    return x;
}

int export_arg(struct export *x, struct db_conn *c, const char *key,
               const char *value, struct err *err)
{
    if (!strcmp(key, "limit") || !strcmp(key, "cursor"))
        return err_set(err, E_INVALID, !strcmp(key, "limit") ? "limit"
                       : "cursor", "an export has every row: no limit or "
                       "cursor");
    /* listq keeps pointers to the text: copies live as long as x */
    return listq_arg(&x->lq, c, arena_strdup(&x->arena, key),
                     arena_strdup(&x->arena, value), &x->arena, err);
}

/* Writes the start of the output: the CSV header or the JSON "[". */
static int start(struct export *x, struct db_conn *c, struct buf *b,
                 struct err *err)
{
    if (x->fmt == EXPORT_CSV) {
        int rc = cf_load(c, x->o->name, &x->cf, &x->arena, err);
        if (rc)
            return rc;
        x->cf_loaded = 1;
        export_csv_header(x->o, &x->cf, b);
    } else if (x->fmt == EXPORT_JSON) {
        buf_add(b, "[", 1);
    }
    x->started = 1;
    return 0;
}

/* Appends one record in the export's format. */
static void add_rec(struct export *x, const struct rec *r, struct buf *b)
{
    if (x->fmt == EXPORT_CSV) {
        export_csv_row(r, &x->cf, b);
        return;
    }
    if (x->fmt == EXPORT_JSON)
        buf_add(b, x->rows ? ",\n" : "\n", x->rows ? 2 : 1);
    rec_dump(r, b);
    if (x->fmt == EXPORT_NDJSON)
        buf_add(b, "\n", 1);
}

int export_next(struct export *x, struct db_conn *c, struct buf *b,
                struct err *err)
{
    int n = 0, rc = 0;
    const char *next = NULL;
    if (x->done)
        return 0;
    if (!x->started && (rc = start(x, c, b, err)))
        return -1;
    arena_release(&x->page);
    arena_init(&x->page);
    if (x->cursor)
        rc = listq_arg(&x->lq, c, "cursor", x->cursor, &x->page, err);
    if (!rc)
        rc = listq_run(c, &x->lq, x->v, x->out, &n, &next, &x->page, err);
    for (int i = 0; i < n; i++) {
        if (!rc)
            add_rec(x, &x->out[i], b);
        x->rows += !rc;
        rec_release(&x->out[i]);
    }
    if (rc)
        return -1;
    free(x->cursor);
    x->cursor = next ? xstrdup(next) : NULL;
    if (next)
        return 1;
    if (x->fmt == EXPORT_JSON)
        buf_adds(b, x->rows ? "\n]\n" : "]\n");
    x->done = 1;
    return 0;
}

long export_rows(const struct export *x)
{
    return x->rows;
}

void export_free(struct export *x)
{
    if (!x)
        return;
    listq_release(&x->lq);
    if (x->cf_loaded)
        cf_set_release(&x->cf);
    arena_release(&x->page);
    arena_release(&x->arena);
    free(x->out);
    free(x->cursor);
    free(x);
}
