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
#include "model/crm.h"
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
