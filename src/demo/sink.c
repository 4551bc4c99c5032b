/* The demo's output tables (sink.h): bulk loads or CSV files. */
#include "demo/sink.h"
#include "model/export.h"
#include "util/clock.h"
#include "util/csvcell.h"
#include "util/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Opens the CSV file dir/name. */
static int sink_file(struct sink *s, const char *name)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", s->out->csv_dir, name);
    s->f = fopen(path, "wb");
    if (!s->f)
        return err_set(s->err, E_INVALID, "csv", "cannot create %.200s: %s",
                       path, strerror(errno));
    buf_init(&s->line, (size_t)-1);
    return 0;
}

int sink_obj(struct sink *s, const struct demo_sink *out,
             const struct object *o, struct err *err)
{
    memset(s, 0, sizeof(*s));
    s->out = out;
    s->err = err;
    s->o = o;
    if (!s->out->c) {
        char name[64];
        snprintf(name, sizeof(name), "%s.csv", o->plural);
        int rc = sink_file(s, name);
        if (!rc)
            export_csv_header(o, NULL, &s->line);
        return rc;
    }
    const char *cols[REC_MAX];
    int n = 0;
    for (int i = 0; i < o->nfields; i++)
        if (!(o->fields[i].flags & FF_VIRTUAL))
            cols[n++] = o->fields[i].name;
    return bulk_begin(s->out->c, o->table, cols, n, &s->b, s->err);
}

int sink_raw(struct sink *s, const struct demo_sink *out, const char *table,
             const char *const *cols, int ncols, const char *csv,
             struct err *err)
{
    memset(s, 0, sizeof(*s));
    s->out = out;
    s->err = err;
    if (s->out->c)
        return bulk_begin(s->out->c, table, cols, ncols, &s->b, s->err);
    if (!csv)
        return 0;
    int rc = sink_file(s, csv);
    for (int i = 0; !rc && i < ncols; i++) {
        if (i)
            buf_add(&s->line, ",", 1);
        csvcell_add(&s->line, cols[i], 0);
    }
    if (!rc)
        buf_add(&s->line, "\r\n", 2);
    return rc;
}

/* Writes out the pending CSV text when there is enough of it. */
static int sink_flush(struct sink *s, int force)
{
    if (!s->f || (!force && s->line.len < (1u << 16)))
        return 0;
    if (s->line.len && fwrite(s->line.data, 1, s->line.len, s->f) !=
        s->line.len)
        return err_set(s->err, E_INTERNAL, "csv", "cannot write: %s",
                       strerror(errno));
    s->line.len = 0;
    return 0;
}

/* The text of a JSON object as the model stores it (compact, keys
 * sorted), in *dumped, which the caller frees after the row is sent
 * (PostgreSQL's rows keep pointers until then); objects have at most
 * one such field. */
static const char *dump_once(char **dumped, const json_t *j)
{
    if (*dumped)
        BUG("demo sink: two JSON fields in one row");
    *dumped = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    return *dumped ? *dumped : "{}";
}

int sink_rec(struct sink *s, const struct rec *r)
{
    s->rows++;
    if (s->f) {
        export_csv_row(r, NULL, &s->line);
        return sink_flush(s, 0);
    }
    const struct object *o = r->o;
    char *dumped = NULL;            /* kept until the row is sent */
    for (int i = 0; i < o->nfields; i++) {
        const struct field *f = &o->fields[i];
        const struct val *v = &r->v[i];
        if (f->flags & FF_VIRTUAL)
            continue;
        if (f->type == FT_CUSTOM)
            bulk_text(s->b, "{}");
        else if (!v->set || v->null)
            bulk_null(s->b);
        else if (f->type == FT_COUNTS)      /* as q_record.c binds it */
            bulk_text(s->b, dump_once(&dumped, v->j));
        else if (f->type == FT_ID || f->type == FT_INT ||
                 f->type == FT_MONEY || f->type == FT_REF ||
                 f->type == FT_TIME)
            bulk_int(s->b, v->i);
        else
            bulk_text(s->b, v->s);
    }
    int rc = bulk_row(s->b, s->err);
    free(dumped);
    return rc;
}

void raw_int(struct sink *s, int64_t v)
{
    if (s->b) {
        bulk_int(s->b, v);
    } else if (s->f) {
        char t[24];
        if (s->cells++)
            buf_add(&s->line, ",", 1);
        snprintf(t, sizeof(t), "%lld", (long long)v);
        buf_adds(&s->line, t);
    }
}

void raw_time(struct sink *s, int64_t ms)
{
    if (s->b) {
        bulk_int(s->b, ms);
    } else if (s->f) {
        char iso[40];
        clock_iso(ms, iso, sizeof(iso));
        if (s->cells++)
            buf_add(&s->line, ",", 1);
        buf_adds(&s->line, iso);
    }
}

void raw_text(struct sink *s, const char *t)
{
    if (s->b) {
        bulk_text(s->b, t);
    } else if (s->f) {
        if (s->cells++)
            buf_add(&s->line, ",", 1);
        csvcell_add(&s->line, t, 1);
    }
}

int raw_end(struct sink *s)
{
    s->rows++;
    if (s->b)
        return bulk_row(s->b, s->err);
    if (!s->f)
        return 0;
    s->cells = 0;
    buf_add(&s->line, "\r\n", 2);
    return sink_flush(s, 0);
}

int sink_close(struct sink *s, int rc)
{
    if (s->b) {
        struct err e2 = {0};
        int r2 = bulk_end(s->b, rc ? &e2 : s->err);
        rc = rc ? rc : r2;
        s->b = NULL;
    }
    if (s->f) {
        if (!rc)
            rc = sink_flush(s, 1);
        if (fclose(s->f) != 0 && !rc)
            rc = err_set(s->err, E_INTERNAL, "csv", "cannot write: %s",
                         strerror(errno));
        s->f = NULL;
        buf_release(&s->line);
    }
    return rc;
}
