/* Unit tests for store/listq.c and store/search.c on a temporary SQLite
 * database: filter parsing (SPEC §12: unknown fields and ops, wrong value
 * types), the SQL they become (checked through results), keyset paging,
 * date filters as whole days in the business time zone, and search
 * ranking (exact before prefix, marks typed first). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "model/object.h"
#include "store/listq.h"
#include "store/search.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/log.h"

#include "testdb.h"

static struct testdb tdb;
static struct arena a;
static struct err err;

static void setup(void)
{
    log_set_level(LOG_OFF);
    clock_set_fake(1772353800000LL);    /* 2026-03-01T08:30:00Z */
    arena_init(&a);
    memset(&err, 0, sizeof(err));
    testdb_open(&tdb, "listq");
}

static void teardown(void)
{
    testdb_close(&tdb);
    arena_release(&a);
    clock_set_fake(0);
}

/* Creates a contact from JSON text as the CLI would; returns its id. */
static int64_t add(const char *json)
{
    struct wctx w = {.c = tdb.c, .privileged = 1, .reason = "manual",
                     .a = &a};
    struct rec in;
    int64_t id = 0;
    json_t *body = json_loads(json, 0, NULL);
    cr_assert_not_null(body, "bad test JSON: %s", json);
    cr_assert_eq(db_begin_write(tdb.c, &err), 0);
    cr_assert_eq(rec_from_json(tdb.c, &OBJ_CONTACT, body, 1, 1, &in, &a,
                               &err), 0, "%s: %s", err.field, err.msg);
    cr_assert_eq(rec_create(&w, &in, &id, &err), 0, "%s", err.msg);
    cr_assert_eq(db_commit(tdb.c, &err), 0);
    rec_release(&in);
    json_decref(body);
    return id;
}

/* Parses the query args "k1", "v1", "k2", "v2", … (NULL-ended) into lq;
 * returns the first error code. */
static int parse(struct listq *lq, const char *const *kv)
{
    listq_init(lq, &OBJ_CONTACT);
    for (int i = 0; kv[i]; i += 2) {
        int rc = listq_arg(lq, tdb.c, kv[i], kv[i + 1], &a, &err);
        if (rc)
            return rc;
    }
    return 0;
}

/* Runs the list of kv and writes the ids found into ids (up to 64);
 * returns their count and the next cursor in *next. */
static int run(const char *const *kv, int64_t *ids, const char **next)
{
    struct listq lq;
    struct rec out[64];
    int n = 0;
    cr_assert_eq(parse(&lq, kv), 0, "%s: %s", err.field, err.msg);
    cr_assert_eq(listq_run(tdb.c, &lq, NULL, out, &n, next, &a, &err), 0,
                 "%s", err.msg);
    for (int i = 0; i < n; i++) {
        ids[i] = out[i].id;
        rec_release(&out[i]);
    }
    listq_release(&lq);
    return n;
}

TestSuite(listq, .init = setup, .fini = teardown);

Test(listq, refuses_unknown_fields_ops_and_bad_values)
{
    static const struct { const char *k, *v, *field; } bad[] = {
        {"nope", "1", "nope"},
        {"email[like]", "x", "email[like]"},
        {"email[lt]", "x", "email[lt]"},            /* not ordered */
        {"lifecycle_stage[contains]", "x", "lifecycle_stage[contains]"},
        {"owner_id", "abc", "owner_id"},
        {"lifecycle_stage", "prospect", "lifecycle_stage"},
        {"created_at[gte]", "2026-02-30", "created_at[gte]"},
        {"email[empty]", "yes", "email[empty]"},
        {"limit", "0", "limit"},
        {"limit", "501", "limit"},
        {"sort", "-body", "sort"},
        {"sort", "phone_key", "sort"},
        {"phone_key", "+84912345678", "phone_key"},
        {"cursor", "not-a-cursor!", "cursor"},
        {"q", "%%__", "q"},
        {"q", " .,;- ", "q"},
        {"custom.nope", "1", "custom.nope"},
        {"stage_changed_at", "2026-01-01", "stage_changed_at"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct listq lq;
        const char *kv[] = {bad[i].k, bad[i].v, NULL};
        memset(&err, 0, sizeof(err));
        cr_expect_eq(parse(&lq, kv), E_INVALID, "%s=%s accepted", bad[i].k,
                     bad[i].v);
        cr_expect_str_eq(err.field ? err.field : "(null)", bad[i].field);
        listq_release(&lq);
    }
}

Test(listq, filters_sort_and_pages)
{
    int64_t an = add("{\"first_name\":\"An\",\"last_name\":\"Lê\","
                     "\"lifecycle_stage\":\"lead\",\"city\":\"Hà Nội\"}");
    int64_t binh = add("{\"first_name\":\"Bình\",\"email\":\"b@x.vn\","
                       "\"lifecycle_stage\":\"customer\"}");
    int64_t chi = add("{\"first_name\":\"Chi\",\"city\":\"Huế\","
                      "\"lifecycle_stage\":\"lead\"}");
    int64_t ids[64];
    const char *next;
    const char *leads[] = {"lifecycle_stage", "lead", "sort", "-id", NULL};
    cr_assert_eq(run(leads, ids, &next), 2);
    cr_expect_eq(ids[0], chi);
    cr_expect_eq(ids[1], an);
    cr_expect_null(next);
    const char *in[] = {"lifecycle_stage[in]", "customer,lead", "city[empty]",
                        "true", NULL};
    cr_assert_eq(run(in, ids, &next), 1);
    cr_expect_eq(ids[0], binh);
    const char *ne[] = {"city[ne]", "Huế", "sort", "id", NULL};
    cr_assert_eq(run(ne, ids, &next), 2);       /* NULL city counts */
    cr_expect_eq(ids[0], an);
    cr_expect_eq(ids[1], binh);
    const char *starts[] = {"first_name[starts]", "B", NULL};
    cr_assert_eq(run(starts, ids, &next), 1);
    cr_expect_eq(ids[0], binh);
    /* sort by a nullable text column: NULLs last both ways, pages join */
    const char *p1[] = {"sort", "-city", "limit", "2", NULL};
    cr_assert_eq(run(p1, ids, &next), 2);
    cr_expect_eq(ids[0], an);   /* bytes: "Hà Nội" (0xC3…) > "Huế" */
    cr_expect_eq(ids[1], chi);
    cr_assert_not_null(next);
    const char *p2[] = {"sort", "-city", "limit", "2", "cursor", next, NULL};
    cr_assert_eq(run(p2, ids, &next), 1);
    cr_expect_eq(ids[0], binh);
    cr_expect_null(next);
}

Test(listq, cursor_belongs_to_its_sort)
{
    add("{\"first_name\":\"A\"}");
    add("{\"first_name\":\"B\"}");
    int64_t ids[64];
    const char *next;
    const char *p1[] = {"sort", "first_name", "limit", "1", NULL};
    cr_assert_eq(run(p1, ids, &next), 1);
    cr_assert_not_null(next);
    struct listq lq;
    struct rec out[4];
    int n;
    const char *other[] = {"sort", "created_at", "cursor", next, NULL};
    cr_assert_eq(parse(&lq, other), 0);
    cr_expect_eq(listq_run(tdb.c, &lq, NULL, out, &n, &next, &a, &err),
                 E_INVALID);
    cr_expect_str_eq(err.field, "cursor");
    listq_release(&lq);
}

Test(listq, dates_are_whole_days_in_vietnam)
{
    /* 00:30 on 1 March in Hà Nội is 2026-02-28T17:30Z; 16:30Z is still
     * 28 February there */
    int64_t march = add("{\"first_name\":\"M\",\"created_at\":"
                        "\"2026-02-28T17:30:00Z\"}");
    int64_t feb = add("{\"first_name\":\"F\",\"created_at\":"
                      "\"2026-02-28T16:30:00Z\"}");
    int64_t ids[64];
    const char *next;
    const char *eq[] = {"created_at", "2026-03-01", NULL};
    cr_assert_eq(run(eq, ids, &next), 1);
    cr_expect_eq(ids[0], march);
    const char *lte[] = {"created_at[lte]", "2026-02-28", NULL};
    cr_assert_eq(run(lte, ids, &next), 1);
    cr_expect_eq(ids[0], feb);
    const char *gt[] = {"created_at[gt]", "2026-02-28", NULL};
    cr_assert_eq(run(gt, ids, &next), 1);
    cr_expect_eq(ids[0], march);
}

Test(listq, search_ranks_marks_typed_first)
{
    int64_t dang2 = add("{\"first_name\":\"Bích\",\"last_name\":\"Đặng Thị\"}");
    int64_t dang1 = add("{\"first_name\":\"Đăng\",\"last_name\":\"Trần Văn\"}");
    int64_t dangk = add("{\"first_name\":\"Khoa\",\"last_name\":\"Đằng\"}");
    int64_t ids[64];
    const char *next;
    const char *marked[] = {"q", "Đăng", NULL};
    cr_assert_eq(run(marked, ids, &next), 3);
    cr_expect_eq(ids[0], dang1);
    cr_expect_eq(ids[1], dang2);                /* then by id */
    cr_expect_eq(ids[2], dangk);
    const char *plain[] = {"q", "dang", NULL};
    cr_assert_eq(run(plain, ids, &next), 3);
    cr_expect_eq(ids[0], dang2);
    /* NFD input ("a" + combining breve) ranks like the NFC form */
    const char *nfd[] = {"q", "\xc4\x90" "a\xcc\x86" "ng", NULL};
    cr_assert_eq(run(nfd, ids, &next), 3);
    cr_expect_eq(ids[0], dang1);
}

Test(listq, search_prefix_phone_and_pages)
{
    int64_t an = add("{\"first_name\":\"An\",\"last_name\":\"Nguyễn Văn\","
                     "\"phone\":\"0912 345 678\"}");
    int64_t anh = add("{\"first_name\":\"Anh\",\"last_name\":\"Nguyễn\"}");
    add("{\"first_name\":\"Bảo\",\"last_name\":\"Lê\"}");
    int64_t ids[64];
    const char *next;
    const char *q[] = {"q", "nguyen an", NULL};
    cr_assert_eq(run(q, ids, &next), 2);
    cr_expect_eq(ids[0], an);                   /* exact "an" first */
    cr_expect_eq(ids[1], anh);
    const char *ph[] = {"q", "+84 912-345", NULL};
    cr_assert_eq(run(ph, ids, &next), 1);
    cr_expect_eq(ids[0], an);
    const char *nat[] = {"q", "0912345678", NULL};
    cr_assert_eq(run(nat, ids, &next), 1);
    const char *p1[] = {"q", "NGUYỄN", "limit", "1", NULL};
    cr_assert_eq(run(p1, ids, &next), 1);
    cr_assert_not_null(next);
    const char *p2[] = {"q", "NGUYỄN", "limit", "1", "cursor", next, NULL};
    cr_assert_eq(run(p2, ids, &next), 1);
    cr_expect_null(next);
}

/* Expects rec_dump (sorted: rec_dump_sorted) of r to equal jansson's
 * encoding of rec_to_json (sorted: with JSON_SORT_KEYS); returns that
 * encoding (free it). */
static char *expect_dump_equal(const struct rec *r, int sorted)
{
    struct buf b;
    buf_init(&b, (size_t)-1);
    if (sorted)
        rec_dump_sorted(r, &b);
    else
        rec_dump(r, &b);
    json_t *j = rec_to_json(r);
    char *want = json_dumps(j, JSON_COMPACT | (sorted ? JSON_SORT_KEYS : 0));
    cr_expect_str_eq(buf_cstr(&b), want);
    json_decref(j);
    buf_release(&b);
    return want;
}

/* Adds a contact whose name needs JSON escapes (email and phone given
 * as JSON members) and reads it back into r. */
static void read_sample(const char *email_phone, struct rec *r)
{
    char body[512];
    snprintf(body, sizeof(body), "{\"first_name\":\"Ngọc \\\"Bé\\\"\\tÁnh\","
             "\"email\":%s,\"lifecycle_stage\":\"lead\",\"created_at\":"
             "\"2026-02-28T17:30:00.007Z\"}", email_phone);
    int64_t id = add(body);
    cr_assert_eq(rec_read(tdb.c, &OBJ_CONTACT, NULL, id, r, &a, &err), 0);
}

Test(listq, rec_dump_matches_the_jansson_encoding)
{
    struct rec r;
    read_sample("\"a@b.vn\",\"phone\":\"0912345678\"", &r);
    char *want = expect_dump_equal(&r, 0);
    cr_expect(strstr(want, "\"created_at\":\"2026-02-28T17:30:00.007Z\"")
              != NULL, "%s", want);
    free(want);
    rec_release(&r);
}

Test(listq, rec_dump_sorted_matches_the_audit_encoding)
{
    struct rec r;
    read_sample("\"c@b.vn\",\"phone\":\"0912345679\"", &r);
    int cu = object_field(&OBJ_CONTACT, "custom");
    cr_assert_geq(cu, 0);
    json_decref(r.v[cu].j);     /* nested keys out of order */
    r.v[cu].j = json_pack("{s:i,s:{s:s,s:s}}", "zeta", 1, "alpha", "b",
                          "x", "a", "y");
    r.v[cu].set = 1;
    char *want = expect_dump_equal(&r, 1);
    cr_expect(strstr(want, "{\"alpha\":{\"a\":\"y\",\"b\":\"x\"},\"zeta\":1}")
              != NULL, "%s", want);
    free(want);
    rec_release(&r);
}

/* The rows of one record as "term/word" lines, in order. */
static char *terms_text(int n, const struct sterm *t)
{
    struct buf b;
    buf_init(&b, (size_t)-1);
    for (int i = 0; i < n; i++)
        buf_addf(&b, "%s/%s\n", t[i].term, t[i].word);
    return buf_detach(&b, NULL);
}

Test(listq, search_memo_gives_the_rows_of_search_terms_of)
{
    struct search_memo *m = search_memo_new();
    const char *recs[][4] = {
        {"Đặng Thị", "Bích", "bich.dang@x.vn", "Công ty Sen Vàng"},
        {"Đăng", "Trần Văn", "dang@x.vn", "Công ty Sen Vàng"},
        {"Đặng Thị", "Bích", "b2@x.vn", NULL},    /* all met before */
        {"Bích", "Đặng Thị", "bich@x.vn", "Sen"},  /* a word twice */
        {"An\xff", "Lê", NULL, NULL}};              /* not UTF-8 */
    const char *phones[1] = {"+84912345678"};
    for (int round = 0; round < 2; round++) {
        for (size_t r = 0; r < sizeof(recs) / sizeof(recs[0]); r++) {
            struct sterm *t1, *t2;
            int n1 = search_terms_of(recs[r], 4, phones, 1, &t1, &a);
            int n2 = search_terms_memo(recs[r], 4, 0xb, phones, 1, &t2, &a,
                                       m);
            cr_assert_eq(n1, n2, "record %zu round %d", r, round);
            if (n1 < 0)
                continue;
            char *x = terms_text(n1, t1), *y = terms_text(n2, t2);
            cr_expect_str_eq(x, y);
            free(x);
            free(y);
        }
    }
    struct sterm *t;    /* known answer: 2 names + 3 mail words + 3 phones */
    const char *one[4] = {"Đăng", "Lê", "dang@x.vn", NULL};
    cr_assert_eq(search_terms_memo(one, 4, 0xb, phones, 1, &t, &a, m), 8);
    char *got = terms_text(8, t);
    cr_expect_str_eq(got, "dang/đăng\nle/lê\ndang/dang\nx/x\nvn/vn\n"
                     "84912345678/84912345678\n0912345678/0912345678\n"
                     "912345678/912345678\n");
    free(got);
    search_memo_free(m);
}
