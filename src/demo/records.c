/* The demo's CRM records (see records.h and docs/decisions/0005).
 *
 * The story: a Vietnamese software vendor selling its CRM to SMEs over
 * the last 18 months. Companies arrive over time; contacts arrive faster
 * and faster, each from a source (search, ads, social, e-mail, referral,
 * events, …) that converts better or worse; most stop early in the
 * funnel, some are rejected by sales and recycled, a few open deals,
 * fewer win them, and the customers of more than ten months ago are up
 * for renewal with the success team. Sales reps of the region own the
 * records; specialists run demos; every touch is an activity.
 *
 * Layout of a run: the companies are made in memory (their domains must
 * be unique, so in order); a planning pass rolls the contacts' stages up
 * into their companies; then the tables are written. A contact's plan
 * (company, owner, stage history, deals) is a pure function of (seed,
 * index), recomputed by every pass that needs it. */
#include "demo/records.h"
#include "demo/marketing.h"
#include "demo/names.h"
#include "demo/terms.h"
#include "model/export.h"
#include "model/object.h"
#include "store/bulk.h"
#include "store/search.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/csvcell.h"
#include "util/rand.h"
#include "util/xalloc.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY_MS 86400000LL
#define MINUTE_MS 60000LL
#define HISTORY_DAYS 548            /* 18 months */
#define BUSINESS_OFFSET_MS (7LL * 3600 * 1000)
#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* Random streams: one per kind of draw and record. */
enum { S_COMPANY = 1, S_PLAN, S_PERSON, S_DEAL, S_ACTIVITY };

/* Lifecycle ranks (model/object.h's order); other is 0, none -1. */
enum { ST_NONE = -1, ST_OTHER = 0, ST_SUB, ST_LEAD, ST_MQL, ST_SQL, ST_OPP,
       ST_CUST, ST_EVANG };

/* Why a stage changed (stage_changes.reason). */
static const char *const REASONS[] = {"form", "import", "score", "manual",
                                      "deal", "rejected", "recycled"};
enum { R_FORM, R_IMPORT, R_SCORE, R_MANUAL, R_DEAL, R_REJECTED,
       R_RECYCLED };

/* ---- sources and how they convert ---- */

static const struct source {
    const char *name;
    unsigned weight;
    double sub;     /* share entering as subscriber (else lead) */
    double mult;    /* conversion multiplier at every step */
} SOURCES[] = {
    {"organic_search", 22, 0.60, 1.00}, {"paid_search", 18, 0.25, 0.80},
    {"social", 20, 0.60, 0.60},         {"email", 10, 0.70, 0.90},
    {"referral", 10, 0.00, 1.50},       {"direct", 8, 0.10, 1.10},
    {"offline", 8, 0.00, 1.25},         {"other", 4, 0.30, 0.80},
};

/* Base step probabilities (organic search): subscriber -> lead,
 * lead -> MQL, MQL -> SQL, SQL -> opportunity, opportunity -> won,
 * customer -> evangelist. */
static const double P_STEP[] = {0.35, 0.40, 0.55, 0.60, 0.40, 0.15};
/* Mean days each step takes. */
static const double DAYS_STEP[] = {30, 14, 4, 10, 35, 120};

/* ---- in-memory companies ---- */

struct company {
    const char *name, *domain, *city, *industry, *size, *brand;
    char phone[24];
    int64_t owner, created;
    int region, parent;             /* parent: index, or -1 */
    signed char stage;              /* rolled-up rank, ST_NONE if none */
    const struct sterm *terms;      /* of the name */
    int nterms;
};

/* ---- a contact's plan ---- */

struct step {
    signed char stage;
    unsigned char reason;
    int64_t at, by;
};

struct deal_plan {
    int status;                     /* 0 open, 1 won, 2 lost */
    int pos;                        /* stage position in its pipeline */
    int64_t created, closed;        /* closed: 0 while open */
};

struct plan {
    int64_t created, updated, owner, cs_owner;
    int company, region, source;
    struct step steps[10];
    int nsteps, stage;
    int rejected;
    struct deal_plan deal, renewal; /* deal.created = 0: none */
    int64_t campaign;               /* its first touch's, or 0 */
};

/* ---- the run ---- */

/* Field indexes of the objects, resolved once. */
enum { C_ID, C_FIRST, C_LAST, C_EMAIL, C_PHONE, C_PHONE_KEY, C_COMPANY,
       C_TITLE, C_CITY, C_COUNTRY, C_OWNER, C_STAGE, C_LEAD_STATUS,
       C_SOURCE, C_CAMPAIGN, C_SCORE, C_FIT, C_ENG, C_CUSTOM, C_CREATED,
       C_UPDATED, C_BECAME, /* + stage rank, other first */
       C_HIGHEST = C_BECAME + 8, C_N };
static const char *const CONTACT_F[] = {"id", "first_name", "last_name",
    "email", "phone", "phone_key", "company_id", "title", "city", "country",
    "owner_id", "lifecycle_stage", "lead_status", "source",
    "source_campaign_id", "score", "score_fit", "score_engagement",
    "custom", "created_at", "updated_at", "became_other_at",
    "became_subscriber_at", "became_lead_at",
    "became_marketing_qualified_lead_at", "became_sales_qualified_lead_at",
    "became_opportunity_at", "became_customer_at", "became_evangelist_at",
    "highest_stage"};
enum { O_ID, O_NAME, O_DOMAIN, O_INDUSTRY, O_SIZE, O_COUNTRY, O_CITY,
       O_PHONE, O_OWNER, O_PARENT, O_STAGE, O_CUSTOM, O_CREATED, O_UPDATED,
       O_N };
static const char *const COMPANY_F[] = {"id", "name", "domain", "industry",
    "size_band", "country", "city", "phone", "owner_id", "parent_id",
    "lifecycle_stage", "custom", "created_at", "updated_at"};
enum { D_ID, D_NAME, D_AMOUNT, D_CURRENCY, D_PIPELINE, D_STAGE, D_STATUS,
       D_CLOSE_DATE, D_CLOSED_AT, D_OWNER, D_COMPANY, D_CONTACTS,
       D_CAMPAIGN, D_FORECAST, D_WON, D_LOST, D_CUSTOM, D_CREATED,
       D_UPDATED, D_N };
static const char *const DEAL_F[] = {"id", "name", "amount", "currency",
    "pipeline_id", "stage_id", "status", "close_date", "closed_at",
    "owner_id", "company_id", "contact_ids", "source_campaign_id",
    "forecast_category", "won_reason", "lost_reason", "custom",
    "created_at", "updated_at"};
enum { A_ID, A_KIND, A_SUBJECT, A_BODY, A_DUE, A_DONE, A_OUTCOME, A_OWNER,
       A_CONTACT, A_COMPANY, A_DEAL, A_CUSTOM, A_CREATED, A_UPDATED, A_N };
static const char *const ACTIVITY_F[] = {"id", "kind", "subject", "body",
    "due_at", "done_at", "outcome", "owner_id", "contact_id", "company_id",
    "deal_id", "custom", "created_at", "updated_at"};

struct world {
    const struct demo_sink *out;
    const struct demo_org *org;
    const struct mkt *mkt;
    uint64_t seed;
    long n, m;                      /* contacts, companies */
    int64_t today, start, span;
    struct company *co;
    char **strs;                    /* company strings, freed at the end */
    int nstrs;
    int64_t base_company, base_contact, base_deal, base_activity;
    int64_t stage_ids[2][7];        /* [pipeline][position - 1] */
    int64_t pipeline_ids[2];
    int kf[C_N], of[O_N], df[D_N], af[A_N];
    struct terms_cache *tc;
    struct terms_load *tl_contact, *tl_company, *tl_deal;
    uint64_t *emails;               /* hash set of e-mail hashes */
    size_t nemail_slots;
    struct arena a;                 /* per-record scratch */
    struct demo_result *res;
    struct err *err;
};

/* ---- small helpers ---- */

/* Seeds r for record i of stream s. */
static void rng_at(struct rng *r, uint64_t seed, uint64_t s, uint64_t i)
{
    rng_seed(r, seed * 0x9E3779B97F4A7C15ULL ^ (s << 56) ^
             (i * 0xD1B54A32D192ED03ULL + s));
}

/* A probability scaled by a source's multiplier, capped. */
static double chance(double base, double mult)
{
    double p = base * mult;
    return p > 0.95 ? 0.95 : p;
}

/* t plus an exponentially distributed delay of mean days (at least a
 * minute), on a whole second. */
static int64_t later(struct rng *r, int64_t t, double mean_days)
{
    double d = -mean_days * log(1.0 - rng_unit(r));
    int64_t at = t + MINUTE_MS + (int64_t)(d * (double)DAY_MS);
    return at / 1000 * 1000;
}

/* A standard normal draw (Box-Muller). */
static double normal(struct rng *r)
{
    double u = 1.0 - rng_unit(r), v = rng_unit(r);
    return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

/* The business-time-zone date of ms as "YYYY-MM-DD" (11 bytes). */
static void business_date(int64_t ms, char *out)
{
    char iso[40];
    clock_iso(ms + BUSINESS_OFFSET_MS, iso, sizeof(iso));
    memcpy(out, iso, 10);
    out[10] = '\0';
}

/* Stores a copy of s for the run's lifetime. */
static const char *keep(struct world *w, const char *s)
{
    w->strs = xrealloc(w->strs, sizeof(char *) * (size_t)(w->nstrs + 1));
    w->strs[w->nstrs] = xstrdup(s);
    return w->strs[w->nstrs++];
}

/* Whether text (an e-mail, a domain, a company name) was taken already
 * (by its 64-bit hash); takes it if not. */
static int email_taken(struct world *w, const char *email)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const char *p = email; *p; p++) {
        h ^= (unsigned char)*p;
        h *= 0x100000001b3ULL;
    }
    h |= 1;                         /* 0 marks an empty slot */
    size_t j = h & (w->nemail_slots - 1);
    for (; w->emails[j]; j = (j + 1) & (w->nemail_slots - 1))
        if (w->emails[j] == h)
            return 1;
    w->emails[j] = h;
    return 0;
}

/* The stage name of rank k. */
static const char *stage_name(int k)
{
    return k == ST_OTHER ? "other" : LIFECYCLE_STAGES[k - 1];
}

/* ---- records as struct rec ---- */

/* Sets field index i of r to text s (NULL: NULL). */
static void put_t(struct rec *r, int i, const char *s)
{
    r->v[i].set = 1;
    r->v[i].null = s == NULL;
    r->v[i].s = s;
}

/* Sets field index i of r to v. */
static void put_i(struct rec *r, int i, int64_t v)
{
    r->v[i].set = 1;
    r->v[i].null = 0;
    r->v[i].i = v;
}

/* Sets field index i of r to NULL. */
static void put_null(struct rec *r, int i)
{
    r->v[i].set = 1;
    r->v[i].null = 1;
}

/* Sets a reference: 0 is NULL. */
static void put_ref(struct rec *r, int i, int64_t v)
{
    if (v)
        put_i(r, i, v);
    else
        put_null(r, i);
}

/* Resolves the field indexes of o named in names. */
static void resolve(const struct object *o, const char *const *names, int n,
                    int *out)
{
    for (int i = 0; i < n; i++) {
        out[i] = object_field(o, names[i]);
        if (out[i] < 0)
            BUG("demo field missing from the object");
    }
}

/* ---- companies ---- */

/* Company j's creation time: companies arrive ever faster over the
 * window, in index order. */
static int64_t company_time(const struct world *w, long j, double u)
{
    double x = sqrt(((double)j + u) / (double)w->m);
    return (w->start + (int64_t)(x * (double)w->span)) / 1000 * 1000;
}

/* The brand of a company name: its last two words ("Minh Phát"). */
static const char *brand_of(struct world *w, const char *name)
{
    const char *end = name + strlen(name), *p = end;
    for (int words = 0; p > name; p--)
        if (p[-1] == ' ' && ++words == 2)
            break;
    return keep(w, p);
}

/* A free domain for company name (a number added on a clash). */
static const char *free_domain(struct world *w, const char *name, long j)
{
    char d[160];
    names_company_domain(name, 0, d, sizeof(d));
    for (uint64_t u = (uint64_t)j + 1; email_taken(w, d); u += 1000003)
        names_company_domain(name, u, d, sizeof(d));
    return keep(w, d);
}

/* Draws a company name no earlier company has: Vietnamese law forbids
 * two enterprises the same name (and imports match companies by it).
 * Redraws first, then adds a place or a number. */
static void unique_company_name(struct world *w, struct rng *r, long j,
                                char *name, size_t len, char *base,
                                size_t baselen)
{
    static const char *const SUFFIX[] = {"Việt Nam", "Sài Gòn", "Hà Nội",
        "Miền Nam", "Miền Bắc", "Quốc tế", "Toàn Cầu", "Châu Á"};
    for (int k = 0; k < 8; k++) {
        names_company(r, name, len);
        snprintf(base, baselen, "%s", name);
        if (!email_taken(w, name))      /* takes the name when free */
            return;
    }
    for (int k = 0;; k++) {
        if (k < COUNT(SUFFIX))
            snprintf(name, len, "%.150s %s", base, SUFFIX[k]);
        else
            snprintf(name, len, "%.150s %ld", base, j + (long)k);
        if (!email_taken(w, name))
            return;
    }
}

/* Makes every company in memory. */
static int make_companies(struct world *w)
{
    w->co = xcalloc((size_t)w->m + 1, sizeof(*w->co));
    for (long j = 0; j < w->m; j++) {
        struct company *c = &w->co[j];
        struct rng r;
        char name[200];
        rng_at(&r, w->seed, S_COMPANY, (uint64_t)j);
        char base[200];
        unique_company_name(w, &r, j, name, sizeof(name), base,
                            sizeof(base));
        c->name = keep(w, name);
        c->brand = brand_of(w, base);   /* without the place added */
        c->domain = free_domain(w, base, j);
        c->city = names_city(&r);
        c->region = names_city_region(c->city);
        c->industry = names_industry(&r);
        c->size = names_size_band(&r);
        names_landline(c->city, (uint64_t)j + 5000000, c->phone,
                       sizeof(c->phone));
        const struct demo_org *g = w->org;
        c->owner = g->reps[c->region][rng_below(&r, (uint64_t)
                                                g->nreps[c->region])];
        c->created = company_time(w, j, rng_unit(&r));
        c->parent = j >= 20 && rng_unit(&r) < 0.02
                    ? (int)rng_below(&r, (uint64_t)j) : -1;
        c->stage = ST_NONE;
        c->nterms = terms_cache_get(w->tc, c->name, &c->terms);
        if (c->nterms < 0)
            return err_set(w->err, E_INTERNAL, NULL, "demo company name is "
                           "not UTF-8");
    }
    return 0;
}

/* ---- planning a contact ---- */

/* Appends a stage change. */
static void add_step(struct plan *p, int stage, int reason, int64_t at,
                     int64_t by)
{
    if (p->nsteps == COUNT(p->steps))
        BUG("demo stage history too long");
    p->steps[p->nsteps++] = (struct step){(signed char)stage,
                                          (unsigned char)reason, at, by};
    p->stage = stage;
    p->updated = at;
}

/* Who owns contact i's records: its company's owner mostly, another rep
 * of the region sometimes. */
static void plan_owner(const struct world *w, struct rng *r, struct plan *p)
{
    const struct demo_org *g = w->org;
    if (p->company >= 0 && rng_unit(r) < 0.75) {
        p->owner = w->co[p->company].owner;
    } else {
        p->owner = g->reps[p->region][rng_below(r, (uint64_t)
                                                g->nreps[p->region])];
    }
    p->cs_owner = g->cs[rng_below(r, (uint64_t)g->ncs)];
}

/* The open stage position a deal has reached after elapsed ms. */
static int open_position(struct rng *r, int64_t elapsed)
{
    int pos = 1 + (int)(elapsed / (9 * DAY_MS)) + (int)rng_below(r, 2);
    return pos > 5 ? 5 : pos;
}

/* The renewal of a customer won at won: due 45 days before the
 * anniversary, decided on it (renewed or churned) when that is past. */
static void plan_renewal(const struct world *w, struct rng *r,
                         struct plan *p, int64_t won)
{
    int64_t lim = w->today - MINUTE_MS;
    int64_t anniversary = won + 365 * DAY_MS;
    int64_t created = anniversary - 45 * DAY_MS;
    double u = rng_unit(r);
    if (created > lim)
        return;
    p->renewal.created = created;
    if (anniversary <= lim) {
        p->renewal.status = u < 0.7 ? 1 : 2;
        p->renewal.pos = u < 0.7 ? 3 : 4;
        p->renewal.closed = anniversary;
    } else {
        p->renewal.pos = lim - created < 15 * DAY_MS ? 1 : 2;
    }
}

/* After the opportunity at t: the deal's outcome, the customer and the
 * evangelist, or a lost deal and maybe a recycled lead. */
static void plan_outcome(const struct world *w, struct rng *r,
                         struct plan *p, int64_t t, double mult)
{
    int64_t lim = w->today - MINUTE_MS;
    int64_t decided = later(r, t, DAYS_STEP[4]);
    double won = rng_unit(r), evangel = rng_unit(r), recycle = rng_unit(r);
    p->deal.created = t;
    if (decided > lim) {
        p->deal.pos = open_position(r, lim - t);
        return;
    }
    p->deal.closed = decided;
    if (won < chance(P_STEP[4], mult)) {
        p->deal.status = 1;
        p->deal.pos = 6;
        add_step(p, ST_CUST, R_DEAL, decided, p->owner);
        int64_t ev = later(r, decided, DAYS_STEP[5]);
        if (evangel < chance(P_STEP[5], mult) && ev <= lim)
            add_step(p, ST_EVANG, R_MANUAL, ev, p->cs_owner);
        plan_renewal(w, r, p, decided);
        return;
    }
    p->deal.status = 2;
    p->deal.pos = 7;
    int64_t back = later(r, decided, 7);
    if (recycle < 0.5 && back <= lim)
        add_step(p, ST_LEAD, R_RECYCLED, back, p->owner);
}

/* The funnel from the entry stage on; stops at the first step that has
 * not happened by today. */
static void plan_funnel(const struct world *w, struct rng *r, struct plan *p)
{
    const struct source *src = &SOURCES[p->source];
    int64_t lim = w->today - MINUTE_MS, t = p->created;
    double m = src->mult;
    int entry = rng_unit(r) < src->sub ? ST_SUB : ST_LEAD;
    add_step(p, entry, p->source == 6 ? R_IMPORT : R_FORM, t, 0);
    if (entry == ST_SUB) {
        int64_t t2 = later(r, t, DAYS_STEP[0]);
        if (rng_unit(r) >= chance(P_STEP[0], m) || t2 > lim)
            return;
        add_step(p, ST_LEAD, R_FORM, t = t2, 0);
    }
    int64_t t2 = later(r, t, DAYS_STEP[1]);
    double skip = rng_unit(r);
    if (rng_unit(r) >= chance(P_STEP[1], m) || t2 > lim)
        return;
    if (m >= 1.1 && skip < 0.3) {
        add_step(p, ST_SQL, R_MANUAL, t = t2, p->owner);    /* sales-made */
    } else {
        add_step(p, ST_MQL, R_SCORE, t = t2, 0);
        int64_t t3 = later(r, t, DAYS_STEP[2]);
        double reject = rng_unit(r);
        if (rng_unit(r) >= chance(P_STEP[2], m)) {
            int64_t back = later(r, t, 5);
            if (reject < 0.25 && back <= lim) {
                add_step(p, ST_LEAD, R_REJECTED, back, p->owner);
                p->rejected = 1;
            }
            return;
        }
        if (t3 > lim)
            return;
        add_step(p, ST_SQL, R_MANUAL, t = t3, p->owner);
    }
    t2 = later(r, t, DAYS_STEP[3]);
    if (rng_unit(r) >= chance(P_STEP[3], m) || t2 > lim)
        return;
    add_step(p, ST_OPP, R_DEAL, t2, p->owner);
    plan_outcome(w, r, p, t2, m);
}

/* Contact i's creation time: ever more contacts per day, in index
 * order (ids ascend with created_at). */
static int64_t contact_time(const struct world *w, long i, double u)
{
    double x = sqrt(((double)i + u) / (double)w->n);
    return (w->start + (int64_t)(x * (double)w->span)) / 1000 * 1000;
}

/* Plans contact i. */
static void plan_contact(const struct world *w, long i, struct plan *p)
{
    struct rng r;
    rng_at(&r, w->seed, S_PLAN, (uint64_t)i);
    memset(p, 0, sizeof(*p));
    p->stage = ST_NONE;
    p->created = p->updated = contact_time(w, i, rng_unit(&r));
    long kmax = (long)((double)w->m * (double)i / (double)w->n) - 1;
    double has_company = rng_unit(&r), newest = rng_unit(&r);
    p->company = -1;
    if (kmax >= 0 && has_company < 0.85)
        p->company = newest < 0.35 ? (int)kmax
                                   : (int)rng_below(&r, (uint64_t)kmax + 1);
    p->region = p->company >= 0 ? w->co[p->company].region
                                : (int)rng_below(&r, 2);
    plan_owner(w, &r, p);
    uint64_t total = 0, x;
    for (int k = 0; k < COUNT(SOURCES); k++)
        total += SOURCES[k].weight;
    x = rng_below(&r, total);
    for (p->source = 0; x >= SOURCES[p->source].weight; p->source++)
        x -= SOURCES[p->source].weight;
    double u = rng_unit(&r);
    if (u < 0.01)
        return;                         /* no stage, no history */
    if (u < 0.03) {
        add_step(p, ST_OTHER, R_MANUAL, p->created, p->owner);
        return;
    }
    plan_funnel(w, &r, p);
}

/* ---- the plan of a whole run ---- */

/* Rolls every contact's final stage up into its company. */
static void rollup(struct world *w)
{
    struct plan p;
    for (long i = 0; i < w->n; i++) {
        plan_contact(w, i, &p);
        if (p.company >= 0 && p.stage > w->co[p.company].stage)
            w->co[p.company].stage = (signed char)p.stage;
    }
}

/* ---- writing companies ---- */

/* The search rows of company j (name, domain, phone). */
static void company_terms(struct world *w, long j, struct terms_rec *tr)
{
    const struct company *c = &w->co[j];
    const char *texts[1] = {c->domain};
    const char *phones[1] = {c->phone};
    struct sterm *t;
    terms_rec_init(tr);
    terms_rec_add(tr, c->terms, c->nterms);
    int n = search_terms_of(texts, 1, NULL, 0, &t, &w->a);
    if (n > 0)
        terms_rec_add(tr, t, n);
    n = search_terms_of(NULL, 0, phones, 1, &t, &w->a);
    if (n > 0)
        terms_rec_add(tr, t, n);
}

/* Writes the companies (and collects their search rows). */
static int write_companies(struct world *w)
{
    struct sink s;
    struct rec r;
    struct terms_rec tr;
    int rc = sink_obj(&s, w->out, &OBJ_COMPANY, w->err);
    for (long j = 0; !rc && j < w->m; j++) {
        const struct company *c = &w->co[j];
        int64_t id = w->base_company + j;
        rec_init(&r, &OBJ_COMPANY);
        put_i(&r, w->of[O_ID], id);
        put_t(&r, w->of[O_NAME], c->name);
        put_t(&r, w->of[O_DOMAIN], c->domain);
        put_t(&r, w->of[O_INDUSTRY], c->industry);
        put_t(&r, w->of[O_SIZE], c->size);
        put_t(&r, w->of[O_COUNTRY], "VN");
        put_t(&r, w->of[O_CITY], c->city);
        put_t(&r, w->of[O_PHONE], c->phone);
        put_i(&r, w->of[O_OWNER], c->owner);
        put_ref(&r, w->of[O_PARENT], c->parent < 0 ? 0
                : w->base_company + c->parent);
        put_t(&r, w->of[O_STAGE], c->stage == ST_NONE ? NULL
              : stage_name(c->stage));
        put_t(&r, w->of[O_CUSTOM], "{}");
        put_i(&r, w->of[O_CREATED], c->created);
        put_i(&r, w->of[O_UPDATED], c->created);
        rc = sink_rec(&s, &r);
        if (!rc && w->tl_company) {
            company_terms(w, j, &tr);
            terms_load_add(w->tl_company, id, tr.t, tr.n);
        }
        arena_release(&w->a);
        arena_init(&w->a);
    }
    w->res->companies = s.rows;
    return sink_close(&s, rc);
}

/* ---- writing contacts ---- */

/* The person of contact i and their contact details. */
struct person {
    struct person_name name;
    char last[100], email[200], phone[24];
    const char *title, *city;
    int has_email, has_phone;
};

/* Draws contact i's person: name, e-mail (at the company's domain, else
 * a personal provider; unique), phone (unique), title and city. */
static void make_person(struct world *w, long i, const struct plan *p,
                        struct person *pp)
{
    struct rng r;
    rng_at(&r, w->seed, S_PERSON, (uint64_t)i);
    names_person(&r, &pp->name);
    snprintf(pp->last, sizeof(pp->last), "%s %s", pp->name.last,
             pp->name.middle);
    const struct company *c = p->company >= 0 ? &w->co[p->company] : NULL;
    pp->has_email = rng_unit(&r) < 0.93;
    pp->has_phone = rng_unit(&r) < 0.88;
    int landline = rng_unit(&r) < 0.1;
    const char *provider = names_email_provider(&r);
    uint64_t year = 1965 + rng_below(&r, 40);
    pp->title = c ? names_job_title(&r) : NULL;
    pp->city = c && rng_unit(&r) < 0.85 ? c->city : names_city(&r);
    if (pp->has_email) {
        names_email(&pp->name, c ? c->domain : provider, c ? 0 : year,
                    pp->email, sizeof(pp->email));
        for (uint64_t u = (uint64_t)i + 1; email_taken(w, pp->email);
             u += 10000019)
            names_email(&pp->name, c ? c->domain : provider, u, pp->email,
                        sizeof(pp->email));
    }
    if (landline)
        names_landline(p->region ? "TP. Hồ Chí Minh" : "Hà Nội",
                       (uint64_t)i, pp->phone, sizeof(pp->phone));
    else
        names_phone_unique(&r, (uint64_t)i, pp->phone, sizeof(pp->phone));
}

/* The lead status that fits a final stage. */
static const char *lead_status(const struct plan *p, struct rng *r)
{
    static const char *const LEAD[] = {"new", "new", "attempting",
        "attempting", "connected", "bad_timing"};
    static const char *const MQL[] = {"new", "attempting", "connected"};
    switch (p->stage) {
    case ST_LEAD:
        return p->rejected ? "rejected" : LEAD[rng_below(r, 6)];
    case ST_MQL:
        return MQL[rng_below(r, 3)];
    case ST_SQL:
        return "accepted";
    default:
        return NULL;
    }
}

/* The search rows of a contact: names, e-mail, company name, phone. */
static void contact_terms(struct world *w, const struct person *pp,
                          const struct plan *p, struct terms_rec *tr)
{
    const struct sterm *t;
    struct sterm *t2;
    terms_rec_init(tr);
    int n = terms_cache_get(w->tc, pp->name.first, &t);
    terms_rec_add(tr, t, n > 0 ? n : 0);
    n = terms_cache_get(w->tc, pp->last, &t);
    terms_rec_add(tr, t, n > 0 ? n : 0);
    if (pp->has_email) {
        const char *texts[1] = {pp->email};
        n = search_terms_of(texts, 1, NULL, 0, &t2, &w->a);
        terms_rec_add(tr, t2, n > 0 ? n : 0);
    }
    if (p->company >= 0)
        terms_rec_add(tr, w->co[p->company].terms, w->co[p->company].nterms);
    if (pp->has_phone) {
        const char *phones[1] = {pp->phone};
        n = search_terms_of(NULL, 0, phones, 1, &t2, &w->a);
        terms_rec_add(tr, t2, n > 0 ? n : 0);
    }
}

static int64_t entered(const struct plan *p, int stage);

/* Writes contact i. */
static int write_contact(struct world *w, struct sink *s, long i,
                         const struct plan *p)
{
    struct person pp;
    struct rec r;
    struct rng rs;
    int64_t id = w->base_contact + i;
    make_person(w, i, p, &pp);
    rng_at(&rs, w->seed, S_PERSON, (uint64_t)i + 0x100000000ULL);
    const int *f = w->kf;
    rec_init(&r, &OBJ_CONTACT);
    put_i(&r, f[C_ID], id);
    put_t(&r, f[C_FIRST], pp.name.first);
    put_t(&r, f[C_LAST], pp.last);
    put_t(&r, f[C_EMAIL], pp.has_email ? pp.email : NULL);
    put_t(&r, f[C_PHONE], pp.has_phone ? pp.phone : NULL);
    put_t(&r, f[C_PHONE_KEY], pp.has_phone ? pp.phone : NULL);
    put_ref(&r, f[C_COMPANY], p->company >= 0
            ? w->base_company + p->company : 0);
    put_t(&r, f[C_TITLE], pp.title);
    put_t(&r, f[C_CITY], pp.city);
    put_t(&r, f[C_COUNTRY], "VN");
    put_i(&r, f[C_OWNER], p->owner);
    put_t(&r, f[C_STAGE], p->stage == ST_NONE ? NULL : stage_name(p->stage));
    put_t(&r, f[C_LEAD_STATUS], lead_status(p, &rs));
    put_t(&r, f[C_SOURCE], SOURCES[p->source].name);
    put_ref(&r, f[C_CAMPAIGN], p->campaign);
    int64_t fit = (int64_t)rng_below(&rs, 51);
    int64_t eng = p->stage < ST_SUB ? 0 : (int64_t)(p->stage * 6) +
                  (int64_t)rng_below(&rs, 9);
    put_i(&r, f[C_SCORE], fit + eng);
    put_i(&r, f[C_FIT], fit);
    put_i(&r, f[C_ENG], eng);
    put_t(&r, f[C_CUSTOM], "{}");
    put_i(&r, f[C_CREATED], p->created);
    put_i(&r, f[C_UPDATED], p->updated);
    int highest = ST_NONE;      /* the funnel's first entries (§3) */
    for (int k = ST_OTHER; k <= ST_OTHER + 7; k++) {
        int64_t at = entered(p, k);
        if (at)
            put_i(&r, f[C_BECAME + k], at);
        if (at && k > highest && k != ST_OTHER)
            highest = k;
    }
    put_t(&r, f[C_HIGHEST], highest == ST_NONE ? NULL : stage_name(highest));
    int rc = sink_rec(s, &r);
    if (!rc && w->tl_contact) {
        struct terms_rec tr;
        contact_terms(w, &pp, p, &tr);
        terms_load_add(w->tl_contact, id, tr.t, tr.n);
    }
    return rc;
}

/* Writes the stage history of contact i. */
static int write_steps(struct world *w, struct sink *s, long i,
                       const struct plan *p)
{
    int rc = 0;
    for (int k = 0; !rc && k < p->nsteps; k++) {
        const struct step *st = &p->steps[k];
        raw_int(s, w->base_contact + i);
        raw_text(s, k ? stage_name(p->steps[k - 1].stage) : NULL);
        raw_text(s, stage_name(st->stage));
        raw_time(s, st->at);
        if (st->by)
            raw_int(s, st->by);
        else
            raw_text(s, NULL);
        raw_text(s, REASONS[st->reason]);
        rc = raw_end(s);
    }
    return rc;
}

/* ---- deals ---- */

static const char *const PRODUCTS_SMALL[] = {"Gói Phễu Starter",
    "Gói Phễu Starter 12 tháng", "Gói SMS Brandname", "Tích hợp Zalo OA"};
static const char *const PRODUCTS_BIG[] = {"Gói Phễu Pro",
    "Gói Phễu Enterprise", "Triển khai & đào tạo", "Gói Phễu Pro 50 người "
    "dùng", "Tích hợp hóa đơn điện tử"};
static const char *const WON_REASONS[] = {"Giá cạnh tranh",
    "Demo thuyết phục", "Tích hợp Zalo OA", "Hỗ trợ tiếng Việt tốt",
    "Được giới thiệu"};
static const char *const LOST_REASONS[] = {"Giá cao",
    "Chọn đối thủ", "Chưa có ngân sách", "Không phản hồi",
    "Thiếu tính năng", "Dời sang năm sau"};
static const char *const CHURN_REASONS[] = {"Không gia hạn: cắt giảm chi "
    "phí", "Không gia hạn: chuyển sang đối thủ", "Không gia hạn: ngừng "
    "kinh doanh"};

/* The typical deal size of a company size band, in VND. */
static double base_amount(const char *size)
{
    static const struct { const char *size; double vnd; } T[] = {
        {"1-10", 15e6}, {"11-50", 40e6}, {"51-200", 120e6},
        {"201-1000", 350e6}, {"1001-5000", 900e6}, {"5001+", 2.5e9}};
    for (int i = 0; i < COUNT(T); i++)
        if (!strcmp(size, T[i].size))
            return T[i].vnd;
    return 8e6;
}

/* What a deal of contact i needs to be written. */
struct deal_out {
    int64_t id, contact, company, owner, amount;
    const char *name, *forecast, *won, *lost;
    int pipeline;                   /* 0 new business, 1 renewal */
    const struct deal_plan *d;
};

/* Fills the new business deal of contact i (and, when it has one, the
 * renewal in *ren). */
static void make_deals(struct world *w, long i, const struct plan *p,
                       int64_t id, struct deal_out *nb, struct deal_out *ren)
{
    struct rng r;
    const struct company *c = p->company >= 0 ? &w->co[p->company] : NULL;
    rng_at(&r, w->seed, S_DEAL, (uint64_t)i);
    double amount = (c ? base_amount(c->size) : 6e6) *
                    exp(0.5 * normal(&r));
    int big = amount >= 1e8;
    const char *product = big ? PRODUCTS_BIG[rng_below(&r, 5)]
                              : PRODUCTS_SMALL[rng_below(&r, 4)];
    const char *who = c ? c->brand : NULL;
    struct person_name pn;
    char full[160], year[16];
    if (!who) {
        struct rng rp;
        rng_at(&rp, w->seed, S_PERSON, (uint64_t)i);
        names_person(&rp, &pn);
        names_full(&pn, full, sizeof(full));
        who = full;
    }
    *nb = (struct deal_out){.id = id, .contact = w->base_contact + i,
        .company = c ? w->base_company + p->company : 0,
        .owner = amount >= 1e9 ? w->org->ae[p->region] : p->owner,
        .amount = (int64_t)(amount / 1e5 + 0.5) * 100000,
        .d = &p->deal};
    if (nb->amount < 1000000)
        nb->amount = 1000000;
    nb->name = arena_printf(&w->a, "%s – %s", product, who);
    static const char *const FORECAST[] = {"pipeline", "pipeline",
        "best_case", "best_case", "commit"};
    nb->forecast = p->deal.status ? "closed" : FORECAST[p->deal.pos - 1];
    nb->won = p->deal.status == 1 ? WON_REASONS[rng_below(&r, 5)] : NULL;
    nb->lost = p->deal.status == 2 ? LOST_REASONS[rng_below(&r, 6)] : NULL;
    memset(ren, 0, sizeof(*ren));
    if (!p->renewal.created)
        return;
    business_date(p->renewal.created + 45 * DAY_MS, year);
    year[4] = '\0';
    *ren = (struct deal_out){.id = id + 1, .contact = nb->contact,
        .company = nb->company, .owner = p->cs_owner, .pipeline = 1,
        .amount = (int64_t)((double)nb->amount * (0.9 + 0.3 * rng_unit(&r))
                            / 1e5 + 0.5) * 100000,
        .d = &p->renewal};
    ren->name = arena_printf(&w->a, "Gia hạn %s – %s", year, who);
    ren->forecast = p->renewal.status ? "closed"
                    : p->renewal.pos == 1 ? "best_case" : "commit";
    ren->lost = p->renewal.status == 2 ? CHURN_REASONS[rng_below(&r, 3)]
                                       : NULL;
}

/* Writes one deal and collects its search rows. */
static int write_deal(struct world *w, struct sink *s,
                      const struct deal_out *d, const struct plan *p)
{
    struct rec r;
    char close[16];
    const int *f = w->df;
    const struct deal_plan *dp = d->d;
    rec_init(&r, &OBJ_DEAL);
    put_i(&r, f[D_ID], d->id);
    put_t(&r, f[D_NAME], d->name);
    put_i(&r, f[D_AMOUNT], d->amount);
    put_t(&r, f[D_CURRENCY], "VND");
    put_i(&r, f[D_PIPELINE], w->pipeline_ids[d->pipeline]);
    put_i(&r, f[D_STAGE], w->stage_ids[d->pipeline][dp->pos - 1]);
    put_t(&r, f[D_STATUS], dp->status == 1 ? "won" : dp->status == 2
          ? "lost" : "open");
    business_date(dp->closed ? dp->closed : d->pipeline
                  ? dp->created + 45 * DAY_MS : dp->created + 40 * DAY_MS,
                  close);
    put_t(&r, f[D_CLOSE_DATE], close);
    if (dp->closed)
        put_i(&r, f[D_CLOSED_AT], dp->closed);
    else
        put_null(&r, f[D_CLOSED_AT]);
    put_i(&r, f[D_OWNER], d->owner);
    put_ref(&r, f[D_COMPANY], d->company);
    r.v[f[D_CONTACTS]].set = 1;
    r.v[f[D_CONTACTS]].j = json_pack("[I]", (json_int_t)d->contact);
    put_ref(&r, f[D_CAMPAIGN], p->campaign);
    put_t(&r, f[D_FORECAST], d->forecast);
    put_t(&r, f[D_WON], d->won);
    put_t(&r, f[D_LOST], d->lost);
    put_t(&r, f[D_CUSTOM], "{}");
    put_i(&r, f[D_CREATED], dp->created);
    put_i(&r, f[D_UPDATED], dp->closed ? dp->closed : dp->created);
    int rc = sink_rec(s, &r);
    rec_release(&r);
    if (!rc && w->tl_deal) {
        struct terms_rec tr;
        const struct sterm *t;
        int n = terms_cache_get(w->tc, d->name, &t);
        terms_rec_init(&tr);
        terms_rec_add(&tr, t, n > 0 ? n : 0);
        if (p->company >= 0)
            terms_rec_add(&tr, w->co[p->company].terms,
                          w->co[p->company].nterms);
        terms_load_add(w->tl_deal, d->id, tr.t, tr.n);
    }
    return rc;
}

/* ---- activities ---- */

enum { K_CALL, K_EMAIL, K_MEETING, K_DEMO, K_TASK, K_NOTE, K_CONF, K_SMS };
static const char *const KINDS[] = {"call", "email", "meeting", "demo",
                                    "task", "note", "conference", "sms"};

static const char *const SUBJECTS[][4] = {
    {"Gọi điện giới thiệu sản phẩm", "Gọi lại theo yêu cầu",
     "Gọi xác nhận nhu cầu", "Gọi chăm sóc sau demo"},
    {"Gửi tài liệu giới thiệu Phễu", "Gửi báo giá",
     "Gửi đề xuất giải pháp", "Cảm ơn sau buổi gặp"},
    {"Họp tìm hiểu nhu cầu", "Họp trao đổi giải pháp",
     "Họp thương lượng hợp đồng", "Kick-off triển khai"},
    {"Demo sản phẩm Phễu CRM", "Demo tính năng Marketing Automation",
     "Demo báo cáo phễu bán hàng", "Demo tích hợp Zalo OA"},
    {"Gửi báo giá chính thức", "Chuẩn bị hợp đồng",
     "Theo dõi phản hồi báo giá", "Gọi lại sau 1 tuần"},
    {"Ghi chú cuộc gọi", "Ghi chú buổi họp", "Ghi chú về ngân sách",
     "Ghi chú bàn giao"},
    {"Hội thảo Chuyển đổi số cho SME", "Hội thảo Bán hàng đa kênh",
     "Webinar CRM cho doanh nghiệp Việt", "Triển lãm Vietnam ICT"},
    {"Nhắn tin xác nhận lịch hẹn", "Nhắn tin nhắc lịch demo",
     "Nhắn tin cảm ơn", "Nhắn tin gửi link tài liệu"},
};

static const char *const NOTES[] = {
    "Khách hàng quan tâm tích hợp Zalo OA và hóa đơn điện tử.",
    "Ngân sách dự kiến chốt vào cuối quý.",
    "Cần thêm tham chiếu từ khách hàng cùng ngành.",
    "Người quyết định là Giám đốc; cần hẹn họp trực tiếp.",
    "Đã ký hợp đồng, chuyển cho bộ phận triển khai.",
    "Khách hàng đồng ý làm case study và giới thiệu đối tác.",
};

static const char *const CALL_OUTCOMES[] = {"connected", "connected",
    "no_answer", "left_voicemail", "busy"};

/* Everything an activity row needs. */
struct act {
    int kind, subject;
    const char *body, *outcome;
    int64_t at, due, done, owner, deal;
};

/* What writes the activities of one contact. */
struct act_ctx {
    struct world *w;
    struct sink *acts, *collab;
    struct rng r;
    const struct plan *p;
    long i;
    int64_t *next_id;
    int64_t deal_id;                /* the new business deal, or 0 */
    int64_t demo_collab;            /* specialist already added, or 0 */
    int rc;
};

/* Writes one activity (and, for a demo on a deal, the specialist as a
 * collaborator on that deal). */
static void emit(struct act_ctx *x, const struct act *a)
{
    struct world *w = x->w;
    const int *f = w->af;
    int64_t id = (*x->next_id)++;
    if (x->rc)
        return;
    if (x->acts) {
        struct rec r;
        rec_init(&r, &OBJ_ACTIVITY);
        put_i(&r, f[A_ID], id);
        put_t(&r, f[A_KIND], KINDS[a->kind]);
        put_t(&r, f[A_SUBJECT], SUBJECTS[a->kind][a->subject]);
        put_t(&r, f[A_BODY], a->body);
        if (a->due)
            put_i(&r, f[A_DUE], a->due);
        else
            put_null(&r, f[A_DUE]);
        if (a->done)
            put_i(&r, f[A_DONE], a->done);
        else
            put_null(&r, f[A_DONE]);
        put_t(&r, f[A_OUTCOME], a->outcome);
        put_i(&r, f[A_OWNER], a->owner);
        put_i(&r, f[A_CONTACT], w->base_contact + x->i);
        put_ref(&r, f[A_COMPANY], x->p->company >= 0
                ? w->base_company + x->p->company : 0);
        put_ref(&r, f[A_DEAL], a->deal);
        put_t(&r, f[A_CUSTOM], "{}");
        put_i(&r, f[A_CREATED], a->at);
        put_i(&r, f[A_UPDATED], a->done > a->at ? a->done : a->at);
        x->rc = sink_rec(x->acts, &r);
    }
    if (x->collab && a->kind == K_DEMO && a->deal &&
        x->demo_collab != a->deal) {
        x->demo_collab = a->deal;
        raw_text(x->collab, "deal");
        raw_int(x->collab, a->deal);
        raw_int(x->collab, a->owner);
        raw_int(x->collab, a->at);
        x->rc = raw_end(x->collab);
    }
}

/* A time in [from, to), on a whole second (from when to <= from). */
static int64_t between(struct rng *r, int64_t from, int64_t to)
{
    if (to <= from)
        return from / 1000 * 1000;
    return (from + (int64_t)(rng_unit(r) * (double)(to - from))) / 1000 *
           1000;
}

/* A logged touch of kind by owner in [from, to): done when it happened. */
static void touch(struct act_ctx *x, int kind, int64_t owner, int64_t from,
                  int64_t to, int64_t deal)
{
    struct act a = {.kind = kind, .subject = (int)rng_below(&x->r, 4),
                    .owner = owner, .deal = deal};
    int64_t lim = x->w->today - MINUTE_MS;
    a.at = between(&x->r, from, to < lim ? to : lim);
    a.done = a.at;
    if (kind == K_CALL)
        a.outcome = CALL_OUTCOMES[rng_below(&x->r, 5)];
    else if (kind == K_MEETING || kind == K_DEMO)
        a.outcome = rng_unit(&x->r) < 0.9 ? "completed" : "rescheduled";
    if (kind == K_MEETING || kind == K_DEMO)
        a.due = a.at;
    if (kind == K_NOTE || (kind == K_EMAIL && rng_unit(&x->r) < 0.5))
        a.body = NOTES[rng_below(&x->r, 4)];
    emit(x, &a);
}

/* A task created in [from, to) and due a few days later: done when its
 * due date is past (mostly), open otherwise. */
static void task(struct act_ctx *x, int64_t from, int64_t to, int64_t deal)
{
    int64_t lim = x->w->today - MINUTE_MS;
    struct act a = {.kind = K_TASK, .subject = (int)rng_below(&x->r, 4),
                    .owner = x->p->owner, .deal = deal};
    a.at = between(&x->r, from, to < lim ? to : lim);
    a.due = (a.at + (int64_t)(2 + rng_below(&x->r, 6)) * DAY_MS) /
            (15 * MINUTE_MS) * (15 * MINUTE_MS);
    double u = rng_unit(&x->r);
    if (a.due < lim && u < 0.85)
        a.done = between(&x->r, a.at, a.due);
    emit(x, &a);
}

/* The time contact plan p entered stage (first entry), or 0. */
static int64_t entered(const struct plan *p, int stage)
{
    for (int k = 0; k < p->nsteps; k++)
        if (p->steps[k].stage == stage)
            return p->steps[k].at;
    return 0;
}

/* The activities of contact i, phase by phase of its history. */
static int write_activities(struct world *w, struct sink *acts,
                            struct sink *collab, long i, const struct plan *p,
                            int64_t deal_id, int64_t *next_id)
{
    struct act_ctx x = {.w = w, .acts = acts, .collab = collab, .p = p,
                        .i = i, .next_id = next_id, .deal_id = deal_id};
    int64_t lim = w->today - MINUTE_MS, o = p->owner;
    int64_t lead = entered(p, ST_LEAD), mql = entered(p, ST_MQL),
            sql = entered(p, ST_SQL), opp = entered(p, ST_OPP),
            cust = entered(p, ST_CUST), ev = entered(p, ST_EVANG);
    rng_at(&x.r, w->seed, S_ACTIVITY, (uint64_t)i);
    if (lead) {
        int64_t end = mql ? mql : sql ? sql : lim;
        if (end > lead + 20 * DAY_MS)
            end = lead + 20 * DAY_MS;
        double u = rng_unit(&x.r);
        int calls = u < 0.45 ? 0 : u < 0.9 ? 1 : 2;
        for (int k = 0; k < calls; k++)
            touch(&x, K_CALL, o, lead, end, 0);
        if (rng_unit(&x.r) < 0.1)
            touch(&x, K_SMS, o, lead, end, 0);
        if (p->source == 6 && rng_unit(&x.r) < 0.5)
            touch(&x, K_CONF, o, p->created, p->created + DAY_MS, 0);
    }
    if (mql) {
        int64_t end = sql ? sql : mql + 10 * DAY_MS;
        touch(&x, K_CALL, o, mql, end, 0);
        touch(&x, K_EMAIL, o, mql, end, 0);
    }
    if (sql) {
        int64_t end = opp ? opp : sql + 14 * DAY_MS;
        touch(&x, K_MEETING, o, sql, end, 0);
        task(&x, sql, end, 0);
    }
    if (opp && deal_id) {
        int64_t end = p->deal.closed ? p->deal.closed : lim;
        touch(&x, K_DEMO, w->org->specialist[p->region], opp, end, deal_id);
        touch(&x, K_EMAIL, o, opp, end, deal_id);
        if (rng_unit(&x.r) < 0.7)
            touch(&x, K_MEETING, o, opp, end, deal_id);
        touch(&x, K_NOTE, o, opp, end, deal_id);
        task(&x, opp, end, deal_id);
        if (!p->deal.closed) {      /* what is ahead on an open deal */
            struct act a = {.kind = K_MEETING, .subject = 2, .owner = o,
                            .deal = deal_id};
            a.at = between(&x.r, end - 3 * DAY_MS, end);
            a.due = (w->today + (int64_t)(1 + rng_below(&x.r, 14)) * DAY_MS
                     + (int64_t)(2 + rng_below(&x.r, 8)) * 3600000LL);
            emit(&x, &a);
        }
    }
    if (cust) {
        touch(&x, K_MEETING, o, cust, cust + 10 * DAY_MS > lim ? lim
              : cust + 10 * DAY_MS, deal_id);
        struct act a = {.kind = K_NOTE, .subject = 3, .owner = o,
                        .body = NOTES[4], .deal = deal_id};
        a.at = a.done = cust;
        emit(&x, &a);
    }
    if (ev) {
        struct act a = {.kind = K_NOTE, .subject = 0, .owner = p->cs_owner,
                        .body = NOTES[5]};
        a.at = a.done = ev;
        emit(&x, &a);
    }
    return x.rc;
}

/* ---- the contact passes ---- */

enum { T_CONTACTS = 1, T_STAGES = 2, T_DEALS = 4, T_DEAL_CONTACTS = 8,
       T_ACTIVITIES = 16, T_COLLAB = 32, T_TOUCHES = 64 };
#define NSINKS 7

/* What contact plan p's touchpoints follow (demo/marketing.h). */
static void story_of(const struct plan *p, struct mkt_story *s)
{
    memset(s, 0, sizeof(*s));
    s->created = p->created;
    s->source = p->source;
    s->by_form = p->nsteps && p->steps[0].reason == R_FORM;
    s->lead = entered(p, ST_LEAD);
    s->lead_by_form = s->lead && p->steps[0].stage == ST_SUB;
    s->mql = entered(p, ST_MQL);
    s->sql = entered(p, ST_SQL);
    s->opp = entered(p, ST_OPP);
    s->closed = p->deal.closed;
}

/* Contact i's touches, when a table of the pass needs them: its
 * original campaign goes into p, the touches to their sink. */
static int contact_touches(struct world *w, struct sink *touches, long i,
                           struct plan *p)
{
    struct mkt_story s;
    struct mkt_touch t[MKT_MAX_TOUCHES];
    story_of(p, &s);
    int n = mkt_contact_touches(w->mkt, i, &s, t);
    p->campaign = n ? mkt_campaign_id(w->mkt, t[0].campaign) : 0;
    if (!touches)
        return 0;
    return mkt_write_touches(w->mkt, touches, i, w->base_contact + i,
                             p->created, t, n);
}

/* Writes the deals of contact i (its new business deal and renewal). */
static int contact_deals(struct world *w, struct sink *s, struct sink *dc,
                         long i, const struct plan *p, int64_t id)
{
    struct deal_out nb, ren;
    int rc = 0;
    make_deals(w, i, p, id, &nb, &ren);
    if (s) {
        rc = write_deal(w, s, &nb, p);
        if (!rc && ren.id)
            rc = write_deal(w, s, &ren, p);
    }
    for (int k = 0; dc && !rc && k < (ren.id ? 2 : 1); k++) {
        raw_int(dc, id + k);
        raw_int(dc, w->base_contact + i);
        rc = raw_end(dc);
    }
    return rc;
}

/* One pass over the contacts writing the tables in mask (one sink per
 * table, each already open or NULL). */
static int contact_pass(struct world *w, struct sink *sk[NSINKS])
{
    struct plan p;
    int64_t deal_id = w->base_deal, act_id = w->base_activity;
    int rc = 0;
    for (long i = 0; !rc && i < w->n; i++) {
        plan_contact(w, i, &p);
        if (sk[0] || sk[2] || sk[6])
            rc = contact_touches(w, sk[6], i, &p);
        if (!rc && sk[0])
            rc = write_contact(w, sk[0], i, &p);
        if (!rc && sk[1])
            rc = write_steps(w, sk[1], i, &p);
        int64_t nb = p.deal.created ? deal_id : 0;
        if (!rc && nb && (sk[2] || sk[3]))
            rc = contact_deals(w, sk[2], sk[3], i, &p, nb);
        deal_id += p.deal.created ? (p.renewal.created ? 2 : 1) : 0;
        if (!rc && (sk[4] || sk[5]))
            rc = write_activities(w, sk[4], sk[5], i, &p, nb, &act_id);
        arena_release(&w->a);
        arena_init(&w->a);
    }
    return rc;
}

/* Opens the sinks of the tables in mask. */
static int open_sinks(struct world *w, unsigned mask,
                      struct sink all[NSINKS], struct sink *sk[NSINKS])
{
    static const char *const SC[] = {"contact_id", "from_stage", "to_stage",
                                     "at", "by_user", "reason"};
    static const char *const DC[] = {"deal_id", "contact_id"};
    static const char *const CB[] = {"object", "record_id", "user_id",
                                     "created_at"};
    int rc = 0;
    for (int k = 0; k < NSINKS; k++)
        sk[k] = NULL;
    for (int k = 0; !rc && k < NSINKS; k++) {
        if (!(mask & (1u << k)))
            continue;
        switch (k) {
        case 0: rc = sink_obj(&all[k], w->out, &OBJ_CONTACT, w->err); break;
        case 1: rc = sink_raw(&all[k], w->out, "stage_changes", SC, 6,
                              "stage_changes.csv", w->err); break;
        case 2: rc = sink_obj(&all[k], w->out, &OBJ_DEAL, w->err); break;
        case 3: rc = sink_raw(&all[k], w->out, "deal_contacts", DC, 2, NULL,
                              w->err);
                break;
        case 4: rc = sink_obj(&all[k], w->out, &OBJ_ACTIVITY, w->err); break;
        case 5: rc = sink_raw(&all[k], w->out, "collaborators", CB, 4, NULL,
                              w->err);
                break;
        default: rc = mkt_touch_sink(&all[k], w->out, w->err); break;
        }
        if (!rc)
            sk[k] = &all[k];
    }
    return rc;
}

/* Runs the contact passes: all tables at once, or on a database server
 * (PostgreSQL: one COPY at a time per connection) one pass per table. */
static int write_contacts(struct world *w)
{
    int copy = w->out->c && !db_embedded(db_conn_db(w->out->c));
    unsigned masks[NSINKS] = {(1u << NSINKS) - 1};
    int nmasks = 1, rc = 0;
    if (copy) {
        for (int k = 0; k < NSINKS; k++)
            masks[k] = 1u << k;
        nmasks = NSINKS;
    }
    for (int m = 0; !rc && m < nmasks; m++) {
        struct sink all[NSINKS], *sk[NSINKS];
        memset(all, 0, sizeof(all));
        rc = open_sinks(w, masks[m], all, sk);
        if (!rc)
            rc = contact_pass(w, sk);
        long *counts[NSINKS] = {&w->res->contacts, &w->res->stage_changes,
                                &w->res->deals, NULL, &w->res->activities,
                                NULL, &w->res->touchpoints};
        for (int k = 0; k < NSINKS; k++) {
            if (!sk[k])
                continue;
            if (counts[k])
                *counts[k] = sk[k]->rows;
            rc = sink_close(sk[k], rc);
        }
    }
    return rc;
}

/* ---- set-up ---- */

/* Reads the pipeline and stage ids (the seeded ones of 0002_crm.sql
 * when writing CSV: pipelines 1 and 2, stages 1-7 and 8-11). */
static int load_pipelines(struct world *w)
{
    static const char *const NAMES[] = {"New business", "Renewal"};
    if (!w->out->c) {
        w->pipeline_ids[0] = 1;
        w->pipeline_ids[1] = 2;
        for (int k = 0; k < 7; k++)
            w->stage_ids[0][k] = 1 + k;
        for (int k = 0; k < 4; k++)
            w->stage_ids[1][k] = 8 + k;
        return 0;
    }
    for (int pl = 0; pl < 2; pl++) {
        struct db_stmt *st;
        int n = 0, r;
        int rc = db_query(w->out->c, &st, w->err, "SELECT p.id, s.id, "
                          "s.position FROM pipelines p JOIN pipeline_stages "
                          "s ON s.pipeline_id = p.id WHERE p.name = ? ORDER "
                          "BY s.position", "t", NAMES[pl]);
        if (rc)
            return rc;
        while ((r = db_step(st, w->err)) == DB_ROW && n < 7) {
            w->pipeline_ids[pl] = db_col_int(st, 0);
            w->stage_ids[pl][n++] = db_col_int(st, 1);
        }
        db_done(st);
        if (r < 0)
            return w->err->code;
        if (n != (pl ? 4 : 7))
            return err_set(w->err, E_RULE, NULL, "the %s pipeline no longer "
                           "has its %d default stages", NAMES[pl],
                           pl ? 4 : 7);
    }
    return 0;
}

/* The first free id of table (1 when writing CSV). */
static int first_id(struct world *w, const char *table, int64_t *out)
{
    char sql[128];
    *out = 1;
    if (!w->out->c)
        return 0;
    snprintf(sql, sizeof(sql), "SELECT COALESCE(MAX(id), 0) + 1 FROM %s",
             table);
    return db_int(w->out->c, w->err, out, sql, NULL);
}

/* Loads the collected search rows, kind by kind in key order. */
static int load_terms(struct world *w)
{
    struct terms_load **tl[3] = {&w->tl_contact, &w->tl_company,
                                 &w->tl_deal};
    int rc = 0;
    for (int k = 0; k < 3; k++) {
        if (!*tl[k])
            continue;
        if (!rc)
            rc = terms_load_finish(*tl[k], w->out->c, w->err);
        else
            terms_load_free(*tl[k]);
        *tl[k] = NULL;
    }
    return rc;
}

/* Frees what the run holds. */
static void world_release(struct world *w)
{
    for (int k = 0; k < w->nstrs; k++)
        free(w->strs[k]);
    free(w->strs);
    free(w->co);
    free(w->emails);
    terms_cache_free(w->tc);
    terms_load_free(w->tl_contact);
    terms_load_free(w->tl_company);
    terms_load_free(w->tl_deal);
    arena_release(&w->a);
}

/* Prepares the run: sizes, times, ids, field indexes. */
static int world_init(struct world *w, const struct demo_sink *out,
                      const struct demo_org *org,
                      const struct demo_options *o, int64_t today,
                      struct demo_result *res, struct err *err)
{
    memset(w, 0, sizeof(*w));
    w->out = out;
    w->org = org;
    w->seed = o->seed;
    w->n = o->contacts;
    w->m = o->contacts / 5 + (o->contacts % 5 != 0);
    w->today = today;
    w->span = HISTORY_DAYS * DAY_MS;
    w->start = today - w->span;
    w->res = res;
    w->err = err;
    arena_init(&w->a);
    w->tc = terms_cache_new();
    w->nemail_slots = 1024;
    while (w->nemail_slots < (size_t)(w->n + w->m) * 2 + 2)
        w->nemail_slots *= 2;
    w->emails = xcalloc(w->nemail_slots, sizeof(uint64_t));
    resolve(&OBJ_CONTACT, CONTACT_F, C_N, w->kf);
    resolve(&OBJ_COMPANY, COMPANY_F, O_N, w->of);
    resolve(&OBJ_DEAL, DEAL_F, D_N, w->df);
    resolve(&OBJ_ACTIVITY, ACTIVITY_F, A_N, w->af);
    int rc = load_pipelines(w);
    if (!rc)
        rc = first_id(w, "companies", &w->base_company);
    if (!rc)
        rc = first_id(w, "contacts", &w->base_contact);
    if (!rc)
        rc = first_id(w, "deals", &w->base_deal);
    if (!rc)
        rc = first_id(w, "activities", &w->base_activity);
    if (!rc && out->c) {
        w->tl_contact = terms_load_new(SEARCH_CONTACT, w->base_contact);
        w->tl_company = terms_load_new(SEARCH_COMPANY, w->base_company);
        w->tl_deal = terms_load_new(SEARCH_DEAL, w->base_deal);
    }
    return rc;
}

int demo_records(const struct demo_sink *out, const struct demo_org *org,
                 const struct mkt *mkt, const struct demo_options *o,
                 int64_t today_ms, struct demo_result *res,
                 struct err *err)
{
    struct world w;
    if (o->contacts <= 0)
        return 0;
    int rc = world_init(&w, out, org, o, today_ms, res, err);
    w.mkt = mkt;
    if (!rc)
        rc = make_companies(&w);
    demo_phase(o, "companies in memory");
    if (!rc)
        rollup(&w);
    demo_phase(o, "plan");
    if (!rc)
        rc = write_companies(&w);
    demo_phase(o, "companies");
    if (!rc)
        rc = write_contacts(&w);
    demo_phase(o, "contacts and the rest");
    if (!rc && out->c)
        rc = load_terms(&w);
    demo_phase(o, "search index");
    world_release(&w);
    return rc;
}
