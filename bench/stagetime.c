/* bench/stagetime: the database part of moving one contact's lifecycle
 * stage (issue 5: < 2 ms p99), timed without HTTP or a client: the same
 * library calls as PATCH /api/v1/contacts/{id} {"lifecycle_stage": …}
 * (db_begin_write, rec_update with the stage history, the first entries,
 * the company roll-up and the audit row, db_commit), as the command line
 * writes (no principal), with the SQLite checkpointer running as in
 * pheu serve. Moves a random contact to a random funnel stage (forward
 * or backward) every PACE_US microseconds, so that the checkpointer's
 * work falls between and inside moves as it does at a steady rate.
 *
 * usage: bench/stagetime DB [MOVES] [PACE_US] [SEED]
 * SEED (default: the clock) picks the moves: a run with the seed of an
 * earlier run on the same database would find every contact already in
 * its stage and time updates that move nothing.
 * prints "db stage_move runs=N seed=S p50=…ms p90=…ms p99=…ms max=…ms". */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "model/crm.h"
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

/* Moves contact id to stage: one write transaction, as the API does. */
static int move(struct db_conn *c, int64_t id, const char *stage,
                struct err *err)
{
    struct arena a;
    struct rec in;
    arena_init(&a);
    struct wctx w = {.c = c, .privileged = 1, .a = &a};
    rec_init(&in, &OBJ_CONTACT);
    rec_set_text(&in, "lifecycle_stage", stage);
    int rc = db_begin_write(c, err);
    if (!rc)
        rc = rec_update(&w, id, &in, err);
    if (!rc)
        rc = db_commit(c, err);
    else
        db_rollback(c);
    rec_release(&in);
    arena_release(&a);
    return rc;
}

/* Sleeps until the monotonic time t (us). */
static void sleep_until(int64_t t)
{
    int64_t d = t - clock_mono_us();
    if (d > 0) {
        struct timespec ts = {d / 1000000, (long)(d % 1000000) * 1000};
        nanosleep(&ts, NULL);
    }
}

int main(int argc, char **argv)
{
    struct db *db;
    struct db_conn *c;
    struct err err = {0};
    if (argc < 2) {
        fprintf(stderr, "usage: bench/stagetime DB [MOVES] [PACE_US] "
                "[SEED]\n");
        return 2;
    }
    int n = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 2000;
    int64_t pace = argc > 3 ? strtoll(argv[3], NULL, 10) : 5000;
    uint64_t seed = argc > 4 ? strtoull(argv[4], NULL, 10)
                             : (uint64_t)clock_mono_us();
    if (n < 100)
        n = 100;
    log_set_level(LOG_WARN);
    if (db_open(argv[1], &db, &err) || db_start_upkeep(db, &err) ||
        db_conn_get(db, &c, &err)) {
        fprintf(stderr, "stagetime: %s\n", err.msg);
        return 1;
    }
    int64_t max = 0;
    if (db_int(c, &err, &max, "SELECT MAX(id) FROM contacts", NULL) ||
        max < 1) {
        fprintf(stderr, "stagetime: no contacts\n");
        return 1;
    }
    int64_t *us = malloc(sizeof(int64_t) * (size_t)n);
    struct rng r;
    rng_seed(&r, seed);
    int64_t next = clock_mono_us();
    int done = 0;
    while (done < n) {
        int64_t id = 1 + (int64_t)rng_below(&r, (uint64_t)max);
        const char *stage = LIFECYCLE_STAGES[rng_below(&r, 7)];
        sleep_until(next);
        next += pace;
        int64_t t0 = clock_mono_us();
        int rc = move(c, id, stage, &err);
        if (rc == E_NOTFOUND)           /* a gap in the ids */
            continue;
        if (rc) {
            fprintf(stderr, "stagetime: %s\n", err.msg);
            return 1;
        }
        us[done++] = clock_mono_us() - t0;
    }
    qsort(us, (size_t)n, sizeof(int64_t), cmp_i64);
    printf("db stage_move runs=%d seed=%llu pace=%lldus p50=%.3fms "
           "p90=%.3fms p99=%.3fms max=%.3fms\n", n, (unsigned long long)seed,
           (long long)pace,
           (double)us[n / 2] / 1e3, (double)us[n * 9 / 10] / 1e3,
           (double)us[n * 99 / 100] / 1e3, (double)us[n - 1] / 1e3);
    free(us);
    db_close(db);
    return 0;
}
