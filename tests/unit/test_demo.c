/* Unit tests for the demo records (demo/records.c, demo/terms.c) on a
 * temporary SQLite database: the bulk-loaded search index is exactly
 * what the model's own re-indexing writes, stage histories chain up to
 * the current stage, deals and their contacts agree, and unique phone
 * numbers and landlines are valid E.164 that util/phone.c keeps. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "demo/demo.h"
#include "demo/names.h"
#include "model/campaign.h"
#include "model/crm.h"
#include "model/touchpoint.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/phone.h"

#include "testdb.h"

static struct testdb tdb;
static struct err err;

/* 2026-06-01 00:00 in Asia/Ho_Chi_Minh. */
#define TODAY 1780246800000LL

static void setup(void)
{
    log_set_level(LOG_OFF);
    memset(&err, 0, sizeof(err));
    testdb_open(&tdb, "demo");
    struct demo_options o = {.contacts = 400, .seed = 11, .today_ms = TODAY};
    struct demo_result res;
    cr_assert_eq(demo_generate(tdb.db, &o, &res, &err), 0, "%s", err.msg);
    cr_assert_eq(res.contacts, 400);
    cr_assert_eq(res.companies, 80);
}

static void teardown(void)
{
    testdb_close(&tdb);
}

/* Every search_terms row, in key order, as one text. */
static char *index_text(void)
{
    struct buf b;
    struct db_stmt *st;
    int r;
    buf_init(&b, (size_t)-1);
    cr_assert_eq(db_query(tdb.c, &st, &err, "SELECT kind, term, word, "
                          "record_id FROM search_terms ORDER BY kind, term, "
                          "word, record_id", NULL), 0);
    while ((r = db_step(st, &err)) == DB_ROW)
        buf_addf(&b, "%lld %s %s %lld\n", (long long)db_col_int(st, 0),
                 db_col_text(st, 1), db_col_text(st, 2),
                 (long long)db_col_int(st, 3));
    db_done(st);
    cr_assert_eq(r, DB_DONE);
    size_t len;
    return buf_detach(&b, &len);
}

/* The ids of table, ascending. */
static int64_t *ids_of(const char *table, int *n)
{
    char sql[80];
    struct db_stmt *st;
    int64_t *ids = malloc(sizeof(int64_t) * 10000);
    *n = 0;
    snprintf(sql, sizeof(sql), "SELECT id FROM %s ORDER BY id", table);
    cr_assert_eq(db_query(tdb.c, &st, &err, sql, NULL), 0);
    while (db_step(st, &err) == DB_ROW && *n < 10000)
        ids[(*n)++] = db_col_int(st, 0);
    db_done(st);
    return ids;
}

Test(demo, search_index_is_what_reindexing_writes, .init = setup,
     .fini = teardown)
{
    char *before = index_text();
    struct arena a;
    int n;
    arena_init(&a);
    cr_assert_eq(db_begin_write(tdb.c, &err), 0);
    int64_t *ids = ids_of("contacts", &n);
    cr_assert_eq(n, 400);
    for (int i = 0; i < n; i++)
        cr_assert_eq(crm_reindex_contact(tdb.c, ids[i], &a, &err), 0);
    free(ids);
    ids = ids_of("companies", &n);
    for (int i = 0; i < n; i++)
        cr_assert_eq(crm_reindex_company(tdb.c, ids[i], &a, &err), 0);
    free(ids);
    ids = ids_of("deals", &n);
    cr_assert_gt(n, 0);
    for (int i = 0; i < n; i++)
        cr_assert_eq(crm_reindex_deal(tdb.c, ids[i], &a, &err), 0);
    free(ids);
    cr_assert_eq(db_commit(tdb.c, &err), 0);
    char *after = index_text();
    cr_expect(strlen(before) > 1000);
    cr_expect_str_eq(before, after);
    free(before);
    free(after);
    arena_release(&a);
}

/* The number of rows an SQL count gives. */
static int64_t count(const char *sql)
{
    int64_t n = -1;
    cr_assert_eq(db_int(tdb.c, &err, &n, sql, NULL), 0, "%s", err.msg);
    return n;
}

Test(demo, histories_end_at_the_current_stage, .init = setup,
     .fini = teardown)
{
    /* the last change of every contact is its stage, the first starts
     * from nothing, each starts where the one before ended */
    cr_expect_eq(count("SELECT COUNT(*) FROM contacts k WHERE "
                       "k.lifecycle_stage IS NOT (SELECT s.to_stage FROM "
                       "stage_changes s WHERE s.contact_id = k.id ORDER BY "
                       "s.at DESC, s.id DESC LIMIT 1)"), 0);
    cr_expect_eq(count("SELECT COUNT(*) FROM stage_changes s WHERE "
                       "s.from_stage IS NOT (SELECT p.to_stage FROM "
                       "stage_changes p WHERE p.contact_id = s.contact_id "
                       "AND (p.at < s.at OR (p.at = s.at AND p.id < s.id)) "
                       "ORDER BY p.at DESC, p.id DESC LIMIT 1)"), 0);
    cr_expect_eq(count("SELECT COUNT(*) FROM stage_changes WHERE at >= "
                       "1780246800000"), 0);
    /* open deals make opportunities, won deals customers */
    cr_expect_eq(count("SELECT COUNT(*) FROM deals d JOIN deal_contacts dc "
                       "ON dc.deal_id = d.id JOIN contacts k ON k.id = "
                       "dc.contact_id WHERE d.status = 'won' AND "
                       "k.lifecycle_stage NOT IN ('customer', 'evangelist')"),
                 0);
    cr_expect_eq(count("SELECT COUNT(*) FROM deals d JOIN deal_contacts dc "
                       "ON dc.deal_id = d.id JOIN contacts k ON k.id = "
                       "dc.contact_id WHERE d.status = 'open' AND "
                       "d.pipeline_id = (SELECT id FROM pipelines WHERE "
                       "name = 'New business') AND k.lifecycle_stage <> "
                       "'opportunity'"), 0);
    /* references hold although the load checked none */
    cr_expect_eq(count("SELECT COUNT(*) FROM pragma_foreign_key_check"), 0);
    /* a company's stage is its most advanced contact's */
    cr_expect_gt(count("SELECT COUNT(*) FROM companies WHERE "
                       "lifecycle_stage = 'customer'"), 0);
}

Test(demo, second_run_writes_nothing, .init = setup, .fini = teardown)
{
    struct demo_options o = {.contacts = 400, .seed = 11, .today_ms = TODAY};
    struct demo_result res;
    cr_assert_eq(demo_generate(tdb.db, &o, &res, &err), 0);
    cr_expect(res.already);
    cr_expect_eq(count("SELECT COUNT(*) FROM contacts"), 400);
}

Test(demo_names, unique_phones_are_distinct_and_normalised)
{
    struct rng r;
    char buf[24], e164[PHONE_E164_SIZE];
    static char seen[200000][14];
    rng_seed(&r, 3);
    for (int k = 0; k < 200000; k++) {
        names_phone_unique(&r, (uint64_t)k, buf, sizeof(buf));
        cr_assert_eq(strlen(buf), 12, "%s", buf);
        cr_assert_eq(phone_e164(buf, e164, sizeof(e164)), 0, "%s", buf);
        cr_assert_str_eq(e164, buf);
        memcpy(seen[k], buf + 5, 8);    /* the seven digits and NUL */
    }
    qsort(seen, 200000, sizeof(seen[0]),
          (int (*)(const void *, const void *))strcmp);
    for (int k = 1; k < 200000; k++)
        cr_assert_str_neq(seen[k - 1], seen[k]);
}

Test(demo_names, landlines_have_their_area_code)
{
    char buf[24], e164[PHONE_E164_SIZE];
    names_landline("Hà Nội", 5, buf, sizeof(buf));
    cr_expect_eq(strncmp(buf, "+84243", 6), 0, "%s", buf);
    cr_expect_eq(strlen(buf), 13);
    names_landline("TP. Hồ Chí Minh", 5, buf, sizeof(buf));
    cr_expect_eq(strncmp(buf, "+84283", 6), 0, "%s", buf);
    names_landline("Đà Nẵng", 5, buf, sizeof(buf));
    cr_expect_eq(strncmp(buf, "+842363", 7), 0, "%s", buf);
    cr_expect_eq(strlen(buf), 13);
    cr_expect_eq(phone_e164(buf, e164, sizeof(e164)), 0);
    cr_expect_str_eq(e164, buf);
    cr_expect_eq(names_city_region("Cần Thơ"), 1);
    cr_expect_eq(names_city_region("Đà Nẵng"), 0);
}

/* ---- marketing (demo/marketing.c) ---- */

/* The row-by-row checks of the marketing tests: each query counts the
 * rows that break a rule, so every count must be 0 (NULL-ended). */
static void expect_no_breaks(const char *const *rules)
{
    for (int i = 0; rules[i]; i++)
        cr_expect_eq(count(rules[i]), 0, "%s", rules[i]);
}

Test(demo_marketing, campaigns_follow_the_programs, .init = setup,
     .fini = teardown)
{
    /* 400 contacts scale the programs by (400/3000)^0.4 = 0.447: one
     * track each, dated counts round(k * 0.447) but at least 1. The
     * window is 2024-11-30 .. 2026-05-31 and periods starting up to 31
     * days after it are planned: Google Ads and social by quarter 8 each
     * (Q4/2024 .. Q3/2026), the newsletter 21 months (11/2024 .. 7/2026)
     * under 3 yearly parents, SEO by half-year 5 (H2/2024 .. H2/2026),
     * referral by year 3, e-books 1, events 3, webinars 1, display,
     * partner, PR and letter 1 each:
     * 8 + 8 + 24 + 5 + 3 + 1 + 3 + 1 + 4 = 57. */
    cr_expect_eq(count("SELECT COUNT(*) FROM campaigns"), 57);
    cr_expect_eq(count("SELECT COUNT(*) FROM campaigns WHERE parent_id IS "
                       "NOT NULL"), 21);
    /* the four starting 2026-07-01 are planned */
    cr_expect_eq(count("SELECT COUNT(*) FROM campaigns WHERE start_date = "
                       "'2026-07-01' AND status = 'planned'"), 4);
    cr_expect_eq(count("SELECT COUNT(DISTINCT parent_id) FROM campaigns"),
                 3);
    cr_expect_eq(count("SELECT COUNT(DISTINCT channel) FROM campaigns"), 12);
    struct db_stmt *st;
    int r, n = 0;
    cr_assert_eq(db_query(tdb.c, &st, &err, "SELECT DISTINCT channel FROM "
                          "campaigns", NULL), 0);
    while ((r = db_step(st, &err)) == DB_ROW) {
        int ok = 0;
        for (int i = 0; CAMPAIGN_CHANNELS[i]; i++)
            ok |= !strcmp(CAMPAIGN_CHANNELS[i], db_col_text(st, 0));
        cr_expect(ok, "%s", db_col_text(st, 0));
        n++;
    }
    db_done(st);
    cr_expect_eq(n, 12);
    static const char *const RULES[] = {
        /* status by the dates on 2026-06-01 */
        "SELECT COUNT(*) FROM campaigns WHERE status <> CASE WHEN "
        "start_date > '2026-06-01' THEN 'planned' WHEN end_date < "
        "'2026-06-01' THEN 'completed' ELSE 'active' END",
        /* owners from the marketing team */
        "SELECT COUNT(*) FROM campaigns c JOIN users u ON u.id = "
        "c.owner_id WHERE u.role NOT IN ('marketing_manager', 'marketer')",
        /* utm keys: lower-case tags already */
        "SELECT COUNT(*) FROM campaigns WHERE utm_key IS NOT utm_campaign "
        "OR utm_campaign IS NULL",
        NULL};
    expect_no_breaks(RULES);
    cr_expect_gt(count("SELECT COUNT(*) FROM campaigns WHERE status = "
                       "'active'"), 0);
}

Test(demo_marketing, costs_lie_within_their_campaigns, .init = setup,
     .fini = teardown)
{
    static const char *const RULES[] = {
        "SELECT COUNT(*) FROM campaign_costs k JOIN campaigns c ON c.id = "
        "k.campaign_id WHERE k.date < c.start_date OR k.date > c.end_date "
        "OR k.date >= '2026-06-01' OR k.amount <= 0 OR k.currency <> 'VND'",
        /* a campaign's cost is the sum of its entries */
        "SELECT COUNT(*) FROM campaigns c WHERE c.cost <> (SELECT "
        "COALESCE(SUM(amount), 0) FROM campaign_costs k WHERE "
        "k.campaign_id = c.id)",
        "SELECT COUNT(*) FROM campaigns WHERE status = 'planned' AND cost "
        "<> 0",
        NULL};
    cr_expect_gt(count("SELECT COUNT(*) FROM campaign_costs"), 100);
    expect_no_breaks(RULES);
}

Test(demo_marketing, first_touch_is_the_original_source, .init = setup,
     .fini = teardown)
{
    struct db_stmt *st;
    int r, n = 0, with_campaign = 0;
    /* each contact's first touch (earliest at, then id) */
    cr_assert_eq(db_query(tdb.c, &st, &err, "SELECT k.id, k.source, "
        "k.source_campaign_id, k.created_at, t.kind, t.utm_medium, "
        "t.utm_source, t.referrer, t.campaign_id, t.at FROM contacts k "
        "JOIN touchpoints t ON t.id = (SELECT x.id FROM touchpoints x WHERE "
        "x.contact_id = k.id ORDER BY x.at, x.id LIMIT 1) ORDER BY k.id",
        NULL), 0);
    while ((r = db_step(st, &err)) == DB_ROW) {
        const char *src = touchpoint_source(db_col_text(st, 4),
                                            db_col_text(st, 5),
                                            db_col_text(st, 6),
                                            db_col_text(st, 7));
        cr_expect_str_eq(src, db_col_text(st, 1), "contact %lld",
                         (long long)db_col_int(st, 0));
        cr_expect_eq(db_col_null(st, 2), db_col_null(st, 8));
        if (!db_col_null(st, 2)) {
            cr_expect_eq(db_col_int(st, 2), db_col_int(st, 8));
            with_campaign++;
        }
        cr_expect_leq(db_col_int(st, 9), db_col_int(st, 3));
        n++;
    }
    db_done(st);
    cr_assert_eq(r, DB_DONE);
    cr_expect_eq(n, 400);               /* every contact has touches */
    cr_expect_gt(with_campaign, 250);
    /* deals carry their contact's original campaign */
    static const char *const RULES[] = {"SELECT COUNT(*) FROM deals d JOIN "
        "deal_contacts dc ON dc.deal_id = d.id JOIN contacts k ON k.id = "
        "dc.contact_id WHERE d.source_campaign_id IS NOT "
        "k.source_campaign_id", NULL};
    expect_no_breaks(RULES);
}

Test(demo_marketing, touches_follow_the_story, .init = setup,
     .fini = teardown)
{
    static const char *const RULES[] = {
        /* a form at the moment each contact entered lead through one */
        "SELECT COUNT(*) FROM contacts k JOIN stage_changes s ON "
        "s.contact_id = k.id AND s.to_stage = 'lead' AND s.at = "
        "k.became_lead_at AND s.reason = 'form' WHERE NOT EXISTS (SELECT 1 "
        "FROM touchpoints t WHERE t.contact_id = k.id AND t.kind = "
        "'form_submit' AND t.at = k.became_lead_at)",
        /* all before today and within the 18 months */
        "SELECT COUNT(*) FROM touchpoints WHERE at >= 1780246800000 OR at < "
        "1780246800000 - 549 * 86400000",
        /* a campaign's touches fall within its dates (business time) */
        "SELECT COUNT(*) FROM touchpoints t JOIN campaigns c ON c.id = "
        "t.campaign_id WHERE date((t.at + 25200000) / 1000, 'unixepoch') "
        "NOT BETWEEN c.start_date AND c.end_date",
        /* with its tag and channel; never a parent's */
        "SELECT COUNT(*) FROM touchpoints t JOIN campaigns c ON c.id = "
        "t.campaign_id WHERE t.utm_campaign IS NOT c.utm_campaign OR "
        "t.channel IS NOT c.channel OR c.parent_id IS NULL AND c.channel = "
        "'email'",
        /* visitor ids of the tracking's shape */
        "SELECT COUNT(*) FROM touchpoints WHERE visitor_id IS NOT NULL AND "
        "visitor_id NOT GLOB '*-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]"
        "[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]"
        "[0-9a-f][0-9a-f][0-9a-f]'",
        NULL};
    expect_no_breaks(RULES);
    cr_expect_gt(count("SELECT COUNT(*) FROM stage_changes WHERE to_stage = "
                       "'lead' AND reason = 'form'"), 100);
    cr_expect_gt(count("SELECT COUNT(*) FROM touchpoints WHERE contact_id "
                       "IS NULL"), 40);
    /* 3 to 4 touches per contact, counting the anonymous ones */
    int64_t n = count("SELECT COUNT(*) FROM touchpoints");
    cr_expect(n >= 3 * 400 && n <= 5 * 400, "%lld", (long long)n);
}
