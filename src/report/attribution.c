/* The attribution report (see attribution.h; SPEC §4, App. A, App. C;
 * decision 0014). The arithmetic of one deal first, then the arguments,
 * then the run: the won deals in one query, then per batch of deals
 * (in id order) their contacts' first lead entries and their touches,
 * two queries each, credited deal by deal into one row per campaign or
 * channel. */
#include "report/attribution.h"
#include "report/fx.h"
#include "report/period.h"
#include "model/crm.h"
#include "model/object.h"
#include "util/buf.h"
#include "util/money.h"
#include "util/xalloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SCALE 2000              /* named shares are in 1/2000ths */
#define BATCH 2048              /* deals per batch of touch queries */
#define SMALL 64                /* touches of a deal kept on the stack */
#define NO_CAMPAIGN "(no campaign)"
#define NO_CHANNEL "(no channel)"

static const char *const MODELS[] = {"first_touch", "last_touch", "linear",
                                     "u_shaped", "w_shaped", "full_path",
                                     "time_decay"};

/* Each model's shares of first, lead creation, deal creation, last and
 * the rest, in 1/SCALE; a position with no share is not named. */
static const int SHARES[ATTR_MODELS][ATTR_NPOS + 1] = {
    [ATTR_FIRST_TOUCH] = {SCALE, 0, 0, 0, 0},
    [ATTR_LAST_TOUCH] = {0, 0, 0, SCALE, 0},
    [ATTR_LINEAR] = {0, 0, 0, 0, SCALE},
    [ATTR_U_SHAPED] = {800, 800, 0, 0, 400},          /* 40 40 - - 20 */
    [ATTR_W_SHAPED] = {600, 600, 600, 0, 200},        /* 30 30 30 - 10 */
    [ATTR_FULL_PATH] = {450, 450, 450, 450, 200},     /* 22.5 x 4, 10 */
    [ATTR_TIME_DECAY] = {0, 0, 0, 0, 0},              /* by weight */
};

const char *attr_model_name(enum attr_model m)
{
    return m >= 0 && m < ATTR_MODELS ? MODELS[m] : NULL;
}

int attr_model_parse(const char *s)
{
    for (int m = 0; m < ATTR_MODELS; m++)
        if (!strcmp(s, MODELS[m]))
            return m;
    return -1;
}

/* ---- the arithmetic of one deal ---- */

/* The last of the n touches at or before t, or 0 (the first) if none. */
static int last_at_or_before(const int64_t *at, int n, int64_t t)
{
    int lo = 0, hi = n;         /* the first touch after t is in [lo, hi] */
    if (t == ATTR_NO_TIME)
        return 0;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (at[mid] <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo ? lo - 1 : 0;
}

void attr_positions(const int64_t *at, int n, int64_t lead_ms,
                    int64_t created_ms, int pos[ATTR_NPOS])
{
    pos[ATTR_FIRST] = 0;
    pos[ATTR_LEAD] = last_at_or_before(at, n, lead_ms);
    pos[ATTR_DEAL] = last_at_or_before(at, n, created_ms);
    pos[ATTR_LAST] = n - 1;
}

/* Gives the rounding remainder to touch best (should floating point
 * have over-shot, time decay, the excess is taken back from it). */
static void settle(int64_t amount, int64_t *credits, int n, int best)
{
    __int128 sum = 0;
    for (int i = 0; i < n; i++)
        sum += credits[i];
    credits[best] = (int64_t)(credits[best] + ((__int128)amount - sum));
}

/* The named-position models: shares are exact fractions num[i] / den. */
static void credit_positions(enum attr_model m, int n,
                             const int pos[ATTR_NPOS], int64_t amount,
                             int64_t *credits, unsigned char *credited)
{
    int64_t nbuf[SMALL];
    unsigned char mbuf[SMALL];
    int64_t *num = n <= SMALL ? nbuf : xmalloc((size_t)n * sizeof(int64_t));
    unsigned char *named = n <= SMALL ? mbuf : xmalloc((size_t)n);
    const int *sh = SHARES[m];
    int unnamed = 0, distinct = 0, best = 0;
    memset(num, 0, (size_t)n * sizeof(int64_t));
    memset(named, 0, (size_t)n);
    for (int p = 0; p < ATTR_NPOS; p++)
        if (sh[p])
            named[pos[p]] = 1;
    for (int i = 0; i < n; i++) {
        unnamed += !named[i];
        distinct += named[i];
    }
    /* the rest goes to the unnamed touches, else to the named ones */
    int64_t k = unnamed ? unnamed : distinct;
    for (int p = 0; p < ATTR_NPOS; p++)
        num[pos[p]] += (int64_t)sh[p] * k;
    for (int i = 0; i < n; i++)
        if (unnamed ? !named[i] : named[i])
            num[i] += sh[ATTR_NPOS];
    __int128 den = (__int128)SCALE * k;
    for (int i = 0; i < n; i++) {
        credits[i] = (int64_t)((__int128)amount * num[i] / den);
        credited[i] = num[i] > 0;
        if (num[i] > num[best])
            best = i;
    }
    settle(amount, credits, n, best);
    if (num != nbuf) {
        free(num);
        free(named);
    }
}

/* time_decay: touch i weighs 2^(-days before close / 7); the weights
 * are taken relative to the latest touch, which weighs 1, so that their
 * sum never underflows. */
static void credit_decay(const int64_t *at, int n, int64_t closed_ms,
                         int64_t amount, int64_t *credits,
                         unsigned char *credited)
{
    long double wbuf[SMALL], sum = 0;
    long double *w = n <= SMALL ? wbuf : xmalloc((size_t)n * sizeof(*w));
    int best = 0;
    (void)closed_ms;            /* 2^(-d/7) / 2^(-d_last/7): close cancels */
    for (int i = 0; i < n; i++) {
        long double days = (long double)(at[n - 1] - at[i]) / REPORT_DAY_MS;
        w[i] = exp2l(-days / 7);
        sum += w[i];
    }
    for (int i = 0; i < n; i++) {
        long double x = floorl((long double)amount * w[i] / sum);
        credits[i] = x <= 0 ? 0 : x >= (long double)amount ? amount
                   : (int64_t)x;
        credited[i] = w[i] > 0;
        if (w[i] > w[best])
            best = i;
    }
    settle(amount, credits, n, best);
    if (w != wbuf)
        free(w);
}

void attr_credit(enum attr_model m, const int64_t *at, int n,
                 const int pos[ATTR_NPOS], int64_t closed_ms, int64_t amount,
                 int64_t *credits, unsigned char *credited)
{
    if (n <= 0)
        return;
    if (m == ATTR_TIME_DECAY)
        credit_decay(at, n, closed_ms, amount, credits, credited);
    else
        credit_positions(m, n, pos, amount, credits, credited);
}

/* ---- the arguments ---- */

enum { G_MODEL = 1, G_BY = 2, G_FROM = 4, G_TO = 8, G_CURRENCY = 16 };

void attr_query_init(struct attr_query *q)
{
    memset(q, 0, sizeof(*q));
    q->won_from = INT64_MIN;    /* an end not given stays open */
    q->won_to = INT64_MAX;
}

int attr_query_arg(struct attr_query *q, const char *key, const char *value,
                   struct arena *a, struct err *err)
{
    if (!strcmp(key, "model")) {
        int m = attr_model_parse(value);
        if (m < 0)
            return err_set(err, E_INVALID, "model", "must be first_touch, "
                           "last_touch, linear, u_shaped, w_shaped, "
                           "full_path or time_decay");
        q->model = (enum attr_model)m;
        q->given |= G_MODEL;
        return 0;
    }
    if (!strcmp(key, "by")) {
        if (strcmp(value, "campaign") && strcmp(value, "channel"))
            return err_set(err, E_INVALID, "by", "must be campaign or "
                           "channel");
        q->by = strcmp(value, "campaign") ? ATTR_BY_CHANNEL
                                          : ATTR_BY_CAMPAIGN;
        q->given |= G_BY;
        return 0;
    }
    if (!strcmp(key, "won_from") || !strcmp(key, "won_to")) {
        int to = key[4] == 't';
        int rc = report_parse_day(to ? "won_to" : "won_from", value,
                           to ? &q->won_to : &q->won_from, err);
        if (rc)
            return rc;
        if (to) {
            q->won_to += REPORT_DAY_MS;            /* both ends included */
            q->to_day = arena_strdup(a, value);
        } else {
            q->from_day = arena_strdup(a, value);
        }
        q->given |= to ? G_TO : G_FROM;
        return 0;
    }
    if (!strcmp(key, "currency")) {
        if (!money_code_valid(value))
            return err_set(err, E_INVALID, "currency", "must be an ISO 4217 "
                           "code such as VND");
        q->currency = arena_strdup(a, value);
        q->given |= G_CURRENCY;
        return 0;
    }
    return err_set(err, E_INVALID, key, "is not a parameter of the "
                   "attribution report");
}

int attr_query_check(const struct attr_query *q, int require_period,
                     struct err *err)
{
    static const struct {
        unsigned bit;
        const char *name;
    } req[] = {{G_MODEL, "model"}, {G_BY, "by"}, {G_FROM, "won_from"},
               {G_TO, "won_to"}};
    size_t n = require_period ? 4 : 2;
    for (size_t i = 0; i < n; i++)
        if (!(q->given & req[i].bit))
            return err_set(err, E_INVALID, req[i].name, "is required");
    if (q->won_from >= q->won_to)
        return err_set(err, E_INVALID, "won_from", "is after won_to");
    return 0;
}

/* ---- what a run keeps ---- */

/* A campaign, and its row when by campaign. */
struct camp {
    int64_t id;             /* first: find_id */
    const char *name;
    int channel;            /* index in the channel list, -1 none */
    int64_t revenue, touches;
};

/* A won deal counted by the report. */
struct deal {
    int64_t id;             /* first: find_id */
    int64_t amount, created_at, closed_at, lead;
};

/* A touch of a deal in the current batch. */
struct touch {
    int32_t deal;           /* index in the batch */
    int32_t key;            /* its row: campaign index + 1 or channel + 1,
                             * 0 none; by campaign, first the campaign id
                             * (0 none) until resolved */
    int64_t at, id, campaign;
};

struct run {
    const struct attr_query *q;
    const char *const *channels;    /* campaigns.channel's values */
    int nchannels;
    struct fx fx;                   /* the report currency */
    struct camp *camps;             /* sorted by id */
    int ncamps, capcamps;
    int64_t none_rev, none_touches; /* the row of key null */
    int64_t *ch_rev, *ch_touches;   /* by channel: per channel */
    struct deal *deals;
    int ndeals, capdeals;
    int64_t total, unattr_rev, unattr_deals, excl_deals;
    /* the batch queries, [BY_LIST] naming the deals by id, [BY_RANGE]
     * by the range of their ids (batch_sqls) */
    const char *touches_sql[2], *leads_sql[2];
    json_t *excl_by_cur;            /* {"USD": minor units} */
    int overflow;                   /* a sum left int64_t */
    struct touch *t;                /* the batch's touches */
    size_t nt, capt;
    int64_t *at, *credits;          /* one deal's, sized capd */
    unsigned char *credited;
    int capd;
};

/* *acc += v, remembering an overflow. */
static void add(struct run *r, int64_t *acc, int64_t v)
{
    if (__builtin_add_overflow(*acc, v, acc))
        r->overflow = 1;
}

/* ---- campaigns ---- */

/* The index of channel s, or -1. */
static int channel_index(const struct run *r, const char *s)
{
    for (int i = 0; s && i < r->nchannels; i++)
        if (!strcmp(r->channels[i], s))
            return i;
    return -1;
}

/* Adds a campaign (kept sorted by id). */
static void camp_add(struct run *r, int64_t id, const char *name,
                     const char *channel, struct arena *a)
{
    if (r->ncamps == r->capcamps) {
        r->capcamps = r->capcamps ? 2 * r->capcamps : 64;
        r->camps = xrealloc(r->camps, (size_t)r->capcamps * sizeof(*r->camps));
    }
    int i = r->ncamps;
    while (i > 0 && r->camps[i - 1].id > id)
        i--;
    memmove(&r->camps[i + 1], &r->camps[i],
            (size_t)(r->ncamps - i) * sizeof(*r->camps));
    r->camps[i] = (struct camp){id, arena_strdup(a, name),
                                channel_index(r, channel), 0, 0};
    r->ncamps++;
}

/* Reads campaigns: all of them, or (id > 0) the one a touch names that
 * came after the first read. */
static int load_camps(struct db_conn *c, struct run *r, int64_t id,
                      struct arena *a, struct err *err)
{
    struct db_stmt *st;
    int rc = id ? db_query(c, &st, err, "SELECT id, name, channel FROM "
                           "campaigns WHERE id = ?", "i", id)
                : db_query(c, &st, err, "SELECT id, name, channel FROM "
                           "campaigns ORDER BY id", "");
    if (rc)
        return rc;
    int s;
    while ((s = db_step(st, err)) == DB_ROW)
        camp_add(r, db_col_int(st, 0), db_col_text(st, 1),
                 db_col_text(st, 2), a);
    db_done(st);
    return s < 0 ? err->code : 0;
}

/* The index of id among the elements [lo, hi) of an array of structs
 * of the given size, sorted by their first member, an int64_t id; -1
 * when absent. */
static int find_id(const void *base, size_t size, int lo, int hi,
                   int64_t id)
{
    hi--;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        int64_t x;
        memcpy(&x, (const char *)base + (size_t)mid * size, sizeof(x));
        if (x == id)
            return mid;
        if (x < id)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

/* The index of campaign id, or -1. */
static int camp_find(const struct run *r, int64_t id)
{
    return find_id(r->camps, sizeof(*r->camps), 0, r->ncamps, id);
}

/* ---- the deals ---- */

/* The deal filter shared by every query (alias d), with its two
 * parameters: won, closed in the period, visible. */
static const char *deal_where(const struct vis *v, struct arena *a)
{
    return arena_printf(a, "d.status = 'won' AND d.closed_at >= ? AND "
                        "d.closed_at < ? AND %s", v ? vis_where_rec(v,
                        VIS_DEAL, "d.owner_id", "d.id", a) : "1=1");
}

/* Counts a deal the report cannot convert, in its own currency. */
static void exclude(struct run *r, const char *cur, int64_t amount)
{
    json_t *x = json_object_get(r->excl_by_cur, cur);
    int64_t sum = x ? json_integer_value(x) : 0;
    add(r, &sum, amount);
    json_object_set_new(r->excl_by_cur, cur, json_integer(sum));
    r->excl_deals++;
}

/* Prepares sql and binds its n integer parameters. */
static int prepare_ints(struct db_conn *c, const char *sql,
                        const int64_t *vals, int n, struct db_stmt **st,
                        struct err *err)
{
    int rc = db_prepare(c, sql, st, err);
    for (int i = 0; !rc && i < n; i++)
        rc = db_bind_int(*st, i + 1, vals[i], err);
    return rc;
}

/* qsort: deals by id. */
static int deal_cmp(const void *x, const void *y)
{
    int64_t a = ((const struct deal *)x)->id, b = ((const struct deal *)y)->id;
    return (a > b) - (a < b);
}

/* Reads the won deals, converting their amounts, and sorts them by id
 * here: PostgreSQL sorted the 63,577 rows of a year on disk (more than
 * work_mem), a third of the query's time. */
static int load_deals(struct db_conn *c, struct run *r, const char *where,
                      struct arena *a, struct err *err)
{
    struct db_stmt *st;
    const char *sql = arena_printf(a, "SELECT d.id, d.amount, d.currency, "
                                   "d.created_at, d.closed_at FROM deals d "
                                   "WHERE %s", where);
    const int64_t period[] = {r->q->won_from, r->q->won_to};
    int rc = prepare_ints(c, sql, period, 2, &st, err), s = DB_DONE;
    if (!rc)
        db_want_binary(st);     /* see load_touches */
    while (!rc && (s = db_step(st, err)) == DB_ROW) {
        const char *cur = db_col_text(st, 2);
        int64_t amount;
        if (fx_convert(&r->fx, cur, db_col_int(st, 1), &amount)) {
            exclude(r, cur, db_col_int(st, 1));
            continue;
        }
        if (r->ndeals == r->capdeals) {
            r->capdeals = r->capdeals ? 2 * r->capdeals : 1024;
            r->deals = xrealloc(r->deals, (size_t)r->capdeals *
                                sizeof(*r->deals));
        }
        r->deals[r->ndeals++] = (struct deal){db_col_int(st, 0), amount,
            db_col_int(st, 3), db_col_int(st, 4), ATTR_NO_TIME};
        add(r, &r->total, amount);
    }
    db_done(st);
    if (r->ndeals > 1)
        qsort(r->deals, (size_t)r->ndeals, sizeof(*r->deals), deal_cmp);
    return rc ? rc : s < 0 ? err->code : 0;
}

/* The index of deal id among deals[lo, hi), or -1. */
static int deal_find(const struct run *r, int lo, int hi, int64_t id)
{
    return find_id(r->deals, sizeof(*r->deals), lo, hi, id);
}

/* A contact's lead moment: the earliest of its first entries into lead
 * and the later funnel stages (NULL when none), as a scalar subquery per
 * deal contact. Portable (no LEAST on SQLite, whose min() is NULL when an
 * argument is), and it makes PostgreSQL look contacts up by id instead of
 * hashing the whole table for every batch. */
#define LEAD_OF_CONTACT "(SELECT (SELECT MIN(u.x) FROM (" \
    "SELECT c.became_lead_at AS x " \
    "UNION ALL SELECT c.became_marketing_qualified_lead_at " \
    "UNION ALL SELECT c.became_sales_qualified_lead_at " \
    "UNION ALL SELECT c.became_opportunity_at " \
    "UNION ALL SELECT c.became_customer_at " \
    "UNION ALL SELECT c.became_evangelist_at) u) " \
    "FROM contacts c WHERE c.id = dc.contact_id)"

enum { BY_LIST, BY_RANGE };

/* A batch of deals whose ids fill three quarters of their range or more
 * is read by the range: index range scans, where a list costs a descent
 * per id, and the touches after each deal's close stay on the server
 * (decision 0014: the list alone made the attribution bench, every deal
 * won in the year, 10-15 % slower on PostgreSQL). A sparser batch is
 * read by its list: a range would also walk the deals not won in the
 * period (three in four of a year's range in the campaign bench) with
 * their touches, and a sales rep's one batch spans the whole id range
 * (the lead subquery for all 130,000 deal contacts: 1.6 s). Rows of
 * deals outside the batch are dropped by deal_find either way. */
static int batch_form(const struct run *r, int lo, int hi)
{
    int64_t span = r->deals[hi - 1].id - r->deals[lo].id + 1;
    return (int64_t)(hi - lo) * 4 >= span * 3 ? BY_RANGE : BY_LIST;
}

/* The batch queries of both forms into r, the touches from
 * touchpoints_contact alone (migration 0009) and the lead moments.
 * By list (parameters: the batch's latest close, which bounds the
 * touches, then the ids as a JSON array; the leads only the ids): each
 * deal's own close is applied in C. By range (parameters: the batch's
 * first and last id, twice, then the period), joined to deals under the
 * run's where: CROSS JOIN keeps SQLite on the batch's range of
 * deal_contacts (else it scans deals_closed for every batch), the range
 * repeated on d keeps PostgreSQL off a scan of every deal per batch, and
 * touches after a deal's close are not sent (half of the attribution
 * bench's). */
static void batch_sqls(struct db_conn *c, struct run *r, const char *where,
                       struct arena *a)
{
    const char *ch = r->q->by == ATTR_BY_CHANNEL ? "t.channel" : "NULL";
    const char *list = db_in_ints(db_conn_db(c));
    r->touches_sql[BY_LIST] = arena_printf(a, "SELECT dc.deal_id, t.at, "
        "t.id, t.campaign_id, %s FROM deal_contacts dc JOIN touchpoints t "
        "ON t.contact_id = dc.contact_id AND t.at <= ? WHERE dc.deal_id %s",
        ch, list);
    r->leads_sql[BY_LIST] = arena_printf(a, "SELECT dc.deal_id, "
        LEAD_OF_CONTACT " FROM deal_contacts dc WHERE dc.deal_id %s", list);
    r->touches_sql[BY_RANGE] = arena_printf(a, "SELECT dc.deal_id, t.at, "
        "t.id, t.campaign_id, %s FROM deal_contacts dc CROSS JOIN deals d "
        "JOIN touchpoints t ON t.contact_id = dc.contact_id AND t.at <= "
        "d.closed_at WHERE d.id = dc.deal_id AND dc.deal_id BETWEEN ? AND ? "
        "AND d.id BETWEEN ? AND ? AND %s", ch, where);
    r->leads_sql[BY_RANGE] = arena_printf(a, "SELECT dc.deal_id, "
        LEAD_OF_CONTACT " FROM deal_contacts dc CROSS JOIN deals d WHERE "
        "d.id = dc.deal_id AND dc.deal_id BETWEEN ? AND ? AND d.id BETWEEN "
        "? AND ? AND %s", where);
}

/* Binds the batch's deals from parameter idx on: ids (batch_ids) when
 * given, else its range of ids twice and the run's period. */
static int bind_batch(struct db_stmt *st, int idx, const struct run *r,
                      int lo, int hi, const char *ids, struct err *err)
{
    if (ids)
        return db_bind_text(st, idx, ids, err);
    const int64_t v[] = {r->deals[lo].id, r->deals[hi - 1].id,
                         r->deals[lo].id, r->deals[hi - 1].id,
                         r->q->won_from, r->q->won_to};
    int rc = 0;
    for (int i = 0; !rc && i < 6; i++)
        rc = db_bind_int(st, idx + i, v[i], err);
    return rc;
}

/* The ids of deals[lo, hi) as a JSON array into b: the one parameter
 * that names a batch's deals (db_in_ints). */
static void batch_ids(const struct run *r, int lo, int hi, struct buf *b)
{
    b->len = 0;
    buf_adds(b, "[");
    for (int d = lo; d < hi; d++) {
        if (d > lo)
            buf_adds(b, ",");
        buf_add_int(b, r->deals[d].id);
    }
    buf_adds(b, "]");
}

/* Sets each deal of deals[lo, hi)'s lead moment: the earliest lead
 * moment of its contacts. ids: batch_ids of the batch, or NULL to read
 * it by its range (batch_form). */
static int load_leads(struct db_conn *c, struct run *r, int lo, int hi,
                      const char *ids, struct err *err)
{
    struct db_stmt *st;
    int rc = db_prepare(c, r->leads_sql[ids ? BY_LIST : BY_RANGE], &st,
                        err), s = DB_DONE;
    if (!rc) {
        db_want_binary(st);     /* see load_touches */
        rc = bind_batch(st, 1, r, lo, hi, ids, err);
    }
    while (!rc && (s = db_step(st, err)) == DB_ROW) {
        int d = deal_find(r, lo, hi, db_col_int(st, 0));
        int64_t t = db_col_int(st, 1);
        if (d >= 0 && !db_col_null(st, 1) &&
            (r->deals[d].lead == ATTR_NO_TIME || t < r->deals[d].lead))
            r->deals[d].lead = t;
    }
    db_done(st);
    return rc ? rc : s < 0 ? err->code : 0;
}

/* Reads the touches of deals[lo, hi) into r->t: those of the deals'
 * contacts at or before the deal's close (by list the query stops at the
 * batch's latest close and each deal's own is applied here). ids: as
 * load_leads'. */
static int load_touches(struct db_conn *c, struct run *r, int lo, int hi,
                        const char *ids, struct err *err)
{
    struct db_stmt *st;
    int64_t last = r->deals[lo].closed_at;
    for (int d = lo + 1; d < hi; d++)
        if (r->deals[d].closed_at > last)
            last = r->deals[d].closed_at;
    int rc = db_prepare(c, r->touches_sql[ids ? BY_LIST : BY_RANGE], &st,
                        err), s = DB_DONE;
    if (!rc) {
        /* integers as 8 bytes: parsing their digits was a fifth of the
         * server's CPU in a PostgreSQL campaign report */
        db_want_binary(st);
        rc = ids ? db_bind_int(st, 1, last, err) : 0;
    }
    if (!rc)
        rc = bind_batch(st, ids ? 2 : 1, r, lo, hi, ids, err);
    int by_channel = r->q->by == ATTR_BY_CHANNEL;
    r->nt = 0;
    while (!rc && (s = db_step(st, err)) == DB_ROW) {
        int d = deal_find(r, lo, hi, db_col_int(st, 0));
        if (d < 0 || db_col_int(st, 1) > r->deals[d].closed_at)
            continue;           /* not in the batch, or after its close */
        if (r->nt == r->capt) {
            r->capt = r->capt ? 2 * r->capt : 4096;
            r->t = xrealloc(r->t, r->capt * sizeof(*r->t));
        }
        struct touch *t = &r->t[r->nt++];
        t->deal = d - lo;
        t->at = db_col_int(st, 1);
        t->id = db_col_int(st, 2);
        t->campaign = db_col_int(st, 3);      /* NULL reads as 0 */
        t->key = by_channel ? channel_index(r, db_col_text(st, 4)) + 1 : 0;
    }
    db_done(st);
    return rc ? rc : s < 0 ? err->code : 0;
}

/* Resolves each touch's row: its campaign's (by campaign), or its own
 * channel else its campaign's (by channel). A campaign made after the
 * run read them is read now. */
static int resolve(struct db_conn *c, struct run *r, struct arena *a,
                   struct err *err)
{
    for (size_t i = 0; i < r->nt; i++) {
        int64_t id = r->t[i].campaign;
        if (id && camp_find(r, id) < 0) {
            int rc = load_camps(c, r, id, a, err);
            if (rc)
                return rc;
        }
    }
    for (size_t i = 0; i < r->nt; i++) {
        struct touch *t = &r->t[i];
        int k = t->campaign ? camp_find(r, t->campaign) : -1;
        if (r->q->by == ATTR_BY_CAMPAIGN)
            t->key = k + 1;
        else if (!t->key && k >= 0)
            t->key = r->camps[k].channel + 1;
    }
    return 0;
}

/* qsort: by deal, then the SPEC's order (at, then id). */
static int touch_cmp(const void *x, const void *y)
{
    const struct touch *a = x, *b = y;
    if (a->deal != b->deal)
        return a->deal < b->deal ? -1 : 1;
    if (a->at != b->at)
        return a->at < b->at ? -1 : 1;
    return (a->id > b->id) - (a->id < b->id);
}

/* Adds credit to row key (see struct touch). */
static void credit_row(struct run *r, int key, int64_t credit)
{
    int64_t *rev, *n;
    if (!key) {
        rev = &r->none_rev;
        n = &r->none_touches;
    } else if (r->q->by == ATTR_BY_CAMPAIGN) {
        rev = &r->camps[key - 1].revenue;
        n = &r->camps[key - 1].touches;
    } else {
        rev = &r->ch_rev[key - 1];
        n = &r->ch_touches[key - 1];
    }
    add(r, rev, credit);
    (*n)++;
}

/* Credits one deal whose touches are t[0..n-1] (n may be 0). */
static void credit_deal(struct run *r, const struct deal *d,
                        const struct touch *t, int n)
{
    int pos[ATTR_NPOS];
    if (!n) {
        add(r, &r->unattr_rev, d->amount);
        r->unattr_deals++;
        return;
    }
    if (n > r->capd) {
        r->capd = n > 2 * r->capd ? n : 2 * r->capd;
        r->at = xrealloc(r->at, (size_t)r->capd * sizeof(int64_t));
        r->credits = xrealloc(r->credits, (size_t)r->capd * sizeof(int64_t));
        r->credited = xrealloc(r->credited, (size_t)r->capd);
    }
    for (int i = 0; i < n; i++)
        r->at[i] = t[i].at;
    attr_positions(r->at, n, d->lead, d->created_at, pos);
    attr_credit(r->q->model, r->at, n, pos, d->closed_at, d->amount,
                r->credits, r->credited);
    for (int i = 0; i < n; i++)
        if (r->credited[i])
            credit_row(r, t[i].key, r->credits[i]);
}

/* Credits the deals of one batch. The lead moments are read only for
 * the models that name the lead-creation touch (U, W, full path): the
 * others never look at it, and it is a third of a linear run's time. */
static int run_batch(struct db_conn *c, struct run *r, int lo, int hi,
                     struct arena *a, struct err *err)
{
    struct buf ids;
    buf_init(&ids, (size_t)-1);
    const char *list = NULL;
    if (batch_form(r, lo, hi) == BY_LIST) {
        batch_ids(r, lo, hi, &ids);
        list = buf_cstr(&ids);
    }
    int rc = SHARES[r->q->model][ATTR_LEAD]
             ? load_leads(c, r, lo, hi, list, err) : 0;
    if (!rc)
        rc = load_touches(c, r, lo, hi, list, err);
    buf_release(&ids);
    if (!rc)
        rc = resolve(c, r, a, err);
    if (rc)
        return rc;
    if (r->nt)
        qsort(r->t, r->nt, sizeof(*r->t), touch_cmp);
    size_t j = 0;
    for (int d = lo; d < hi; d++) {
        size_t start = j;
        while (j < r->nt && r->t[j].deal == d - lo)
            j++;
        credit_deal(r, &r->deals[d], r->t + start, (int)(j - start));
    }
    return 0;
}

/* ---- the document ---- */

/* One output row. */
struct row {
    int64_t id;             /* campaign id; by channel the channel index */
    int null_key;
    const char *name;
    int64_t revenue, touches;
};

/* qsort: revenue descending, then key ascending, null last. */
static int row_cmp(const void *x, const void *y)
{
    const struct row *a = x, *b = y;
    if (a->revenue != b->revenue)
        return a->revenue < b->revenue ? 1 : -1;
    if (a->null_key != b->null_key)
        return a->null_key - b->null_key;
    if (a->null_key)
        return 0;
    if (!a->name || !b->name || a->name == b->name)
        return (a->id > b->id) - (a->id < b->id);
    return strcmp(a->name, b->name);
}

/* The rows, sorted: every key with a credited touch. */
static json_t *rows_json(const struct run *r)
{
    int by_campaign = r->q->by == ATTR_BY_CAMPAIGN;
    int n = by_campaign ? r->ncamps : r->nchannels, m = 0;
    struct row *rows = xcalloc((size_t)n + 1, sizeof(*rows));
    for (int i = 0; i < n; i++) {
        int64_t cnt = by_campaign ? r->camps[i].touches : r->ch_touches[i];
        if (!cnt)
            continue;
        rows[m++] = by_campaign
            ? (struct row){r->camps[i].id, 0, NULL, r->camps[i].revenue, cnt}
            : (struct row){i, 0, r->channels[i], r->ch_rev[i], cnt};
    }
    if (r->none_touches)
        rows[m++] = (struct row){0, 1, NULL, r->none_rev, r->none_touches};
    qsort(rows, (size_t)m, sizeof(*rows), row_cmp);
    json_t *arr = json_array();
    for (int i = 0; i < m; i++) {
        const struct row *w = &rows[i];
        json_t *key, *name;
        if (w->null_key) {
            key = json_null();
            name = json_string(by_campaign ? NO_CAMPAIGN : NO_CHANNEL);
        } else if (by_campaign) {
            key = json_integer(w->id);
            name = json_string(r->camps[camp_find(r, w->id)].name);
        } else {
            key = json_string(w->name);
            name = json_string(w->name);
        }
        json_array_append_new(arr, json_pack("{sososIsI}", "key", key,
            "name", name, "revenue", (json_int_t)w->revenue,
            "touchpoints", (json_int_t)w->touches));
    }
    free(rows);
    return arr;
}

/* The report's document (App. A, and the extensions of decision 0014). */
static json_t *doc_json(struct run *r)
{
    const struct attr_query *q = r->q;
    json_t *from = q->from_day ? json_string(q->from_day) : json_null();
    json_t *to = q->to_day ? json_string(q->to_day) : json_null();
    json_t *excl = json_pack("{sIsO}", "deals", (json_int_t)r->excl_deals,
                             "revenue_by_currency", r->excl_by_cur);
    json_t *doc = json_object();
    json_object_set_new(doc, "model", json_string(MODELS[q->model]));
    json_object_set_new(doc, "by", json_string(q->by == ATTR_BY_CAMPAIGN
                                               ? "campaign" : "channel"));
    json_object_set_new(doc, "currency", json_string(r->fx.currency));
    json_object_set_new(doc, "won_from", from);
    json_object_set_new(doc, "won_to", to);
    json_object_set_new(doc, "total_revenue", json_integer(r->total));
    json_object_set_new(doc, "deals", json_integer(r->ndeals));
    json_object_set_new(doc, "rows", rows_json(r));
    json_object_set_new(doc, "unattributed", json_pack("{sIsI}", "revenue",
        (json_int_t)r->unattr_rev, "deals", (json_int_t)r->unattr_deals));
    json_object_set_new(doc, "excluded", excl);
    return doc;
}

/* ---- two halves at once ---- */

/* The deals per batch: BATCH, or PHEU_ATTR_BATCH (tests make it small
 * so that a few deals take the two-thread path). */
static int batch_size(void)
{
    const char *s = getenv("PHEU_ATTR_BATCH");
    long n = s ? strtol(s, NULL, 10) : 0;
    return n >= 1 && n <= BATCH ? (int)n : BATCH;
}

/* The second half of the batches, run by a thread of its own on its
 * own connection, summing into its own run (a copy of the main run's
 * inputs: the campaigns with zero sums, the shared deals, whose halves
 * do not overlap). merge_half adds its sums to the main run. */
struct half {
    struct run r;
    int lo, hi, batch;
    struct arena arena;         /* names of campaigns it reads itself */
    struct db_task task;
};

/* Credits deals[lo, hi) batch by batch on c. */
static int run_range(struct db_conn *c, struct run *r, int lo, int hi,
                     int batch, struct arena *a, struct err *err)
{
    int rc = 0;
    for (; !rc && lo < hi; lo += batch)
        rc = run_batch(c, r, lo, lo + batch < hi ? lo + batch : hi, a, err);
    return rc;
}

/* The half's db_task. */
static int half_main(struct db_conn *c, void *ctx, struct err *err)
{
    struct half *h = ctx;
    return run_range(c, &h->r, h->lo, h->hi, h->batch, &h->arena, err);
}

/* Frees what the half owns. */
static void half_free(struct half *h)
{
    free(h->r.camps);
    free(h->r.ch_rev);
    free(h->r.ch_touches);
    free(h->r.t);
    free(h->r.at);
    free(h->r.credits);
    free(h->r.credited);
    arena_release(&h->arena);
}

/* Starts the half of deals[lo, hi) of run r; 0, or -1 when no thread
 * could start (the caller then runs that half itself). */
static int half_start(struct half *h, const struct run *r, struct db *db,
                      int lo, int hi, int batch)
{
    memset(h, 0, sizeof(*h));
    h->r = (struct run){.q = r->q, .channels = r->channels,
        .nchannels = r->nchannels, .fx = r->fx, .ncamps = r->ncamps,
        .capcamps = r->ncamps, .deals = r->deals, .ndeals = r->ndeals,
        .touches_sql = {r->touches_sql[0], r->touches_sql[1]},
        .leads_sql = {r->leads_sql[0], r->leads_sql[1]}};
    h->r.camps = xcalloc((size_t)r->ncamps + 1, sizeof(*r->camps));
    for (int i = 0; i < r->ncamps; i++)
        h->r.camps[i] = (struct camp){r->camps[i].id, r->camps[i].name,
                                      r->camps[i].channel, 0, 0};
    h->r.ch_rev = xcalloc((size_t)r->nchannels + 1, sizeof(int64_t));
    h->r.ch_touches = xcalloc((size_t)r->nchannels + 1, sizeof(int64_t));
    h->lo = lo;
    h->hi = hi;
    h->batch = batch;
    arena_init(&h->arena);
    if (db_task_start(&h->task, db, half_main, h) == 0)
        return 0;
    half_free(h);
    return -1;
}

/* Adds the half's sums to r (campaigns by id: one the half read after
 * r did is added to r). */
static void merge_half(struct run *r, const struct half *h, struct arena *a)
{
    const struct run *s = &h->r;
    for (int i = 0; i < s->ncamps; i++) {
        const struct camp *k = &s->camps[i];
        if (!k->revenue && !k->touches)
            continue;
        int j = camp_find(r, k->id);
        if (j < 0) {
            camp_add(r, k->id, k->name, k->channel >= 0
                     ? r->channels[k->channel] : NULL, a);
            j = camp_find(r, k->id);
        }
        add(r, &r->camps[j].revenue, k->revenue);
        r->camps[j].touches += k->touches;
    }
    for (int i = 0; i < r->nchannels; i++) {
        add(r, &r->ch_rev[i], s->ch_rev[i]);
        r->ch_touches[i] += s->ch_touches[i];
    }
    add(r, &r->none_rev, s->none_rev);
    r->none_touches += s->none_touches;
    add(r, &r->unattr_rev, s->unattr_rev);
    r->unattr_deals += s->unattr_deals;
    r->overflow |= s->overflow;
}

/* Credits every deal: with two batches or more, the second half on a
 * thread of its own while this one runs the first (the touch queries
 * are most of a run, and each engine answers two connections at once). */
static int run_deals(struct db_conn *c, struct run *r, struct arena *a,
                     struct err *err)
{
    int batch = batch_size(), nb = (r->ndeals + batch - 1) / batch;
    if (nb < 2)
        return run_range(c, r, 0, r->ndeals, batch, a, err);
    int mid = (nb + 1) / 2 * batch;
    struct half h;
    if (half_start(&h, r, db_conn_db(c), mid, r->ndeals, batch))
        return run_range(c, r, 0, r->ndeals, batch, a, err);
    int rc = run_range(c, r, 0, mid, batch, a, err);
    if (db_task_join(&h.task) && !rc)
        rc = err_set(err, h.task.err.code, h.task.err.field, "%s",
                     h.task.err.msg);
    if (!rc)
        merge_half(r, &h, a);
    half_free(&h);
    return rc;
}

/* Reads settings, campaigns and deals, then credits the deals batch by
 * batch. */
static int run_all(struct db_conn *c, struct run *r, const struct vis *v,
                   struct arena *a, struct err *err)
{
    const char *where = deal_where(v, a);
    int rc = fx_load(c, r->q->currency, &r->fx, a, err);
    if (!rc)
        rc = load_camps(c, r, 0, a, err);
    if (!rc)
        rc = load_deals(c, r, where, a, err);
    batch_sqls(c, r, where, a);
    if (!rc)
        rc = run_deals(c, r, a, err);
    if (!rc && r->overflow)
        rc = err_set(err, E_RULE, NULL, "revenue sums exceed the largest "
                     "amount the report can show");
    return rc;
}

int attribution_run(struct db_conn *c, const struct vis *v,
                    const struct attr_query *q, json_t **out,
                    struct arena *a, struct err *err)
{
    int f = object_field(&OBJ_CAMPAIGN, "channel");
    struct run r = {.q = q, .channels = OBJ_CAMPAIGN.fields[f].values,
                    .excl_by_cur = json_object()};
    while (r.channels[r.nchannels])
        r.nchannels++;
    r.ch_rev = xcalloc((size_t)r.nchannels, sizeof(int64_t));
    r.ch_touches = xcalloc((size_t)r.nchannels, sizeof(int64_t));
    int rc = run_all(c, &r, v, a, err);
    if (!rc)
        *out = doc_json(&r);
    json_decref(r.excl_by_cur);
    free(r.camps);
    free(r.deals);
    free(r.t);
    free(r.at);
    free(r.credits);
    free(r.credited);
    free(r.ch_rev);
    free(r.ch_touches);
    return rc;
}
