/* CSV import of touchpoints: header cells name the API's fields
 * (case and spacing aside), each row becomes the JSON body of
 * touchpoint_create. */
#include "import/touchpoints.h"
#include "import/csvin.h"
#include "model/touchpoint.h"
#include "util/clock.h"
#include "util/text.h"
#include "util/xalloc.h"

#include <csv.h>

#include <stdlib.h>
#include <string.h>

static const char *const FIELDS[] = {"contact_id", "email", "visitor_id",
    "kind", "channel", "campaign_id", "utm_source", "utm_medium",
    "utm_campaign", "utm_term", "utm_content", "url", "referrer", "at",
    NULL};

/* A row error of the open batch, stored with the batch (API imports). */
struct tp_error {
    int64_t row;
    char *col, *why;
};

struct tstate {
    struct db_conn *c;
    const struct import_opts *o;
    struct import_result *res;
    struct err *err;
    const char *cols[CSVIN_MAX_COLS];   /* field of each column, or NULL */
    int ncols, in_batch, batch_rows, stopped;
    int64_t data_rows, skip;            /* rows read; rows done before */
    struct tp_error *errs;
    int nerrs, caperrs;
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

/* Counts a refused row, writes it to the error file (CSV
 * "row,column,reason") and keeps it for the imports row's report. */
static void row_error(struct tstate *s, int64_t row, const char *col,
                      const char *why)
{
    s->res->rows_failed++;
    if (s->o->errors) {
        fprintf(s->o->errors, "%lld,", (long long)row);
        csv_fwrite(s->o->errors, col ? col : "", col ? strlen(col) : 0);
        fputc(',', s->o->errors);
        csv_fwrite(s->o->errors, why, strlen(why));
        fputc('\n', s->o->errors);
    }
    if (!s->o->import_id)
        return;
    if (s->nerrs == s->caperrs) {
        s->caperrs = s->caperrs ? s->caperrs * 2 : 32;
        s->errs = xrealloc(s->errs, sizeof(*s->errs) * (size_t)s->caperrs);
    }
    s->errs[s->nerrs++] = (struct tp_error){row, xstrdup(col), xstrdup(why)};
}

/* Frees the kept row errors. */
static void drop_errors(struct tstate *s)
{
    for (int i = 0; i < s->nerrs; i++) {
        free(s->errs[i].col);
        free(s->errs[i].why);
    }
    s->nerrs = 0;
}

/* Stores the batch's row errors and the progress on the imports row (in
 * the open transaction): rows_done is the checkpoint a resumed import
 * starts after. */
static int save_progress(struct tstate *s, const char *status,
                         const char *msg, struct err *err)
{
    struct import_result *r = s->res;
    int rc = 0;
    for (int i = 0; !rc && i < s->nerrs; i++)
        rc = db_run(s->c, err, "INSERT INTO import_errors (import_id, "
                    "row_number, column_name, reason) VALUES (?, ?, ?, ?)",
                    "iitt", r->id, s->errs[i].row, s->errs[i].col,
                    s->errs[i].why);
    drop_errors(s);
    if (!rc)
        rc = db_run(s->c, err, "UPDATE imports SET status = ?, rows_total = "
                    "?, rows_done = ?, rows_ok = ?, rows_failed = ?, created "
                    "= ?, message = ?, updated_at = ? WHERE id = ?",
                    "tiiiiitii", status, r->rows_total, s->data_rows,
                    r->rows_ok, r->rows_failed, r->created, msg,
                    clock_now_ms(), r->id);
    return rc;
}

/* Ends the open batch: commits it with its errors and checkpoint, or
 * for a dry run rolls the touchpoints back and keeps the report. */
static int end_batch(struct tstate *s)
{
    int rc = 0, open = s->in_batch;
    if (!s->in_batch)
        return 0;
    if (s->o->dry_run) {
        db_rollback(s->c);
        open = 0;
        if (s->o->import_id && !(rc = db_begin_write(s->c, s->err)))
            open = 1;
    }
    if (!rc && s->o->import_id)
        rc = save_progress(s, "running", NULL, s->err);
    if (!rc && open)
        rc = db_commit(s->c, s->err);
    if (rc && open)
        db_rollback(s->c);
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
    struct wctx w = {.c = s->c, .who = s->o->who, .privileged = 1,
                     .reason = "import", .a = &s->a};
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
    if (++s->data_rows <= s->skip)
        return 0;                       /* done before the resume */
    s->res->rows_total = s->data_rows;
    if (!s->in_batch) {
        if (db_begin_write(s->c, s->err))
            return 1;
        s->in_batch = 1;
    }
    if (one_row(s, rec))
        return 1;
    if (++s->batch_rows == IMPORT_BATCH) {
        if (end_batch(s))
            return 1;
        if (s->o->stop && atomic_load(s->o->stop)) {
            s->stopped = 1;             /* resumes after this batch */
            return 1;
        }
    }
    return 0;
}

/* Takes the imports row of an API import: its checkpoint and counters
 * (non-zero after a restart) and status running. */
static int open_import(struct tstate *s)
{
    struct import_result *r = s->res;
    struct db_stmt *st;
    r->id = s->o->import_id;
    int rc = db_begin_write(s->c, s->err);
    if (!rc)
        rc = db_query(s->c, &st, s->err, "SELECT rows_done, rows_ok, "
                      "rows_failed, created FROM imports WHERE id = ?", "i",
                      r->id);
    if (!rc) {
        int got = db_step(st, s->err);
        if (got == DB_ROW) {
            s->skip = r->resumed_at = db_col_int(st, 0);
            r->rows_ok = db_col_int(st, 1);
            r->rows_failed = db_col_int(st, 2);
            r->created = db_col_int(st, 3);
        }
        db_done(st);
        if (got != DB_ROW)
            rc = got < 0 ? s->err->code : err_set(s->err, E_NOTFOUND, NULL,
                                                  "no such import");
    }
    if (!rc)
        rc = db_run(s->c, s->err, "UPDATE imports SET status = 'running', "
                    "updated_at = ? WHERE id = ?", "ii", clock_now_ms(),
                    r->id);
    if (!rc)
        rc = db_commit(s->c, s->err);
    if (rc)
        db_rollback(s->c);
    return rc;
}

/* Records the end of an API import on its imports row. */
static void close_import(struct tstate *s, const char *status,
                         const char *msg)
{
    struct err e = {0};
    if (!s->o->import_id || db_begin_write(s->c, &e))
        return;
    if (save_progress(s, status, msg, &e) || db_commit(s->c, &e))
        db_rollback(s->c);
}

int import_touchpoints(struct db_conn *c, FILE *f,
                       const struct import_opts *o, struct import_result *res,
                       struct err *err)
{
    struct tstate s = {.c = c, .o = o, .res = res, .err = err};
    char msg[160];
    int64_t at = 0;
    memset(res, 0, sizeof(*res));
    if (o->import_id && open_import(&s))
        return err->code;
    arena_init(&s.a);
    int rc = csvin_read(f, on_record, &s, msg, sizeof(msg), &at);
    if (rc == -1)
        err_set(err, E_INVALID, NULL, "record %lld: %s", (long long)at, msg);
    if (rc && s.stopped) {
        rc = 0;                         /* status stays running */
    } else if (rc) {
        if (s.in_batch)
            db_rollback(c);
        s.in_batch = 0;
        if (!err->code)
            err_set(err, E_INTERNAL, NULL, "the import stopped");
        close_import(&s, "failed", err->msg);
    } else {
        rc = end_batch(&s);
        close_import(&s, rc ? "failed" : "done", rc ? err->msg : NULL);
    }
    drop_errors(&s);
    free(s.errs);
    arena_release(&s.a);
    return rc ? err->code : 0;
}
