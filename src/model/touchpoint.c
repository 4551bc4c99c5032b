/* Touchpoints (SPEC §4): recording with the contact and campaign
 * resolved, reading and listing under the contact's visibility, and the
 * original-source rules a contact's first touch sets
 * (docs/decisions/0013-touchpoints.md). */
#include "model/touchpoint.h"
#include "model/campaign.h"
#include "model/role.h"
#include "util/clock.h"
#include "util/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const TOUCHPOINT_KINDS[] = {"page_view", "form_submit",
    "email_open", "email_click", "ad_click", "event_attended",
    "webinar_attended", "social_engagement", "call", "meeting", "referral",
    "order", NULL};


static int in_list(const char *s, const char *const *list)
{
    for (int i = 0; s && list[i]; i++)
        if (!strcmp(s, list[i]))
            return 1;
    return 0;
}

/* ---- the original-source rules ---- */

/* s lower-cased (ASCII) into buf, cut at n - 1 bytes; "" for NULL. */
static const char *lower(const char *s, char *buf, size_t n)
{
    size_t i = 0;
    for (; s && s[i] && i + 1 < n; i++)
        buf[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] + 32) : s[i];
    buf[i] = '\0';
    return buf;
}

/* The lower-cased host of a referrer URL, without "www."; "" if none. */
static const char *ref_host(const char *ref, char *buf, size_t n)
{
    const char *p = ref ? strstr(ref, "://") : NULL;
    p = p ? p + 3 : (ref ? ref : "");
    size_t len = strcspn(p, "/:?#");
    if (len >= n)
        len = n - 1;
    memcpy(buf, p, len);
    buf[len] = '\0';
    const char *at = strrchr(buf, '@');     /* user:pass@host */
    const char *h = lower(at ? at + 1 : buf, buf, n);
    return strncmp(h, "www.", 4) ? h : h + 4;
}

/* Whether host is domain or one of its subdomains. */
static int host_is(const char *host, const char *domain)
{
    size_t hl = strlen(host), dl = strlen(domain);
    return hl >= dl && !strcmp(host + hl - dl, domain) &&
           (hl == dl || host[hl - dl - 1] == '.');
}

/* Whether host has label (a search engine name) followed by a suffix:
 * "google.com.vn", "news.google.de", but not "notgoogle.com". */
static int host_label(const char *host, const char *label)
{
    size_t ll = strlen(label);
    for (const char *p = host; (p = strstr(p, label)); p++)
        if ((p == host || p[-1] == '.') && p[ll] == '.')
            return 1;
    return 0;
}

static const char *const PAID_MEDIA[] = {"cpc", "ppc", "paidsearch",
    "paid_search", "paid-search", "sem", NULL};
static const char *const SOCIAL_MEDIA[] = {"social", "social_media",
    "social-media", "socialmedia", "paid_social", "paid-social",
    "paidsocial", "sm", NULL};
static const char *const EMAIL_MEDIA[] = {"email", "e-mail", "e_mail",
    "newsletter", NULL};
static const char *const SEARCH_ENGINES[] = {"google", "bing", "coccoc",
    "yahoo", "duckduckgo", "yandex", "baidu", "ecosia", NULL};
static const char *const SOCIAL_SITES[] = {"facebook.com", "fb.com",
    "fb.me", "instagram.com", "linkedin.com", "lnkd.in", "twitter.com",
    "x.com", "t.co", "tiktok.com", "youtube.com", "youtu.be", "zalo.me",
    "pinterest.com", "reddit.com", "threads.net", NULL};
static const char *const SOCIAL_SOURCES[] = {"facebook", "fb",
    "instagram", "ig", "linkedin", "twitter", "x", "tiktok", "youtube",
    "zalo", "pinterest", "reddit", "threads", NULL};

const char *touchpoint_source(const char *kind, const char *medium,
                              const char *source, const char *referrer)
{
    char m[64], s[64], hb[256];
    static const char *const OFFLINE[] = {"event_attended", "call",
                                          "meeting", NULL};
    if (in_list(kind, OFFLINE))
        return "offline";
    lower(medium, m, sizeof(m));
    lower(source, s, sizeof(s));
    const char *host = ref_host(referrer, hb, sizeof(hb));
    if (in_list(m, PAID_MEDIA))
        return "paid_search";
    if (in_list(m, SOCIAL_MEDIA))
        return "social";
    if (in_list(m, EMAIL_MEDIA))
        return "email";
    if (!strcmp(m, "organic"))
        return "organic_search";
    if (!strcmp(m, "referral"))
        return "referral";
    if (*m)
        return "other";         /* display, affiliate, banner, print, … */
    if (kind && (!strcmp(kind, "email_open") ||
                 !strcmp(kind, "email_click")))
        return "email";
    if (in_list(s, SOCIAL_SOURCES))
        return "social";
    for (int i = 0; *host && SOCIAL_SITES[i]; i++)
        if (host_is(host, SOCIAL_SITES[i]))
            return "social";
    for (int i = 0; *host && SEARCH_ENGINES[i]; i++)
        if (host_label(host, SEARCH_ENGINES[i]))
            return "organic_search";
    if (*host || (kind && !strcmp(kind, "referral")))
        return "referral";
    if (*s)
        return "other";         /* a source without a medium: untold */
    return "direct";
}

int touchpoint_may_write(const struct principal *who)
{
    return campaign_may_write(who);
}

/* ---- reading ---- */

static json_t *opt_text(struct db_stmt *st, int i)
{
    return db_col_null(st, i) ? json_null() : json_string(db_col_text(st, i));
}

static json_t *opt_int(struct db_stmt *st, int i)
{
    return db_col_null(st, i) ? json_null() : json_integer(db_col_int(st, i));
}

json_t *touchpoint_row_json(struct db_stmt *st)
{
    static const char *const NAMES[] = {"id", "contact_id", "visitor_id",
        "kind", "channel", "campaign_id", "utm_source", "utm_medium",
        "utm_campaign", "utm_term", "utm_content", "url", "referrer", "at",
        "created_at", "by_user"};
    json_t *j = json_object();
    for (int i = 0; i < 16; i++) {
        json_t *x;
        if (i == 0 || i == 1 || i == 5 || i == 15) {
            x = opt_int(st, i);
        } else if (i == 13 || i == 14) {
            char iso[40];
            clock_iso(db_col_int(st, i), iso, sizeof(iso));
            x = json_string(iso);
        } else {
            x = opt_text(st, i);
        }
        json_object_set_new(j, NAMES[i], x);
    }
    return j;
}

/* Whether v may see a touchpoint of contact (0: anonymous); 0 when so,
 * else E_NOTFOUND or a storage error. */
static int check_visible(struct db_conn *c, const struct vis *v,
                         int64_t contact, struct err *err)
{
    struct rec r;
    struct arena a;
    if (!v)
        return 0;
    if (!contact)
        return v->see_audience ? 0 : E_NOTFOUND;
    arena_init(&a);
    int rc = rec_read(c, &OBJ_CONTACT, v, contact, &r, &a, err);
    if (!rc)
        rec_release(&r);
    arena_release(&a);
    return rc;
}

int touchpoint_get(struct db_conn *c, const struct vis *v, int64_t id,
                   json_t **out, struct err *err)
{
    struct db_stmt *st;
    json_t *j = NULL;
    int64_t contact = 0;
    *out = NULL;
    int rc = db_query(c, &st, err, "SELECT " TOUCHPOINT_COLS " FROM "
                      "touchpoints t WHERE t.id = ?", "i", id);
    if (rc)
        return rc;
    int r = db_step(st, err);
    if (r == DB_ROW) {
        j = touchpoint_row_json(st);
        contact = db_col_null(st, 1) ? 0 : db_col_int(st, 1);
    }
    db_done(st);
    if (r < 0)
        return err->code;
    if (r != DB_ROW)
        return err_set(err, E_NOTFOUND, NULL, "no such touchpoint");
    rc = check_visible(c, v, contact, err);
    if (rc) {
        json_decref(j);
        return rc == E_NOTFOUND ? err_set(err, E_NOTFOUND, NULL, "no such "
                                          "touchpoint") : rc;
    }
    *out = j;
    return 0;
}

/* Reads a list cursor "at.id". */
static int read_cursor(const char *s, int64_t *at, int64_t *id,
                       struct err *err)
{
    char *end;
    if (strlen(s) > 60)
        goto bad;
    long long a = strtoll(s, &end, 10);
    if (end == s || *end != '.')
        goto bad;
    const char *p = end + 1;
    long long i = strtoll(p, &end, 10);
    if (end == p || *end || i <= 0)
        goto bad;
    *at = a;
    *id = i;
    return 0;
bad:
    return err_set(err, E_INVALID, "cursor", "is not a cursor of this list");
}

int touchpoint_list(struct db_conn *c, const struct vis *v,
                    const struct tp_filter *f, int limit, const char *cursor,
                    json_t **out, const char **next, struct arena *a,
                    struct err *err)
{
    int64_t cat = INT64_MAX, cid = INT64_MAX;
    struct db_stmt *st;
    *out = NULL;
    *next = NULL;
    int rc = cursor ? read_cursor(cursor, &cat, &cid, err) : 0;
    if (rc)
        return rc;
    const char *seen = "1=1";
    if (v && !v->see_audience)  /* sales: their contacts' touches only */
        seen = arena_printf(a, "(t.contact_id IS NOT NULL AND %s)",
                            vis_where_rec(v, VIS_CONTACT, "c.owner_id",
                                          "c.id", a));
    const char *w = arena_printf(a, "%s AND (t.at < %lld OR (t.at = %lld "
                                 "AND t.id < %lld))", seen, (long long)cat,
                                 (long long)cat, (long long)cid);
    if (f->contact_id)
        w = arena_printf(a, "%s AND t.contact_id = %lld", w,
                         (long long)f->contact_id);
    if (f->campaign_id)
        w = arena_printf(a, "%s AND t.campaign_id = %lld", w,
                         (long long)f->campaign_id);
    if (f->kind)    /* checked against TOUCHPOINT_KINDS by the caller */
        w = arena_printf(a, "%s AND t.kind = '%s'", w, f->kind);
    if (f->channel)
        w = arena_printf(a, "%s AND t.channel = '%s'", w, f->channel);
    if (f->has_gte)
        w = arena_printf(a, "%s AND t.at >= %lld", w, (long long)f->at_gte);
    if (f->at_lt)
        w = arena_printf(a, "%s AND t.at < %lld", w, (long long)f->at_lt);
    if (f->visitor_id)
        w = arena_printf(a, "%s AND t.visitor_id = ?", w);
    const char *sql = arena_printf(a, "SELECT " TOUCHPOINT_COLS " FROM "
                                   "touchpoints t LEFT JOIN contacts c ON "
                                   "c.id = t.contact_id WHERE %s ORDER BY "
                                   "t.at DESC, t.id DESC LIMIT %d", w,
                                   limit + 1);
    rc = db_prepare(c, sql, &st, err);
    if (rc)
        return rc;
    if (f->visitor_id)
        rc = db_bind_text(st, 1, f->visitor_id, err);
    if (rc) {
        db_done(st);
        return rc;
    }
    json_t *arr = json_array();
    int r, n = 0;
    int64_t last_at = 0, last_id = 0;   /* the keyset of the page's end */
    while ((r = db_step(st, err)) == DB_ROW) {
        if (n++ == limit) {
            *next = arena_printf(a, "%lld.%lld", (long long)last_at,
                                 (long long)last_id);
            break;
        }
        last_id = db_col_int(st, 0);
        last_at = db_col_int(st, 13);
        json_array_append_new(arr, touchpoint_row_json(st));
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

/* ---- recording ---- */

struct tp_in {
    int64_t contact, campaign, at;
    const char *visitor, *email, *kind, *channel, *utm[5], *url, *referrer;
};

static const char *const UTM_KEYS[] = {"utm_source", "utm_medium",
    "utm_campaign", "utm_term", "utm_content"};

/* An optional string of body into *out (NULL when absent, null or
 * empty after normalising). */
static int opt_string(json_t *body, const char *key, size_t max,
                      const char **out, struct arena *a, struct err *err)
{
    json_t *x = json_object_get(body, key);
    *out = NULL;
    if (!x || json_is_null(x))
        return 0;
    if (!json_is_string(x))
        return err_set(err, E_INVALID, key, "must be a string");
    int rc = text_normalize(json_string_value(x), json_string_length(x), max,
                            key, out, a, err);
    if (!rc && !**out)
        *out = NULL;
    return rc;
}

/* An optional id of body into *out (0 when absent or null). */
static int opt_id(json_t *body, const char *key, int64_t *out,
                  struct err *err)
{
    json_t *x = json_object_get(body, key);
    *out = 0;
    if (!x || json_is_null(x))
        return 0;
    if (!json_is_integer(x) || json_integer_value(x) <= 0)
        return err_set(err, E_INVALID, key, "must be a positive integer id");
    *out = json_integer_value(x);
    return 0;
}

/* Reads and checks the shape of body (references are resolved later). */
static int read_body(json_t *body, struct tp_in *in, struct arena *a,
                     struct err *err)
{
    static const char *const KEYS[] = {"contact_id", "email", "visitor_id",
        "kind", "channel", "campaign_id", "utm_source", "utm_medium",
        "utm_campaign", "utm_term", "utm_content", "url", "referrer", "at",
        NULL};
    const char *k;
    json_t *x;
    memset(in, 0, sizeof(*in));
    json_object_foreach(body, k, x) {
        if (!in_list(k, KEYS))
            return err_set(err, E_INVALID, arena_strdup(a, k), "unknown "
                           "field");
    }
    int rc = opt_id(body, "contact_id", &in->contact, err);
    if (!rc)
        rc = opt_id(body, "campaign_id", &in->campaign, err);
    if (!rc)
        rc = opt_string(body, "email", 1000, &in->email, a, err);
    if (!rc)
        rc = opt_string(body, "visitor_id", 100, &in->visitor, a, err);
    if (!rc)
        rc = opt_string(body, "kind", 40, &in->kind, a, err);
    if (!rc)
        rc = opt_string(body, "channel", 40, &in->channel, a, err);
    for (int i = 0; !rc && i < 5; i++)
        rc = opt_string(body, UTM_KEYS[i], 200, &in->utm[i], a, err);
    if (!rc)
        rc = opt_string(body, "url", 2000, &in->url, a, err);
    if (!rc)
        rc = opt_string(body, "referrer", 2000, &in->referrer, a, err);
    if (rc)
        return rc;
    if (in->contact && in->email)
        return err_set(err, E_INVALID, "email", "give contact_id or email, "
                       "not both");
    if (!in->contact && !in->email && !in->visitor)
        return err_set(err, E_INVALID, "contact_id", "one of contact_id, "
                       "email or visitor_id is required");
    if (!in->kind)
        return err_set(err, E_INVALID, "kind", "is required");
    if (!in_list(in->kind, TOUCHPOINT_KINDS))
        return err_set(err, E_RULE, "kind", "is not a touchpoint kind");
    if (in->channel && !in_list(in->channel, CAMPAIGN_CHANNELS))
        return err_set(err, E_RULE, "channel", "is not a campaign channel");
    x = json_object_get(body, "at");
    in->at = clock_now_ms();
    if (x && !json_is_null(x)) {
        int64_t ms;
        if (!json_is_string(x) || clock_parse_iso(json_string_value(x), &ms))
            return err_set(err, E_INVALID, "at", "must be a time such as "
                           "2026-03-01T09:30:00Z");
        if (ms > in->at)
            return err_set(err, E_RULE, "at", "is in the future");
        in->at = ms;
    }
    return 0;
}

/* Resolves the contact (contact_id or email) the caller may see. */
static int resolve_contact(struct wctx *w, struct tp_in *in,
                           struct err *err)
{
    const struct vis *v = w->who ? &w->who->vis : NULL;
    const char *field = in->email ? "email" : "contact_id";
    int rc = 0;
    if (in->email) {
        char *e = arena_strdup(w->a, in->email);
        for (char *p = e; *p; p++)
            if (*p >= 'A' && *p <= 'Z')
                *p = (char)(*p + 32);
        rc = db_int(w->c, err, &in->contact, "SELECT id FROM contacts WHERE "
                    "email = ?", "t", e);
    }
    if (!rc && in->contact)
        rc = check_visible(w->c, v, in->contact, err);
    if (rc == E_NOTFOUND)
        return err_set(err, E_RULE, field, "names no contact");
    return rc;
}

/* Resolves the campaign from campaign_id, else utm_campaign, and the
 * channel from the campaign when none was given. */
static int resolve_campaign(struct wctx *w, struct tp_in *in,
                            struct err *err)
{
    struct db_stmt *st;
    int rc;
    if (in->campaign) {
        rc = db_query(w->c, &st, err, "SELECT id, channel FROM campaigns "
                      "WHERE id = ?", "i", in->campaign);
    } else if (in->utm[2]) {
        char *k = arena_strdup(w->a, in->utm[2]);
        for (char *p = k; *p; p++)      /* as campaigns' utm_key */
            if (*p >= 'A' && *p <= 'Z')
                *p = (char)(*p + 32);
        rc = db_query(w->c, &st, err, "SELECT id, channel FROM campaigns "
                      "WHERE utm_key = ?", "t", k);
    } else {
        return 0;
    }
    if (rc)
        return rc;
    int r = db_step(st, err);
    if (r == DB_ROW) {
        in->campaign = db_col_int(st, 0);
        if (!in->channel)
            in->channel = arena_strdup(w->a, db_col_text(st, 1));
    }
    db_done(st);
    if (r < 0)
        return err->code;
    if (r != DB_ROW && in->campaign)
        return err_set(err, E_RULE, "campaign_id", "names no campaign");
    return 0;
}

/* Sets the contact's source and source_campaign_id from its first
 * touch when that is touchpoint id (0: whichever it is). */
static int follow_first(struct db_conn *c, int64_t contact, int64_t id,
                        struct err *err)
{
    struct db_stmt *st;
    const char *src = NULL;
    int64_t campaign = 0;
    int rc = db_query(c, &st, err, "SELECT id, kind, utm_medium, "
                      "utm_source, referrer, campaign_id FROM touchpoints "
                      "WHERE contact_id = ? ORDER BY at, id LIMIT 1", "i",
                      contact);
    if (rc)
        return rc;
    int r = db_step(st, err);
    if (r == DB_ROW && (!id || db_col_int(st, 0) == id)) {
        src = touchpoint_source(db_col_text(st, 1), db_col_text(st, 2),
                                db_col_text(st, 3), db_col_text(st, 4));
        campaign = db_col_null(st, 5) ? 0 : db_col_int(st, 5);
    }
    db_done(st);
    if (r < 0)
        return err->code;
    if (!src)
        return 0;
    return db_run(c, err, "UPDATE contacts SET source = ?, "
                  "source_campaign_id = ?, updated_at = ? WHERE id = ?",
                  "tIii", src, campaign, clock_now_ms(), contact);
}

int touchpoint_refresh_source(struct db_conn *c, int64_t contact,
                              struct err *err)
{
    return follow_first(c, contact, 0, err);
}

int touchpoint_join_visitor(struct db_conn *c, const char *visitor,
                            int64_t contact, struct err *err)
{
    int rc = db_run(c, err, "UPDATE touchpoints SET contact_id = ? WHERE "
                    "visitor_id = ? AND contact_id IS NULL", "it", contact,
                    visitor);
    if (!rc)
        rc = follow_first(c, contact, 0, err);
    return rc;
}

int touchpoint_create(struct wctx *w, json_t *body, int64_t *id,
                      struct err *err)
{
    struct tp_in in;
    int rc = 0;
    if (w->who && !touchpoint_may_write(w->who))
        return err_set(err, E_FORBIDDEN, NULL, "only admins and marketing "
                       "roles record touchpoints");
    rc = read_body(body, &in, w->a, err);
    if (!rc)
        rc = resolve_contact(w, &in, err);
    if (!rc)
        rc = resolve_campaign(w, &in, err);
    if (!rc)
        rc = db_int(w->c, err, id, "INSERT INTO touchpoints (contact_id, "
                    "visitor_id, kind, channel, campaign_id, utm_source, "
                    "utm_medium, utm_campaign, utm_term, utm_content, url, "
                    "referrer, at, created_at, by_user) VALUES (?, ?, ?, ?, "
                    "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    "ItttItttttttiiI", in.contact, in.visitor, in.kind,
                    in.channel, in.campaign, in.utm[0], in.utm[1], in.utm[2],
                    in.utm[3], in.utm[4], in.url, in.referrer, in.at,
                    clock_now_ms(), w->who ? w->who->user.id : 0);
    if (!rc && in.contact && in.visitor)  /* identifies the visitor */
        rc = touchpoint_join_visitor(w->c, in.visitor, in.contact, err);
    else if (!rc && in.contact)
        rc = follow_first(w->c, in.contact, *id, err);
    return rc;
}

/* ---- batches from the tracking writer ---- */

int touchpoint_follow_new_first(struct db_conn *c, int64_t contact,
                                int64_t after_id, struct err *err)
{
    int64_t first = 0;
    int rc = db_int(c, err, &first, "SELECT id FROM touchpoints WHERE "
                    "contact_id = ? ORDER BY at, id LIMIT 1", "i", contact);
    if (rc == E_NOTFOUND)
        return 0;
    if (rc)
        return rc;
    return first > after_id ? follow_first(c, contact, first, err) : 0;
}
