/* The demo's marketing (see marketing.h and docs/decisions/0005).
 *
 * Campaigns come from programs: always-on ones cut into calendar
 * periods (Google Ads by quarter, the newsletter by month under a
 * yearly parent, SEO by half-year, …) and dated ones (events, webinars,
 * e-books, a partner, PR, a letter), more of them in parallel tracks
 * (market segments) as the demo grows. A contact's touches are then
 * told from its story with the campaigns active on each day: an index
 * per program and day makes each choice one lookup. */
#include "demo/marketing.h"
#include "model/campaign.h"
#include "util/clock.h"
#include "util/rand.h"
#include "util/xalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DAY_MS 86400000LL
#define HOUR_MS 3600000LL
#define MINUTE_MS 60000LL
#define OFFSET_MS (7 * HOUR_MS)         /* Asia/Ho_Chi_Minh */
#define HISTORY_DAYS 548
#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* Random streams, apart from records.c's (1 to 5). */
enum { S_CAMPAIGN = 16, S_TOUCH, S_ANON };

/* How a program's cost is booked. */
enum { C_WEEKLY, C_MONTHLY, C_LUMP, C_EVENT };

/* Period labels of tiled programs. */
enum { L_MONTH, L_QUARTER, L_HALF, L_YEAR };

/* The programs, in the order their campaigns get ids. */
enum { P_PAID, P_SOCIAL, P_NEWS, P_SEO, P_REFERRAL, P_CONTENT, P_EVENT,
       P_WEBINAR, P_DISPLAY, P_PARTNER, P_PR, P_MAIL, P_N };

static const struct program {
    const char *channel, *name, *utm;
    int months;             /* tiled: calendar months each; 0: dated */
    int count;              /* tracks (tiled) or campaigns (dated) at the
                             * default 3,000 contacts */
    int label, costs;
    int days;               /* dated: days from start to the day itself */
    int budget_lo, budget_hi;   /* millions of VND per campaign */
    int cpl;                /* thousands of VND per lead, for the goal */
    /* the tags of its touches */
    const char *kind, *source, *medium, *url;
} PROGRAMS[P_N] = {
    {"paid_search", "Google Ads – Phần mềm CRM", "gads-crm", 3, 1,
     L_QUARTER, C_WEEKLY, 0, 60, 150, 450, "ad_click", "google", "cpc",
     "https://www.pheu.vn/dung-thu"},
    {"social", "Facebook & Zalo Ads – Khách hàng tiềm năng", "social-leads",
     3, 1, L_QUARTER, C_WEEKLY, 0, 40, 120, 300, "ad_click", "facebook",
     "paid_social", "https://www.pheu.vn/uu-dai"},
    {"email", "Bản tin Phễu", "bantin", 1, 1, L_MONTH, C_LUMP, 0, 3, 8, 80,
     "email_click", "newsletter", "email", "https://www.pheu.vn/blog"},
    {"seo", "SEO – Từ khóa phần mềm CRM", "seo-crm", 6, 1, L_HALF,
     C_MONTHLY, 0, 60, 120, 200, "page_view", "google", "organic",
     "https://www.pheu.vn/phan-mem-crm"},
    {"referral", "Chương trình khách hàng giới thiệu", "gioithieu", 12, 1,
     L_YEAR, C_MONTHLY, 0, 50, 100, 500, "page_view", "khach-hang",
     "referral", "https://www.pheu.vn/gioi-thieu"},
    {"content", "Ebook", "ebook", 0, 2, 0, C_LUMP, 90, 15, 40, 150,
     "page_view", "coccoc", "organic", "https://www.pheu.vn/tai-lieu"},
    {"event", "Hội thảo", "hoithao", 0, 6, 0, C_EVENT, 30, 80, 250, 900,
     "event_attended", NULL, NULL, NULL},
    {"webinar", "Webinar", "webinar", 0, 3, 0, C_LUMP, 21, 8, 20, 150,
     "webinar_attended", "newsletter", "email",
     "https://www.pheu.vn/webinar"},
    {"display", "Quảng cáo hiển thị – Dùng thử Phễu", "display", 0, 1, 0,
     C_WEEKLY, 60, 40, 90, 600, "ad_click", "gdn", "display",
     "https://www.pheu.vn/dung-thu"},
    {"partner", "Đối tác triển khai", "doitac", 0, 1, 0, C_MONTHLY, 300,
     60, 150, 700, "page_view", "doi-tac", "referral",
     "https://www.pheu.vn/doi-tac"},
    {"pr", "PR – Ra mắt Phễu", "pr", 0, 1, 0, C_LUMP, 30, 50, 120, 800,
     "page_view", "bao-chi", "pr", "https://www.pheu.vn/tin-tuc"},
    {"direct_mail", "Thư ngỏ gửi doanh nghiệp", "thungo", 0, 1, 0, C_LUMP,
     45, 20, 50, 600, "page_view", "thu-ngo", "print",
     "https://www.pheu.vn/thu-ngo"},
};

/* Market segments: the tracks of a program beyond the first. */
static const char *const SEGMENTS[] = {"Bán lẻ", "Sản xuất", "Giáo dục",
    "Bất động sản", "Logistics", "F&B", "Y tế", "Xây dựng", "Du lịch"};
static const char *const EVENT_TOPICS[] = {"Chuyển đổi số cho SME",
    "Bán hàng đa kênh", "Chăm sóc khách hàng 4.0", "Marketing dựa trên dữ "
    "liệu"};
static const char *const CITIES[] = {"Hà Nội", "TP. Hồ Chí Minh", "Đà Nẵng",
    "Hải Phòng", "Cần Thơ"};
static const char *const WEBINAR_TOPICS[] = {"Xây dựng phễu bán hàng",
    "Chấm điểm khách hàng tiềm năng", "Tự động hóa email marketing",
    "Đo lường ROI chiến dịch", "Quản lý đội sales từ xa"};
static const char *const EBOOKS[] = {"Cẩm nang CRM cho doanh nghiệp nhỏ",
    "10 mẫu kịch bản gọi điện bán hàng", "Báo cáo thị trường SME 2026"};
static const char *const PARTNERS[] = {"Sao Việt", "Minh Long Tech",
    "Hưng Thịnh Solutions"};
static const char *const SOCIAL_SOURCES[] = {"facebook", "zalo", "tiktok"};
static const char *const KEYWORDS[] = {"phần mềm crm", "quản lý khách hàng",
    "crm cho doanh nghiệp nhỏ", "phần mềm bán hàng", "crm tiếng việt"};
static const char *const PAGES[] = {"https://www.pheu.vn/",
    "https://www.pheu.vn/tinh-nang", "https://www.pheu.vn/bang-gia",
    "https://www.pheu.vn/khach-hang", "https://www.pheu.vn/blog"};

/* One campaign. Days are business-time-zone dates as days since
 * 1970-01-01. */
struct mcamp {
    char name[200], utm[64];
    int prog, start, end, parent, pick;     /* pick: touches may name it */
    int64_t budget, cost, owner, created;
    int64_t goal_leads, goal_mqls, goal_revenue;
    int cost_first, ncost;
};

struct mcost {
    int day;
    int64_t amount;
    const char *note;
};

struct mkt {
    uint64_t seed;
    int64_t today, base_id;
    int t0, today_day;              /* window's first day, today */
    struct mcamp *c;
    int n, cap;
    struct mcost *costs;
    int ncosts, capcosts;
    /* campaigns touches may name, per program and day of the window:
     * act[at[p][d] .. at[p][d] + nact[p][d]) */
    int *act, *at, *nact, ndays;
};

/* ---- days ---- */

/* The business day of ms. */
static int day_of(int64_t ms)
{
    int64_t x = ms + OFFSET_MS;
    return (int)((x - ((x % DAY_MS) + DAY_MS) % DAY_MS) / DAY_MS);
}

/* ms at hour h (fractional) of business day d. */
static int64_t ms_at(int d, double h)
{
    return (int64_t)d * DAY_MS - OFFSET_MS + (int64_t)(h * (double)HOUR_MS);
}

/* Year and month (1-12) of day d. */
static void ym_of(int d, int *y, int *mo)
{
    time_t t = (time_t)d * 86400;
    struct tm tm;
    gmtime_r(&t, &tm);
    *y = tm.tm_year + 1900;
    *mo = tm.tm_mon + 1;
}

/* The day of the first of month mo (1-12, may run past 12) of year y. */
static int first_of(int y, int mo)
{
    struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = 1};
    return (int)(timegm(&tm) / 86400);
}

/* "YYYY-MM-DD" of day d (11 bytes). */
static void date_of(int d, char *out)
{
    char iso[40];
    clock_iso((int64_t)d * DAY_MS, iso, sizeof(iso));
    memcpy(out, iso, 10);
    out[10] = '\0';
}

/* ---- planning the campaigns ---- */

/* Appends a campaign of program p over [start, end] and returns it. */
static struct mcamp *add_campaign(struct mkt *m, struct rng *r, int p,
                                  int start, int end, const int64_t *owners,
                                  int nowners)
{
    const struct program *pg = &PROGRAMS[p];
    if (m->n == m->cap) {
        m->cap = m->cap ? 2 * m->cap : 64;
        m->c = xrealloc(m->c, sizeof(*m->c) * (size_t)m->cap);
    }
    struct mcamp *c = &m->c[m->n++];
    memset(c, 0, sizeof(*c));
    c->prog = p;
    c->start = start;
    c->end = end;
    c->parent = -1;
    c->pick = 1;
    c->budget = (pg->budget_lo + (int64_t)rng_below(r, (uint64_t)
                 (pg->budget_hi - pg->budget_lo + 1))) * 1000000;
    c->owner = nowners > 1 ? owners[1 + rng_below(r, (uint64_t)
                                                   (nowners - 1))]
                           : owners[0];
    int64_t planned = ms_at(start - 7 - (int)rng_below(r, 21),
                            9 + rng_unit(r) * 8) / 1000 * 1000;
    int64_t latest = m->today - DAY_MS + 10 * HOUR_MS;
    c->created = planned < latest ? planned : latest;
    c->goal_leads = c->budget / ((int64_t)pg->cpl * 1000);
    c->goal_mqls = c->goal_leads * 3 / 10;
    c->goal_revenue = c->budget * (3 + (int64_t)rng_below(r, 4));
    return c;
}

/* The name suffix of track t ("" for the first). */
static void track_suffix(int t, char *out, size_t len)
{
    if (!t)
        *out = '\0';
    else if (t <= COUNT(SEGMENTS))
        snprintf(out, len, " – %s", SEGMENTS[t - 1]);
    else
        snprintf(out, len, " – %s %d", SEGMENTS[(t - 1) % COUNT(SEGMENTS)],
                 1 + (t - 1) / COUNT(SEGMENTS));
}

/* A tiled campaign's period label ("Q1/2026", "tháng 3/2026"). */
static void period_label(int label, int y, int mo, char *out, size_t len)
{
    if (label == L_QUARTER)
        snprintf(out, len, "Q%d/%d", (mo - 1) / 3 + 1, y);
    else if (label == L_HALF)
        snprintf(out, len, "%s %d", mo <= 6 ? "6 tháng đầu" : "6 tháng "
                 "cuối", y);
    else if (label == L_YEAR)
        snprintf(out, len, "%d", y);
    else
        snprintf(out, len, "tháng %d/%d", mo, y);
}

/* The newsletter's yearly parent of track t for year y: a new one when
 * the year changes. Returns its index. */
static int yearly_parent(struct mkt *m, struct rng *r, int p, int t, int y,
                         int start, int last, const int64_t *owners,
                         int nowners)
{
    char sfx[64];
    if (last >= 0) {
        int py, pmo;
        ym_of(m->c[last].start, &py, &pmo);
        if (py == y)
            return last;
    }
    struct mcamp *c = add_campaign(m, r, p, start, start, owners, nowners);
    track_suffix(t, sfx, sizeof(sfx));
    snprintf(c->name, sizeof(c->name), "%s %d%s", PROGRAMS[p].name, y, sfx);
    snprintf(c->utm, sizeof(c->utm), "%s-%d%s%.0d", PROGRAMS[p].utm, y,
             t ? "-t" : "", t);
    c->owner = owners[0];
    c->pick = 0;
    c->budget = 0;
    c->goal_leads = c->goal_mqls = c->goal_revenue = 0;
    return m->n - 1;
}

/* A tiled program: track t cut into calendar periods from the window's
 * start to the period after today's. */
static void tile(struct mkt *m, struct rng *r, int p, int t,
                 const int64_t *owners, int nowners)
{
    const struct program *pg = &PROGRAMS[p];
    int y, mo, parent = -1;
    char label[64], sfx[64];
    ym_of(m->t0, &y, &mo);
    mo -= (mo - 1) % pg->months;            /* the period's first month */
    track_suffix(t, sfx, sizeof(sfx));
    for (;;) {
        int start = first_of(y, mo), end = first_of(y, mo + pg->months) - 1;
        if (start > m->today_day + 31)     /* the next one is planned */
            break;
        if (start < m->t0)
            start = m->t0;
        if (p == P_NEWS) {
            parent = yearly_parent(m, r, p, t, y, start, parent, owners,
                                   nowners);
            if (m->c[parent].end < end)
                m->c[parent].end = end;
        }
        struct mcamp *c = add_campaign(m, r, p, start, end, owners, nowners);
        period_label(pg->label, y, mo, label, sizeof(label));
        snprintf(c->name, sizeof(c->name), "%s %s%s", pg->name, label, sfx);
        snprintf(c->utm, sizeof(c->utm), "%s-%d%02d%s%.0d", pg->utm, y, mo,
                 t ? "-t" : "", t);
        c->parent = parent;
        if (parent >= 0) {              /* the year adds its months up */
            struct mcamp *pc = &m->c[parent];
            pc->budget += c->budget;
            pc->goal_leads += c->goal_leads;
            pc->goal_mqls += c->goal_mqls;
            pc->goal_revenue += c->goal_revenue;
        }
        mo += pg->months;
        y += (mo - 1) / 12;
        mo = (mo - 1) % 12 + 1;
    }
}

/* The name of dated campaign j of program p (day: its day). */
static void dated_name(int p, int j, int day, char *out, size_t len)
{
    const char *base = PROGRAMS[p].name;
    int y, mo;
    ym_of(day, &y, &mo);
    switch (p) {
    case P_EVENT:
        snprintf(out, len, "%s %s – %s %d/%d", base,
                 EVENT_TOPICS[j % COUNT(EVENT_TOPICS)],
                 CITIES[j % COUNT(CITIES)], mo, y);
        break;
    case P_WEBINAR:
        snprintf(out, len, "%s: %s (%d/%d)", base,
                 WEBINAR_TOPICS[j % COUNT(WEBINAR_TOPICS)], mo, y);
        break;
    case P_CONTENT:
        snprintf(out, len, "%s: %s", base, EBOOKS[j % COUNT(EBOOKS)]);
        break;
    case P_PARTNER:
        snprintf(out, len, "%s – %s", base, PARTNERS[j % COUNT(PARTNERS)]);
        break;
    case P_PR:
        snprintf(out, len, "%s %d.%d", base, 3 + j / 10, j % 10);
        break;
    default:
        snprintf(out, len, "%s %d/%d", base, mo, y);
    }
    if (j >= 10 && p != P_PR)           /* keep larger demos' names apart */
        snprintf(out + strlen(out), len - strlen(out), " #%d", j + 1);
}

/* A dated program: k campaigns spread over the window (the last may lie
 * ahead), each from its promotion's start to its day. */
static void dated(struct mkt *m, struct rng *r, int p, int k,
                  const int64_t *owners, int nowners)
{
    const struct program *pg = &PROGRAMS[p];
    int span = m->today_day + 30 - m->t0;
    for (int j = 0; j < k; j++) {
        double u = 0.15 + 0.7 * rng_unit(r);
        int day = m->t0 + pg->days + (int)(((double)j + u) *
                                           (span - pg->days) / k);
        int start = day - pg->days < m->t0 ? m->t0 : day - pg->days;
        struct mcamp *c = add_campaign(m, r, p, start, day, owners, nowners);
        dated_name(p, j, day, c->name, sizeof(c->name));
        int y, mo;
        ym_of(day, &y, &mo);
        snprintf(c->utm, sizeof(c->utm), "%s-%d%02d-%d", pg->utm, y, mo,
                 j + 1);
        if (p == P_EVENT)
            c->owner = owners[0];
    }
}

/* Appends a cost entry of campaign c. */
static void add_cost(struct mkt *m, struct mcamp *c, int day,
                     int64_t amount, const char *note)
{
    if (amount <= 0 || day > m->today_day - 1)
        return;
    if (m->ncosts == m->capcosts) {
        m->capcosts = m->capcosts ? 2 * m->capcosts : 256;
        m->costs = xrealloc(m->costs, sizeof(*m->costs) *
                            (size_t)m->capcosts);
    }
    if (!c->ncost)
        c->cost_first = m->ncosts;
    m->costs[m->ncosts++] = (struct mcost){day, amount, note};
    c->ncost++;
    c->cost += amount;
}

/* The cost entries of campaign c up to yesterday, by its program's way
 * of spending (rounded to 1,000 VND). */
static void spend(struct mkt *m, struct rng *r, struct mcamp *c)
{
    const struct program *pg = &PROGRAMS[c->prog];
    double days = (double)(c->end - c->start + 1);
    if (!c->pick)
        return;                         /* a parent: its children spend */
    if (pg->costs == C_EVENT) {
        add_cost(m, c, c->start, c->budget * 4 / 10, "Đặt cọc địa điểm");
        add_cost(m, c, c->end, (int64_t)((double)c->budget * (0.5 + 0.2 *
                 rng_unit(r))) / 1000 * 1000, "Thanh toán tổ chức sự kiện");
        return;
    }
    if (pg->costs == C_LUMP) {
        add_cost(m, c, c->start, (int64_t)((double)c->budget * (0.9 + 0.15 *
                 rng_unit(r))) / 1000 * 1000, "Chi phí sản xuất và phát "
                 "hành");
        return;
    }
    int step = pg->costs == C_WEEKLY ? 7 : 30;
    const char *note = pg->costs == C_WEEKLY ? "Chi phí quảng cáo tuần"
                                             : "Phí dịch vụ tháng";
    for (int d = c->start; d <= c->end; d += step) {
        double share = (double)(d + step <= c->end ? step : c->end - d + 1) /
                       days;
        add_cost(m, c, d, (int64_t)((double)c->budget * share * (0.8 + 0.4 *
                 rng_unit(r))) / 1000 * 1000, note);
    }
}

/* Builds the per-program, per-day index of the campaigns touches may
 * name. */
static void index_days(struct mkt *m)
{
    m->ndays = m->today_day - m->t0 + 1;
    size_t cells = (size_t)P_N * (size_t)m->ndays;
    m->at = xcalloc(cells, sizeof(int));
    m->nact = xcalloc(cells, sizeof(int));
    size_t total = 0;
    for (int k = 0; k < m->n; k++)
        if (m->c[k].pick && m->c[k].start <= m->today_day)
            total += (size_t)((m->c[k].end < m->today_day ? m->c[k].end
                               : m->today_day) - m->c[k].start + 1);
    m->act = xcalloc(total + 1, sizeof(int));
    int pos = 0;
    for (int p = 0; p < P_N; p++)
        for (int d = 0; d < m->ndays; d++) {
            size_t cell = (size_t)p * (size_t)m->ndays + (size_t)d;
            m->at[cell] = pos;
            for (int k = 0; k < m->n; k++) {
                const struct mcamp *c = &m->c[k];
                if (c->prog == p && c->pick && c->start <= m->t0 + d &&
                    m->t0 + d <= c->end)
                    m->act[pos++] = k;
            }
            m->nact[cell] = pos - m->at[cell];
        }
}

struct mkt *mkt_new(const struct demo_org *org, uint64_t seed,
                    long contacts, int64_t today_ms, int64_t base_id)
{
    struct mkt *m = xcalloc(1, sizeof(*m));
    struct rng r;
    m->seed = seed;
    m->today = today_ms;
    m->base_id = base_id;
    m->today_day = day_of(today_ms);
    m->t0 = m->today_day - HISTORY_DAYS;
    rng_seed(&r, seed * 0x9E3779B97F4A7C15ULL ^ S_CAMPAIGN);
    double scale = pow((double)(contacts > 1 ? contacts : 1) / 3000.0, 0.4);
    for (int p = 0; p < P_N; p++) {
        long k = lround(PROGRAMS[p].count * scale);
        k = k < 1 ? 1 : k;
        for (long t = 0; t < k; t++) {
            if (PROGRAMS[p].months)
                tile(m, &r, p, (int)t, org->mkt, org->nmkt);
        }
        if (!PROGRAMS[p].months)
            dated(m, &r, p, (int)k, org->mkt, org->nmkt);
    }
    for (int k = 0; k < m->n; k++)
        spend(m, &r, &m->c[k]);
    index_days(m);
    return m;
}

void mkt_free(struct mkt *m)
{
    if (!m)
        return;
    free(m->c);
    free(m->costs);
    free(m->act);
    free(m->at);
    free(m->nact);
    free(m);
}

int64_t mkt_campaign_id(const struct mkt *m, int k)
{
    return k < 0 ? 0 : m->base_id + k;
}

/* ---- writing the campaigns ---- */

/* The status dates give a campaign on today's date. */
static const char *status_of(const struct mkt *m, const struct mcamp *c)
{
    if (c->start > m->today_day)
        return "planned";
    return c->end < m->today_day ? "completed" : "active";
}

/* Writes campaign k as an OBJ_CAMPAIGN record. */
static int write_campaign(const struct mkt *m, struct sink *s, int k)
{
    const struct mcamp *c = &m->c[k];
    char start[11], end[11];
    struct rec r;
    date_of(c->start, start);
    date_of(c->end, end);
    rec_init(&r, &OBJ_CAMPAIGN);
    rec_set_int(&r, "id", mkt_campaign_id(m, k));
    rec_set_text(&r, "name", c->name);
    rec_set_text(&r, "channel", PROGRAMS[c->prog].channel);
    rec_set_text(&r, "status", status_of(m, c));
    rec_set_text(&r, "start_date", start);
    rec_set_text(&r, "end_date", end);
    rec_set_int(&r, "budget", c->budget);
    rec_set_text(&r, "currency", "VND");
    rec_set_int(&r, "cost", c->cost);
    rec_set_text(&r, "utm_campaign", c->utm);
    rec_set_text(&r, "utm_key", c->utm);        /* lower case already */
    rec_set_int(&r, "parent_id", mkt_campaign_id(m, c->parent));
    rec_set_int(&r, "owner_id", c->owner);
    struct val *g = (struct val *)rec_get(&r, "goals");
    g->set = 1;
    g->j = c->budget ? json_pack("{sIsIsI}", "leads", (json_int_t)
                                 c->goal_leads, "mqls", (json_int_t)
                                 c->goal_mqls, "revenue", (json_int_t)
                                 c->goal_revenue)
                     : json_pack("{snsnsn}", "leads", "mqls", "revenue");
    rec_set_int(&r, "created_at", c->created);
    rec_set_int(&r, "updated_at", c->created);
    int rc = sink_rec(s, &r);
    rec_release(&r);
    return rc;
}

/* Writes the cost entries of campaign k. */
static int write_costs(const struct mkt *m, struct sink *s, int k)
{
    const struct mcamp *c = &m->c[k];
    int rc = 0;
    for (int e = c->cost_first; !rc && e < c->cost_first + c->ncost; e++) {
        char date[11];
        date_of(m->costs[e].day, date);
        raw_int(s, mkt_campaign_id(m, k));
        raw_text(s, date);
        raw_int(s, m->costs[e].amount);
        raw_text(s, "VND");
        raw_text(s, m->costs[e].note);
        raw_time(s, ms_at(m->costs[e].day, 18));
        rc = raw_end(s);
    }
    return rc;
}

int mkt_write_campaigns(const struct mkt *m, const struct demo_sink *out,
                        struct demo_result *res, struct err *err)
{
    static const char *const CC[] = {"campaign_id", "date", "amount",
                                     "currency", "note", "created_at"};
    struct sink s;
    int rc = sink_obj(&s, out, &OBJ_CAMPAIGN, err);
    for (int k = 0; !rc && k < m->n; k++)
        rc = write_campaign(m, &s, k);
    res->campaigns = s.rows;
    rc = sink_close(&s, rc);
    if (rc)
        return rc;
    rc = sink_raw(&s, out, "campaign_costs", CC, 6, "campaign_costs.csv",
                  err);
    for (int k = 0; !rc && k < m->n; k++)
        rc = write_costs(m, &s, k);
    res->campaign_costs = s.rows;
    return sink_close(&s, rc);
}

/* ---- a contact's touches ---- */

/* What tells one contact's touches. */
struct tctx {
    const struct mkt *m;
    struct rng r;
    struct mkt_touch *t;
    int n;
    int64_t floor, lim;             /* every touch in [floor, lim) */
};

/* A campaign of one of programs ps[0..np) that touches may name on the
 * day of ms, drawn uniformly; -1 when none runs then. */
static int pick(struct tctx *x, const int *ps, int np, int64_t ms)
{
    const struct mkt *m = x->m;
    int d = day_of(ms) - m->t0, total = 0;
    if (d < 0 || d >= m->ndays)
        return -1;
    for (int k = 0; k < np; k++)
        total += m->nact[(size_t)ps[k] * (size_t)m->ndays + (size_t)d];
    if (!total)
        return -1;
    int j = (int)rng_below(&x->r, (uint64_t)total);
    for (int k = 0;; k++) {
        size_t cell = (size_t)ps[k] * (size_t)m->ndays + (size_t)d;
        if (j < m->nact[cell])
            return m->act[m->at[cell] + j];
        j -= m->nact[cell];
    }
}

/* One program's campaign on the day of ms, or -1. */
static int pick1(struct tctx *x, int p, int64_t ms)
{
    return pick(x, &p, 1, ms);
}

/* Appends a touch at ms (when there is room and it is before today);
 * returns it, or NULL. */
static struct mkt_touch *add(struct tctx *x, int64_t at, const char *kind)
{
    if (x->n == MKT_MAX_TOUCHES || at >= x->lim || at < x->floor)
        return NULL;
    struct mkt_touch *t = &x->t[x->n++];
    memset(t, 0, sizeof(*t));
    t->at = at / 1000 * 1000;
    t->kind = kind;
    t->campaign = -1;
    return t;
}

/* Appends a touch of campaign k at ms with its program's tags (kind NULL:
 * the program's kind). */
static struct mkt_touch *add_campaign_touch(struct tctx *x, int64_t at,
                                            int k, const char *kind)
{
    const struct program *pg = &PROGRAMS[x->m->c[k].prog];
    struct mkt_touch *t = add(x, at, kind ? kind : pg->kind);
    if (!t)
        return NULL;
    t->campaign = k;
    t->channel = pg->channel;
    t->source = pg->source;
    t->medium = pg->medium;
    t->url = pg->url;               /* the tags tell where it came from */
    t->visitor = pg->url != NULL && strncmp(t->kind, "email", 5) != 0;
    if (x->m->c[k].prog == P_SOCIAL) {
        int s = k % COUNT(SOCIAL_SOURCES);
        t->source = SOCIAL_SOURCES[s];
        if (!kind && rng_unit(&x->r) < 0.3)
            t->kind = "social_engagement";
    } else if (x->m->c[k].prog == P_PAID) {
        t->term = KEYWORDS[rng_below(&x->r, COUNT(KEYWORDS))];
    }
    if (!strcmp(t->kind, "email_open") || !strcmp(t->kind, "webinar_attended"))
        t->url = NULL;
    return t;
}

/* A time in (from, to), on a whole second; from when to <= from. */
static int64_t within(struct rng *r, int64_t from, int64_t to)
{
    if (to <= from + 2000)
        return from;
    return from + 1000 + (int64_t)(rng_unit(r) * (double)(to - from - 2000));
}

/* The latest campaign of program p whose day is in [lo, hi] (days), or
 * -1. */
static int latest_dated(const struct mkt *m, int p, int lo, int hi)
{
    int best = -1;
    for (int k = 0; k < m->n; k++)
        if (m->c[k].prog == p && m->c[k].end >= lo && m->c[k].end <= hi &&
            (best < 0 || m->c[k].end > m->c[best].end))
            best = k;
    return best;
}

/* The first touch of a contact of source src at at: a campaign of the
 * channels that give that source when one runs, else untagged traffic
 * that the original-source rules read the same way. */
static int first_touch(struct tctx *x, int src, int64_t at)
{
    static const int SEARCH[] = {P_SEO, P_CONTENT};
    static const int REF[] = {P_REFERRAL, P_PARTNER};
    static const int OTHER[] = {P_DISPLAY, P_PR, P_MAIL};
    int k = -1;
    struct mkt_touch *t;
    switch (src) {
    case MS_ORGANIC: k = rng_unit(&x->r) < 0.85 ? pick(x, SEARCH, 2, at) : -1;
        break;
    case MS_PAID: k = pick1(x, P_PAID, at); break;
    case MS_SOCIAL: k = pick1(x, P_SOCIAL, at); break;
    case MS_EMAIL: k = pick1(x, P_NEWS, at); break;
    case MS_REFERRAL: k = rng_unit(&x->r) < 0.85 ? pick(x, REF, 2, at) : -1;
        break;
    case MS_OTHER: k = pick(x, OTHER, 3, at); break;
    default: break;
    }
    if (k >= 0)
        return add_campaign_touch(x, at, k, NULL) ? k : -1;
    static const struct { const char *kind, *channel, *source, *medium,
                          *referrer; } PLAIN[] = {
        {"page_view", "seo", NULL, NULL, "https://www.google.com.vn/"},
        {"ad_click", "paid_search", "google", "cpc", NULL},
        {"social_engagement", "social", "facebook", NULL, NULL},
        {"email_click", "email", NULL, NULL, NULL},
        {"page_view", "referral", NULL, NULL, "https://diendandoanhnghiep.vn/"},
        {"page_view", NULL, NULL, NULL, NULL},
        {"event_attended", "event", NULL, NULL, NULL},
        {"page_view", "other", "doitac-quangcao", "banner", NULL},
    };
    t = add(x, at, PLAIN[src].kind);
    if (t) {
        t->channel = PLAIN[src].channel;
        t->source = PLAIN[src].source;
        t->medium = PLAIN[src].medium;
        t->referrer = PLAIN[src].referrer;
        t->url = src == MS_OFFLINE ? NULL : PAGES[0];
        t->visitor = t->url != NULL && src != MS_EMAIL;
    }
    return -1;
}

/* An event a contact created at `created` came from: the latest within
 * 100 days before, its touch at 9:00-17:00 of its day and not after
 * `created`. Returns the touch time, or 0 when none. */
static int64_t event_before(struct tctx *x, int64_t created, int *k)
{
    int d = day_of(created);
    *k = latest_dated(x->m, P_EVENT, d - 100, d);
    if (*k < 0)
        return 0;
    int64_t at = ms_at(x->m->c[*k].end, 9 + 8 * rng_unit(&x->r));
    return at < created ? at : created - MINUTE_MS;
}

/* The form a subscriber filled in to become a lead at l: a webinar's
 * registration, an e-book after a newsletter click, or the site's form. */
static void lead_form(struct tctx *x, int64_t l)
{
    int k = rng_unit(&x->r) < 0.6 ? pick1(x, P_WEBINAR, l) : -1;
    if (k >= 0) {
        add_campaign_touch(x, l, k, "form_submit");
        int64_t live = ms_at(x->m->c[k].end, 14);
        if (live > l && rng_unit(&x->r) < 0.7)
            add_campaign_touch(x, live, k, "webinar_attended");
        return;
    }
    k = pick1(x, P_NEWS, l);
    if (k < 0)
        k = pick1(x, P_CONTENT, l);
    if (k >= 0) {
        add_campaign_touch(x, l - (1 + (int64_t)rng_below(&x->r, 20)) *
                           MINUTE_MS, k, NULL);
        struct mkt_touch *t = add_campaign_touch(x, l, k, "form_submit");
        if (t)
            t->url = "https://www.pheu.vn/tai-lieu";
        return;
    }
    struct mkt_touch *t = add(x, l, "form_submit");
    if (t) {
        t->url = "https://www.pheu.vn/dang-ky";
        t->visitor = 1;
    }
}

/* Newsletters opened (or clicked) between from and to. */
static void newsletters(struct tctx *x, int count, int64_t from, int64_t to)
{
    for (int j = 0; j < count; j++) {
        int64_t at = within(&x->r, from, to);
        int k = pick1(x, P_NEWS, at);
        if (k >= 0)
            add_campaign_touch(x, at, k, rng_unit(&x->r) < 0.65
                               ? "email_open" : "email_click");
    }
}

/* A page of the site viewed at at, untagged (a return visit). */
static void visit(struct tctx *x, int64_t at, const char *url)
{
    struct mkt_touch *t = add(x, at, "page_view");
    if (t) {
        t->url = url ? url : PAGES[rng_below(&x->r, COUNT(PAGES))];
        t->visitor = 1;
    }
}

/* On the way from SQL to opportunity: an event or webinar attended, or
 * a retargeting ad clicked. */
static void before_deal(struct tctx *x, int64_t sql, int64_t opp)
{
    static const int ADS[] = {P_PAID, P_DISPLAY, P_SOCIAL};
    double u = rng_unit(&x->r);
    if (u < 0.4) {
        int p = u < 0.2 ? P_EVENT : P_WEBINAR;
        int k = latest_dated(x->m, p, day_of(sql) - 30, day_of(opp));
        int64_t at = k >= 0 ? ms_at(x->m->c[k].end, p == P_EVENT ? 10 : 14)
                            : 0;
        if (k >= 0 && at <= opp)
            add_campaign_touch(x, at, k, NULL);
    } else if (u < 0.7) {
        int64_t at = within(&x->r, sql, opp);
        int k = pick(x, ADS, 3, at);
        if (k >= 0)
            add_campaign_touch(x, at, k, "ad_click");
    }
}

/* Sorts the touches by time, keeping the order of equal times. */
static void sort_touches(struct mkt_touch *t, int n)
{
    for (int i = 1; i < n; i++) {
        struct mkt_touch v = t[i];
        int j = i;
        for (; j > 0 && t[j - 1].at > v.at; j--)
            t[j] = t[j - 1];
        t[j] = v;
    }
}

int mkt_contact_touches(const struct mkt *m, long i,
                        const struct mkt_story *s, struct mkt_touch *out)
{
    struct tctx x = {.m = m, .t = out, .lim = m->today - MINUTE_MS};
    rng_seed(&x.r, m->seed * 0x9E3779B97F4A7C15ULL ^ ((uint64_t)S_TOUCH
             << 56) ^ ((uint64_t)i * 0xD1B54A32D192ED03ULL + S_TOUCH));
    int64_t c = s->created, t0 = c;
    int64_t win = ms_at(m->t0, 0);
    double u = rng_unit(&x.r);
    if (s->source == MS_OFFLINE) {
        int k;
        t0 = event_before(&x, c, &k);
        if (t0 && t0 >= win)
            add_campaign_touch(&x, t0, k, NULL);
        else
            first_touch(&x, MS_OFFLINE, t0 = c - 2 * HOUR_MS);
    } else {
        int64_t gap = u < 0.45 ? (1 + (int64_t)rng_below(&x.r, 29)) *
                      MINUTE_MS : (int64_t)(-3.0 * log(1.0 - rng_unit(&x.r))
                                            * (double)DAY_MS);
        gap = gap > 20 * DAY_MS ? 20 * DAY_MS : gap;
        t0 = c - gap < win ? (c < win ? c : win) : c - gap;
        first_touch(&x, s->source, t0);
    }
    int first = x.n ? x.t[0].campaign : -1;
    x.floor = x.n ? x.t[0].at : 0;      /* nothing before the first touch */
    double v = rng_unit(&x.r);
    if (v >= 0.65)                      /* a return visit */
        visit(&x, within(&x.r, t0, c), NULL);
    if (s->by_form) {                   /* the form that made the contact */
        struct mkt_touch *t;
        if (first >= 0 && m->c[first].end >= day_of(c) &&
            strcmp(x.t[0].kind, "event_attended"))
            t = add_campaign_touch(&x, c, first, "form_submit");
        else if ((t = add(&x, c, "form_submit")))
            t->visitor = 1;
        if (t)
            t->url = s->lead == c ? "https://www.pheu.vn/dang-ky"
                                  : "https://www.pheu.vn/ban-tin";
    }
    if (s->lead_by_form && s->lead > c)
        lead_form(&x, s->lead);
    double w = rng_unit(&x.r);
    if (s->by_form || s->lead)
        newsletters(&x, w < 0.5 ? 0 : w < 0.85 ? 1 : 2, c, c + 150 * DAY_MS);
    if (s->mql)
        newsletters(&x, 1, s->lead ? s->lead : c, s->mql);
    if (s->sql)
        visit(&x, within(&x.r, s->mql ? s->mql : s->lead ? s->lead : c,
                         s->sql), PAGES[2]);
    if (s->opp)
        before_deal(&x, s->sql ? s->sql : c, s->opp);
    if (s->closed && rng_unit(&x.r) < 0.4)
        newsletters(&x, 1, s->opp, s->closed);
    sort_touches(x.t, x.n);
    return x.n;
}

/* ---- writing touches ---- */

/* The DB columns, and the CSV ones (`pheu import touchpoints`). */
static const char *const TP_DB[] = {"contact_id", "visitor_id", "kind",
    "channel", "campaign_id", "utm_source", "utm_medium", "utm_campaign",
    "utm_term", "utm_content", "url", "referrer", "at", "created_at"};
static const char *const TP_CSV[] = {"contact_id", "visitor_id", "kind",
    "channel", "utm_source", "utm_medium", "utm_campaign", "utm_term",
    "utm_content", "url", "referrer", "at"};

int mkt_touch_sink(struct sink *s, const struct demo_sink *out,
                   struct err *err)
{
    if (out->c)
        return sink_raw(s, out, "touchpoints", TP_DB, COUNT(TP_DB), NULL,
                        err);
    return sink_raw(s, out, "touchpoints", TP_CSV, COUNT(TP_CSV),
                    "touchpoints.csv", err);
}

/* Writes one touch (contact 0: anonymous). */
static int write_touch(const struct mkt *m, struct sink *s, int64_t contact,
                       const char *visitor, const struct mkt_touch *t)
{
    const char *utm = t->campaign >= 0 ? m->c[t->campaign].utm : NULL;
    if (contact)
        raw_int(s, contact);
    else
        raw_text(s, NULL);
    raw_text(s, visitor);
    raw_text(s, t->kind);
    raw_text(s, t->channel);
    if (s->out->c) {
        if (t->campaign >= 0)
            raw_int(s, mkt_campaign_id(m, t->campaign));
        else
            raw_text(s, NULL);
    }
    raw_text(s, t->source);
    raw_text(s, t->medium);
    raw_text(s, utm);
    raw_text(s, t->term);
    raw_text(s, t->content);
    raw_text(s, t->url);
    raw_text(s, t->referrer);
    raw_time(s, t->at);
    if (s->out->c)
        raw_time(s, t->at);
    return raw_end(s);
}

/* A visitor id of the tracking's shape ([A-Za-z0-9_-]{16,64}) for
 * contact i's browser (k 0) or anonymous visitor k near it. */
static void visitor_id(const struct mkt *m, long i, int k, char *buf,
                       size_t len)
{
    struct rng r;
    rng_seed(&r, m->seed ^ ((uint64_t)i << 8) ^ (uint64_t)k ^
             0x5DEECE66DULL);
    snprintf(buf, len, "%s%016llx", k ? "anon-" : "v-",
             (unsigned long long)rng_next(&r));
}

/* The anonymous visitors near contact i's creation: page views from the
 * ads, search and social, who never filled in a form. */
static int anonymous(const struct mkt *m, struct sink *s, long i,
                     int64_t created)
{
    static const int SEEN[] = {P_PAID, P_SOCIAL, P_SEO, P_DISPLAY,
                               P_CONTENT};
    struct mkt_touch t[3];
    struct tctx x = {.m = m, .t = t, .lim = m->today - MINUTE_MS};
    rng_seed(&x.r, m->seed * 0x9E3779B97F4A7C15ULL ^ ((uint64_t)S_ANON
             << 56) ^ ((uint64_t)i * 0xD1B54A32D192ED03ULL + S_ANON));
    double u = rng_unit(&x.r);
    int visitors = u < 0.8 ? 0 : u < 0.97 ? 1 : 2, rc = 0;
    int64_t win = ms_at(m->t0, 0);
    for (int v = 1; !rc && v <= visitors; v++) {
        char vid[40];
        int64_t at = created + (int64_t)((rng_unit(&x.r) - 0.5) * 20.0 *
                                         (double)DAY_MS);
        at = at < win ? win + HOUR_MS : at;
        x.n = 0;
        int k = pick(&x, SEEN, COUNT(SEEN), at);
        if (k >= 0)
            add_campaign_touch(&x, at, k, "page_view");
        else
            visit(&x, at, PAGES[0]);
        if (rng_unit(&x.r) < 0.3)
            visit(&x, at + (1 + (int64_t)rng_below(&x.r, 10)) * MINUTE_MS,
                  NULL);
        visitor_id(m, i, v, vid, sizeof(vid));
        for (int j = 0; !rc && j < x.n; j++)
            rc = write_touch(m, s, 0, vid, &t[j]);
    }
    return rc;
}

int mkt_write_touches(const struct mkt *m, struct sink *s, long i,
                      int64_t contact, int64_t created,
                      const struct mkt_touch *t, int n)
{
    char vid[40];
    int rc = 0;
    visitor_id(m, i, 0, vid, sizeof(vid));
    for (int j = 0; !rc && j < n; j++)
        rc = write_touch(m, s, contact, t[j].visitor ? vid : NULL, &t[j]);
    return rc ? rc : anonymous(m, s, i, created);
}
