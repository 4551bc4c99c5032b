/* The funnel report (see funnel.h; SPEC §3, App. A; decision 0010). */
#include "report/funnel.h"
#include "report/period.h"
#include "model/object.h"
#include "util/buf.h"
#include "util/xalloc.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DAY_MS 86400000.0
#define BUSINESS_OFFSET_MS (7LL * 3600 * 1000)     /* as store/listq.c */
#define NULL_KEY INT64_MIN                          /* a group of no value */

static const char *const PARTS[] = {"TOFU", "MOFU", "BOFU"};
static const int PART_FIRST[] = {0, 2, 4};          /* first stage of each */

/* ---- the arithmetic ---- */

const char *funnel_stage_name(int k)
{
    return LIFECYCLE_STAGES[k];
}

int funnel_part_of(int k)
{
    return k < 6 ? k / 2 : -1;
}

const char *funnel_stage_part(int k)
{
    return k < 6 ? PARTS[k / 2] : "post";
}

int64_t funnel_next_entry(const int64_t first[FUNNEL_STAGES], int k)
{
    int64_t best = 0;
    for (int j = k + 1; j < FUNNEL_STAGES; j++)
        if (first[j] && first[j] >= first[k] && (!best || first[j] < best))
            best = first[j];
    return best;
}

int64_t funnel_part_entry(const int64_t first[FUNNEL_STAGES], int p)
{
    int64_t a = first[2 * p], b = first[2 * p + 1];
    return !a ? b : !b ? a : a < b ? a : b;
}

/* Adds the step from stage k to the next, when the contact made it. */
static void add_step(struct funnel_acc *f, int k,
                     const int64_t first[FUNNEL_STAGES])
{
    int64_t next = first[k] ? funnel_next_entry(first, k) : 0;
    if (next)
        samples_add(&f->vel[k], next - first[k]);
}

void funnel_add_cohort(struct funnel_acc *f,
                       const int64_t first[FUNNEL_STAGES])
{
    int highest = -1;
    f->contacts++;
    for (int k = 0; k < FUNNEL_STAGES; k++)
        if (first[k]) {
            highest = k;
            add_step(f, k, first);
        }
    for (int k = 0; k <= highest; k++)  /* a skipped stage was reached */
        f->count[k]++;
}

void funnel_add_single(struct funnel_acc *f, int k, int64_t n)
{
    f->contacts += n;
    for (int j = 0; j <= k && j < FUNNEL_STAGES; j++)
        f->count[j] += n;
}

void funnel_add_entry(struct funnel_acc *f, int k,
                      const int64_t first[FUNNEL_STAGES])
{
    f->count[k]++;
    add_step(f, k, first);
}

void funnel_finish(struct funnel_acc *f, enum funnel_mode m,
                   struct funnel_out *o)
{
    memset(o, 0, sizeof(*o));
    o->contacts = f->contacts;
    for (int k = 0; k < FUNNEL_STAGES; k++) {
        o->count[k] = f->count[k];
        if (k + 1 < FUNNEL_STAGES && f->count[k])
            o->conversion[k] = (double)f->count[k + 1] / (double)f->count[k];
        if (f->vel[k].n) {
            o->has_velocity[k] = 1;
            o->median[k] = samples_percentile(&f->vel[k], 0.5) / DAY_MS;
            o->p75[k] = samples_percentile(&f->vel[k], 0.75) / DAY_MS;
        }
    }
    for (int p = 0; p < FUNNEL_PARTS; p++)
        o->part[p] = m == FUNNEL_COHORT ? f->count[PART_FIRST[p]] : f->part[p];
    if (f->count[0])
        o->overall = (double)f->count[5] / (double)f->count[0];
}

void funnel_acc_merge(struct funnel_acc *dst, struct funnel_acc *src)
{
    dst->contacts += src->contacts;
    for (int k = 0; k < FUNNEL_STAGES; k++) {
        dst->count[k] += src->count[k];
        samples_merge(&dst->vel[k], &src->vel[k]);
    }
    for (int p = 0; p < FUNNEL_PARTS; p++)
        dst->part[p] += src->part[p];
    src->contacts = 0;
    memset(src->count, 0, sizeof(src->count));
    memset(src->part, 0, sizeof(src->part));
}

void funnel_acc_free(struct funnel_acc *f)
{
    for (int k = 0; k < FUNNEL_STAGES; k++)
        samples_free(&f->vel[k]);
}

/* ---- the arguments ---- */

void funnel_query_init(struct funnel_query *q)
{
    memset(q, 0, sizeof(*q));
    listq_init(&q->lq, &OBJ_CONTACT);
}

void funnel_query_release(struct funnel_query *q)
{
    listq_release(&q->lq);
}

/* Whether key names a field the report sets itself in mode m. */
static int reserved_field(const char *key, enum funnel_mode m)
{
    size_t n = strcspn(key, "[");
    return (n == 10 && !strncmp(key, "created_at", n) && m == FUNNEL_COHORT)
        || (n == 13 && !strncmp(key, "highest_stage", n))
        || !strncmp(key, "became_", 7);
}

int funnel_query_arg(struct funnel_query *q, struct db_conn *c,
                     const char *key, const char *value, struct arena *a,
                     struct err *err)
{
    static const char *const GROUPS[] = {"", "source", "campaign", "owner",
                                         "team", "month"};
    if (!strcmp(key, "from")) {
        q->from = arena_strdup(a, value);
        return report_parse_day("from", value, &q->from_ms, err);
    }
    if (!strcmp(key, "to")) {
        q->to = arena_strdup(a, value);
        int rc = report_parse_day("to", value, &q->to_ms, err);
        q->to_ms += 86400000LL;         /* both ends included */
        return rc;
    }
    if (!strcmp(key, "mode")) {
        if (strcmp(value, "cohort") && strcmp(value, "period"))
            return err_set(err, E_INVALID, "mode", "must be cohort or "
                           "period");
        q->mode = strcmp(value, "cohort") ? FUNNEL_PERIOD : FUNNEL_COHORT;
        return 0;
    }
    if (!strcmp(key, "group_by")) {
        for (int i = 1; i < 6; i++)
            if (!strcmp(value, GROUPS[i])) {
                q->group = (enum funnel_group)i;
                return 0;
            }
        return err_set(err, E_INVALID, "group_by", "must be source, "
                       "campaign, owner, team or month");
    }
    if (!strcmp(key, "limit") || !strcmp(key, "cursor") ||
        !strcmp(key, "sort") || !strcmp(key, "q") ||
        !strncmp(key, "became_", 7) || reserved_field(key, FUNNEL_PERIOD))
        return err_set(err, E_INVALID, key, "is not a parameter of the "
                       "funnel report");
    if (q->nf == FUNNEL_MAX_FILTERS)
        return err_set(err, E_INVALID, key, "too many filters");
    int rc = listq_arg(&q->lq, c, key, value, a, err);
    if (!rc) {
        q->fkey[q->nf] = arena_strdup(a, key);
        q->fval[q->nf++] = arena_strdup(a, value);
    }
    return rc;
}

int funnel_query_check(struct funnel_query *q, struct err *err)
{
    if (!q->from)
        return err_set(err, E_INVALID, "from", "is required");
    if (!q->to)
        return err_set(err, E_INVALID, "to", "is required");
    if (q->from_ms >= q->to_ms)
        return err_set(err, E_INVALID, "from", "is after to");
    for (int i = 0; i < q->nf; i++)
        if (reserved_field(q->fkey[i], q->mode))
            return err_set(err, E_INVALID, q->fkey[i], "the period sets "
                           "created_at: use from and to");
    return 0;
}

/* ---- groups ---- */

struct group {
    int64_t key;            /* NULL_KEY: no value */
    const char *skey;       /* source: the text key */
    int64_t last_row;       /* period mode: the contact counted last */
    struct funnel_acc acc;
};

/* The groups met so far, with an open-addressing index on key. */
struct groups {
    struct group *g;
    size_t n, cap;
    int32_t *slot;          /* index + 1, 0 empty */
    size_t nslot;
};

/* A 64-bit mix (splitmix64's finaliser) for the index. */
static uint64_t mix(int64_t k)
{
    uint64_t x = (uint64_t)k;
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/* Doubles the index and re-inserts every group. */
static void groups_grow(struct groups *gs)
{
    free(gs->slot);
    gs->nslot = gs->nslot ? gs->nslot * 2 : 64;
    gs->slot = xcalloc(gs->nslot, sizeof(*gs->slot));
    for (size_t i = 0; i < gs->n; i++) {
        size_t h = mix(gs->g[i].key) & (gs->nslot - 1);
        while (gs->slot[h])
            h = (h + 1) & (gs->nslot - 1);
        gs->slot[h] = (int32_t)(i + 1);
    }
}

/* The group of key, made when new. */
static struct group *groups_get(struct groups *gs, int64_t key)
{
    if (2 * (gs->n + 1) > gs->nslot)
        groups_grow(gs);
    size_t h = mix(key) & (gs->nslot - 1);
    for (; gs->slot[h]; h = (h + 1) & (gs->nslot - 1))
        if (gs->g[gs->slot[h] - 1].key == key)
            return &gs->g[gs->slot[h] - 1];
    if (gs->n == gs->cap) {
        gs->cap = gs->cap ? gs->cap * 2 : 16;
        gs->g = xrealloc(gs->g, gs->cap * sizeof(*gs->g));
    }
    gs->g[gs->n] = (struct group){.key = key, .last_row = -1};
    gs->slot[h] = (int32_t)(gs->n + 1);
    return &gs->g[gs->n++];
}

/* Frees every group. */
static void groups_free(struct groups *gs)
{
    for (size_t i = 0; i < gs->n; i++)
        funnel_acc_free(&gs->g[i].acc);
    free(gs->g);
    free(gs->slot);
}

/* The month of time ms in the business time zone, as year * 12 + month
 * - 1. */
static int64_t month_of(int64_t ms)
{
    time_t t = (time_t)((ms + BUSINESS_OFFSET_MS) / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    return (int64_t)(tm.tm_year + 1900) * 12 + tm.tm_mon;
}

/* ---- reading the contacts ---- */

/* What a run needs while it reads. */
struct run {
    struct funnel_query *q;
    struct funnel_acc total;
    struct groups gs;
    int64_t *team_of;       /* owner id -> team id (0: none) */
    int64_t nusers;         /* size of team_of */
    const char *const *sources;     /* the values of contacts.source */
    int64_t row;
};

/* Loads every user's team (FG_TEAM): a small table, read once. */
static int load_teams(struct db_conn *c, struct run *r, struct err *err)
{
    int64_t max = 0;
    int rc = db_int(c, err, &max, "SELECT COALESCE(MAX(id), 0) FROM users",
                    "");
    if (rc)
        return rc;
    r->nusers = max + 1;
    r->team_of = xcalloc((size_t)r->nusers, sizeof(int64_t));
    struct db_stmt *st;
    rc = db_query(c, &st, err, "SELECT id, COALESCE(team_id, 0) FROM users",
                  "");
    int s = DB_DONE;
    while (!rc && (s = db_step(st, err)) == DB_ROW) {
        int64_t id = db_col_int(st, 0);
        if (id >= 0 && id < r->nusers)
            r->team_of[id] = db_col_int(st, 1);
    }
    db_done(st);
    return rc ? rc : s < 0 ? err->code : 0;
}

/* The group key of the current row (column 7 onwards) in cohort mode,
 * or for every stage but month in period mode. */
static int64_t row_key(struct run *r, struct db_stmt *st)
{
    const char *s;
    int64_t v;
    switch (r->q->group) {
    case FG_SOURCE:
        s = db_col_text(st, 7);
        for (int j = 0; s && r->sources[j]; j++)
            if (!strcmp(r->sources[j], s))
                return j;
        return NULL_KEY;
    case FG_CAMPAIGN:
    case FG_OWNER:
        return db_col_null(st, 7) ? NULL_KEY : db_col_int(st, 7);
    case FG_TEAM:
        v = db_col_null(st, 7) ? 0 : db_col_int(st, 7);
        v = v > 0 && v < r->nusers ? r->team_of[v] : 0;
        return v ? v : NULL_KEY;
    case FG_MONTH:
        return month_of(db_col_int(st, 7));
    default:
        return NULL_KEY;
    }
}

/* Counts one contact of the cohort. */
static void add_cohort_row(struct run *r, struct db_stmt *st,
                           const int64_t first[FUNNEL_STAGES])
{
    funnel_add_cohort(&r->total, first);
    if (r->q->group != FG_NONE)
        funnel_add_cohort(&groups_get(&r->gs, row_key(r, st))->acc, first);
}

/* Counts the group's contact once per row (period mode). */
static void touch(struct run *r, struct group *g)
{
    if (g->last_row != r->row) {
        g->last_row = r->row;
        g->acc.contacts++;
    }
}

/* Counts what a contact entered in the period (period mode). */
static void add_period_row(struct run *r, struct db_stmt *st,
                           const int64_t first[FUNNEL_STAGES])
{
    const struct funnel_query *q = r->q;
    int any = 0, month = q->group == FG_MONTH;
    struct group *g = NULL;
    if (q->group != FG_NONE && !month)
        g = groups_get(&r->gs, row_key(r, st));
    for (int k = 0; k < FUNNEL_STAGES; k++) {
        if (first[k] < q->from_ms || first[k] >= q->to_ms || !first[k])
            continue;
        any = 1;
        funnel_add_entry(&r->total, k, first);
        if (month)
            g = groups_get(&r->gs, month_of(first[k]));
        if (g) {
            touch(r, g);
            funnel_add_entry(&g->acc, k, first);
        }
    }
    for (int p = 0; p < FUNNEL_PARTS; p++) {
        int64_t t = funnel_part_entry(first, p);
        if (!t || t < q->from_ms || t >= q->to_ms)
            continue;
        r->total.part[p]++;
        if (month)
            g = groups_get(&r->gs, month_of(t));
        if (g)
            g->acc.part[p]++;
    }
    r->total.contacts += any;
}

/* Whether the report reads from a database server (PostgreSQL) rather
 * than in this process (SQLite): each row then costs a transfer, the
 * server may count instead, and its plans differ (see build_sql and
 * scan). */
static int on_server(struct db_conn *c)
{
    return !db_embedded(db_conn_db(c));
}

/* What a SELECT of the run reads: every contact's row; on PostgreSQL
 * in cohort mode, the rows of the contacts with two first entries or
 * more, and the others counted by the server per stage and group
 * (migration 0015 has an index for each half, with these predicates). */
enum form { ROWS_ALL, ROWS_MULTI, COUNT_SINGLE };

/* Appends "num_nonnulls(<the seven first entries>)". */
static void add_nonnulls(struct buf *sql)
{
    buf_adds(sql, "num_nonnulls(");
    for (int k = 0; k < FUNNEL_STAGES; k++)
        buf_addf(sql, "%st.became_%s_at", k ? ", " : "",
                 LIFECYCLE_STAGES[k]);
    buf_adds(sql, ")");
}

/* The group's column, as row_key reads it. COUNT_SINGLE groups by it,
 * so there a month is the start of the business day of creation: a
 * month like the creation time's, and few values to group by. */
static const char *group_col(enum funnel_group g, enum form form)
{
    static const char *const GCOL[] = {"NULL", "t.source",
        "t.source_campaign_id", "t.owner_id", "t.owner_id", "t.created_at"};
    if (g == FG_MONTH && form == COUNT_SINGLE)
        return "t.created_at - ((t.created_at + 25200000) % 86400000 + "
               "86400000) % 86400000";
    return GCOL[g];
}

/* Appends COUNT_SINGLE's columns before the group's: the stage of the
 * one first entry (-1: none), the count, NULLs up to column 7. */
static void add_single_cols(struct buf *sql)
{
    buf_adds(sql, "CASE");
    for (int k = FUNNEL_STAGES - 1; k >= 0; k--)
        buf_addf(sql, " WHEN t.became_%s_at IS NOT NULL THEN %d",
                 LIFECYCLE_STAGES[k], k);
    buf_adds(sql, " ELSE -1 END, COUNT(*), NULL, NULL, NULL, NULL, NULL, ");
}

/* A viewer who sees this many owners' contacts or more reads the
 * funnel from the covering index on SQLite (see add_from). */
#define FUNNEL_WIDE_VIEW 32

/* A contact's last first entry, 0 for none: the key of SQLite's
 * contacts_last_entry, which must index this same expression
 * (0016_funnel_period_sqlite.sql). */
static const char LAST_ENTRY[] =
    "max(coalesce(t.became_subscriber_at, 0), coalesce(t.became_lead_at, 0), "
    "coalesce(t.became_marketing_qualified_lead_at, 0), "
    "coalesce(t.became_sales_qualified_lead_at, 0), "
    "coalesce(t.became_opportunity_at, 0), coalesce(t.became_customer_at, 0), "
    "coalesce(t.became_evangelist_at, 0))";

/* Whether a viewer sees many owners' contacts (a sales manager) or all
 * of them: on SQLite they read a covering index named in add_from. */
static int wide_view(const struct vis *v)
{
    return !v || v->see_all || v->nowners >= FUNNEL_WIDE_VIEW;
}

/* What a run is cut into slices by: the creation time, or on SQLite a
 * period's last first entries when the viewer's view is wide. A contact
 * with a first entry in the period made its last one at or after the
 * period's start, so from there on is all there is to read: for the
 * last month of a 1M base a quarter of contacts_last_entry instead of
 * all of contacts_funnel (0.21 -> 0.09 s; an old month still reads most
 * of it). A rep's few owners are ranges of contacts_owner instead, which
 * SQLite picks for creation-time slices (0.02 s) but not for these. */
static const char *slice_col(struct db_conn *c, const struct funnel_query *q,
                             const struct vis *v)
{
    return q->mode == FUNNEL_PERIOD && !on_server(c) && wide_view(v)
        ? LAST_ENTRY : "t.created_at";
}

/* Appends the FROM clause. On SQLite a viewer of many owners' contacts
 * reads the covering index of the slices' column, which holds owner_id and
 * the rowid for the visibility condition: SQLite otherwise ORs an index
 * range per owner and reads each contact's row from the table (1M
 * contacts, 207 owners: 1.9-2.1 s). A viewer of a few owners (a rep)
 * keeps SQLite's choice, those ranges being a small part of the base.
 * contacts_last_entry is named for anyone who sees all, too, so that a
 * change to LAST_ENTRY it no longer matches fails the report instead of
 * reading the whole table. */
static void add_from(struct buf *sql, struct db_conn *c,
                     const struct funnel_query *q, const struct vis *v)
{
    buf_adds(sql, " FROM contacts t");
    if (on_server(c) || !wide_view(v))
        return;
    if (slice_col(c, q, v) == LAST_ENTRY)
        db_add_indexed_by(db_conn_db(c), sql, "contacts_last_entry");
    else if (v && !v->see_all)
        db_add_indexed_by(db_conn_db(c), sql, "contacts_funnel");
}

/* Builds a SELECT of the run into sql and its parameters into p. When
 * sliced, the first two parameters, bound per slice, are a range of
 * slice_col (cohort mode: the period's share of the slice). */
static int build_sql(struct db_conn *c, struct run *r, const struct vis *v,
                     int sliced, enum form form, struct buf *sql,
                     struct sqlp *p, struct arena *a, struct err *err)
{
    const struct funnel_query *q = r->q;
    buf_adds(sql, "SELECT ");
    if (form == COUNT_SINGLE)
        add_single_cols(sql);
    else
        for (int k = 0; k < FUNNEL_STAGES; k++)
            buf_addf(sql, "t.became_%s_at, ", LIFECYCLE_STAGES[k]);
    buf_adds(sql, group_col(q->group, form));
    add_from(sql, c, q, v);
    const char *col = slice_col(c, q, v);
    if (sliced)
        buf_addf(sql, " WHERE %s >= ? AND %s < ?", col, col);
    else
        buf_adds(sql, " WHERE 1 = 1");
    if (form != ROWS_ALL) {
        buf_adds(sql, " AND ");
        add_nonnulls(sql);
        buf_adds(sql, form == ROWS_MULTI ? " >= 2" : " <= 1");
    }
    if (q->mode == FUNNEL_PERIOD) {     /* a first entry in the period */
        buf_adds(sql, " AND (");
        for (int k = 0; k < FUNNEL_STAGES; k++)
            buf_addf(sql, "%s(t.became_%s_at >= ? AND t.became_%s_at < ?)",
                     k ? " OR " : "", LIFECYCLE_STAGES[k],
                     LIFECYCLE_STAGES[k]);
        buf_adds(sql, ")");
        for (int k = 0; k < FUNNEL_STAGES; k++) {
            sqlp_int(p, q->from_ms);
            sqlp_int(p, q->to_ms);
        }
    }
    size_t plain = sql->len;
    int rc = listq_where(c, &q->lq, v, sql, p, a, err);
    if (!rc && form == COUNT_SINGLE)
        buf_adds(sql, " GROUP BY 1, 8");
    /* the index's order: PostgreSQL then reads a cohort from that index
     * alone (a third of the table's pages) rather than scan the table.
     * Only when nothing was added (a caller who sees every contact, no
     * filter): a visibility or filter condition on another column needs
     * the table's rows anyway, best read in the table's order. SQLite
     * already uses contacts_funnel without it (and would sort for it
     * when it picks another index). */
    else if (!rc && q->mode == FUNNEL_COHORT && sql->len == plain &&
             on_server(c))
        buf_adds(sql, " ORDER BY t.created_at");
    return rc;
}

/* The contacts of a run, cut into slices of slice_col (the creation
 * time, or a period's last first entries) that two readers share, each
 * on a connection of its own: reading one row per contact is most of a
 * report on a big base, and a slice is a range of a covering index
 * (contacts_funnel, contacts_last_entry). The readers take every other
 * slice: neighbouring slices hold about as many contacts, so the two
 * stay even when contacts were not created evenly over time, and each
 * reads its part whatever the timing (the tests see both at work). */
#define FUNNEL_SLICES 16

struct slices {
    const char *sql;            /* build_sql's: rows */
    const struct sqlp *p;       /* its parameters (after the bounds) */
    const char *single;         /* COUNT_SINGLE's, or NULL */
    const struct sqlp *p1;      /* its parameters (after the bounds) */
    int sliced;                 /* 0: one slice, all of it, no bounds */
    int64_t lo, hi;             /* slice_col's [lo, hi) to read */
    int n;                      /* slices of [lo, hi) */
    atomic_int failed;          /* a reader failed: the other stops */
};

/* Counts one COUNT_SINGLE row: n contacts with stage k alone. */
static void add_single_row(struct run *r, struct db_stmt *st)
{
    int k = (int)db_col_int(st, 0);
    int64_t n = db_col_int(st, 1);
    funnel_add_single(&r->total, k, n);
    if (r->q->group != FG_NONE)
        funnel_add_single(&groups_get(&r->gs, row_key(r, st))->acc, k, n);
}

/* Runs sql with parameters p on slice i into r's funnels. */
static int read_stmt(struct db_conn *c, struct run *r, struct slices *sl,
                     const char *sql, const struct sqlp *p, int i,
                     struct err *err)
{
    int64_t step = (sl->hi - sl->lo + sl->n - 1) / sl->n;
    int64_t from = sl->lo + step * i, to = from + step;
    struct db_stmt *st;
    int single = sql == sl->single;
    int rc = db_prepare(c, sql, &st, err);
    if (rc)
        return rc;
    /* integers and the source in binary: no text parsing. A statement
     * read alone (a period on PostgreSQL) streams its rows, counted
     * while the server still reads: one month at 1M 0.13-0.22 -> 0.11-
     * 0.18 s. With two readers both cores are busy already, and the
     * per-row cost of streaming made the cohort slower (0.41-0.44 ->
     * 0.44-0.48 s). */
    if (!sl->sliced) {
        db_want_stream(st);
    } else {
        db_want_binary(st);
        rc = db_bind_int(st, 1, from, err);
        if (!rc)
            rc = db_bind_int(st, 2, to < sl->hi ? to : sl->hi, err);
    }
    if (!rc)
        rc = sqlp_bind(st, p, sl->sliced ? 3 : 1, err);
    int s = DB_DONE;
    while (!rc && (s = db_step(st, err)) == DB_ROW) {
        if (single) {
            add_single_row(r, st);
            continue;
        }
        int64_t first[FUNNEL_STAGES];
        for (int k = 0; k < FUNNEL_STAGES; k++)
            first[k] = db_col_int(st, k);       /* NULL reads as 0 */
        if (r->q->mode == FUNNEL_COHORT)
            add_cohort_row(r, st, first);
        else
            add_period_row(r, st, first);
        r->row++;
    }
    db_done(st);
    return rc ? rc : s < 0 ? err->code : 0;
}

/* Reads slice i into r's funnels. */
static int read_slice(struct db_conn *c, struct run *r, struct slices *sl,
                      int i, struct err *err)
{
    int rc = sl->single ? read_stmt(c, r, sl, sl->single, sl->p1, i, err)
                        : 0;
    return rc ? rc : read_stmt(c, r, sl, sl->sql, sl->p, i, err);
}

/* Reads slices first, first + stride, ...; on an error the other
 * reader stops at its next slice. */
static int read_slices(struct db_conn *c, struct run *r, struct slices *sl,
                       int first, int stride, struct err *err)
{
    int rc = 0;
    for (int i = first; !rc && i < sl->n && !atomic_load(&sl->failed);
         i += stride)
        rc = read_slice(c, r, sl, i, err);
    if (rc)
        atomic_store(&sl->failed, 1);
    return rc;
}

/* The second reader's work (a db_task): the odd slices. */
struct reader {
    struct run *r;
    struct slices *sl;
};

static int reader_main(struct db_conn *c, void *ctx, struct err *err)
{
    struct reader *rd = ctx;
    return read_slices(c, rd->r, rd->sl, 1, 2, err);
}

/* The range of the slices' column to read: in cohort mode the period's
 * creation times, narrowed to the contacts there are; in period mode
 * every contact's creation time (a first entry in the period may belong
 * to a contact created any time), or the last first entries from the
 * period's start (see slice_col). Each bound alone: SQLite answers a
 * lone MIN or MAX from the index. */
static int time_range(struct db_conn *c, const struct funnel_query *q,
                      const struct vis *v, struct slices *sl,
                      struct err *err)
{
    int64_t lo = 0, hi = 0;
    if (!sl->sliced) {
        sl->n = 1;
        return 0;
    }
    const char *col = slice_col(c, q, v);
    char max[512];
    snprintf(max, sizeof(max), "SELECT COALESCE(MAX(%s), -1) FROM contacts t",
             col);
    int rc = 0;
    if (col == LAST_ENTRY)
        lo = q->from_ms;
    else
        rc = db_int(c, err, &lo, "SELECT COALESCE(MIN(created_at), 0) "
                    "FROM contacts", "");
    if (!rc)
        rc = db_int(c, err, &hi, max, "");
    if (rc)
        return rc;
    hi++;
    if (q->mode == FUNNEL_COHORT) {
        lo = lo > q->from_ms ? lo : q->from_ms;
        hi = hi < q->to_ms ? hi : q->to_ms;
    }
    sl->lo = lo;
    sl->hi = hi;
    sl->n = hi > lo ? FUNNEL_SLICES : 0;
    return 0;
}

/* Moves what reader b counted into a. */
static void merge_runs(struct run *a, struct run *b)
{
    funnel_acc_merge(&a->total, &b->total);
    for (size_t i = 0; i < b->gs.n; i++)
        funnel_acc_merge(&groups_get(&a->gs, b->gs.g[i].key)->acc,
                         &b->gs.g[i].acc);
}

/* Reads the contacts into r's funnels: this thread and a second reader
 * (its counts then merged into r), or this thread alone when no thread
 * could start or there is one slice. A period funnel on PostgreSQL is
 * one statement: it reads the contacts with a first entry in the period
 * through one index per stage (0013_funnel_pg.sql), which creation-time
 * slices would turn into a walk of contacts_funnel (0.21-0.30 s -> 0.37-
 * 0.45 s for a month of a 1M base). */
static int scan(struct db_conn *c, struct run *r, const struct vis *v,
                struct arena *a, struct err *err)
{
    struct buf sql;
    struct sqlp p = {0}, p1 = {0};
    int server = on_server(c), cohort = r->q->mode == FUNNEL_COHORT;
    struct slices sl = {.p = &p, .p1 = &p1, .sliced = cohort || !server};
    buf_init(&sql, 1 << 20);
    int rc = build_sql(c, r, v, sl.sliced, server && cohort ? ROWS_MULTI
                       : ROWS_ALL, &sql, &p, a, err);
    sl.sql = arena_strdup(a, buf_cstr(&sql));
    if (!rc && server && cohort) {
        sql.len = 0;
        rc = build_sql(c, r, v, 1, COUNT_SINGLE, &sql, &p1, a, err);
        sl.single = arena_strdup(a, buf_cstr(&sql));
    }
    if (!rc)
        rc = time_range(c, r->q, v, &sl, err);
    buf_release(&sql);
    if (rc || !sl.n)
        return rc;
    atomic_init(&sl.failed, 0);
    struct run r2 = {.q = r->q, .team_of = r->team_of, .nusers = r->nusers,
                     .sources = r->sources};
    struct reader rd = {&r2, &sl};
    struct db_task t;
    int started = sl.n > 1 &&
        db_task_start(&t, db_conn_db(c), reader_main, &rd) == 0;
    rc = read_slices(c, r, &sl, 0, started ? 2 : 1, err);
    if (started) {
        int rc2 = db_task_join(&t);
        if (!rc && rc2) {
            *err = t.err;
            rc = rc2;
        }
        merge_runs(r, &r2);
    }
    funnel_acc_free(&r2.total);
    groups_free(&r2.gs);
    return rc;
}

/* ---- the document ---- */

/* Appends s percent-encoded as a query string value. */
static void add_escaped(struct buf *b, const char *s)
{
    static const char HEX[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
            (*p >= '0' && *p <= '9') || strchr("-._~,[]", *p)) {
            buf_add(b, p, 1);
        } else {
            char e[3] = {'%', HEX[*p >> 4], HEX[*p & 15]};
            buf_add(b, e, 3);
        }
    }
}

/* Appends "&key=value" (no '&' when b is empty), value escaped. */
static void add_param(struct buf *b, const char *key, const char *value)
{
    if (b->len)
        buf_adds(b, "&");
    add_escaped(b, key);
    buf_adds(b, "=");
    add_escaped(b, value);
}

/* A day "YYYY-MM-DD" of time ms in the business time zone. */
static const char *day_of(int64_t ms, struct arena *a)
{
    time_t t = (time_t)((ms + BUSINESS_OFFSET_MS) / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    return arena_printf(a, "%04d-%02d-%02d", tm.tm_year + 1900,
                        tm.tm_mon + 1, tm.tm_mday);
}

/* The start of month m (year * 12 + month - 1) in ms. */
static int64_t month_start(int64_t m)
{
    struct tm tm = {.tm_year = (int)(m / 12) - 1900, .tm_mon = (int)(m % 12),
                    .tm_mday = 1};
    return (int64_t)timegm(&tm) * 1000 - BUSINESS_OFFSET_MS;
}

/* What a group adds to the contacts list's filter, and whether it can
 * be said as one (0: no list for this group). */
struct gfilter {
    const char *key, *value;    /* key NULL: nothing to add */
    int64_t from_ms, to_ms;     /* month: the range within the period */
};

/* The contacts_filter of stage k for the period [from_ms, to_ms) and
 * group filter gf. */
static const char *stage_filter(const struct funnel_query *q, int k,
                                const struct gfilter *gf, struct arena *a)
{
    struct buf b;
    buf_init(&b, 1 << 16);
    const char *from = day_of(gf->from_ms, a), *to = day_of(gf->to_ms - 1, a);
    char key[64];
    if (q->mode == FUNNEL_COHORT) {
        add_param(&b, "created_at[gte]", from);
        add_param(&b, "created_at[lte]", to);
        struct buf in;
        buf_init(&in, 512);
        for (int j = k; j < FUNNEL_STAGES; j++)
            buf_addf(&in, "%s%s", j > k ? "," : "", LIFECYCLE_STAGES[j]);
        add_param(&b, k ? "highest_stage[in]" : "highest_stage[empty]",
                  k ? buf_cstr(&in) : "false");
        buf_release(&in);
    } else {
        snprintf(key, sizeof(key), "became_%s_at[gte]", LIFECYCLE_STAGES[k]);
        add_param(&b, key, from);
        snprintf(key, sizeof(key), "became_%s_at[lte]", LIFECYCLE_STAGES[k]);
        add_param(&b, key, to);
    }
    for (int i = 0; i < q->nf; i++)
        add_param(&b, q->fkey[i], q->fval[i]);
    if (gf->key)
        add_param(&b, gf->key, gf->value);
    const char *s = arena_strdup(a, buf_cstr(&b));
    buf_release(&b);
    return s;
}

/* Whether the caller's filters already use field (then a group filter on
 * it would repeat a parameter). */
static int filtered_on(const struct funnel_query *q, const char *field)
{
    size_t n = strlen(field);
    for (int i = 0; i < q->nf; i++)
        if (!strncmp(q->fkey[i], field, n) &&
            (q->fkey[i][n] == '\0' || q->fkey[i][n] == '['))
            return 1;
    return 0;
}

/* The stages, parts and overall of funnel f. */
static void put_funnel(json_t *o, struct funnel_acc *f,
                       const struct funnel_query *q, const struct gfilter *gf,
                       struct arena *a)
{
    struct funnel_out out;
    const char *what = q->mode == FUNNEL_COHORT ? "reached" : "entered";
    funnel_finish(f, q->mode, &out);
    json_object_set_new(o, "contacts", json_integer(out.contacts));
    json_t *stages = json_array();
    for (int k = 0; k < FUNNEL_STAGES; k++) {
        json_t *s = json_object();
        json_object_set_new(s, "stage", json_string(LIFECYCLE_STAGES[k]));
        json_object_set_new(s, "part", json_string(funnel_stage_part(k)));
        json_object_set_new(s, what, json_integer(out.count[k]));
        json_object_set_new(s, "conversion_to_next", k + 1 < FUNNEL_STAGES
                            ? json_real(out.conversion[k]) : json_null());
        json_object_set_new(s, "velocity_days", out.has_velocity[k]
                            ? json_pack("{sfsf}", "median", out.median[k],
                                        "p75", out.p75[k]) : json_null());
        json_object_set_new(s, "contacts_filter", gf ? json_string(
            stage_filter(q, k, gf, a)) : json_null());
        json_array_append_new(stages, s);
    }
    json_object_set_new(o, "stages", stages);
    json_t *parts = json_array();
    for (int p = 0; p < FUNNEL_PARTS; p++)
        json_array_append_new(parts, json_pack("{sssI}", "part", PARTS[p],
                                               what, (json_int_t)out.part[p]));
    json_object_set_new(o, "parts", parts);
    json_object_set_new(o, "overall", json_real(out.overall));
}

/* Orders groups: months in time order, others largest first. */
static int group_cmp(const void *x, const void *y)
{
    const struct group *a = x, *b = y;
    if (a->key == NULL_KEY || b->key == NULL_KEY)   /* no value last */
        return (a->key == NULL_KEY) - (b->key == NULL_KEY);
    if (a->last_row == -2)                          /* months */
        return (a->key > b->key) - (a->key < b->key);
    int64_t ca = a->acc.count[0], cb = b->acc.count[0];
    if (ca != cb)
        return ca < cb ? 1 : -1;
    if (a->acc.contacts != b->acc.contacts)
        return a->acc.contacts < b->acc.contacts ? 1 : -1;
    return (a->key > b->key) - (a->key < b->key);
}

/* The display name of a group (owner, team and campaign names looked
 * up; every user may read campaigns, decision 0011). */
static int group_name(struct db_conn *c, const struct funnel_query *q,
                      const struct group *g, json_t *o, struct arena *a,
                      struct err *err)
{
    const char *sql = q->group == FG_OWNER ? "SELECT name FROM users WHERE "
        "id = ?" : q->group == FG_TEAM ? "SELECT name FROM teams WHERE id = ?"
        : "SELECT name FROM campaigns WHERE id = ?";
    int f = object_field(&OBJ_CONTACT, "source");
    if (g->key == NULL_KEY) {
        json_object_set_new(o, "key", json_null());
        json_object_set_new(o, "name", json_null());
        return 0;
    }
    if (q->group == FG_SOURCE) {
        const char *s = OBJ_CONTACT.fields[f].values[g->key];
        json_object_set_new(o, "key", json_string(s));
        json_object_set_new(o, "name", json_string(s));
        return 0;
    }
    if (q->group == FG_MONTH) {
        const char *m = arena_printf(a, "%04d-%02d", (int)(g->key / 12),
                                     (int)(g->key % 12) + 1);
        json_object_set_new(o, "key", json_string(m));
        json_object_set_new(o, "name", json_string(m));
        return 0;
    }
    json_object_set_new(o, "key", json_integer(g->key));
    struct db_stmt *st;
    int rc = db_query(c, &st, err, sql, "i", g->key);
    if (rc)
        return rc;
    int s = db_step(st, err);
    json_object_set_new(o, "name", s == DB_ROW && db_col_text(st, 0)
                        ? json_string(db_col_text(st, 0)) : json_null());
    db_done(st);
    return s < 0 ? err->code : 0;
}

/* The list filter of group g, or 0 when it has none (the caller filters
 * on the same field, a team without members, more than 64 of them). */
static int group_filter(struct db_conn *c, const struct funnel_query *q,
                        const struct group *g, struct gfilter *gf,
                        struct arena *a, struct err *err)
{
    static const char *const FIELD[] = {NULL, "source", "source_campaign_id",
                                        "owner_id", "owner_id", NULL};
    *gf = (struct gfilter){NULL, NULL, q->from_ms, q->to_ms};
    if (q->group == FG_MONTH) {
        int64_t s = month_start(g->key), e = month_start(g->key + 1);
        gf->from_ms = s > q->from_ms ? s : q->from_ms;
        gf->to_ms = e < q->to_ms ? e : q->to_ms;
        return 1;
    }
    const char *field = FIELD[q->group];
    if (filtered_on(q, field))
        return 0;
    if (g->key == NULL_KEY) {
        if (q->group == FG_TEAM)
            return 0;
        gf->key = arena_printf(a, "%s[empty]", field);
        gf->value = "true";
        return 1;
    }
    if (q->group == FG_SOURCE) {
        int f = object_field(&OBJ_CONTACT, "source");
        gf->key = field;
        gf->value = OBJ_CONTACT.fields[f].values[g->key];
        return 1;
    }
    if (q->group != FG_TEAM) {
        gf->key = field;
        gf->value = arena_printf(a, "%lld", (long long)g->key);
        return 1;
    }
    struct db_stmt *st;             /* a team: its members' contacts */
    struct buf ids;
    int n = 0, s = DB_DONE;
    int rc = db_query(c, &st, err, "SELECT id FROM users WHERE team_id = ? "
                      "ORDER BY id", "i", g->key);
    if (rc)
        return -1;
    buf_init(&ids, 4096);
    while ((s = db_step(st, err)) == DB_ROW)
        buf_addf(&ids, "%s%lld", n++ ? "," : "",
                 (long long)db_col_int(st, 0));
    db_done(st);
    gf->key = "owner_id[in]";
    gf->value = arena_strdup(a, buf_cstr(&ids));
    buf_release(&ids);
    if (s < 0)
        return -1;
    return n > 0 && n <= 64;
}

/* Builds the groups array, in order. */
static int put_groups(struct db_conn *c, struct run *r, json_t *doc,
                      struct arena *a, struct err *err)
{
    json_t *arr = json_array();
    json_object_set_new(doc, "groups", arr);
    for (size_t i = 0; i < r->gs.n; i++)
        if (r->q->group == FG_MONTH)
            r->gs.g[i].last_row = -2;       /* group_cmp: time order */
    if (r->gs.n)
        qsort(r->gs.g, r->gs.n, sizeof(*r->gs.g), group_cmp);
    for (size_t i = 0; i < r->gs.n; i++) {
        struct group *g = &r->gs.g[i];
        struct gfilter gf;
        json_t *o = json_object();
        json_array_append_new(arr, o);
        int rc = group_name(c, r->q, g, o, a, err);
        int has = rc ? -1 : group_filter(c, r->q, g, &gf, a, err);
        if (has < 0)
            return rc ? rc : err->code;
        put_funnel(o, &g->acc, r->q, has ? &gf : NULL, a);
    }
    return 0;
}

int funnel_run(struct db_conn *c, struct funnel_query *q, const struct vis *v,
               json_t **out, struct arena *a, struct err *err)
{
    struct run r = {.q = q, .sources = OBJ_CONTACT.fields[object_field(
        &OBJ_CONTACT, "source")].values};
    int rc = q->group == FG_TEAM ? load_teams(c, &r, err) : 0;
    if (!rc)
        rc = scan(c, &r, v, a, err);
    json_t *doc = NULL;
    if (!rc) {
        struct gfilter all = {NULL, NULL, q->from_ms, q->to_ms};
        doc = json_pack("{ssssss}", "mode", q->mode == FUNNEL_COHORT
                        ? "cohort" : "period", "from", q->from, "to", q->to);
        put_funnel(doc, &r.total, q, &all, a);
        rc = put_groups(c, &r, doc, a, err);
    }
    funnel_acc_free(&r.total);
    groups_free(&r.gs);
    free(r.team_of);
    if (rc) {
        json_decref(doc);
        return rc;
    }
    *out = doc;
    return 0;
}
