/* Campaigns (SPEC §4, App. A): the field table and rules of
 * OBJ_CAMPAIGN (channel, status, dates in order, budget and currency,
 * goals, a unique utm_campaign whatever its case, a parent without
 * cycles) and the dated cost entries whose sum is the campaign's cost.
 * Why these rules: docs/decisions/0011-campaigns.md. */
#include "model/campaign.h"
#include "model/crm.h"
#include "model/role.h"
#include "store/audit.h"
#include "util/clock.h"
#include "util/text.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const CAMPAIGN_CHANNELS[] = {"email", "social", "paid_search",
    "display", "seo", "content", "direct_mail", "radio", "tv", "event",
    "webinar", "pr", "referral", "brand_ambassador", "partner", "other",
    NULL};
static const char *const STATUSES[] = {"planned", "active", "paused",
    "completed", "cancelled", NULL};
static const char *const GOALS[] = {"leads", "mqls", "revenue", NULL};

static const struct field FIELDS[] = {
    {"id", FT_ID, FF_RO | FF_NOTNULL, NULL, NULL, 0},
    {"name", FT_TEXT, FF_REQ | FF_NOTNULL, NULL, NULL, 300},
    {"channel", FT_ENUM, FF_REQ | FF_NOTNULL, CAMPAIGN_CHANNELS, NULL, 0},
    {"status", FT_ENUM, FF_NOTNULL, STATUSES, NULL, 0},
    {"start_date", FT_DATE, 0, NULL, NULL, 0},
    {"end_date", FT_DATE, 0, NULL, NULL, 0},
    {"budget", FT_MONEY, 0, NULL, NULL, 0},
    {"currency", FT_CURRENCY, FF_NOTNULL, NULL, NULL, 0},
    {"cost", FT_MONEY, FF_RO | FF_NOTNULL | FF_DERIVED, NULL, NULL, 0},
    {"utm_campaign", FT_TEXT, 0, NULL, NULL, 200},
    {"utm_key", FT_TEXT, FF_HIDDEN, NULL, NULL, 200},
    {"parent_id", FT_REF, 0, NULL, "campaigns", 0},
    {"owner_id", FT_REF, 0, NULL, "users", 0},
    {"goals", FT_COUNTS, FF_NOTNULL | FF_NOFILTER, GOALS, NULL, 0},
    {"created_at", FT_TIME, FF_ADMIN | FF_NOTNULL, NULL, NULL, 0},
    {"updated_at", FT_TIME, FF_RO | FF_NOTNULL, NULL, NULL, 0},
};

int campaign_may_write(const struct principal *who)
{
    enum role r = who->user.role;
    return r == ROLE_ADMIN || r == ROLE_MARKETING_MANAGER ||
           r == ROLE_MARKETER;
}

/* The key utm_campaign is unique under: ASCII letters lower-cased (UTM
 * tags travel in URLs; other letters compare as written). */
static const char *utm_key(const char *s, struct arena *a)
{
    char *k = arena_strdup(a, s);
    for (char *p = k; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return k;
}

/* utm_campaign: no control characters or spaces inside (a tag is one
 * token of a URL), unique by utm_key (E_CONFLICT with the other id). */
static int check_utm(struct wctx *w, struct rec *in, int64_t self,
                     struct err *err)
{
    const char *u = rec_text(in, "utm_campaign");
    if (!rec_get(in, "utm_campaign")->set)
        return 0;
    if (!u) {
        rec_set_text(in, "utm_key", NULL);
        return 0;
    }
    for (const unsigned char *p = (const unsigned char *)u; *p; p++)
        if (*p <= ' ' || *p == 0x7f)
            return err_set(err, E_RULE, "utm_campaign", "must not contain "
                           "spaces or control characters");
    const char *k = utm_key(u, w->a);
    int64_t other = 0;
    int rc = db_int(w->c, err, &other, "SELECT id FROM campaigns WHERE "
                    "utm_key = ? AND id <> ?", "ti", k, self);
    if (rc == E_NOTFOUND) {
        rec_set_text(in, "utm_key", k);
        return 0;
    }
    if (rc)
        return rc;
    err_set(err, E_CONFLICT, "utm_campaign", "another campaign has this "
            "utm_campaign");
    err->id = other;
    return E_CONFLICT;
}

/* The value of field name after the update: in's when set, else old's. */
static const char *after_text(const struct rec *in, const struct rec *old,
                              const char *name)
{
    if (rec_get(in, name)->set)
        return rec_text(in, name);
    return old ? rec_text(old, name) : NULL;
}

/* parent_id: not the campaign itself nor one of its descendants. The
 * walk up from the new parent ends at a root: the stored tree has no
 * cycle, which this check keeps true. */
static int check_parent(struct wctx *w, const struct rec *in, int64_t self,
                        struct err *err)
{
    const struct val *v = rec_get(in, "parent_id");
    if (!v->set || v->null || !self)
        return 0;
    int64_t at = v->i;
    for (int depth = 0; at; depth++) {
        if (at == self)
            return err_set(err, E_RULE, "parent_id", depth ? "is a "
                           "sub-campaign of this campaign" : "cannot be "
                           "the campaign itself");
        int64_t up = 0;
        struct db_stmt *st;
        int rc = db_query(w->c, &st, err, "SELECT parent_id FROM campaigns "
                          "WHERE id = ?", "i", at);
        if (rc)
            return rc;
        int r = db_step(st, err);
        if (r == DB_ROW && !db_col_null(st, 0))
            up = db_col_int(st, 0);
        db_done(st);
        if (r < 0)
            return err->code;
        if (depth > 10000)
            BUG("cycle in campaigns.parent_id");
        at = up;
    }
    return 0;
}

/* The number of cost entries of campaign id. */
static int count_costs(struct db_conn *c, int64_t id, int64_t *n,
                       struct err *err)
{
    return db_int(c, err, n, "SELECT COUNT(*) FROM campaign_costs WHERE "
                  "campaign_id = ?", "i", id);
}

/* prepare hook: defaults, dates in order, currency kept while costs
 * exist, utm_campaign, parent. */
static int campaign_prepare(struct wctx *w, struct rec *in,
                            const struct rec *old, struct err *err)
{
    int64_t self = old ? old->id : 0;
    if (!old) {
        if (!rec_get(in, "status")->set)
            rec_set_text(in, "status", "planned");
        if (!rec_get(in, "currency")->set)
            rec_set_text(in, "currency", crm_default_currency(w->c, w->a));
        if (!rec_get(in, "goals")->set) {
            struct val *g = (struct val *)rec_get(in, "goals");
            g->set = 1;
            g->j = json_pack("{snsnsn}", "leads", "mqls", "revenue");
        }
        rec_set_int(in, "cost", 0);
    }
    const char *s = after_text(in, old, "start_date");
    const char *e = after_text(in, old, "end_date");
    if (s && e && strcmp(s, e) > 0)
        return err_set(err, E_RULE, rec_get(in, "end_date")->set
                       ? "end_date" : "start_date", "end_date must not be "
                       "before start_date");
    const char *cur = rec_text(in, "currency");
    if (old && cur && strcmp(cur, rec_text(old, "currency"))) {
        int64_t n = 0;
        int rc = count_costs(w->c, self, &n, err);
        if (rc)
            return rc;
        if (n)
            return err_set(err, E_RULE, "currency", "cannot change while "
                           "the campaign has cost entries");
    }
    int rc = check_utm(w, in, self, err);
    return rc ? rc : check_parent(w, in, self, err);
}

/* unlink hook: a campaign with sub-campaigns, or named as the source of
 * contacts or deals, stays (409); its cost entries go with it. */
static int campaign_unlink(struct wctx *w, int64_t id, struct err *err)
{
    static const struct { const char *sql, *what; } refs[] = {
        {"SELECT COUNT(*) FROM campaigns WHERE parent_id = ?",
         "sub-campaigns"},
        {"SELECT COUNT(*) FROM (SELECT 1 FROM contacts WHERE "
         "source_campaign_id = ? LIMIT 1) x", "contacts"},
        {"SELECT COUNT(*) FROM (SELECT 1 FROM deals WHERE "
         "source_campaign_id = ? LIMIT 1) x", "deals"},
        {"SELECT COUNT(*) FROM (SELECT 1 FROM touchpoints WHERE "
         "campaign_id = ? LIMIT 1) x", "touchpoints"},
        {"SELECT COUNT(*) FROM (SELECT 1 FROM forms WHERE "
         "campaign_id = ? LIMIT 1) x", "forms"},
    };
    for (size_t i = 0; i < sizeof(refs) / sizeof(refs[0]); i++) {
        int64_t n = 0;
        int rc = db_int(w->c, err, &n, refs[i].sql, "i", id);
        if (rc)
            return rc;
        if (n)
            return err_set(err, E_CONFLICT, NULL, "the campaign has %s: "
                           "set its status to cancelled instead, or move "
                           "them first", refs[i].what);
    }
    return db_run(w->c, err, "DELETE FROM campaign_costs WHERE campaign_id "
                  "= ?", "i", id);
}

const struct object OBJ_CAMPAIGN = {
    .name = "campaign",
    .plural = "campaigns",
    .table = "campaigns",
    .vis = VIS_CAMPAIGN,
    .fields = FIELDS,
    .nfields = sizeof(FIELDS) / sizeof(FIELDS[0]),
    .prepare = campaign_prepare,
    .unlink = campaign_unlink,
    .may_write = campaign_may_write,
    .no_import = 1,
};

/* ---- cost entries ---- */

#define COST_COLS "id, campaign_id, date, amount, currency, note, " \
                  "created_at, by_user"

/* The JSON of the cost entry row of st (COST_COLS). */
static json_t *cost_json(struct db_stmt *st)
{
    char iso[40];
    clock_iso(db_col_int(st, 6), iso, sizeof(iso));
    json_t *j = json_pack("{sIsIsssIssss}", "id",
                          (json_int_t)db_col_int(st, 0), "campaign_id",
                          (json_int_t)db_col_int(st, 1), "date",
                          db_col_text(st, 2), "amount",
                          (json_int_t)db_col_int(st, 3), "currency",
                          db_col_text(st, 4), "created_at", iso);
    json_object_set_new(j, "note", db_col_null(st, 5) ? json_null()
                        : json_string(db_col_text(st, 5)));
    json_object_set_new(j, "by_user", db_col_null(st, 7) ? json_null()
                        : json_integer(db_col_int(st, 7)));
    return j;
}

int campaign_cost_get(struct db_conn *c, int64_t campaign, int64_t id,
                      json_t **out, struct err *err)
{
    struct db_stmt *st;
    int rc = db_query(c, &st, err, "SELECT " COST_COLS " FROM "
                      "campaign_costs WHERE id = ? AND campaign_id = ?", "ii",
                      id, campaign);
    if (rc)
        return rc;
    int r = db_step(st, err);
    if (r == DB_ROW)
        *out = cost_json(st);
    db_done(st);
    if (r < 0)
        return err->code;
    return r == DB_ROW ? 0 : err_set(err, E_NOTFOUND, NULL, "no such cost "
                                     "entry");
}

/* The checked values of a cost entry body. */
struct cost_in {
    const char *date, *note, *currency;
    int64_t amount;
};

/* Reads and checks body into *ci (the campaign's currency aside). */
static int read_cost(json_t *body, struct cost_in *ci, struct arena *a,
                     struct err *err)
{
    static const char *const KEYS[] = {"date", "amount", "note", "currency",
                                       NULL};
    const char *k;
    json_t *x;
    memset(ci, 0, sizeof(*ci));
    json_object_foreach(body, k, x) {
        int known = 0;
        for (int i = 0; KEYS[i]; i++)
            known |= !strcmp(k, KEYS[i]);
        if (!known)
            return err_set(err, E_INVALID, arena_strdup(a, k), "unknown "
                           "field");
    }
    x = json_object_get(body, "date");
    if (!json_is_string(x) || !clock_valid_date(json_string_value(x)))
        return err_set(err, E_INVALID, "date", "must be a date such as "
                       "2026-03-01");
    ci->date = arena_strdup(a, json_string_value(x));
    x = json_object_get(body, "amount");
    if (!json_is_integer(x))
        return err_set(err, E_INVALID, "amount", "must be an integer "
                       "(minor units)");
    ci->amount = json_integer_value(x);
    if (ci->amount <= 0 || ci->amount > CAMPAIGN_COST_MAX)
        return err_set(err, E_RULE, "amount", "must be between 1 and "
                       "10^15");
    x = json_object_get(body, "currency");
    if (x && !json_is_null(x)) {
        if (!json_is_string(x))
            return err_set(err, E_INVALID, "currency", "must be an ISO 4217 "
                           "code such as VND");
        ci->currency = arena_strdup(a, json_string_value(x));
    }
    x = json_object_get(body, "note");
    if (x && !json_is_null(x)) {
        if (!json_is_string(x))
            return err_set(err, E_INVALID, "note", "must be a string");
        int rc = text_normalize(json_string_value(x), json_string_length(x),
                                500, "note", &ci->note, a, err);
        if (rc)
            return rc;
        if (!*ci->note)
            ci->note = NULL;
    }
    return 0;
}

int campaign_cost_insert(struct db_conn *c, int64_t campaign,
                         const char *date, int64_t amount,
                         const char *note, int64_t by_user, int64_t *id,
                         struct err *err)
{
    int rc = db_int(c, err, id, "INSERT INTO campaign_costs (campaign_id, "
                    "date, amount, currency, note, created_at, by_user) "
                    "SELECT id, ?, ?, currency, ?, ?, ? FROM campaigns "
                    "WHERE id = ? RETURNING id", "titiIi", date, amount,
                    note, clock_now_ms(), by_user, campaign);
    if (rc == E_NOTFOUND)
        return err_set(err, E_NOTFOUND, NULL, "no such campaign");
    if (!rc)
        rc = db_run(c, err, "UPDATE campaigns SET cost = cost + ? WHERE id "
                    "= ?", "ii", amount, campaign);
    return rc;
}

/* The actor of w for audit rows and by_user (0: the CLI). */
static int64_t actor(const struct wctx *w)
{
    return w->who ? w->who->user.id : 0;
}

int campaign_cost_add(struct wctx *w, int64_t campaign, json_t *body,
                      int64_t *id, struct err *err)
{
    struct rec r;
    struct cost_in ci;
    json_t *nv = NULL;
    int rc = object_may_write(&OBJ_CAMPAIGN, w->who, err);
    if (!rc)
        rc = rec_read(w->c, &OBJ_CAMPAIGN, w->who ? &w->who->vis : NULL,
                      campaign, &r, w->a, err);
    if (rc)
        return rc;
    rc = read_cost(body, &ci, w->a, err);
    if (!rc && ci.currency && strcmp(ci.currency, rec_text(&r, "currency")))
        rc = err_set(err, E_RULE, "currency", "must be the campaign's "
                     "currency (%s): there is no exchange rate table",
                     rec_text(&r, "currency"));
    if (!rc && rec_int(&r, "cost") > CAMPAIGN_TOTAL_MAX - ci.amount)
        rc = err_set(err, E_RULE, "amount", "would take the campaign's "
                     "cost over 10^18");
    if (!rc)
        rc = campaign_cost_insert(w->c, campaign, ci.date, ci.amount,
                                  ci.note, actor(w), id, err);
    if (!rc)
        rc = campaign_cost_get(w->c, campaign, *id, &nv, err);
    if (!rc)
        rc = audit_write(w->c, actor(w), "create", "campaign_cost", *id,
                         NULL, nv, err);
    json_decref(nv);
    rec_release(&r);
    return rc;
}

int campaign_cost_delete(struct wctx *w, int64_t campaign, int64_t cost,
                         struct err *err)
{
    struct rec r;
    json_t *ov = NULL;
    int rc = object_may_write(&OBJ_CAMPAIGN, w->who, err);
    if (!rc)
        rc = rec_read(w->c, &OBJ_CAMPAIGN, w->who ? &w->who->vis : NULL,
                      campaign, &r, w->a, err);
    if (rc)
        return rc;
    rec_release(&r);
    rc = campaign_cost_get(w->c, campaign, cost, &ov, err);
    if (!rc)
        rc = db_run(w->c, err, "DELETE FROM campaign_costs WHERE id = ?",
                    "i", cost);
    if (!rc)
        rc = db_run(w->c, err, "UPDATE campaigns SET cost = cost - ? WHERE "
                    "id = ?", "ii",
                    (int64_t)json_integer_value(json_object_get(ov,
                                                                "amount")),
                    campaign);
    if (!rc)
        rc = audit_write(w->c, actor(w), "delete", "campaign_cost", cost, ov,
                         NULL, err);
    json_decref(ov);
    return rc;
}

/* Reads a cursor "YYYY-MM-DD.id" (the last entry of the page before). */
static int read_cursor(const char *s, char date[11], int64_t *id,
                       struct err *err)
{
    char *end;
    if (strlen(s) < 12 || strlen(s) > 40 || s[10] != '.')
        goto bad;
    memcpy(date, s, 10);
    date[10] = '\0';
    if (!clock_valid_date(date) || s[11] < '1' || s[11] > '9')
        goto bad;
    long long v = strtoll(s + 11, &end, 10);
    if (*end || v <= 0)
        goto bad;
    *id = v;
    return 0;
bad:
    return err_set(err, E_INVALID, "cursor", "is not a cursor of this list");
}

int campaign_cost_list(struct db_conn *c, int64_t campaign, int limit,
                       const char *cursor, json_t **out, const char **next,
                       struct arena *a, struct err *err)
{
    char date[11] = "9999-12-31";
    int64_t after = INT64_MAX;
    struct db_stmt *st;
    *out = NULL;
    *next = NULL;
    int rc = cursor ? read_cursor(cursor, date, &after, err) : 0;
    if (!rc)
        rc = db_query(c, &st, err, "SELECT " COST_COLS " FROM campaign_costs "
                      "WHERE campaign_id = ? AND (date < ? OR (date = ? AND "
                      "id < ?)) ORDER BY date DESC, id DESC LIMIT ?", "ittii",
                      campaign, date, date, after, (int64_t)limit + 1);
    if (rc)
        return rc;
    json_t *arr = json_array();
    int r, n = 0;
    while ((r = db_step(st, err)) == DB_ROW) {
        if (n++ == limit) {
            json_t *last = json_array_get(arr, json_array_size(arr) - 1);
            *next = arena_printf(a, "%s.%lld", json_string_value(
                                     json_object_get(last, "date")),
                                 (long long)json_integer_value(
                                     json_object_get(last, "id")));
            break;
        }
        json_array_append_new(arr, cost_json(st));
    }
    db_done(st);
    if (r < 0) {
        json_decref(arr);
        *next = NULL;
        return err->code;
    }
    *out = arr;
    return 0;
}
