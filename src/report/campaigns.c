/* The campaign performance report (see campaigns.h; SPEC §4, App. A;
 * decision 0015). The arithmetic first, then the arguments, then the
 * run: the campaigns, then one query per figure (cost entries and deals
 * grouped by campaign, touchpoints counted per campaign, the campaigns'
 * contacts summed by PostgreSQL, or read by ranges of campaigns and
 * counted in C on SQLite) while the
 * attribution report by campaign runs on a thread of its own for the
 * revenue; merged into one row per campaign, sorted, with totals. */
#include "report/campaigns.h"
#include "report/fx.h"
#include "report/period.h"
#include "model/campaign.h"
#include "model/object.h"
#include "util/buf.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* The SQL bounds of an open period end: far outside any stored time,
 * yet a plain integer literal on both engines. */
#define OPEN_LO (-4611686018427387904LL)
#define OPEN_HI 4611686018427387904LL

/* Indexes into LIFECYCLE_STAGES (SPEC §3 order). */
enum { ST_LEAD = 1, ST_MQL = 2, ST_SQL = 3, ST_CUSTOMER = 5,
       ST_LAST = 6 /* evangelist: the funnel's last stage */ };

static const char *const COLS[CC_COLS] = {
    "campaign_id", "name", "channel", "status", "budget", "cost",
    "touchpoints", "new_contacts", "leads", "mqls", "sqls", "deals",
    "customers", "revenue", "cost_per_lead", "cost_per_mql", "cac", "roi",
    "mql_to_sql", "sql_to_customer"};

const char *camp_col_name(int k)
{
    return k >= 0 && k < CC_COLS ? COLS[k] : NULL;
}

/* ---- the arithmetic of a row ---- */

int camp_cost_per(int64_t cost, int64_t n, int64_t *out)
{
    if (n <= 0)
        return -1;
    __int128 q = ((__int128)cost * 2 + n) / ((__int128)n * 2);
    *out = (int64_t)q;              /* half up: floor(cost / n + 1/2) */
    return 0;
}

int camp_roi(int64_t revenue, int64_t cost, double *out)
{
    if (cost == 0)
        return -1;
    *out = ((double)revenue - (double)cost) / (double)cost;
    return 0;
}

int camp_rate(int64_t num, int64_t den, double *out)
{
    if (den == 0)
        return -1;
    *out = (double)num / (double)den;
    return 0;
}

/* The earliest of became[k .. ST_LAST] (CAMP_NEVER when none). */
static int64_t first_from(const int64_t *became, int k)
{
    int64_t m = CAMP_NEVER;
    for (int j = k; j <= ST_LAST; j++)
        if (became[j] < m)
            m = became[j];
    return m;
}

void camp_count_contact(struct camp_counts *c, int64_t created,
                        const int64_t became[7], int64_t lo, int64_t hi)
{
    int64_t lead = first_from(became, ST_LEAD);
    int64_t mql = first_from(became, ST_MQL);
    int64_t sql = first_from(became, ST_SQL);
    int64_t cust = first_from(became, ST_CUSTOMER);
#define IN(t) ((t) != CAMP_NEVER && (t) >= lo && (t) < hi)
    c->new_contacts += created >= lo && created < hi;
    c->leads += IN(lead);
    c->mqls += IN(mql);
    c->mql_sql += IN(mql) && sql != CAMP_NEVER;
    c->sqls += IN(sql);
    c->sql_cust += IN(sql) && cust != CAMP_NEVER;
    c->customers += IN(cust);
#undef IN
}

/* ---- the arguments ---- */

enum { G_FROM = 1, G_TO = 2 };

void camp_query_init(struct camp_query *q)
{
    memset(q, 0, sizeof(*q));
    q->model = ATTR_LINEAR;
    q->from_ms = INT64_MIN;
    q->to_ms = INT64_MAX;
    q->sort = CC_REVENUE;
    q->desc = 1;
}

/* Reads from or to (to is included: its end is the next day's start). */
static int day_arg(struct camp_query *q, int to, const char *value,
                   struct arena *a, struct err *err)
{
    int rc = report_parse_day(to ? "to" : "from", value,
                              to ? &q->to_ms : &q->from_ms, err);
    if (rc)
        return rc;
    if (to) {
        q->to_ms += REPORT_DAY_MS;
        q->to_day = arena_strdup(a, value);
    } else {
        q->from_day = arena_strdup(a, value);
    }
    q->given |= to ? G_TO : G_FROM;
    return 0;
}

/* Reads sort: a column name, "-" first for descending. */
static int sort_arg(struct camp_query *q, const char *value, struct err *err)
{
    int desc = value[0] == '-';
    for (int k = 0; k < CC_COLS; k++)
        if (!strcmp(value + desc, COLS[k])) {
            q->sort = (enum camp_col)k;
            q->desc = desc;
            return 0;
        }
    return err_set(err, E_INVALID, "sort", "must be a column of the report "
                   "such as revenue or -cost_per_lead");
}

/* Reads channel: one of SPEC §4's channels. */
static int channel_arg(struct camp_query *q, const char *value,
                       struct arena *a, struct err *err)
{
    for (int i = 0; CAMPAIGN_CHANNELS[i]; i++)
        if (!strcmp(value, CAMPAIGN_CHANNELS[i])) {
            q->channel = arena_strdup(a, value);
            return 0;
        }
    return err_set(err, E_INVALID, "channel", "must be a campaign channel "
                   "such as email or paid_search");
}

/* Reads model or currency as the attribution report reads them (same
 * values, same errors): its revenue is that report's. */
static int attr_arg(struct camp_query *q, const char *key, const char *value,
                    struct arena *a, struct err *err)
{
    struct attr_query aq;
    attr_query_init(&aq);
    aq.model = q->model;
    aq.currency = q->currency;
    int rc = attr_query_arg(&aq, key, value, a, err);
    q->model = aq.model;
    q->currency = aq.currency;
    return rc;
}

int camp_query_arg(struct camp_query *q, const char *key, const char *value,
                   struct arena *a, struct err *err)
{
    if (!strcmp(key, "from") || !strcmp(key, "to"))
        return day_arg(q, key[0] == 't', value, a, err);
    if (!strcmp(key, "model") || !strcmp(key, "currency"))
        return attr_arg(q, key, value, a, err);
    if (!strcmp(key, "channel"))
        return channel_arg(q, value, a, err);
    if (!strcmp(key, "sort"))
        return sort_arg(q, value, err);
    return err_set(err, E_INVALID, key, "is not a parameter of the "
                   "campaign performance report");
}

int camp_query_check(const struct camp_query *q, int require_period,
                     struct err *err)
{
    if (require_period && !(q->given & G_FROM))
        return err_set(err, E_INVALID, "from", "is required");
    if (require_period && !(q->given & G_TO))
        return err_set(err, E_INVALID, "to", "is required");
    if (q->from_ms >= q->to_ms)
        return err_set(err, E_INVALID, "from", "is after to");
    return 0;
}

/* ---- what a run keeps ---- */

/* One campaign's row. Integer figures are in n[] by column, fractions
 * in f[], and null[k] marks a null value. */
struct crow {
    int64_t id;                 /* first: bsearch by id */
    int64_t parent_id;          /* 0: none */
    const char *name, *channel, *status, *currency, *start, *end;
    int64_t n[CC_COLS];
    double f[CC_COLS];
    unsigned char null[CC_COLS];
    int64_t mql_sql, sql_cust;  /* of mqls, those that became SQL; of
                                 * sqls, those that became customers */
    int unconverted;            /* cost or budget has no rate */
};

struct crun {
    const struct camp_query *q;
    const struct vis *v;
    struct fx fx;
    struct crow *rows;          /* by id */
    int nrows;
    int64_t lo, hi;             /* the period as SQL literals */
    int overflow;
};

/* *acc += x, remembering an overflow. */
static void add(struct crun *r, int64_t *acc, int64_t x)
{
    if (__builtin_add_overflow(*acc, x, acc))
        r->overflow = 1;
}

/* bsearch: by the leading int64_t id. */
static int id_cmp(const void *k, const void *e)
{
    int64_t a = *(const int64_t *)k, b = ((const struct crow *)e)->id;
    return (a > b) - (a < b);
}

/* The row of campaign id, or NULL (another channel's, or made after the
 * campaigns were read). */
static struct crow *row_of(const struct crun *r, int64_t id)
{
    if (!r->nrows)              /* rows is NULL: no campaign yet */
        return NULL;
    return bsearch(&id, r->rows, (size_t)r->nrows, sizeof(*r->rows),
                   id_cmp);
}

/* An arena copy of column i, or NULL. */
static const char *col_dup(struct db_stmt *st, int i, struct arena *a)
{
    const char *s = db_col_text(st, i);
    return s ? arena_strdup(a, s) : NULL;
}

/* Steps st to its end, calling fn on each row whose first column names
 * a campaign with a row; finishes st. */
static int each_row(struct crun *r, struct db_stmt *st, struct err *err,
                    void (*fn)(struct crun *, struct crow *,
                               struct db_stmt *))
{
    int s;
    while ((s = db_step(st, err)) == DB_ROW) {
        struct crow *w = row_of(r, db_col_int(st, 0));
        if (w)
            fn(r, w, st);
    }
    db_done(st);
    return s < 0 ? err->code : 0;
}

/* ---- the figures ---- */

/* Keeps a campaign row read by load_campaigns. */
static void keep_campaign(struct crun *r, struct db_stmt *st, int *cap,
                          struct arena *a)
{
    if (r->nrows == *cap) {
        *cap = *cap ? 2 * *cap : 64;
        r->rows = xrealloc(r->rows, (size_t)*cap * sizeof(*r->rows));
    }
    struct crow *w = &r->rows[r->nrows++];
    memset(w, 0, sizeof(*w));
    w->id = db_col_int(st, 0);
    w->name = col_dup(st, 1, a);
    w->channel = col_dup(st, 2, a);
    w->status = col_dup(st, 3, a);
    w->start = col_dup(st, 4, a);
    w->end = col_dup(st, 5, a);
    w->null[CC_BUDGET] = db_col_null(st, 6);
    w->currency = col_dup(st, 7, a);
    w->parent_id = db_col_int(st, 8);
    if (!w->null[CC_BUDGET] &&
        fx_convert(&r->fx, w->currency, db_col_int(st, 6),
                   &w->n[CC_BUDGET])) {
        w->null[CC_BUDGET] = 1;
        w->unconverted = 1;
    }
}

/* Reads the campaigns (of the channel asked for), in id order. */
static int load_campaigns(struct db_conn *c, struct crun *r,
                          struct arena *a, struct err *err)
{
    struct db_stmt *st;
    int cap = 0, s;
    int rc = db_query(c, &st, err, "SELECT id, name, channel, status, "
                      "start_date, end_date, budget, currency, parent_id "
                      "FROM campaigns WHERE channel = COALESCE(?, channel) "
                      "ORDER BY id", "t", r->q->channel);
    if (rc)
        return rc;
    while ((s = db_step(st, err)) == DB_ROW)
        keep_campaign(r, st, &cap, a);
    db_done(st);
    return s < 0 ? err->code : 0;
}

/* each_row: a campaign's cost entries in one currency. */
static void take_cost(struct crun *r, struct crow *w, struct db_stmt *st)
{
    int64_t x;
    if (fx_convert(&r->fx, db_col_text(st, 1), db_col_int(st, 2), &x)) {
        w->unconverted = 1;
        w->null[CC_COST] = 1;
        return;
    }
    add(r, &w->n[CC_COST], x);
}

/* Sums the cost entries dated in the period, per campaign. */
static int load_costs(struct db_conn *c, struct crun *r, struct err *err)
{
    struct db_stmt *st;
    const char *from = r->q->from_day ? r->q->from_day : "0000-01-01";
    const char *to = r->q->to_day ? r->q->to_day : "9999-12-31";
    int rc = db_query(c, &st, err, "SELECT campaign_id, currency, "
                      "SUM(amount) FROM campaign_costs WHERE date >= ? AND "
                      "date <= ? GROUP BY campaign_id, currency", "tt",
                      from, to);
    return rc ? rc : each_row(r, st, err, take_cost);
}

/* each_row: a campaign's touchpoint count. */
static void take_touches(struct crun *r, struct crow *w, struct db_stmt *st)
{
    (void)r;
    w->n[CC_TOUCHPOINTS] = db_col_int(st, 1);
}

/* Counts the touchpoints in the period, per campaign: every touch for
 * those who see the whole audience, as one index range count per
 * campaign (a third cheaper than grouping the whole index range on
 * SQLite, and only the campaigns of the channel asked for), else only
 * the touches of contacts the viewer may see (as the touchpoint list
 * does), grouped, so that the engine may start from those contacts. */
static int load_touches(struct db_conn *c, struct crun *r, struct arena *a,
                        struct err *err)
{
    struct db_stmt *st;
    const struct vis *v = r->v;
    int rc;
    if (v && !v->see_all && !v->see_audience)
        rc = db_query(c, &st, err, arena_printf(a, "SELECT t.campaign_id, "
                      "COUNT(*) FROM touchpoints t JOIN contacts c ON c.id = "
                      "t.contact_id AND %s WHERE t.campaign_id IS NOT NULL "
                      "AND t.at >= ? AND t.at < ? GROUP BY t.campaign_id",
                      vis_where_rec(v, VIS_CONTACT, "c.owner_id", "c.id", a)),
                      "ii", r->lo, r->hi);
    else
        rc = db_query(c, &st, err, "SELECT k.id, (SELECT COUNT(*) FROM "
                      "touchpoints t WHERE t.campaign_id = k.id AND t.at >= "
                      "? AND t.at < ?) FROM campaigns k WHERE k.channel = "
                      "COALESCE(?, k.channel)", "iit", r->lo, r->hi,
                      r->q->channel);
    return rc ? rc : each_row(r, st, err, take_touches);
}

/* Contacts read per query on SQLite: a range of campaigns at a time
 * (from when PostgreSQL, which hands a result over whole, read the rows
 * too; it now sums them itself, see contacts_summed_sql). */
#define CAMPAIGNS_PER_BATCH 64

/* Adds one contact row (columns: see load_contact_batch) to its
 * campaign's counts. */
static void take_contact(struct crun *r, struct crow *w, struct db_stmt *st)
{
    int64_t became[ST_LAST + 1];
    struct camp_counts k = {0};
    became[0] = CAMP_NEVER;     /* subscriber: not read, not needed */
    for (int j = ST_LEAD; j <= ST_LAST; j++)
        became[j] = db_col_null(st, j + 1) ? CAMP_NEVER
                                           : db_col_int(st, j + 1);
    camp_count_contact(&k, db_col_int(st, 1), became, r->lo, r->hi);
    w->n[CC_NEW_CONTACTS] += k.new_contacts;
    w->n[CC_LEADS] += k.leads;
    w->n[CC_MQLS] += k.mqls;
    w->mql_sql += k.mql_sql;
    w->n[CC_SQLS] += k.sqls;
    w->sql_cust += k.sql_cust;
    w->n[CC_CUSTOMERS] += k.customers;
}

/* Counts the contacts of the campaigns rows[i, j) through the funnel:
 * every contact whose original campaign is one of them, read from the
 * covering index of migration 0012 and counted in C (a CASE per stage
 * in SQL cost SQLite four times as much). */
static int load_contact_batch(struct db_conn *c, struct crun *r,
                              const char *sql, int i, int j,
                              struct err *err)
{
    struct db_stmt *st;
    int rc = db_query(c, &st, err, sql, "ii", r->rows[i].id,
                      r->rows[j - 1].id);
    return rc ? rc : each_row(r, st, err, take_contact);
}

/* each_row: a campaign's contacts counted by the server (columns: see
 * contacts_summed_sql). */
static void take_counted(struct crun *r, struct crow *w, struct db_stmt *st)
{
    (void)r;
    w->n[CC_NEW_CONTACTS] += db_col_int(st, 1);
    w->n[CC_LEADS] += db_col_int(st, 2);
    w->n[CC_MQLS] += db_col_int(st, 3);
    w->mql_sql += db_col_int(st, 4);
    w->n[CC_SQLS] += db_col_int(st, 5);
    w->sql_cust += db_col_int(st, 6);
    w->n[CC_CUSTOMERS] += db_col_int(st, 7);
}

/* Appends "LEAST(t.became_<k>_at, .., t.became_evangelist_at) AS name":
 * the first entry into stage k or a later one (LEAST skips nulls), as
 * first_from. */
static void least_from(struct buf *b, int k, const char *name)
{
    buf_adds(b, ", LEAST(");
    for (int j = k; j <= ST_LAST; j++)
        buf_addf(b, "%st.became_%s_at", j > k ? ", " : "",
                 LIFECYCLE_STAGES[j]);
    buf_addf(b, ") AS %s", name);
}

/* The contacts' funnel counts summed per campaign by PostgreSQL, the
 * same test as camp_count_contact (parameters: the period, then the
 * campaign id range). PostgreSQL hands a result over as text, whole:
 * the 400,000 rows of the C count cost it and the report more to write
 * and read than the sums cost it to compute. */
static const char *contacts_summed_sql(const char *seen, struct arena *a)
{
    static const char *const F[] = {
        "x.created_at >= p.lo AND x.created_at < p.hi",
        "x.l >= p.lo AND x.l < p.hi", "x.m >= p.lo AND x.m < p.hi",
        "x.m >= p.lo AND x.m < p.hi AND x.s IS NOT NULL",
        "x.s >= p.lo AND x.s < p.hi",
        "x.s >= p.lo AND x.s < p.hi AND x.cu IS NOT NULL",
        "x.cu >= p.lo AND x.cu < p.hi"};
    struct buf b;
    buf_init(&b, (size_t)-1);
    buf_adds(&b, "SELECT x.source_campaign_id");
    for (size_t i = 0; i < sizeof(F) / sizeof(F[0]); i++)
        buf_addf(&b, ", COUNT(*) FILTER (WHERE %s)", F[i]);
    buf_adds(&b, " FROM (SELECT CAST(? AS BIGINT) AS lo, CAST(? AS BIGINT) "
             "AS hi) p, (SELECT t.source_campaign_id, t.created_at");
    least_from(&b, ST_LEAD, "l");
    least_from(&b, ST_MQL, "m");
    least_from(&b, ST_SQL, "s");
    least_from(&b, ST_CUSTOMER, "cu");
    buf_adds(&b, " FROM contacts t WHERE t.source_campaign_id IS NOT NULL "
             "AND t.source_campaign_id BETWEEN ? AND ? AND ");
    buf_adds(&b, seen);
    buf_adds(&b, ") x GROUP BY x.source_campaign_id");
    const char *sql = arena_strdup(a, buf_cstr(&b));
    buf_release(&b);
    return sql;
}

/* Counts the campaigns' contacts through the funnel: summed by a
 * database server (PostgreSQL: contacts_summed_sql), else read batch by
 * batch and counted in C, which in this process costs less. */
static int load_contacts(struct db_conn *c, struct crun *r, struct arena *a,
                         struct err *err)
{
    struct buf b;
    struct db_stmt *st;
    const char *seen = r->v ? vis_where_rec(r->v, VIS_CONTACT, "t.owner_id",
                                            "t.id", a) : "1=1";
    if (!r->nrows)
        return 0;
    if (!db_embedded(db_conn_db(c))) {
        int rc = db_query(c, &st, err, contacts_summed_sql(seen, a), "iiii",
                          r->lo, r->hi, r->rows[0].id,
                          r->rows[r->nrows - 1].id);
        return rc ? rc : each_row(r, st, err, take_counted);
    }
    buf_init(&b, (size_t)-1);
    buf_adds(&b, "SELECT t.source_campaign_id, t.created_at");
    for (int j = ST_LEAD; j <= ST_LAST; j++)
        buf_addf(&b, ", t.became_%s_at", LIFECYCLE_STAGES[j]);
    /* INDEXED BY: for a restricted viewer SQLite otherwise starts from
     * the owners' contacts ("owner IN (..) OR id IN (..)" as a
     * multi-index OR) and reads every row of them from the table; the
     * covering index holds owner_id and the rowid, so the filter needs
     * no row (a sales manager, 100k contacts: 0.26 s -> 0.03 s). */
    buf_adds(&b, " FROM contacts t");
    db_add_indexed_by(db_conn_db(c), &b, "contacts_source_campaign");
    buf_addf(&b, " WHERE t.source_campaign_id IS NOT NULL AND "
             "t.source_campaign_id BETWEEN ? AND ? AND %s", seen);
    const char *sql = arena_strdup(a, buf_cstr(&b));
    buf_release(&b);
    int rc = 0;
    for (int i = 0; !rc && i < r->nrows; i += CAMPAIGNS_PER_BATCH)
        rc = load_contact_batch(c, r, sql, i, i + CAMPAIGNS_PER_BATCH <
                                r->nrows ? i + CAMPAIGNS_PER_BATCH
                                : r->nrows, err);
    return rc;
}

/* each_row: a campaign's deal count. */
static void take_deals(struct crun *r, struct crow *w, struct db_stmt *st)
{
    (void)r;
    w->n[CC_DEALS] = db_col_int(st, 1);
}

/* Counts the deals created in the period whose source campaign it is. */
static int load_deals(struct db_conn *c, struct crun *r, struct arena *a,
                      struct err *err)
{
    struct db_stmt *st;
    const char *sql = arena_printf(a, "SELECT d.source_campaign_id, "
        "COUNT(*) FROM deals d WHERE d.source_campaign_id IS NOT NULL AND "
        "d.created_at >= ? AND d.created_at < ? AND %s GROUP BY "
        "d.source_campaign_id", r->v ? vis_where_rec(r->v, VIS_DEAL,
        "d.owner_id", "d.id", a) : "1=1");
    int rc = db_query(c, &st, err, sql, "ii", r->lo, r->hi);
    return rc ? rc : each_row(r, st, err, take_deals);
}

/* The attribution run behind the revenue: the longest of the report's
 * queries, so it runs on a thread of its own, with a connection of its
 * own, beside the others. */
struct rev_job {
    const struct vis *v;
    struct attr_query aq;
    struct arena a;             /* the job's own: arenas are not shared */
    json_t *doc;                /* the attribution document, or NULL */
    struct err err;
    int rc;
};

/* Prepares the job: by campaign over the deals won in the period. */
static void rev_init(struct rev_job *j, const struct crun *r)
{
    memset(j, 0, sizeof(*j));
    j->v = r->v;
    attr_query_init(&j->aq);
    j->aq.model = r->q->model;
    j->aq.by = ATTR_BY_CAMPAIGN;
    j->aq.won_from = r->q->from_ms;
    j->aq.won_to = r->q->to_ms;
    j->aq.currency = r->fx.currency;    /* lives in the run's arena */
    arena_init(&j->a);
}

/* Runs the attribution report (a db_task, or on the run's connection). */
static int rev_run(struct db_conn *c, void *ctx, struct err *err)
{
    struct rev_job *j = ctx;
    return attribution_run(c, j->v, &j->aq, &j->doc, &j->a, err);
}

/* Takes each campaign's revenue from the job's document, and its error
 * into err; frees the job. */
static int rev_take(struct crun *r, struct rev_job *j, struct err *err)
{
    json_t *row;
    size_t i;
    int rc = j->rc;
    if (rc)
        *err = j->err;          /* its field and message are literals */
    json_array_foreach(json_object_get(j->doc, "rows"), i, row) {
        json_t *key = json_object_get(row, "key");
        struct crow *w = json_is_integer(key)
            ? row_of(r, json_integer_value(key)) : NULL;
        if (w)
            w->n[CC_REVENUE] = json_integer_value(json_object_get(row,
                                                                  "revenue"));
    }
    json_decref(j->doc);
    arena_release(&j->a);
    return rc;
}

/* ---- rows and totals ---- */

/* Sets the row's ratios from its figures. */
static void finish(struct crow *w)
{
    const int64_t *n = w->n;
    int nocost = w->null[CC_COST];
    w->null[CC_COST_PER_LEAD] = nocost ||
        camp_cost_per(n[CC_COST], n[CC_LEADS], &w->n[CC_COST_PER_LEAD]);
    w->null[CC_COST_PER_MQL] = nocost ||
        camp_cost_per(n[CC_COST], n[CC_MQLS], &w->n[CC_COST_PER_MQL]);
    w->null[CC_CAC] = nocost ||
        camp_cost_per(n[CC_COST], n[CC_CUSTOMERS], &w->n[CC_CAC]);
    w->null[CC_ROI] = nocost ||
        camp_roi(n[CC_REVENUE], n[CC_COST], &w->f[CC_ROI]);
    w->null[CC_MQL_TO_SQL] = camp_rate(w->mql_sql, n[CC_MQLS],
                                       &w->f[CC_MQL_TO_SQL]) != 0;
    w->null[CC_SQL_TO_CUSTOMER] = camp_rate(w->sql_cust, n[CC_SQLS],
                                            &w->f[CC_SQL_TO_CUSTOMER]) != 0;
}

/* Whether the campaign's dates overlap the period (an open end of
 * either overlaps). */
static int overlaps(const struct crow *w, const struct camp_query *q)
{
    if (w->start && q->to_day && strcmp(w->start, q->to_day) > 0)
        return 0;
    return !(w->end && q->from_day && strcmp(w->end, q->from_day) < 0);
}

/* Whether the campaign gets a row: it ran in the period or has a
 * figure in it. */
static int shown(const struct crow *w, const struct camp_query *q)
{
    static const int FIG[] = {CC_COST, CC_TOUCHPOINTS, CC_NEW_CONTACTS,
                              CC_LEADS, CC_MQLS, CC_SQLS, CC_DEALS,
                              CC_CUSTOMERS, CC_REVENUE};
    if (overlaps(w, q))
        return 1;
    for (size_t i = 0; i < sizeof(FIG) / sizeof(FIG[0]); i++)
        if (w->n[FIG[i]])
            return 1;
    return 0;
}

/* Adds row w into the totals t. */
static void total_add(struct crun *r, struct crow *t, const struct crow *w)
{
    static const int SUM[] = {CC_BUDGET, CC_COST, CC_TOUCHPOINTS,
                              CC_NEW_CONTACTS, CC_LEADS, CC_MQLS, CC_SQLS,
                              CC_DEALS, CC_CUSTOMERS, CC_REVENUE};
    for (size_t i = 0; i < sizeof(SUM) / sizeof(SUM[0]); i++)
        if (!w->null[SUM[i]])
            add(r, &t->n[SUM[i]], w->n[SUM[i]]);
    t->mql_sql += w->mql_sql;
    t->sql_cust += w->sql_cust;
}

/* Whether column k holds text, a fraction, or an integer. */
static int is_text(int k)
{
    return k == CC_NAME || k == CC_CHANNEL || k == CC_STATUS;
}
static int is_fraction(int k)
{
    return k == CC_ROI || k == CC_MQL_TO_SQL || k == CC_SQL_TO_CUSTOMER;
}

/* The text of column k of w. */
static const char *text_of(const struct crow *w, int k)
{
    return k == CC_NAME ? w->name : k == CC_CHANNEL ? w->channel : w->status;
}

/* qsort_r: by the query's column and direction, nulls last either way,
 * then by campaign id. */
static int row_cmp(const void *x, const void *y, void *ctx)
{
    const struct crow *a = x, *b = y;
    const struct camp_query *q = ctx;
    int k = q->sort, c = 0;
    if (a->null[k] != b->null[k])
        return a->null[k] - b->null[k];
    if (a->null[k] || k == CC_CAMPAIGN_ID)
        c = 0;
    else if (is_text(k))
        c = strcmp(text_of(a, k), text_of(b, k));
    else if (is_fraction(k))
        c = (a->f[k] > b->f[k]) - (a->f[k] < b->f[k]);
    else
        c = (a->n[k] > b->n[k]) - (a->n[k] < b->n[k]);
    if (!c)
        c = (a->id > b->id) - (a->id < b->id);
    return q->desc ? -c : c;
}

/* A column's JSON value. */
static json_t *col_json(const struct crow *w, int k)
{
    if (w->null[k])
        return json_null();
    if (is_fraction(k))
        return json_real(w->f[k]);
    return json_integer(w->n[k]);
}

/* The figures and ratios of a row or of the totals, into o. */
static void figures_json(json_t *o, const struct crow *w)
{
    for (int k = CC_BUDGET; k < CC_COLS; k++)
        json_object_set_new(o, COLS[k], col_json(w, k));
}

/* One row of the document. */
static json_t *row_json(const struct crow *w)
{
    json_t *o = json_object();
    json_object_set_new(o, "campaign_id", json_integer(w->id));
    json_object_set_new(o, "name", json_string(w->name));
    json_object_set_new(o, "channel", json_string(w->channel));
    json_object_set_new(o, "status", json_string(w->status));
    json_object_set_new(o, "parent_id", w->parent_id
                        ? json_integer(w->parent_id) : json_null());
    figures_json(o, w);
    return o;
}

/* A string, or null. */
static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* The document: the rows shown, sorted, and their totals. */
static json_t *doc_json(struct crun *r)
{
    const struct camp_query *q = r->q;
    struct crow t;
    json_t *rows = json_array();
    int m = 0, excluded = 0;
    memset(&t, 0, sizeof(t));
    for (int i = 0; i < r->nrows; i++)
        if (shown(&r->rows[i], q)) {
            r->rows[m] = r->rows[i];
            finish(&r->rows[m++]);
        }
    if (m > 1)
        qsort_r(r->rows, (size_t)m, sizeof(*r->rows), row_cmp, (void *)q);
    for (int i = 0; i < m; i++) {
        total_add(r, &t, &r->rows[i]);
        excluded += r->rows[i].unconverted;
        json_array_append_new(rows, row_json(&r->rows[i]));
    }
    finish(&t);
    json_t *totals = json_object();
    figures_json(totals, &t);
    json_t *doc = json_object();
    json_object_set_new(doc, "from", str_or_null(q->from_day));
    json_object_set_new(doc, "to", str_or_null(q->to_day));
    json_object_set_new(doc, "model", json_string(attr_model_name(q->model)));
    json_object_set_new(doc, "currency", json_string(r->fx.currency));
    json_object_set_new(doc, "channel", str_or_null(q->channel));
    json_object_set_new(doc, "sort", json_pack("s++", q->desc ? "-" : "",
                                              COLS[q->sort], ""));
    json_object_set_new(doc, "rows", rows);
    json_object_set_new(doc, "totals", totals);
    json_object_set_new(doc, "excluded", json_pack("{si}", "campaigns",
                                                   excluded));
    return doc;
}

/* ---- the run ---- */

/* The touchpoint counts (a db_task): on PostgreSQL their index scans are
 * the longest part of a report after attribution's, and each engine
 * answers several connections at once. They write only their own
 * column of the rows (row_of only reads the row index); ctx is the run,
 * and the task's arena its own. */
struct touch_job {
    struct crun *r;
    struct arena a;             /* arenas are not shared */
};

static int touch_run(struct db_conn *c, void *ctx, struct err *err)
{
    struct touch_job *j = ctx;
    return load_touches(c, j->r, &j->a, err);
}

/* Reads the counts and cost of every campaign: the touchpoints on a
 * thread of their own when one starts, the rest on the run's
 * connection. The first error is the one told. */
static int load_counts(struct db_conn *c, struct crun *r, struct arena *a,
                       struct err *err)
{
    struct touch_job tj = {.r = r};
    struct db_task task;
    arena_init(&tj.a);
    int threaded = db_task_start(&task, db_conn_db(c), touch_run, &tj) == 0;
    int rc = load_costs(c, r, err);
    if (!rc && !threaded)
        rc = load_touches(c, r, a, err);
    if (!rc)
        rc = load_contacts(c, r, a, err);
    if (!rc)
        rc = load_deals(c, r, a, err);
    if (threaded && db_task_join(&task) && !rc) {
        *err = task.err;        /* its field and message are literals */
        rc = task.rc;
    }
    arena_release(&tj.a);
    return rc;
}

/* Reads the currency and the campaigns, then the revenue on a thread of
 * its own while the counts are read here (one after the other when no
 * thread can be started). */
static int run_all(struct db_conn *c, struct crun *r, struct arena *a,
                   struct err *err)
{
    struct rev_job job;
    int rc = fx_load(c, r->q->currency, &r->fx, a, err);
    if (!rc)
        rc = load_campaigns(c, r, a, err);
    if (rc)
        return rc;
    rev_init(&job, r);
    struct db_task task;
    int threaded = db_task_start(&task, db_conn_db(c), rev_run, &job) == 0;
    rc = load_counts(c, r, a, err);
    if (threaded) {
        job.rc = db_task_join(&task);
        job.err = task.err;
    } else {                    /* here, on this thread's connection */
        job.rc = rev_run(c, &job, &job.err);
    }
    struct err ignored = {0};  /* the counts' error is the one told */
    int rrc = rev_take(r, &job, rc ? &ignored : err);
    return rc ? rc : rrc;
}

int campaign_report_run(struct db_conn *c, const struct vis *v,
                        const struct camp_query *q, json_t **out,
                        struct arena *a, struct err *err)
{
    struct crun r = {.q = q, .v = v};
    r.lo = q->from_ms < OPEN_LO ? OPEN_LO : q->from_ms;
    r.hi = q->to_ms > OPEN_HI ? OPEN_HI : q->to_ms;
    int rc = run_all(c, &r, a, err);
    if (!rc)
        *out = doc_json(&r);
    if (!rc && r.overflow) {        /* in a campaign's cost or the totals */
        json_decref(*out);
        *out = NULL;
        rc = err_set(err, E_RULE, NULL, "sums exceed the largest amount "
                     "the report can show");
    }
    free(r.rows);
    return rc;
}
