/* CSV import of touchpoints: header cells name the API's fields
 * (case and spacing aside), each row becomes the JSON body of
 * touchpoint_create. */
#include "import/touchpoints.h"
#include "import/csvin.h"
#include "model/touchpoint.h"
#include "util/text.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

static const char *const FIELDS[] = {"contact_id", "email", "visitor_id",
    "kind", "channel", "campaign_id", "utm_source", "utm_medium",
    "utm_campaign", "utm_term", "utm_content", "url", "referrer", "at",
    NULL};

struct tstate {
    struct db_conn *c;
    int dry_run;
    FILE *errors;
    struct import_result *res;
    struct err *err;
    const char *cols[CSVIN_MAX_COLS];   /* field of each column, or NULL */
    int ncols, in_batch, batch_rows;
    struct arena a;
};

/* The field a header cell names: lower-cased, spaces as '_'. */
static const char *field_of(const char *h)
{
    char k[40];
    size_t n = 0;
    for (; *h && n + 1 < sizeof(k); h++)
        k[n++] = *h == ' ' || *h == '-' ? '_'
               : (*h >= 'A' && *h <= 'Z') ? (char)(*h + 32) : *h;
    k[n] = '\0';
    for (int i = 0; FIELDS[i]; i++)
        if (!strcmp(k, FIELDS[i]))
            return FIELDS[i];
    return NULL;
}

/* Writes one error line "row,column,reason" (quoted). */
static void row_error(struct tstate *s, int64_t row, const char *col,
                      const char *why)
{
    s->res->rows_failed++;
    if (!s->errors)
        return;
    fprintf(s->errors, "%lld,", (long long)row);
    const char *cells[2] = {col ? col : "", why};
    for (int i = 0; i < 2; i++) {
        fputc('"', s->errors);
        for (const char *p = cells[i]; *p; p++) {
            if (*p == '"')
                fputc('"', s->errors);
            fputc(*p, s->errors);
        }
        fputs(i ? "\"\n" : "\",", s->errors);
    }
}

/* Ends the open batch: commits, or rolls back on a dry run. */
static int end_batch(struct tstate *s)
{
    int rc = 0;
    if (!s->in_batch)
        return 0;
    if (s->dry_run)
        db_rollback(s->c);
    else
        rc = db_commit(s->c, s->err);
    s->in_batch = 0;
    s->batch_rows = 0;
    arena_release(&s->a);
    arena_init(&s->a);
    return rc;
}

/* The JSON body of a data record; NULL with *why set when a cell is
 * not a usable value. */
static json_t *row_body(struct tstate *s, const struct csv_record *rec,
                        const char **col, const char **why)
{
    json_t *body = json_object();
    for (int i = 0; i < s->ncols; i++) {
        const char *v;
        struct err e = {0};
        if (!s->cols[i] || !rec->lens[i])
            continue;
        if (text_normalize(rec->fields[i], rec->lens[i], 4000, s->cols[i],
                           &v, &s->a, &e)) {
            *col = s->cols[i];
            *why = arena_strdup(&s->a, e.msg);
            json_decref(body);
            return NULL;
        }
        while (*v == ' ')
            v++;
        if (!*v)
            continue;
        if (!strcmp(s->cols[i], "contact_id") ||
            !strcmp(s->cols[i], "campaign_id")) {
            char *end;
            long long n = strtoll(v, &end, 10);
            if (*end || n <= 0) {
                *col = s->cols[i];
                *why = "must be a positive integer id";
                json_decref(body);
                return NULL;
            }
            json_object_set_new(body, s->cols[i], json_integer(n));
        } else {
            json_object_set_new(body, s->cols[i], json_string(v));
        }
    }
    return body;
}

/* Records one data record under a savepoint; a refused row is an error
 * line, a storage failure is fatal (returns non-zero). */
static int one_row(struct tstate *s, const struct csv_record *rec)
{
    struct err e = {0};
    const char *col = NULL, *why = NULL;
    int64_t id;
    if (rec->too_many || rec->nfields != s->ncols) {
        row_error(s, rec->number, NULL, "has a different number of fields "
                  "than the header");
        return 0;
    }
    json_t *body = row_body(s, rec, &col, &why);
    if (!body) {
        row_error(s, rec->number, col, why);
        return 0;
    }
    struct wctx w = {.c = s->c, .privileged = 1, .reason = "import",
                     .a = &s->a};
    int rc = db_exec(s->c, "SAVEPOINT import_row", s->err);
    if (!rc)
        rc = touchpoint_create(&w, body, &id, &e);
    json_decref(body);
    if (rc && (e.code == E_INVALID || e.code == E_RULE ||
               e.code == E_NOTFOUND || e.code == E_CONFLICT)) {
        struct err e2 = {0};
        db_exec(s->c, "ROLLBACK TO SAVEPOINT import_row", &e2);
        db_exec(s->c, "RELEASE SAVEPOINT import_row", &e2);
        row_error(s, rec->number, e.field, e.msg);
        return 0;
    }
    if (!rc)
        rc = db_exec(s->c, "RELEASE SAVEPOINT import_row", s->err);
    if (rc) {
        if (e.code)
            *s->err = e;
        return rc;
    }
    s->res->rows_ok++;
    s->res->created++;
    return 0;
}

/* csvin callback: the header, then rows in batches. */
static int on_record(const struct csv_record *rec, void *ctx)
{
    struct tstate *s = ctx;
    if (rec->number == 1) {
        int known = 0;
        s->ncols = rec->nfields;
        for (int i = 0; i < rec->nfields; i++)
            known += (s->cols[i] = field_of(rec->fields[i])) != NULL;
        if (!known) {
            err_set(s->err, E_INVALID, NULL, "no column of the header names "
                    "a field of touchpoints");
            return 1;
        }
        return 0;
    }
    s->res->rows_total++;
    if (!s->in_batch) {
        if (db_begin_write(s->c, s->err))
            return 1;
        s->in_batch = 1;
    }
    if (one_row(s, rec))
        return 1;
    if (++s->batch_rows == IMPORT_BATCH && end_batch(s))
        return 1;
    return 0;
}

int import_touchpoints(struct db_conn *c, FILE *f, int dry_run,
                       FILE *errors, struct import_result *res,
                       struct err *err)
{
    struct tstate s = {.c = c, .dry_run = dry_run, .errors = errors,
                       .res = res, .err = err};
    char msg[160];
    int64_t at = 0;
    arena_init(&s.a);
    int rc = csvin_read(f, on_record, &s, msg, sizeof(msg), &at);
    if (rc == -1)
        err_set(err, E_INVALID, NULL, "record %lld: %s", (long long)at, msg);
    if (rc) {
        if (s.in_batch)
            db_rollback(c);
        s.in_batch = 0;
        if (!err->code)
            err_set(err, E_INTERNAL, NULL, "the import stopped");
    }
    if (!rc)
        rc = end_batch(&s);
    arena_release(&s.a);
    return rc ? err->code : 0;
}
