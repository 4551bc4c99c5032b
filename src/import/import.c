/* The import engine: CSV records -> mapped, validated, deduplicated
 * records, written a batch per transaction through model/object.c. */
#include "import/import.h"
#include "import/bulkload.h"
#include "import/csvin.h"
#include "import/mapping.h"
#include "model/crm.h"
#include "store/audit.h"
#include "store/bulk.h"
#include "store/search.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/phone.h"
#include "util/text.h"
#include "util/xalloc.h"

#include <csv.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CELL 65536          /* bytes in one imported value */
#define BULK_MIN 20000          /* data lines from which the bulk path may
                                 * be taken (decision 0008, 2026-11-29) */
#define BULK_CHUNK 5000         /* contacts sent per bulk load */

/* A record the bulk path leaves to the per-row path, copied. */
struct deferred {
    int64_t number;
    int nfields, too_many;
    size_t *lens;
    char *text;             /* the fields, each NUL-terminated */
};

/* The rows of one chunk of the bulk path, per table. */
struct rowset {
    struct rowbuf contacts, stages, terms, audit;
};

struct row_error {
    int64_t row;
    char *column;
    char *reason;
};

struct stage_at {
    const char *stage;
    int64_t at;
};

struct state {
    struct db_conn *c;
    const struct import_opts *o;
    struct import_result *res;
    struct err *err;            /* a fatal error */
    int fatal;
    int stopped;                /* asked to stop: stays "running" */
    struct col_map cols[CSVIN_MAX_COLS];
    char *headers[CSVIN_MAX_COLS];
    int ncols;
    int64_t skip;               /* data rows committed by an earlier run */
    int64_t data_rows;
    int in_batch, batch_rows;
    int64_t batch_ok, batch_failed, batch_created, batch_updated;
    struct row_error *errs;
    int nerrs, caperrs;
    struct arena a;             /* per batch */
    /* the bulk path (decision 0008, 2026-11-29): new contacts are
     * checked here and sent in chunks through store/bulk.c; a row whose
     * email or phone may belong to a contact is left to the per-row
     * path, run after the load in file order */
    int fast;
    struct keyset keys;         /* 'e' emails, 'p' phone keys in use */
    struct idmap owners;        /* owner cell -> user id (0: none) */
    struct idmap companies;     /* company name -> id */
    struct idmap cnames;        /* company id -> name (in s->la) */
    struct idmap refs;          /* references already checked */
    struct arena la;            /* for the whole run */
    struct rowset sets[2];      /* one filled while the other is sent */
    struct rowset *fill;
    struct bgflush bg;          /* the sending thread */
    size_t chunk;               /* contacts per chunk */
    const char *ccols[REC_MAX];
    int nccols;
    int64_t next_id, first_id;
    int row_sp;                 /* this row opened a savepoint */
    char **row_new;             /* companies this row created */
    int nrow_new;
    struct deferred *defer;
    size_t ndefer, capdefer;
    int64_t *rollup;            /* companies of created contacts */
    size_t nrollup, caprollup;
    struct bulk_indexes saved;
    int terms_direct;           /* search rows go straight to search_terms
                                 * (PostgreSQL, its key dropped) */
    struct buf jbuf;            /* a create audit row's JSON */
    struct search_memo *memo;   /* words of the names met so far */
    int became[REC_MAX];        /* per contact field: the first[] slot of
                                 * a became_<stage>_at column, else -1 */
};

/* ---- errors ---- */

/* Notes a row error of the current batch. */
static void row_error(struct state *s, int64_t row, const char *column,
                      const char *reason)
{
    if (s->nerrs == s->caperrs) {
        s->caperrs = s->caperrs ? s->caperrs * 2 : 64;
        s->errs = xrealloc(s->errs, sizeof(*s->errs) * (size_t)s->caperrs);
    }
    s->errs[s->nerrs].row = row;
    s->errs[s->nerrs].column = xstrdup(column);
    s->errs[s->nerrs].reason = xstrdup(reason);
    s->nerrs++;
}

/* Writes one CSV cell with libcsv's quoting. */
static void put_cell(FILE *f, const char *s, int last)
{
    csv_fwrite(f, s ? s : "", s ? strlen(s) : 0);
    fputc(last ? '\n' : ',', f);
}

/* Orders row errors by row (the bulk path reports deferred rows last). */
static int cmp_error(const void *x, const void *y)
{
    const struct row_error *a = x, *b = y;
    return (a->row > b->row) - (a->row < b->row);
}

/* Stores (and writes to the error file) the batch's row errors. */
static int flush_errors(struct state *s, struct err *err)
{
    int rc = 0;
    if (s->nerrs > 1)
        qsort(s->errs, (size_t)s->nerrs, sizeof(*s->errs), cmp_error);
    for (int i = 0; i < s->nerrs; i++) {
        struct row_error *e = &s->errs[i];
        if (!rc && s->res->id)
            rc = db_run(s->c, err, "INSERT INTO import_errors (import_id, "
                        "row_number, column_name, reason) VALUES (?, ?, ?, "
                        "?)", "iitt", s->res->id, e->row, e->column,
                        e->reason);
        if (s->o->errors) {
            char row[24];
            snprintf(row, sizeof(row), "%lld", (long long)e->row);
            put_cell(s->o->errors, row, 0);
            put_cell(s->o->errors, e->column, 0);
            put_cell(s->o->errors, e->reason, 1);
        }
    }
    return rc;
}

/* Frees the batch's row errors. */
static void drop_errors(struct state *s)
{
    for (int i = 0; i < s->nerrs; i++) {
        free(s->errs[i].column);
        free(s->errs[i].reason);
    }
    s->nerrs = 0;
}

/* ---- lookups ---- */

/* An id by one text key, or 0 when none. */
static int find_id(struct db_conn *c, const char *sql, const char *key,
                   int64_t *id, struct err *err)
{
    int rc = db_int(c, err, id, sql, "t", key);
    if (rc == E_NOTFOUND) {
        *id = 0;
        return 0;
    }
    return rc;
}

/* An owner given by email or by name: an active user. */
static int find_owner(struct state *s, const char *v, int64_t *id,
                      struct err *err)
{
    if (s->fast && idmap_get(&s->owners, v, id))
        return 0;
    char *low = arena_strdup(&s->a, v);
    for (char *p = low; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    int rc = find_id(s->c, "SELECT id FROM users WHERE email = ? AND "
                     "active = 1", low, id, err);
    if (!rc && !*id)
        rc = find_id(s->c, "SELECT id FROM users WHERE name = ? AND active "
                     "= 1 ORDER BY id LIMIT 1", v, id, err);
    if (!rc && s->fast)         /* users do not change during an import */
        idmap_put(&s->owners, v, *id);
    return rc;
}

/* The wctx of an import write. */
static struct wctx import_wctx(struct state *s)
{
    struct wctx w = {.c = s->c, .who = s->o->who, .privileged = 1,
                     .reason = "import", .quiet_stages = 1, .bulk = 1,
                     .a = &s->a};
    return w;
}

/* A company by name, created when absent (contacts, deals, activities
 * name their company). */
static int company_by_name(struct state *s, const char *name, int64_t *id,
                           struct err *err)
{
    if (s->fast && idmap_get(&s->companies, name, id))
        return 0;
    int rc = find_id(s->c, "SELECT id FROM companies WHERE name = ? ORDER "
                     "BY id LIMIT 1", name, id, err);
    if (!rc && *id && s->fast)
        idmap_put(&s->companies, name, *id);
    if (rc || *id)
        return rc;
    if (s->fast && !s->row_sp) {    /* undone with the row if it fails */
        rc = db_exec(s->c, "SAVEPOINT import_row", err);
        if (rc)
            return rc;
        s->row_sp = 1;
    }
    struct wctx w = import_wctx(s);
    struct rec in;
    rec_init(&in, &OBJ_COMPANY);
    rec_set_text(&in, "name", name);
    rc = rec_create(&w, &in, id, err);
    rec_release(&in);
    if (!rc && s->fast) {
        idmap_put(&s->companies, name, *id);
        s->row_new = xrealloc(s->row_new, sizeof(char *) *
                              (size_t)(s->nrow_new + 1));
        s->row_new[s->nrow_new++] = xstrdup(name);
    }
    return rc;
}

/* A deal stage by name (any spelling HubSpot uses) in pipeline p. */
static int stage_by_name(struct state *s, int64_t p, const char *name,
                         int64_t *id, struct err *err)
{
    struct db_stmt *st;
    char want[128];
    mapping_key(name, want, sizeof(want));
    *id = 0;
    int rc = db_query(s->c, &st, err, "SELECT id, name FROM pipeline_stages "
                      "WHERE pipeline_id = ? ORDER BY position", "i", p);
    if (rc)
        return rc;
    int r;
    while ((r = db_step(st, err)) == DB_ROW) {
        char k[128];
        mapping_key(db_col_text(st, 1), k, sizeof(k));
        if (!*id && !strcmp(k, want))
            *id = db_col_int(st, 0);
    }
    db_done(st);
    return r < 0 ? err->code : 0;
}

/* A pipeline by name (case and spacing ignored). */
static int pipeline_by_name(struct state *s, const char *name, int64_t *id,
                            struct err *err)
{
    struct db_stmt *st;
    char want[128];
    mapping_key(name, want, sizeof(want));
    *id = 0;
    int rc = db_query(s->c, &st, err, "SELECT id, name FROM pipelines ORDER "
                      "BY position", NULL);
    if (rc)
        return rc;
    int r;
    while ((r = db_step(st, err)) == DB_ROW) {
        char k[128];
        mapping_key(db_col_text(st, 1), k, sizeof(k));
        if (!*id && (!strcmp(k, want) || (!strcmp(want, "default") &&
                                          !strcmp(k, "newbusiness"))))
            *id = db_col_int(st, 0);
    }
    db_done(st);
    return r < 0 ? err->code : 0;
}

/* ---- one row ---- */

struct row {
    json_t *body;
    const char *amount, *stage_name;
    int64_t pipeline;
    struct stage_at became[9];      /* 8 columns + the Lifecycle Stage's */
    int nbecame;
    const char *bad_col, *bad_why;
};

/* Fails the row on column col. */
static int bad(struct row *r, const char *col, const char *why)
{
    r->bad_col = col;
    r->bad_why = why;
    return -1;
}

/* Lead status values of HubSpot's export, and ours. */
static const char *lead_status(const char *v)
{
    static const struct { const char *k, *s; } L[] = {
        {"new", "new"}, {"open", "new"}, {"attempting", "attempting"},
        {"attemptedtocontact", "attempting"}, {"inprogress", "attempting"},
        {"connected", "connected"}, {"accepted", "accepted"},
        {"rejected", "rejected"}, {"unqualified", "rejected"},
        {"badtiming", "bad_timing"}, {"openddeal", "accepted"}};
    char k[64];
    mapping_key(v, k, sizeof(k));
    for (size_t i = 0; i < sizeof(L) / sizeof(L[0]); i++)
        if (!strcmp(k, L[i].k))
            return L[i].s;
    return NULL;
}

/* Converts a value for field f into r->body. */
static int put_field(struct state *s, struct row *r, const char *col,
                     const struct field *f, const char *v)
{
    const char *name = f->name;
    int64_t n;
    char iso[40];
    if (!strcmp(name, "lifecycle_stage")) {
        const char *st = mapping_stage(v);
        if (!st)
            return bad(r, col, "is not a lifecycle stage");
        return json_object_set_new(r->body, name, json_string(st));
    }
    if (!strcmp(name, "source"))
        return json_object_set_new(r->body, name,
                                   json_string(mapping_source(v)));
    if (!strcmp(name, "lead_status")) {
        const char *ls = lead_status(v);
        if (!ls)
            return bad(r, col, "is not a lead status");
        return json_object_set_new(r->body, name, json_string(ls));
    }
    if (!strcmp(name, "size_band")) {
        const char *b = mapping_size_band(v);
        if (!b)
            return bad(r, col, "is not a number of employees");
        return json_object_set_new(r->body, name, json_string(b));
    }
    switch (f->type) {
    case FT_MONEY:
        r->amount = arena_strdup(&s->a, v);
        return 0;
    case FT_INT:
    case FT_REF: {
        char *end;
        n = strtoll(v, &end, 10);
        if (*end || end == v)
            return bad(r, col, "is not a whole number");
        return json_object_set_new(r->body, name, json_integer(n));
    }
    case FT_TIME:
        if (mapping_time(v, &n))
            return bad(r, col, "is not a date or time");
        clock_iso(n, iso, sizeof(iso));
        return json_object_set_new(r->body, name, json_string(iso));
    case FT_DATE:
        if (mapping_time(v, &n))
            return bad(r, col, "is not a date");
        clock_iso(n + 7LL * 3600 * 1000, iso, sizeof(iso));
        iso[10] = '\0';
        return json_object_set_new(r->body, name, json_string(iso));
    case FT_ENUM: {
        char *low = arena_strdup(&s->a, v);
        for (char *p = low; *p; p++)
            if (*p >= 'A' && *p <= 'Z')
                *p = (char)(*p - 'A' + 'a');
        return json_object_set_new(r->body, name, json_string(low));
    }
    default:
        return json_object_set_new(r->body, name, json_string(v));
    }
}

/* Reads one cell into r according to its column's mapping. */
static int put_cell_value(struct state *s, struct row *r, int i,
                          const char *v, struct err *err)
{
    const struct col_map *m = &s->cols[i];
    const char *col = s->headers[i];
    int64_t id = 0, at;
    int rc;
    switch (m->kind) {
    case COL_FIELD:
        return put_field(s, r, col, &s->o->o->fields[object_field(
            s->o->o, m->target)], v);
    case COL_OWNER:
        if ((rc = find_owner(s, v, &id, err)))
            return rc;
        if (!id)
            return bad(r, col, "no active user has this email or name");
        return json_object_set_new(r->body, "owner_id", json_integer(id));
    case COL_COMPANY:
        if ((rc = company_by_name(s, v, &id, err)))
            return rc == E_RULE || rc == E_INVALID ? bad(r, col, err->msg)
                                                   : rc;
        return json_object_set_new(r->body, "company_id", json_integer(id));
    case COL_CONTACT: {
        char *low = arena_strdup(&s->a, v);
        for (char *p = low; *p; p++)
            if (*p >= 'A' && *p <= 'Z')
                *p = (char)(*p - 'A' + 'a');
        if ((rc = find_id(s->c, "SELECT id FROM contacts WHERE email = ?",
                          low, &id, err)))
            return rc;
        if (!id)
            return bad(r, col, "no contact has this email");
        if (s->o->o == &OBJ_DEAL)
            return json_object_set_new(r->body, "contact_ids",
                                       json_pack("[I]", (json_int_t)id));
        return json_object_set_new(r->body, "contact_id", json_integer(id));
    }
    case COL_PIPELINE:
        if ((rc = pipeline_by_name(s, v, &id, err)))
            return rc;
        if (!id)
            return bad(r, col, "no such pipeline");
        r->pipeline = id;
        return json_object_set_new(r->body, "pipeline_id", json_integer(id));
    case COL_STAGE:
        r->stage_name = arena_strdup(&s->a, v);
        return 0;
    case COL_BECAME:
        if (mapping_time(v, &at))
            return bad(r, col, "is not a date or time");
        if (at > clock_now_ms())
            return bad(r, col, "is in the future");
        if (r->nbecame < 8)
            r->became[r->nbecame++] = (struct stage_at){m->target, at};
        return 0;
    default:
        return 0;
    }
}

/* Orders stage dates by time, then funnel position. */
static int cmp_became(const void *x, const void *y)
{
    const struct stage_at *a = x, *b = y;
    if (a->at != b->at)
        return a->at < b->at ? -1 : 1;
    return lifecycle_rank(a->stage) - lifecycle_rank(b->stage);
}

/* Finishes the values that depend on others: amount in the currency,
 * the stage in the pipeline, the stage history's last stage. */
static int finish_row(struct state *s, struct row *r, struct err *err)
{
    if (r->amount) {
        json_t *cur = json_object_get(r->body, "currency");
        const char *c = json_is_string(cur) ? json_string_value(cur) : "VND";
        int dec = !strcmp(c, "VND") || !strcmp(c, "JPY") ||
                  !strcmp(c, "KRW") ? 0 : 2;
        int64_t n;
        if (mapping_amount(r->amount, dec, &n))
            return bad(r, "amount", "is not an amount in the deal's "
                       "currency");
        json_object_set_new(r->body, "amount", json_integer(n));
    }
    if (r->stage_name) {
        int64_t p = r->pipeline, id;
        int rc = p ? 0 : pipeline_by_name(s, "default", &p, err);
        if (!rc)
            rc = stage_by_name(s, p, r->stage_name, &id, err);
        if (rc)
            return rc;
        if (!id)
            return bad(r, "stage", "is not a stage of the deal's pipeline");
        json_object_set_new(r->body, "pipeline_id", json_integer(p));
        json_object_set_new(r->body, "stage_id", json_integer(id));
    }
    qsort(r->became, (size_t)r->nbecame, sizeof(r->became[0]), cmp_became);
    if (r->nbecame && !json_object_get(r->body, "lifecycle_stage"))
        json_object_set_new(r->body, "lifecycle_stage", json_string(
            r->became[r->nbecame - 1].stage));
    return 0;
}

/* The existing record this row is (contacts by email then phone,
 * companies by domain then name), or 0. */
static int find_existing(struct state *s, struct row *r, int64_t *id,
                         struct err *err)
{
    *id = 0;
    json_t *v;
    int rc = 0;
    if (s->o->o == &OBJ_CONTACT) {
        v = json_object_get(r->body, "email");
        if (json_is_string(v)) {
            char *low = arena_strdup(&s->a, json_string_value(v));
            for (char *p = low; *p; p++)
                if (*p >= 'A' && *p <= 'Z')
                    *p = (char)(*p - 'A' + 'a');
            rc = find_id(s->c, "SELECT id FROM contacts WHERE email = ?",
                         low, id, err);
        }
        v = json_object_get(r->body, "phone");
        char e164[32];
        if (!rc && !*id && json_is_string(v) &&
            !phone_e164(json_string_value(v), e164, sizeof(e164)))
            rc = find_id(s->c, "SELECT id FROM contacts WHERE phone_key = ?",
                         e164, id, err);
    } else if (s->o->o == &OBJ_COMPANY) {
        v = json_object_get(r->body, "domain");
        if (json_is_string(v))
            rc = find_id(s->c, "SELECT id FROM companies WHERE domain = ?",
                         crm_domain_key(json_string_value(v), &s->a), id, err);
        v = json_object_get(r->body, "name");
        if (!rc && !*id && json_is_string(v))
            rc = find_id(s->c, "SELECT id FROM companies WHERE name = ? "
                         "ORDER BY id LIMIT 1", json_string_value(v), id,
                         err);
    }
    return rc;
}

/* Adds the row's Lifecycle Stage column to its Became dates when no date
 * names it and the contact is not there already (before: its stage, NULL
 * for a new contact), dated by the last Became date, else its creation,
 * else now. */
static void add_target_stage(struct row *r, const char *before)
{
    json_t *st = json_object_get(r->body, "lifecycle_stage");
    const char *target = json_is_string(st) ? json_string_value(st) : NULL;
    int has = 0;
    for (int i = 0; i < r->nbecame; i++)
        has |= target && !strcmp(r->became[i].stage, target);
    if (target && !has && (!before || strcmp(before, target))) {
        json_t *c = json_object_get(r->body, "created_at");
        int64_t at = clock_now_ms();
        if (r->nbecame)
            at = r->became[r->nbecame - 1].at;
        else if (json_is_string(c))
            clock_parse_iso(json_string_value(c), &at);
        r->became[r->nbecame++] = (struct stage_at){target, at};
    }
}

/* Writes the stage history the row's columns give: each Became date, and
 * the Lifecycle Stage column when no date names it; none twice. */
static int write_stages(struct state *s, struct row *r, int64_t id,
                        const char *before, struct err *err)
{
    struct wctx w = import_wctx(s);
    add_target_stage(r, before);
    const char *from = before;
    int rc = 0;
    for (int i = 0; !rc && i < r->nbecame; i++) {
        int64_t n = 0;
        rc = db_int(s->c, err, &n, "SELECT COUNT(*) FROM stage_changes "
                    "WHERE contact_id = ? AND to_stage = ? AND at = ?", "iti",
                    id, r->became[i].stage, r->became[i].at);
        if (!rc && !n)
            rc = crm_stage_changed(&w, id, from, r->became[i].stage,
                                   r->became[i].at, "import", err);
        from = r->became[i].stage;
    }
    return rc;
}

/* Creates or updates (id: the existing record, or 0) the record of a
 * checked row. */
static int write_row(struct state *s, struct row *r, int64_t id,
                     struct err *err)
{
    struct rec in;
    struct wctx w = import_wctx(s);
    const char *before = NULL;
    int rc = 0;
    if (id && s->o->o == &OBJ_CONTACT) {
        struct db_stmt *st;
        rc = db_query(s->c, &st, err, "SELECT lifecycle_stage FROM contacts "
                      "WHERE id = ?", "i", id);
        if (!rc && db_step(st, err) == DB_ROW)
            before = arena_strdup(&s->a, db_col_text(st, 0));
        if (!rc)
            db_done(st);
    }
    if (rc)
        return rc;
    rc = rec_from_json(s->c, s->o->o, r->body, !id, 1, &in, &s->a, err);
    if (!rc)
        rc = id ? rec_update(&w, id, &in, err) : rec_create(&w, &in, &id,
                                                             err);
    rec_release(&in);
    if (!rc && s->o->o == &OBJ_CONTACT)
        rc = write_stages(s, r, id, before, err);
    return rc;
}

/* Whether code is a problem of the row (reported) rather than of the
 * database (fatal). */
static int row_problem(int code)
{
    return code == E_INVALID || code == E_RULE || code == E_CONFLICT ||
           code == E_NOTFOUND || code == E_FORBIDDEN;
}

/* The CSV column behind a field an error names (the field itself when
 * no column maps to it). */
static const char *column_of(const struct state *s, const char *field)
{
    for (int i = 0; field && i < s->ncols; i++)
        if (s->cols[i].target && !strcmp(s->cols[i].target, field))
            return s->headers[i];
    if (field && !strcmp(field, "owner_id"))
        for (int i = 0; i < s->ncols; i++)
            if (s->cols[i].kind == COL_OWNER)
                return s->headers[i];
    return field;
}

/* Reads the cells of rec into r (bad() marks a refused cell), then the
 * values that depend on others. */
static int read_row(struct state *s, const struct csv_record *rec,
                   struct row *r, struct err *err)
{
    int rc = 0;
    for (int i = 0; !rc && !r->bad_col && i < s->ncols; i++) {
        const char *v;
        if (s->cols[i].kind == COL_IGNORE || !rec->lens[i])
            continue;
        if (rec->lens[i] > MAX_CELL) {
            bad(r, s->headers[i], "is longer than 65536 bytes");
            break;
        }
        struct err e2 = {0};
        if (text_normalize(rec->fields[i], rec->lens[i], MAX_CELL,
                           s->headers[i], &v, &s->a, &e2)) {
            bad(r, s->headers[i], arena_strdup(&s->a, e2.msg));
            break;
        }
        while (*v == ' ')
            v++;
        if (*v)
            rc = put_cell_value(s, r, i, v, err);
    }
    if (!rc && !r->bad_col)
        rc = finish_row(s, r, err);
    return rc;
}

/* Imports one data record inside the batch, under a savepoint. */
static int import_record(struct state *s, const struct csv_record *rec)
{
    struct row r = {.body = json_object()};
    struct err err = {0};
    int rc = 0;
    if (rec->too_many || rec->nfields != s->ncols) {
        char why[96];
        int nl = 0;
        for (int i = 0; i < rec->nfields && !rec->too_many; i++)
            nl |= memchr(rec->fields[i], '\n', rec->lens[i]) != NULL;
        snprintf(why, sizeof(why), nl && rec->nfields < s->ncols
                 ? "a quote is not closed (%d fields; the header has %d)"
                 : "has %d fields; the header has %d", rec->nfields,
                 s->ncols);
        row_error(s, rec->number, NULL, why);
        json_decref(r.body);
        s->batch_failed++;
        return 0;
    }
    rc = db_exec(s->c, "SAVEPOINT import_row", &err);
    if (!rc)
        rc = read_row(s, rec, &r, &err);
    int64_t existing = 0;
    if (!rc && !r.bad_col)
        rc = find_existing(s, &r, &existing, &err);
    if (!rc && !r.bad_col)
        rc = write_row(s, &r, existing, &err);
    if (rc == -1)
        rc = 0;             /* bad() marked the row */
    if (r.bad_col || (rc && row_problem(rc))) {
        struct err e3 = {0};
        db_exec(s->c, "ROLLBACK TO SAVEPOINT import_row", &e3);
        db_exec(s->c, "RELEASE SAVEPOINT import_row", &e3);
        row_error(s, rec->number, r.bad_col ? r.bad_col
                                            : column_of(s, err.field),
                  r.bad_col ? r.bad_why : err.msg);
        s->batch_failed++;
        rc = 0;
    } else if (!rc) {
        rc = db_exec(s->c, "RELEASE SAVEPOINT import_row", &err);
        s->batch_ok++;
        if (existing)
            s->batch_updated++;
        else
            s->batch_created++;
    }
    json_decref(r.body);
    if (rc) {
        *s->err = err;
        s->fatal = 1;
    }
    return rc;
}

/* ---- the bulk path (decision 0008, 2026-11-29) ---- */

/* An ASCII lower-cased arena copy of s. */
static char *lower(struct state *s, const char *v)
{
    char *low = arena_strdup(&s->a, v);
    for (char *p = low; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return low;
}

/* The row's email and phone as find_existing looks them up. */
static void raw_keys(struct state *s, const struct row *r,
                     const char **email, const char **phone)
{
    json_t *v = json_object_get(r->body, "email");
    char e164[32];
    *email = json_is_string(v) ? lower(s, json_string_value(v)) : NULL;
    v = json_object_get(r->body, "phone");
    *phone = json_is_string(v) && !phone_e164(json_string_value(v), e164,
                                              sizeof(e164))
             ? arena_strdup(&s->a, e164) : NULL;
}

/* Whether a contact may already hold the email or phone key. */
static int keys_used(const struct state *s, const char *email,
                     const char *phone)
{
    return (email && keyset_has(&s->keys, 'e', email)) ||
           (phone && keyset_has(&s->keys, 'p', phone));
}

/* Notes keys as in use (or possibly in use, for a deferred row). */
static void keys_add(struct state *s, const char *email, const char *phone)
{
    if (email)
        keyset_add(&s->keys, 'e', email);
    if (phone)
        keyset_add(&s->keys, 'p', phone);
}

/* rec_check_refs, once per referenced record: the import holds the write
 * lock, so a record checked stays there. */
static int check_refs_once(struct state *s, struct wctx *w,
                           const struct rec *in, struct err *err)
{
    char k1[32] = "", k2[32] = "";
    int64_t x;
    if (rec_int(in, "company_id"))
        snprintf(k1, sizeof(k1), "c%lld", (long long)rec_int(in,
                                                             "company_id"));
    if (rec_int(in, "owner_id"))
        snprintf(k2, sizeof(k2), "u%lld", (long long)rec_int(in,
                                                             "owner_id"));
    if ((!*k1 || idmap_get(&s->refs, k1, &x)) &&
        (!*k2 || idmap_get(&s->refs, k2, &x)))
        return 0;
    int rc = rec_check_refs(w, in, err);
    if (!rc && *k1)
        idmap_put(&s->refs, k1, 1);
    if (!rc && *k2)
        idmap_put(&s->refs, k2, 1);
    return rc;
}

/* The name of company id (for the contact's search rows), cached. */
static int company_name(struct state *s, int64_t id, const char **name,
                        struct err *err)
{
    char k[32];
    int64_t p;
    snprintf(k, sizeof(k), "%lld", (long long)id);
    if (idmap_get(&s->cnames, k, &p)) {
        *name = (const char *)(intptr_t)p;
        return 0;
    }
    struct db_stmt *st;
    int rc = db_query(s->c, &st, err, "SELECT name FROM companies WHERE id "
                      "= ?", "i", id);
    if (rc)
        return rc;
    int r = db_step(st, err);
    *name = r == DB_ROW && db_col_text(st, 0)
            ? arena_strdup(&s->la, db_col_text(st, 0)) : NULL;
    db_done(st);
    if (r < 0)
        return err->code;
    idmap_put(&s->cnames, k, (int64_t)(intptr_t)*name);
    return 0;
}

/* The stage history write_stages gives a new contact, as rows of
 * s->fill->stages, and what note_first_entry keeps of it: the first entry
 * into each stage (first[], by LIFECYCLE_STAGES index) and the highest
 * funnel rank. */
static void queue_stages(struct state *s, struct row *r, int64_t id,
                         int64_t first[8], int *highest)
{
    add_target_stage(r, NULL);
    const char *from = NULL;
    int64_t by = s->o->who ? s->o->who->user.id : 0;
    for (int i = 0; i < r->nbecame; i++) {
        const struct stage_at *b = &r->became[i];
        int dup = 0;
        for (int j = 0; j < i; j++)
            dup |= !strcmp(r->became[j].stage, b->stage) &&
                   r->became[j].at == b->at;
        if (!dup) {
            rowbuf_int(&s->fill->stages, id);
            rowbuf_text(&s->fill->stages, from);
            rowbuf_text(&s->fill->stages, b->stage);
            rowbuf_int(&s->fill->stages, b->at);
            if (by)
                rowbuf_int(&s->fill->stages, by);
            else
                rowbuf_text(&s->fill->stages, NULL);
            rowbuf_text(&s->fill->stages, "import");
            int k = lifecycle_rank(b->stage);
            int col = k == 0 ? 7 : k - 1;
            if (k >= 0 && (!first[col] || first[col] > b->at))
                first[col] = b->at;
            if (k > *highest)
                *highest = k;
        }
        from = b->stage;
    }
}

/* The contacts row of in (id given), as q_rec_insert and the stage
 * history would leave it. */
static void queue_contact_row(struct state *s, const struct rec *in,
                              int64_t id, const int64_t first[8],
                              int highest)
{
    const struct object *o = &OBJ_CONTACT;
    for (int i = 0; i < o->nfields; i++) {
        const struct field *f = &o->fields[i];
        const struct val *v = &in->v[i];
        if (f->flags & FF_VIRTUAL)
            continue;
        if (f->type == FT_ID) {
            rowbuf_int(&s->fill->contacts, id);
        } else if (s->became[i] >= 0) {
            int col = s->became[i];
            if (first[col])
                rowbuf_int(&s->fill->contacts, first[col]);
            else
                rowbuf_text(&s->fill->contacts, NULL);
        } else if (!strcmp(f->name, "highest_stage")) {
            rowbuf_text(&s->fill->contacts, highest > 0
                        ? LIFECYCLE_STAGES[highest - 1] : NULL);
        } else if (!v->set) {   /* the column's default */
            if (f->flags & FF_NOTNULL)
                rowbuf_int(&s->fill->contacts, 0);
            else
                rowbuf_text(&s->fill->contacts, NULL);
        } else if (v->null) {
            rowbuf_text(&s->fill->contacts, NULL);
        } else if (f->type == FT_CUSTOM) {
            char *d = json_dumps(v->j, JSON_COMPACT | JSON_SORT_KEYS);
            rowbuf_text(&s->fill->contacts, d ? d : "{}");
            free(d);
        } else if (f->type == FT_INT || f->type == FT_MONEY ||
                   f->type == FT_REF || f->type == FT_TIME) {
            rowbuf_int(&s->fill->contacts, v->i);
        } else {
            rowbuf_text(&s->fill->contacts, v->s);
        }
    }
}

/* Orders search rows by term, byte by byte. */
static int cmp_term(const void *x, const void *y)
{
    return strcmp(((const struct sterm *)x)->term,
                  ((const struct sterm *)y)->term);
}

/* Queues a checked new contact: its row, stage history, search rows and
 * create audit row, as rec_create, contact_after and write_stages
 * would write them. */
static int queue_contact(struct state *s, struct row *r, struct rec *in,
                         struct err *err)
{
    int64_t id = s->next_id++, first[8] = {0};
    int highest = 0;
    const char *coname = NULL;
    int rc = 0;
    if (rec_int(in, "company_id"))
        rc = company_name(s, rec_int(in, "company_id"), &coname, err);
    if (rc)
        return rc;
    struct sterm *t;
    const char *texts[4] = {rec_text(in, "first_name"),
        rec_text(in, "last_name"), rec_text(in, "email"), coname};
    const char *phones[1] = {rec_text(in, "phone")};
    /* names and the company through the memo; emails are unique */
    int n = search_terms_memo(texts, 4, 0xb, phones, 1, &t, &s->a,
                              s->memo);
    if (n < 0)
        return err_set(err, E_INVALID, NULL, "text is not valid UTF-8");
    queue_stages(s, r, id, first, &highest);
    queue_contact_row(s, in, id, first, highest);
    /* in term order (bytes, as term's collation "C"): the rows then lie
     * in search_terms_record's order (kind, record_id, term) and
     * PostgreSQL's build of that index finds its input already sorted */
    if (n > 1)
        qsort(t, (size_t)n, sizeof(*t), cmp_term);
    for (int i = 0; i < n; i++) {
        rowbuf_int(&s->fill->terms, SEARCH_CONTACT);
        rowbuf_text(&s->fill->terms, t[i].term);
        rowbuf_int(&s->fill->terms, id);
        rowbuf_text(&s->fill->terms, t[i].word);
    }
    in->v[0].set = 1;
    in->v[0].i = id;
    s->jbuf.len = 0;
    rec_dump_sorted(in, &s->jbuf);      /* json_dumps(rec_to_json) */
    rowbuf_int(&s->fill->audit, clock_now_ms());
    rowbuf_int(&s->fill->audit, s->o->who ? s->o->who->user.id : 0);
    rowbuf_text(&s->fill->audit, "create");
    rowbuf_text(&s->fill->audit, "contact");
    rowbuf_int(&s->fill->audit, id);
    rowbuf_text(&s->fill->audit, NULL);
    rowbuf_text(&s->fill->audit, buf_cstr(&s->jbuf));
    keys_add(s, rec_text(in, "email"), rec_text(in, "phone_key"));
    if (rec_int(in, "company_id")) {
        if (s->nrollup == s->caprollup) {
            s->caprollup = s->caprollup ? s->caprollup * 2 : 256;
            s->rollup = xrealloc(s->rollup, sizeof(int64_t) * s->caprollup);
        }
        s->rollup[s->nrollup++] = rec_int(in, "company_id");
    }
    return 0;
}

/* Checks a row of no known contact as rec_create would, then queues it;
 * *defer when its keys, once normalised, may belong to a contact. */
static int create_fast(struct state *s, struct row *r, int rawhit,
                       const char *email, const char *phone, int *defer,
                       struct err *err)
{
    struct rec in;
    struct wctx w = import_wctx(s);
    int rc = rec_from_json(s->c, &OBJ_CONTACT, r->body, 1, 1, &in, &s->a,
                           err);
    if (rawhit) {               /* the per-row path decides, after the load */
        *defer = 1;
        keys_add(s, email, phone);
        if (!rc) {
            crm_contact_set_phone_key(&in);
            keys_add(s, rec_text(&in, "email"), rec_text(&in, "phone_key"));
        }
        rec_release(&in);
        return 0;
    }
    if (!rc) {
        rec_defaults(&w, &in);
        rc = check_refs_once(s, &w, &in, err);
    }
    if (!rc) {
        crm_contact_set_phone_key(&in);
        if (keys_used(s, rec_text(&in, "email"), rec_text(&in,
                                                           "phone_key"))) {
            *defer = 1;
            keys_add(s, rec_text(&in, "email"), rec_text(&in, "phone_key"));
            rec_release(&in);
            return 0;
        }
        rc = crm_contact_check_rules(&in, NULL, err);
    }
    if (!rc)
        rc = queue_contact(s, r, &in, err);
    rec_release(&in);
    return rc;
}

/* Keeps a copy of rec for the per-row path. */
static void defer_record(struct state *s, const struct csv_record *rec)
{
    size_t total = 0;
    if (s->ndefer == s->capdefer) {
        s->capdefer = s->capdefer ? s->capdefer * 2 : 64;
        s->defer = xrealloc(s->defer, sizeof(*s->defer) * s->capdefer);
    }
    struct deferred *d = &s->defer[s->ndefer++];
    d->number = rec->number;
    d->nfields = rec->nfields;
    d->too_many = rec->too_many;
    d->lens = xmalloc(sizeof(size_t) * (size_t)(rec->nfields + 1));
    for (int i = 0; i < rec->nfields; i++)
        total += rec->lens[i] + 1;
    d->text = xmalloc(total + 1);
    char *p = d->text;
    for (int i = 0; i < rec->nfields; i++) {
        d->lens[i] = rec->lens[i];
        memcpy(p, rec->fields[i], rec->lens[i]);
        p[rec->lens[i]] = '\0';
        p += rec->lens[i] + 1;
    }
}

/* Ends the row's savepoint: kept, or undone with the companies it
 * created forgotten. */
static int end_row(struct state *s, int keep, struct err *err)
{
    int rc = 0;
    if (s->row_sp && keep) {
        rc = db_exec(s->c, "RELEASE SAVEPOINT import_row", err);
    } else if (s->row_sp) {
        struct err e3 = {0};
        db_exec(s->c, "ROLLBACK TO SAVEPOINT import_row", &e3);
        db_exec(s->c, "RELEASE SAVEPOINT import_row", &e3);
        for (int i = 0; i < s->nrow_new; i++)
            idmap_del(&s->companies, s->row_new[i]);
    }
    for (int i = 0; i < s->nrow_new; i++)
        free(s->row_new[i]);
    s->nrow_new = 0;
    s->row_sp = 0;
    return rc;
}

/* Sends the queued rows, contacts before the rows referring to them:
 * handed to the sending thread while the next chunk is read, or, for the
 * last chunk, sent here once the thread is done. */
static int flush_fast(struct state *s, int last, struct err *err)
{
    struct rowset *x = s->fill;
    struct rowbuf *const bufs[4] = {&x->contacts, &x->stages, &x->terms,
                                    &x->audit};
    int rc = s->bg.started ? bgflush_wait(&s->bg, err) : 0;
    if (!rc && s->bg.started && !last) {
        bgflush_submit(&s->bg, bufs, 4);
        s->fill = x == &s->sets[0] ? &s->sets[1] : &s->sets[0];
    } else {
        for (int i = 0; !rc && i < 4; i++)
            rc = rowbuf_flush(s->c, bufs[i], err);
    }
    arena_release(&s->a);
    arena_init(&s->a);
    return rc;
}

/* The bulk path's import_record: a new contact is queued; a row that may
 * be an existing contact waits for the per-row path. */
static int import_record_fast(struct state *s, const struct csv_record *rec)
{
    if (rec->too_many || rec->nfields != s->ncols)
        return import_record(s, rec);       /* a row error, no writes */
    struct row r = {.body = json_object()};
    struct err err = {0};
    const char *email = NULL, *phone = NULL;
    int defer = 0;
    int rc = read_row(s, rec, &r, &err);
    if (!rc && !r.bad_col) {
        raw_keys(s, &r, &email, &phone);
        rc = create_fast(s, &r, keys_used(s, email, phone), email, phone,
                         &defer, &err);
    }
    if (rc == -1)
        rc = 0;
    if (!rc && defer) {
        rc = end_row(s, 0, &err);
        defer_record(s, rec);
    } else if (r.bad_col || (rc && row_problem(rc))) {
        end_row(s, 0, &err);
        row_error(s, rec->number, r.bad_col ? r.bad_col
                                            : column_of(s, err.field),
                  r.bad_col ? r.bad_why : err.msg);
        s->batch_failed++;
        rc = 0;
    } else if (!rc) {
        rc = end_row(s, 1, &err);
        s->batch_ok++;
        s->batch_created++;
    }
    json_decref(r.body);
    if (!rc && rowbuf_rows(&s->fill->contacts) >= s->chunk)
        rc = flush_fast(s, 0, &err);
    if (rc) {
        *s->err = err;
        s->fatal = 1;
    }
    return rc;
}

/* Whether table holds at most limit rows (counting no further). */
static int table_within(struct state *s, const char *table, int64_t limit,
                        int *yes, struct err *err)
{
    int64_t n = 0;
    char sql[160];
    snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM (SELECT 1 FROM %s "
             "LIMIT ?) t", table);
    int rc = db_int(s->c, err, &n, sql, "i", limit + 1);
    *yes = !rc && n <= limit;
    return rc;
}

/* Data lines of f (an estimate of its rows: a quoted line break counts
 * too); f is rewound. */
static int64_t count_lines(FILE *f)
{
    char buf[65536];
    size_t n;
    int64_t lines = 0;
    rewind(f);
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        for (const char *p = buf; (p = memchr(p, '\n', n - (size_t)(p - buf)));
             p++)
            lines++;
    rewind(f);
    return lines > 0 ? lines - 1 : 0;
}

/* Whether to take the bulk path: contacts, not a dry run nor a resumed
 * run, at least BULK_MIN lines, and no more contacts in the database
 * than the file has lines. PHEU_IMPORT_PATH=rows|bulk (tests) forces
 * the choice where the bulk path is possible. */
static int want_fast(struct state *s, FILE *f, int64_t *lines,
                     struct err *err)
{
    const char *force = getenv("PHEU_IMPORT_PATH");
    int yes = 0;
    *lines = 0;
    if (s->o->o != &OBJ_CONTACT || s->o->dry_run || s->skip ||
        (force && !strcmp(force, "rows")))
        return 0;
    *lines = count_lines(f);
    if (force && !strcmp(force, "bulk"))
        return 1;
    if (*lines < BULK_MIN)
        return 0;
    if (table_within(s, "contacts", *lines, &yes, err))
        return -1;
    return yes;
}

/* Contacts per chunk: BULK_CHUNK, or PHEU_IMPORT_CHUNK (the tests make
 * chunks of two rows, so the sending thread runs between rows that
 * create companies or fail). */
static size_t chunk_size(void)
{
    const char *v = getenv("PHEU_IMPORT_CHUNK");
    char *end;
    long n = v ? strtol(v, &end, 10) : 0;
    return v && !*end && n > 0 ? (size_t)n : BULK_CHUNK;
}

/* Prepares the empty buffers of one chunk (s->ccols, s->terms_direct
 * set). */
static void init_rowset(struct state *s, struct rowset *x)
{
    static const char *const terms[] = {"kind", "term", "record_id",
                                        "word"};
    static const char *const stages[] = {"contact_id", "from_stage",
        "to_stage", "at", "by_user", "reason"};
    static const char *const audit[] = {"at", "user_id", "action",
        "object", "object_id", "old_values", "new_values"};
    rowbuf_init(&x->contacts, "contacts", s->ccols, s->nccols);
    rowbuf_init(&x->terms, s->terms_direct ? "search_terms" : "import_terms",
                terms, 4);
    rowbuf_init(&x->stages, "stage_changes", stages, 6);
    rowbuf_init(&x->audit, "audit_log", audit, 7);
}

/* Notes which contact fields are became_<stage>_at columns and the
 * first[] slot of each (queue_stages' order), once per import instead of
 * once per row. */
static void map_became(struct state *s)
{
    for (int i = 0; i < OBJ_CONTACT.nfields; i++) {
        const char *name = OBJ_CONTACT.fields[i].name;
        size_t n = strlen(name);
        char stage[64] = "";
        s->became[i] = -1;
        if (strncmp(name, "became_", 7) || n < 10 || n - 10 >= sizeof(stage))
            continue;
        memcpy(stage, name + 7, n - 10);
        int k = lifecycle_rank(stage);
        if (k >= 0)
            s->became[i] = k == 0 ? 7 : k - 1;
    }
}

/* Starts the bulk path's one transaction: settings for the load, the
 * keys in use, the indexes of the tables the load outgrows. */
static int begin_fast(struct state *s, int64_t lines, struct err *err)
{
    /* rows per contact loaded, at most: the demo data's averages */
    static const struct { const char *table; int per; } GROW[] = {
        {"contacts", 1}, {"search_terms", 8}, {"stage_changes", 2},
        {"audit_log", 1}};
    struct db_stmt *st = NULL;
    int rc = db_begin_write(s->c, err), r;
    s->in_batch = !rc;
    if (!rc)
        rc = bulk_tune_import(s->c, err);
    if (!rc)
        rc = db_query(s->c, &st, err, "SELECT email, phone_key FROM "
                      "contacts", NULL);
    if (!rc) {
        while ((r = db_step(st, err)) == DB_ROW)
            keys_add(s, db_col_text(st, 0), db_col_text(st, 1));
        db_done(st);
        if (r < 0)
            rc = err->code;
    }
    for (size_t i = 0; !rc && i < sizeof(GROW) / sizeof(GROW[0]); i++) {
        int small = 0;
        rc = table_within(s, GROW[i].table, lines * GROW[i].per, &small,
                          err);
        if (!rc && small)
            rc = bulk_indexes_drop(s->c, GROW[i].table, &s->saved, err);
        if (!rc && small && !strcmp(GROW[i].table, "search_terms"))
            rc = bulk_pkey_drop(s->c, "search_terms", &s->saved,
                                &s->terms_direct, err);
        /* the import checks owners and companies itself and gives stage
         * changes the ids it creates: one join at the end checks them */
        if (!rc && small)
            rc = bulk_fkeys_drop(s->c, GROW[i].table, &s->saved, err);
    }
    if (!rc)
        rc = bulk_next_id(s->c, "contacts", &s->first_id, err);
    s->next_id = s->first_id;
    s->nccols = 0;
    map_became(s);
    for (int i = 0; i < OBJ_CONTACT.nfields; i++)
        if (!(OBJ_CONTACT.fields[i].flags & FF_VIRTUAL))
            s->ccols[s->nccols++] = OBJ_CONTACT.fields[i].name;
    /* search rows arrive in contact order, the index wants them by term:
     * gathered apart and sorted once at the end (1.5 s instead of 5.8 s
     * of random B-tree inserts per 100,000 contacts on SQLite); on
     * PostgreSQL, once search_terms' key is dropped, they go straight in
     * and the key is built by one sort with the other indexes */
    if (!rc && !s->terms_direct)
        rc = db_exec(s->c, "CREATE TEMP TABLE import_terms (kind INTEGER, "
                     "term TEXT, record_id BIGINT, word TEXT)", err);
    for (int i = 0; i < 2; i++)
        init_rowset(s, &s->sets[i]);
    s->fill = &s->sets[0];
    s->chunk = chunk_size();
    s->memo = search_memo_new();
    if (!rc)
        rc = bgflush_start(&s->bg, s->c, err);
    buf_init(&s->jbuf, (size_t)-1);
    return rc;
}

/* Orders ids. */
static int cmp_id(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

/* Ends the bulk load: the last chunk, the id generator, the indexes,
 * then the deferred rows through the per-row path in file order, the
 * companies' stages; end_batch commits it all with the report. */
static int finish_fast(struct state *s)
{
    struct err err = {0};
    int rc = flush_fast(s, 1, &err);
    bgflush_stop(&s->bg);
    if (!rc && s->next_id > s->first_id)
        rc = db_sync_ids(s->c, "contacts", &err);
    if (!rc && !s->terms_direct)
        rc = db_exec(s->c, "INSERT INTO search_terms (kind, term, record_id, "
                     "word) SELECT kind, term, record_id, word FROM "
                     "import_terms ORDER BY kind, term, word, record_id; "
                     "DROP TABLE import_terms", &err);
    if (!rc)
        rc = bulk_indexes_restore(s->c, &s->saved, &err);
    s->fast = 0;                /* the per-row path from here on */
    for (size_t i = 0; !rc && i < s->ndefer; i++) {
        struct deferred *d = &s->defer[i];
        struct csv_record rec = {.number = d->number, .nfields = d->nfields,
                                 .too_many = d->too_many};
        const char *p = d->text;
        for (int j = 0; j < d->nfields; j++) {
            rec.fields[j] = p;
            rec.lens[j] = d->lens[j];
            p += d->lens[j] + 1;
        }
        rc = import_record(s, &rec);
        if (rc)
            return rc;          /* import_record set s->err */
        if (i % IMPORT_BATCH == IMPORT_BATCH - 1) {
            arena_release(&s->a);
            arena_init(&s->a);
        }
    }
    if (s->nrollup > 1)
        qsort(s->rollup, s->nrollup, sizeof(int64_t), cmp_id);
    for (size_t i = 0; !rc && i < s->nrollup; i++)
        if (!i || s->rollup[i] != s->rollup[i - 1])
            rc = crm_rollup_company(s->c, s->rollup[i], &err);
    static const char *const analyzed[] = {"contacts", "search_terms",
                                           "stage_changes"};
    for (int i = 0; !rc && i < 3; i++)
        rc = bulk_analyze(s->c, analyzed[i], &err);
    if (rc) {
        *s->err = err;
        s->fatal = 1;
    }
    return rc;
}

/* Frees what the bulk path holds. */
static void release_fast(struct state *s)
{
    keyset_release(&s->keys);
    idmap_release(&s->owners);
    idmap_release(&s->companies);
    idmap_release(&s->cnames);
    idmap_release(&s->refs);
    arena_release(&s->la);
    bgflush_stop(&s->bg);
    for (int i = 0; i < 2; i++) {
        rowbuf_release(&s->sets[i].contacts);
        rowbuf_release(&s->sets[i].terms);
        rowbuf_release(&s->sets[i].stages);
        rowbuf_release(&s->sets[i].audit);
    }
    for (size_t i = 0; i < s->ndefer; i++) {
        free(s->defer[i].lens);
        free(s->defer[i].text);
    }
    free(s->defer);
    free(s->rollup);
    free(s->row_new);
    bulk_indexes_release(&s->saved);
    buf_release(&s->jbuf);
    search_memo_free(s->memo);
}

/* ---- batches ---- */

/* Updates the imports row's counters (in the current transaction). */
static int save_progress(struct state *s, const char *status,
                         const char *msg, struct err *err)
{
    struct import_result *res = s->res;
    if (!res->id)
        return 0;
    return db_run(s->c, err, "UPDATE imports SET status = ?, rows_total = "
                  "?, rows_done = ?, rows_ok = ?, rows_failed = ?, created "
                  "= ?, updated = ?, message = ?, updated_at = ? WHERE id = "
                  "?", "tiiiiiitii", status, res->rows_total,
                  s->data_rows, res->rows_ok, res->rows_failed, res->created,
                  res->updated, msg, clock_now_ms(), res->id);
}

/* Ends the open batch: commits it with its errors and checkpoint, or for
 * a dry run rolls the records back and keeps the report. */
static int end_batch(struct state *s)
{
    struct err err = {0};
    int rc = 0;
    if (!s->in_batch)
        return 0;
    if (s->o->dry_run) {
        db_rollback(s->c);
        rc = db_begin_write(s->c, &err);
    }
    s->res->rows_ok += s->batch_ok;
    s->res->rows_failed += s->batch_failed;
    s->res->created += s->batch_created;
    s->res->updated += s->batch_updated;
    s->res->rows_total = s->data_rows;
    if (!rc)
        rc = flush_errors(s, &err);
    if (!rc)
        rc = save_progress(s, "running", NULL, &err);
    if (!rc && s->res->id && !s->o->dry_run)
        rc = audit_write(s->c, s->o->who ? s->o->who->user.id : 0, "import",
                         s->o->o->name, s->res->id, NULL, NULL, &err);
    if (!rc)
        rc = db_commit(s->c, &err);
    if (rc) {
        db_rollback(s->c);
        *s->err = err;
        s->fatal = 1;
    }
    drop_errors(s);
    s->in_batch = 0;
    s->batch_rows = 0;
    s->batch_ok = s->batch_failed = s->batch_created = s->batch_updated = 0;
    arena_release(&s->a);
    arena_init(&s->a);
    if (s->o->progress)
        s->o->progress(s->data_rows, s->o->progress_ctx);
    return rc;
}

/* Maps the header record; refuses a header that maps nothing. */
static int read_header(struct state *s, const struct csv_record *rec)
{
    int mapped = 0;
    s->ncols = rec->nfields;
    for (int i = 0; i < rec->nfields; i++) {
        s->headers[i] = xstrdup(rec->fields[i]);
        s->cols[i] = mapping_column(s->o->o, rec->fields[i], s->o->map);
        mapped += s->cols[i].kind != COL_IGNORE;
    }
    if (!mapped) {
        err_set(s->err, E_INVALID, NULL, "no column of the header names a "
                "field of %s", s->o->o->plural);
        s->fatal = 1;
        return 1;
    }
    return 0;
}

/* The bulk path's data record: progress and the stop flag every
 * IMPORT_BATCH rows; a stop rolls the whole load back (the run stays
 * "running" and starts again at the next start). */
static int on_record_fast(struct state *s, const struct csv_record *rec)
{
    if (import_record_fast(s, rec))
        return 1;
    if (s->data_rows % IMPORT_BATCH)
        return 0;
    if (s->o->progress)
        s->o->progress(s->data_rows, s->o->progress_ctx);
    if (s->o->stop && atomic_load(s->o->stop)) {
        db_rollback(s->c);
        s->in_batch = 0;
        s->stopped = 1;
        return 2;
    }
    return 0;
}

/* csvin callback: the header, then data records in batches. */
static int on_record(const struct csv_record *rec, void *ctx)
{
    struct state *s = ctx;
    if (rec->number == 1)
        return read_header(s, rec);
    s->data_rows++;
    if (s->data_rows <= s->skip)
        return 0;
    if (s->fast)
        return on_record_fast(s, rec);
    if (!s->in_batch) {
        struct err err = {0};
        if (db_begin_write(s->c, &err)) {
            *s->err = err;
            s->fatal = 1;
            return 1;
        }
        s->in_batch = 1;
    }
    if (import_record(s, rec))
        return 1;
    if (++s->batch_rows == IMPORT_BATCH && end_batch(s))
        return 1;
    if (!s->in_batch && s->o->stop && atomic_load(s->o->stop)) {
        s->stopped = 1;         /* resumes after this batch */
        return 2;
    }
    return 0;
}

/* ---- the run ---- */

int import_sha256(FILE *f, char out[65])
{
    crypto_hash_sha256_state h;
    unsigned char buf[65536], d[crypto_hash_sha256_BYTES];
    size_t n;
    rewind(f);
    crypto_hash_sha256_init(&h);
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        crypto_hash_sha256_update(&h, buf, n);
    if (ferror(f))
        return -1;
    crypto_hash_sha256_final(&h, d);
    sodium_bin2hex(out, 65, d, sizeof(d));
    rewind(f);
    return 0;
}

/* Finds the imports row to use: the given one, an unfinished run of the
 * same file to resume, or a new one. A finished run of the same file
 * means there is nothing to do (unless forced). */
static int open_import(struct state *s, const char *sha, struct err *err)
{
    const struct import_opts *o = s->o;
    struct import_result *res = s->res;
    int64_t now = clock_now_ms(), uid = o->who ? o->who->user.id : 0;
    struct db_stmt *st;
    if (o->dry_run && !o->import_id)
        return 0;                       /* a CLI dry run leaves no row */
    int rc = db_begin_write(s->c, err);
    if (!rc && !o->dry_run)
        rc = db_query(s->c, &st, err, "SELECT id, status, rows_done FROM "
                      "imports WHERE file_sha256 = ? AND object = ? AND "
                      "dry_run = 0 AND id <> ? AND status <> 'queued' ORDER "
                      "BY id DESC LIMIT 1", "tti", sha, o->o->plural,
                      o->import_id);
    if (!rc && !o->dry_run) {
        int r = db_step(st, err);
        if (r == DB_ROW && !strcmp(db_col_text(st, 1), "done") && !o->force)
            res->already = 1;
        else if (r == DB_ROW && !o->import_id &&
                 strcmp(db_col_text(st, 1), "done")) {
            res->id = db_col_int(st, 0);
            s->skip = res->resumed_at = db_col_int(st, 2);
        }
        db_done(st);
        if (r < 0)
            rc = err->code;
    }
    if (!rc && res->already) {
        db_rollback(s->c);
        return 0;
    }
    if (!rc && o->import_id)
        res->id = o->import_id;
    if (!rc && !res->id)
        rc = db_int(s->c, err, &res->id, "INSERT INTO imports (object, "
                    "status, dry_run, file_name, file_sha256, mapping, "
                    "created_by, created_at, updated_at) VALUES (?, "
                    "'running', ?, ?, ?, ?, ?, ?, ?) RETURNING id", "titttIii",
                    o->o->plural, (int64_t)o->dry_run, o->file_name, sha,
                    o->map, uid, now, now);
    if (!rc && res->resumed_at) {      /* counters continue from the row */
        rc = db_query(s->c, &st, err, "SELECT rows_ok, rows_failed, created, "
                      "updated FROM imports WHERE id = ?", "i", res->id);
        if (!rc && db_step(st, err) == DB_ROW) {
            res->rows_ok = db_col_int(st, 0);
            res->rows_failed = db_col_int(st, 1);
            res->created = db_col_int(st, 2);
            res->updated = db_col_int(st, 3);
        }
        if (!rc)
            db_done(st);
    }
    if (!rc)
        rc = db_run(s->c, err, "UPDATE imports SET status = 'running', "
                    "updated_at = ? WHERE id = ?", "ii", now, res->id);
    if (!rc)
        rc = db_commit(s->c, err);
    if (rc)
        db_rollback(s->c);
    return rc;
}

/* Records the end of the run on the imports row. */
static void close_import(struct state *s, const char *status,
                         const char *msg)
{
    struct err err = {0};
    if (!s->res->id)
        return;
    if (db_begin_write(s->c, &err))
        return;
    if (save_progress(s, status, msg, &err) || db_commit(s->c, &err))
        db_rollback(s->c);
}

int import_run(struct db_conn *c, FILE *f, const char *sha,
               const struct import_opts *opts, struct import_result *res,
               struct err *err)
{
    struct state s = {.c = c, .o = opts, .res = res, .err = err};
    char msg[160];
    int64_t at;
    memset(res, 0, sizeof(*res));
    if (opts->map && mapping_check(opts->o, opts->map, msg, sizeof(msg)))
        return err_set(err, E_INVALID, "map", "%s", msg);
    int rc = open_import(&s, sha, err);
    if (rc || res->already)
        return rc;
    arena_init(&s.a);
    arena_init(&s.la);
    int64_t lines = 0;
    int fast = want_fast(&s, f, &lines, err);
    if (fast < 0) {
        close_import(&s, "failed", err->msg);
        return err->code;
    }
    if (fast) {
        s.fast = 1;
        rc = begin_fast(&s, lines, err);
        if (rc) {
            s.fatal = 1;
            db_rollback(c);
            s.in_batch = 0;
        }
    }
    int r = rc ? 0 : csvin_read(f, on_record, &s, msg, sizeof(msg), &at);
    if (!s.fatal && s.in_batch && s.fast)
        finish_fast(&s);
    if (!s.fatal && s.in_batch)
        end_batch(&s);
    if (s.in_batch)
        db_rollback(c);
    if (r < 0) {
        /* the file itself is broken: the rows before stay imported */
        char full[200];
        snprintf(full, sizeof(full), "row %lld: %s", (long long)at, msg);
        rc = err_set(err, E_INVALID, NULL, "%s", full);
        close_import(&s, "failed", full);
    } else if (s.stopped) {
        rc = 0;                 /* status stays running: resumable */
    } else if (s.fatal) {
        rc = err->code ? err->code : E_INTERNAL;
        close_import(&s, "failed", err->msg);
    } else {
        close_import(&s, "done", NULL);
    }
    if (fast > 0)
        bulk_tune_import_end(c);
    release_fast(&s);
    drop_errors(&s);
    free(s.errs);
    for (int i = 0; i < s.ncols; i++)
        free(s.headers[i]);
    arena_release(&s.a);
    return rc;
}

int import_errors_csv(struct db_conn *c, int64_t id, FILE *out,
                      struct err *err)
{
    struct db_stmt *st;
    int rc = db_query(c, &st, err, "SELECT row_number, column_name, reason "
                      "FROM import_errors WHERE import_id = ? ORDER BY "
                      "row_number, id", "i", id);
    if (rc)
        return rc;
    fputs("row,column,reason\n", out);
    int r;
    while ((r = db_step(st, err)) == DB_ROW) {
        put_cell(out, db_col_text(st, 0), 0);
        put_cell(out, db_col_text(st, 1), 0);
        put_cell(out, db_col_text(st, 2), 1);
    }
    db_done(st);
    return r < 0 ? err->code : 0;
}
