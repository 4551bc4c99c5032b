/* Unit tests for tracking (decision 0016): track/hit.c's reading of a
 * request into a hit and each refusal, track/token.c's signed tokens and
 * tracked links, util/origin.c, and the settings rules of
 * model/settings.c on a migrated database. */
#include <criterion/criterion.h>
#include <string.h>

#include "model/settings.h"
#include "testdb.h"
#include "track/hit.h"
#include "track/token.h"
#include "util/origin.h"

#define NOW 1780000000000LL     /* 2026-05-28 */
#define VID "0123456789abcdef0123456789abcdef"

static const unsigned char KEY[TRACK_KEYBYTES] = "0123456789abcdef0123456789abcde";
static const unsigned char OTHER[TRACK_KEYBYTES] = "another key, same length......";

/* The tracked sites of these tests. */
static int sites(const char *o, size_t n, void *arg)
{
    const char *list = arg;     /* "" = none configured */
    if (!*list)
        return -1;
    return strlen(list) == n && !memcmp(list, o, n);
}

static struct track_ctx ctx(const char *list)
{
    struct track_ctx cx = {KEY, sites, (void *)list, NOW, NULL};
    return cx;
}

/* Parses args (NULL-ended key, value pairs) with Referer ref. */
static int parse(const char *const *kv, const char *origin, const char *ref,
                 const char *list, struct track_hit **h)
{
    struct track_arg args[32];
    int n = 0;
    for (; kv && kv[2 * n]; n++) {
        args[n].key = kv[2 * n];
        args[n].value = kv[2 * n + 1];
    }
    struct track_req rq = {args, n, origin, ref, "crm.example.vn"};
    struct track_ctx cx = ctx(list);
    return track_parse(&rq, &cx, h);
}

#define SHOP "https://shop.example.vn"

Test(track_parse, page_view_with_utm_and_referrer)
{
    const char *kv[] = {"vid", VID, "url", SHOP "/a?utm_source=fb",
        "ref", "https://www.google.com/", "utm_source", "Facebook",
        "utm_medium", "social", "utm_campaign", "Tết 2026", "utm_term",
        "giày", "utm_content", "banner-1", "_", "12345", NULL};
    struct track_hit *h;
    cr_assert_eq(parse(kv, NULL, SHOP "/a", SHOP, &h), TRACK_OK);
    cr_expect_eq(h->kind, TRACK_PAGE_VIEW);
    cr_expect_eq(h->at, NOW);
    cr_expect_str_eq(h->vid, VID);
    cr_expect_str_eq(h->url, SHOP "/a?utm_source=fb");
    cr_expect_str_eq(h->ref, "https://www.google.com/");
    cr_expect_str_eq(h->utm[0], "Facebook");
    cr_expect_str_eq(h->utm[1], "social");
    cr_expect_str_eq(h->utm[2], "Tết 2026");
    cr_expect_str_eq(h->utm[3], "giày");
    cr_expect_str_eq(h->utm[4], "banner-1");
    cr_expect_eq(h->contact, 0);
    cr_expect_eq(h->identify, 0);
    free(h);
}

Test(track_parse, url_defaults_to_the_referer_and_empty_is_none)
{
    const char *kv[] = {"vid", VID, "utm_source", "", "ref", "", NULL};
    struct track_hit *h;
    cr_assert_eq(parse(kv, NULL, SHOP "/noscript", SHOP, &h), TRACK_OK);
    cr_expect_str_eq(h->url, SHOP "/noscript");
    cr_expect_null(h->utm[0]);
    cr_expect_null(h->ref);
    free(h);
}

Test(track_parse, text_is_nfc_and_cut_on_a_character_boundary)
{
    char url[2100], utm[300];
    const char *kv[] = {"vid", VID, "url", url, "utm_campaign", utm,
                        "utm_term", "Vie\xcc\xa3t", NULL};
    memcpy(url, SHOP "/", 24);
    memset(url + 24, 'a', 1974);        /* 1998 bytes so far */
    strcpy(url + 1998, "\xe1\xba\xbf\xe1\xba\xbf");  /* "ếế": 2004 */
    memset(utm, 'x', 199);
    strcpy(utm + 199, "\xc3\xa0z");     /* "à" straddles byte 200 */
    struct track_hit *h;
    cr_assert_eq(parse(kv, NULL, SHOP "/", SHOP, &h), TRACK_OK);
    cr_expect_eq(strlen(h->url), 1998, "cut before the split character");
    cr_expect_eq(strlen(h->utm[2]), 199);
    cr_expect_str_eq(h->utm[3], "Vi\xe1\xba\xb9t");    /* NFC "Việt" */
    free(h);
}

Test(track_parse, refusals)
{
    struct track_hit *h = (void *)1;
    const char *repeated[] = {"vid", VID, "url", SHOP "/", "url",
                              SHOP "/b", NULL};
    const char *ctl[] = {"vid", VID, "utm_source", "a\nb", NULL};
    const char *bad_utf8[] = {"vid", VID, "utm_source", "\xc3(", NULL};
    const char *c1[] = {"vid", VID, "ref", "https://x.vn/\xc2\x85", NULL};
    const char *js[] = {"vid", VID, "url", "javascript:alert(1)", NULL};
    const char *short_vid[] = {"vid", "abc", NULL};
    const char *odd_vid[] = {"vid", "0123456789abcdef<script>", NULL};
    cr_expect_eq(parse(repeated, NULL, SHOP "/", SHOP, &h), TRACK_BAD_ARG);
    cr_expect_null(h);
    cr_expect_eq(parse(ctl, NULL, SHOP "/", SHOP, &h), TRACK_BAD_ARG);
    cr_expect_eq(parse(bad_utf8, NULL, SHOP "/", SHOP, &h), TRACK_BAD_ARG);
    cr_expect_eq(parse(c1, NULL, SHOP "/", SHOP, &h), TRACK_BAD_ARG);
    cr_expect_eq(parse(js, NULL, SHOP "/", SHOP, &h), TRACK_BAD_ARG);
    cr_expect_eq(parse(short_vid, NULL, SHOP "/", SHOP, &h),
                 TRACK_BAD_VISITOR);
    cr_expect_eq(parse(odd_vid, NULL, SHOP "/", SHOP, &h),
                 TRACK_BAD_VISITOR);
    cr_expect_null(h);
}

Test(track_parse, too_many_arguments_are_refused)
{
    struct track_arg args[TRACK_MAX_ARGS + 1];
    for (int i = 0; i <= TRACK_MAX_ARGS; i++)
        args[i] = (struct track_arg){"x", "1"};
    struct track_req rq = {args, TRACK_MAX_ARGS + 1, NULL, SHOP "/", NULL};
    struct track_ctx cx = ctx(SHOP);
    struct track_hit *h;
    cr_expect_eq(track_parse(&rq, &cx, &h), TRACK_BAD_ARG);
    rq.nargs = TRACK_MAX_ARGS;
    cr_expect_eq(track_parse(&rq, &cx, &h), TRACK_BAD_VISITOR);
}

Test(track_parse, origin_rules)
{
    const char *kv[] = {"vid", VID, "url", SHOP "/", NULL};
    struct track_hit *h = NULL;
    /* Origin wins over Referer */
    cr_expect_eq(parse(kv, SHOP, "https://evil.vn/", SHOP, &h), TRACK_OK);
    free(h);
    cr_expect_eq(parse(kv, "https://evil.vn", SHOP "/", SHOP, &h),
                 TRACK_ORIGIN);
    /* case and default port do not matter; another port does */
    cr_expect_eq(parse(kv, NULL, "HTTPS://Shop.Example.VN:443/x", SHOP, &h),
                 TRACK_OK);
    free(h);
    cr_expect_eq(parse(kv, NULL, SHOP ":8443/x", SHOP, &h), TRACK_ORIGIN);
    /* a look-alike, none, "null", user info */
    cr_expect_eq(parse(kv, NULL, SHOP ".evil.vn/", SHOP, &h), TRACK_ORIGIN);
    cr_expect_eq(parse(kv, NULL, NULL, SHOP, &h), TRACK_ORIGIN);
    cr_expect_eq(parse(kv, "null", NULL, SHOP, &h), TRACK_ORIGIN);
    cr_expect_eq(parse(kv, NULL, "https://a@shop.example.vn/", SHOP, &h),
                 TRACK_ORIGIN);
    /* no list: the server's own host only */
    cr_expect_eq(parse(kv, NULL, "https://crm.example.vn/p", "", &h),
                 TRACK_OK);
    free(h);
    cr_expect_eq(parse(kv, NULL, SHOP "/", "", &h), TRACK_ORIGIN);
}

Test(track_parse, a_page_view_without_a_visitor_gets_a_fresh_one)
{
    struct track_arg args[1] = {{"url", SHOP "/"}};
    struct track_req rq = {args, 1, NULL, SHOP "/", NULL};
    struct track_ctx cx = ctx(SHOP);
    struct track_hit *h;
    cr_expect_eq(track_parse(&rq, &cx, &h), TRACK_BAD_VISITOR);
    cx.fresh_vid = "px0123456789abcdef00000000000001";
    cr_assert_eq(track_parse(&rq, &cx, &h), TRACK_OK);
    cr_expect_str_eq(h->vid, "px0123456789abcdef00000000000001");
    free(h);
}

/* ---- tokens ---- */

/* The value of "t=" in a tracked URL. */
static const char *token_of(const char *url)
{
    const char *t = strstr(url, "t=");
    return t ? t + 2 : "";
}

Test(track_token, open_pixel_round_trip)
{
    char *u = track_open_url(KEY, "https://crm.vn", 42, 7, NOW);
    cr_assert_not_null(u);
    cr_expect_eq(strncmp(u, "https://crm.vn/t.gif?t=", 23), 0, "%s", u);
    const char *kv[] = {"t", token_of(u), NULL};
    struct track_hit *h;
    cr_assert_eq(parse(kv, NULL, NULL, SHOP, &h), TRACK_OK);
    cr_expect_eq(h->kind, TRACK_EMAIL_OPEN);
    cr_expect_eq(h->contact, 42);
    cr_expect_eq(h->campaign, 7);
    cr_expect_null(h->vid);
    free(h);
    free(u);
}

Test(track_token, click_names_its_one_target)
{
    char *u = track_link_url(KEY, "https://crm.vn", 42, 0,
                             "https://shop.example.vn/sale?a=1#top", NOW);
    cr_assert_not_null(u);
    struct track_arg args[1] = {{"t", token_of(u)}};
    struct track_req rq = {args, 1, NULL, NULL, NULL};
    struct track_ctx cx = ctx(SHOP);
    struct track_hit *h;
    cr_assert_eq(track_parse_click(&rq, &cx, &h), TRACK_OK);
    cr_expect_eq(h->kind, TRACK_EMAIL_CLICK);
    cr_expect_eq(h->contact, 42);
    cr_expect_eq(h->campaign, 0);
    cr_expect_str_eq(h->url, "https://shop.example.vn/sale?a=1#top");
    free(h);
    /* an open token is no click, a click token no open */
    char *o = track_open_url(KEY, "https://crm.vn", 42, 0, NOW);
    args[0].value = token_of(o);
    cr_expect_eq(track_parse_click(&rq, &cx, &h), TRACK_BAD_TOKEN);
    const char *kv[] = {"t", token_of(u), NULL};
    cr_expect_eq(parse(kv, NULL, NULL, SHOP, &h), TRACK_BAD_TOKEN);
    free(o);
    free(u);
}

Test(track_token, tampering_and_other_keys_fail)
{
    char *u = track_link_url(KEY, "https://crm.vn", 42, 3,
                             "https://shop.example.vn/", NOW);
    char tok[600];
    struct track_token t;
    char url[TRACK_URL_MAX + 1];
    snprintf(tok, sizeof(tok), "%s", token_of(u));
    cr_assert_eq(track_token_read(KEY, tok, strlen(tok), &t, url,
                                  sizeof(url)), 0);
    cr_expect_eq(track_token_read(OTHER, tok, strlen(tok), &t, url,
                                  sizeof(url)), -1);
    for (size_t i = 0; i < strlen(tok); i++) {     /* every byte matters */
        char was = tok[i];
        tok[i] = was == 'A' ? 'B' : 'A';
        cr_expect_eq(track_token_read(KEY, tok, strlen(tok), &t, url,
                                      sizeof(url)), -1, "byte %zu", i);
        tok[i] = was;
    }
    cr_expect_eq(track_token_read(KEY, tok, strlen(tok) - 1, &t, url,
                                  sizeof(url)), -1);
    cr_expect_eq(track_token_read(KEY, "", 0, &t, url, sizeof(url)), -1);
    cr_expect_eq(track_token_read(KEY, "a.b", 3, &t, url, sizeof(url)), -1);
    free(u);
}

Test(track_token, links_need_a_web_address)
{
    cr_expect_null(track_link_url(KEY, "b", 1, 0, "javascript:x", NOW));
    cr_expect_null(track_link_url(KEY, "b", 1, 0, "https://", NOW));
    cr_expect_null(track_link_url(KEY, "b", 1, 0, "https:///x", NOW));
    cr_expect_null(track_link_url(KEY, "b", 1, 0, "https://a.vn/ b", NOW));
    cr_expect_null(track_link_url(KEY, "b", 1, 0, "https://a.vn/\r\nX: y",
                                  NOW));
    cr_expect_null(track_link_url(KEY, "b", 0, 0, "https://a.vn/", NOW));
    cr_expect_null(track_open_url(KEY, "b", -1, 0, NOW));
}

Test(track_token, identify_joins_only_while_fresh)
{
    struct track_token t = {TOKEN_IDENTIFY, 42, 0, NOW - 1000, NULL};
    char *pk = track_token_make(KEY, &t);
    const char *kv[] = {"vid", VID, "pk", pk, NULL};
    struct track_hit *h;
    cr_assert_eq(parse(kv, NULL, SHOP "/", SHOP, &h), TRACK_OK);
    cr_expect_eq(h->contact, 42);
    cr_expect_eq(h->identify, 1);
    free(h);
    free(pk);
    t.issued_ms = NOW - TRACK_IDENTIFY_MS - 1;      /* a copied address */
    pk = track_token_make(KEY, &t);
    kv[3] = pk;
    cr_assert_eq(parse(kv, NULL, SHOP "/", SHOP, &h), TRACK_OK);
    cr_expect_eq(h->contact, 0, "the view counts, the join not");
    cr_expect_eq(h->identify, 0);
    free(h);
    free(pk);
    kv[3] = "aS4xLjAuMC4.AAAA";                     /* forged */
    cr_expect_eq(parse(kv, NULL, SHOP "/", SHOP, &h), TRACK_BAD_TOKEN);
}

/* ---- origins ---- */

Test(origin, origin_of_addresses)
{
    char o[64];
    size_t used;
    cr_expect_eq(origin_of("HTTPS://Shop.VN:443/a?b#c", o, sizeof(o),
                           &used), 15);
    cr_expect_str_eq(o, "https://shop.vn");
    cr_expect_eq(used, 19);
    cr_expect_eq(origin_of("http://127.0.0.1:8080", o, sizeof(o), NULL),
                 21);
    cr_expect_str_eq(o, "http://127.0.0.1:8080");
    cr_expect_eq(origin_of("http://a.vn:80?x", o, sizeof(o), NULL), 11);
    cr_expect_eq(origin_of("https://a.vn:80/", o, sizeof(o), NULL), 15);
    cr_expect_eq(origin_of("ftp://a.vn/", o, sizeof(o), NULL), 0);
    cr_expect_eq(origin_of("https://", o, sizeof(o), NULL), 0);
    cr_expect_eq(origin_of("https://u:p@a.vn/", o, sizeof(o), NULL), 0);
    cr_expect_eq(origin_of("https://a b.vn/", o, sizeof(o), NULL), 0);
    cr_expect_eq(origin_of("https://a.vn/", o, 8, NULL), 0);
    cr_expect_eq(origin_of(NULL, o, sizeof(o), NULL), 0);
}

/* ---- settings ---- */

/* PATCH body text against a fresh database: the error code (0 ok) and
 * field. */
static int patch(struct testdb *t, const char *body, const char **field)
{
    struct err err = {0};
    struct arena a;
    json_t *j = json_loads(body, 0, NULL);
    cr_assert_not_null(j, "%s", body);
    arena_init(&a);
    int rc = db_begin_write(t->c, &err);
    if (!rc)
        rc = settings_patch(t->c, 0, j, &a, &err);
    if (!rc)
        rc = db_commit(t->c, &err);
    else
        db_rollback(t->c);
    *field = rc ? (err.field ? strdup(err.field) : NULL) : NULL;
    arena_release(&a);
    json_decref(j);
    return rc;
}

Test(settings, validation_names_the_key)
{
    struct testdb t;
    const char *f;
    testdb_open(&t, "settings");
    cr_expect_eq(patch(&t, "{\"nope\": 1}", &f), E_INVALID);
    cr_expect_str_eq(f, "nope");
    free((void *)f);
    static const struct {
        const char *body, *field;
        int code;
    } bad[] = {
        {"{\"currency\": \"USD\"}", "currency", E_RULE},
        {"{\"time_zone\": \"UTC\"}", "time_zone", E_RULE},
        {"{\"tracking_origins\": \"https://a.vn\"}", "tracking_origins",
         E_INVALID},
        {"{\"tracking_origins\": [1]}", "tracking_origins", E_INVALID},
        {"{\"tracking_origins\": [\"https://a.vn/shop\"]}",
         "tracking_origins", E_RULE},
        {"{\"tracking_origins\": [\"a.vn\"]}", "tracking_origins", E_RULE},
        {"{\"tracking_origins\": [\"ftp://a.vn\"]}", "tracking_origins",
         E_RULE},
        {"{\"fx_rates\": []}", "fx_rates", E_INVALID},
        {"{\"fx_rates\": {\"USD\": \"25400\"}}", "fx_rates", E_INVALID},
        {"{\"fx_rates\": {\"USD\": 0}}", "fx_rates", E_RULE},
        {"{\"fx_rates\": {\"USD\": -3}}", "fx_rates", E_RULE},
        {"{\"fx_rates\": {\"usd\": 3}}", "fx_rates", E_RULE},
        {"{\"fx_rates\": {\"VND\": 1}}", "fx_rates", E_RULE},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cr_expect_eq(patch(&t, bad[i].body, &f), bad[i].code, "%s",
                     bad[i].body);
        cr_expect_str_eq(f ? f : "(none)", bad[i].field, "%s", bad[i].body);
        free((void *)f);
    }
    testdb_close(&t);
}

Test(settings, origins_are_normalised_and_cached)
{
    struct testdb t;
    struct err err = {0};
    const char *f;
    json_t *all;
    testdb_open(&t, "settings");
    cr_assert_eq(settings_reload(t.c, &err), 0);
    cr_expect_eq(settings_origin_allowed("https://a.vn", 12, NULL), -1);
    cr_assert_eq(patch(&t, "{\"tracking_origins\": [\"HTTPS://A.vn:443/\", "
                       "\"https://a.vn\", \"http://b.vn:8080\"], "
                       "\"fx_rates\": {\"USD\": 25400, \"EUR\": 27500.5}}",
                       &f), 0);
    cr_assert_eq(settings_get(t.c, 1, &all, &err), 0);
    char *s = json_dumps(all, JSON_SORT_KEYS | JSON_COMPACT);
    cr_expect_str_eq(s, "{\"currency\":\"VND\",\"fx_rates\":{\"EUR\":27500.5,"
                     "\"USD\":25400},\"time_zone\":\"Asia/Ho_Chi_Minh\","
                     "\"tracking_origins\":[\"https://a.vn\","
                     "\"http://b.vn:8080\"]}");
    free(s);
    json_decref(all);
    cr_assert_eq(settings_get(t.c, 0, &all, &err), 0);
    cr_expect_null(json_object_get(all, "tracking_origins"));
    json_decref(all);
    /* the cache changes only on reload */
    cr_expect_eq(settings_origin_allowed("https://a.vn", 12, NULL), -1);
    cr_assert_eq(settings_reload(t.c, &err), 0);
    cr_expect_eq(settings_origin_allowed("https://a.vn", 12, NULL), 1);
    cr_expect_eq(settings_origin_allowed("http://b.vn:8080", 16, NULL), 1);
    cr_expect_eq(settings_origin_allowed("https://b.vn", 12, NULL), 0);
    settings_clear();
    testdb_close(&t);
}
