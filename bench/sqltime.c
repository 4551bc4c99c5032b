/* bench/sqltime: the database part of the CRM read paths, timed without
 * HTTP: a contact by id, a filtered sorted list page and the next one by
 * cursor, searches (the ranked candidates alone, and the whole first page
 * with its records). Runs the same library code as pheu serve, as an
 * admin sees the data (no visibility filter), on either engine.
 *
 * usage: bench/sqltime DB OWNER_ID [RUNS]
 * prints one line per query: "db NAME runs=N p50=…ms p90=…ms p99=…ms". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/object.h"
#include "store/listq.h"
#include "store/search.h"
#include "util/arena.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/rand.h"

/* qsort order of int64_t values, ascending. */
static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Prints the percentiles of the n durations in us (sorted here). */
static void report(const char *name, int64_t *us, int n)
{
    qsort(us, (size_t)n, sizeof(int64_t), cmp_i64);
    printf("db %s runs=%d p50=%.3fms p90=%.3fms p99=%.3fms\n", name, n,
           (double)us[n / 2] / 1e3, (double)us[n * 9 / 10] / 1e3,
           (double)us[n * 99 / 100] / 1e3);
}

/* One list page of contacts for the query args kv (NULL-ended pairs);
 * *next gets the cursor (copied into a). Exits on error. */
static int page(struct db_conn *c, const char *const *kv, const char *cursor,
                const char **next, struct arena *a)
{
    struct listq lq;
    struct err err = {0};
    static struct rec out[501];
    int n = 0, rc = 0;
    listq_init(&lq, &OBJ_CONTACT);
    for (int i = 0; !rc && kv[i]; i += 2)
        rc = listq_arg(&lq, c, kv[i], kv[i + 1], a, &err);
    if (!rc && cursor)
        rc = listq_arg(&lq, c, "cursor", cursor, a, &err);
    if (!rc)
        rc = listq_run(c, &lq, NULL, out, &n, next, a, &err);
    for (int i = 0; i < n; i++)
        rec_release(&out[i]);
    listq_release(&lq);
    if (rc) {
        fprintf(stderr, "sqltime: %s: %s\n", err.field ? err.field : "",
                err.msg);
        exit(1);
    }
    return n;
}

/* Times runs list pages of kv (from cursor, when given). */
static void time_pages(struct db_conn *c, const char *name,
                       const char *const *kv, const char *cursor, int runs)
{
    int64_t *us = malloc(sizeof(int64_t) * (size_t)runs);
    for (int i = 0; i < runs; i++) {
        struct arena a;
        const char *next;
        arena_init(&a);
        int64_t t0 = clock_mono_us();
        page(c, kv, cursor, &next, &a);
        us[i] = clock_mono_us() - t0;
        arena_release(&a);
    }
    report(name, us, runs);
    free(us);
}

/* Times the ranked candidates of q alone (search_ranked). */
static void time_ranked(struct db_conn *c, const char *name, const char *q,
                        int runs)
{
    int64_t *us = malloc(sizeof(int64_t) * (size_t)runs);
    int found = 0;
    for (int i = 0; i < runs; i++) {
        struct arena a;
        struct err err = {0};
        struct sqlp p = {0};
        int64_t *ids;
        arena_init(&a);
        int64_t t0 = clock_mono_us();
        if (search_ranked(c, &OBJ_CONTACT, q, "", &p, &ids, &found, &a,
                          &err)) {
            fprintf(stderr, "sqltime: %s\n", err.msg);
            exit(1);
        }
        us[i] = clock_mono_us() - t0;
        arena_release(&a);
    }
    printf("db %s candidates=%d\n", name, found);
    report(name, us, runs);
    free(us);
}

/* Times reads of contacts by random id in [1, max]. */
static void time_get(struct db_conn *c, int64_t max, int runs)
{
    int64_t *us = malloc(sizeof(int64_t) * (size_t)runs);
    struct rng r;
    rng_seed(&r, 1);
    for (int i = 0; i < runs; i++) {
        struct arena a;
        struct err err = {0};
        struct rec rec;
        arena_init(&a);
        int64_t id = 1 + (int64_t)rng_below(&r, (uint64_t)max);
        int64_t t0 = clock_mono_us();
        int rc = rec_read(c, &OBJ_CONTACT, NULL, id, &rec, &a, &err);
        us[i] = clock_mono_us() - t0;
        if (!rc)
            rec_release(&rec);
        arena_release(&a);
    }
    report("contact_by_id", us, runs);
    free(us);
}

int main(int argc, char **argv)
{
    struct db *db;
    struct db_conn *c;
    struct err err = {0};
    if (argc < 3) {
        fprintf(stderr, "usage: bench/sqltime DB OWNER_ID [RUNS]\n");
        return 2;
    }
    int runs = argc > 3 ? (int)strtol(argv[3], NULL, 10) : 200;
    if (runs < 10)
        runs = 10;
    log_set_level(LOG_WARN);
    if (db_open(argv[1], &db, &err) || db_conn_get(db, &c, &err)) {
        fprintf(stderr, "sqltime: %s\n", err.msg);
        return 1;
    }
    int64_t max = 0;
    if (db_int(c, &err, &max, "SELECT MAX(id) FROM contacts", NULL) ||
        max < 1) {
        fprintf(stderr, "sqltime: no contacts\n");
        return 1;
    }
    time_get(c, max, runs * 10);
    const char *const list[] = {"lifecycle_stage", "lead", "owner_id",
                                argv[2], "sort", "-created_at", "limit",
                                "50", NULL};
    struct arena a;
    const char *next = NULL;
    arena_init(&a);
    page(c, list, NULL, &next, &a);
    time_pages(c, "list_page", list, NULL, runs);
    if (next)
        time_pages(c, "list_next_page", list, next, runs);
    static const char *const queries[] = {"nguyen van", "0912", NULL};
    for (int i = 0; queries[i]; i++) {
        char name[64];
        const char *const kv[] = {"q", queries[i], "limit", "50", NULL};
        snprintf(name, sizeof(name), "search_sql q=%s", queries[i]);
        time_ranked(c, name, queries[i], runs);
        snprintf(name, sizeof(name), "search_page q=%s", queries[i]);
        time_pages(c, name, kv, NULL, runs);
    }
    arena_release(&a);
    db_close(db);
    return 0;
}
