/* GET /api/v1/exports/{object} (SPEC §12, App. C): the whole filtered
 * list a caller may see, as CSV, JSON or NDJSON, streamed page by page
 * while the client reads it (model/export.c; docs/decisions/0009). */
#include "api/api.h"
#include "model/export.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* What the stream needs once the handler has returned: its own
 * reference to the caller (whose visibility the export borrows), the
 * database, and the first page, made before the status was sent. */
struct export_stream {
    struct db *db;
    struct principal *who;
    struct export *x;
    struct buf first;
    int first_sent, first_rc;
};

/* resp_fill_fn: the first page, then one page per call. */
static int stream_fill(void *ctx, struct buf *b)
{
    struct export_stream *s = ctx;
    struct err err = {0};
    struct db_conn *c;
    if (!s->first_sent) {
        s->first_sent = 1;
        buf_add(b, s->first.data, s->first.len);
        buf_release(&s->first);
        return s->first_rc;
    }
    if (db_conn_get(s->db, &c, &err))
        return -1;
    return export_next(s->x, c, b, &err);
}

/* Frees the stream context (the response is done or abandoned). */
static void stream_done(void *ctx)
{
    struct export_stream *s = ctx;
    export_free(s->x);
    principal_put(s->who);
    buf_release(&s->first);
    free(s);
}

struct export_args {
    struct req *rq;
    struct export *x;
    struct err *err;
};

/* Feeds one query argument (except format) to the export. */
static int export_query_arg(const char *key, const char *value, void *ctx)
{
    struct export_args *ea = ctx;
    if (!strcmp(key, "format"))
        return 0;
    return export_arg(ea->x, ea->rq->dbc, key, value, ea->err);
}

/* GET /api/v1/exports/{object}?format=csv|json|ndjson&<list query>: every
 * record of the list the caller may see; 400 on a bad filter (before any
 * byte is sent), 404 for an unknown object. */
static int exports_get(struct req *rq, struct resp *rs)
{
    struct err err = {0};
    enum export_format fmt = EXPORT_CSV;
    const struct object *o = object_by_plural(req_param(rq, "object"));
    if (!o)
        return resp_error(rs, E_NOTFOUND, NULL, "no such object to export");
    const char *f = req_query(rq, "format");
    if (f && export_format_parse(f, &fmt, &err))
        return resp_fail(rs, &err);
    struct export *x = export_new(o, fmt, &rq->who->vis);
    struct export_args ea = {rq, x, &err};
    int rc = req_query_each(rq, export_query_arg, &ea);
    if (rc) {
        resp_fail(rs, &err);    /* err may point into x: answer first */
        export_free(x);
        return 0;
    }
    struct export_stream *s = xcalloc(1, sizeof(*s));
    buf_init(&s->first, (size_t)-1);
    s->first_rc = export_next(x, rq->dbc, &s->first, &err);
    if (s->first_rc < 0) {
        resp_fail(rs, &err);
        export_free(x);
        buf_release(&s->first);
        free(s);
        return 0;
    }
    s->db = rq->db;
    s->x = x;
    principal_hold(rq->who);
    s->who = rq->who;
    resp_header(rs, "Content-Disposition",
                arena_printf(&rq->arena, "attachment; filename=\"%s.%s\"",
                             o->plural, export_extension(fmt)));
    resp_header(rs, "Cache-Control", "no-store");
    return resp_stream(rs, 200, export_content_type(fmt), stream_fill,
                       stream_done, s);
}

const struct route exports_routes[] = {
    {"GET", "/api/v1/exports/{object}", exports_get, R_AUTH, QUERY_ANY},
    {0},
};
