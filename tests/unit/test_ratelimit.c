/* Unit tests for http/ratelimit.c: the burst, the refill at the given
 * rate, independent keys, and a flood of keys that can only reset, never
 * block, a client within its limit. */
#include <criterion/criterion.h>
#include <stdio.h>

#include "http/ratelimit.h"

Test(ratelimit, burst_then_refused)
{
    struct ratelimit *rl = ratelimit_new(10, 5);
    cr_assert_not_null(rl);
    for (int i = 0; i < 5; i++)
        cr_expect_eq(ratelimit_take(rl, "1.2.3.4", 1000), 1, "take %d", i);
    cr_expect_eq(ratelimit_take(rl, "1.2.3.4", 1000), 0);
    cr_expect_eq(ratelimit_take(rl, "1.2.3.4", 1099), 0);  /* 0.99 token */
    cr_expect_eq(ratelimit_take(rl, "1.2.3.4", 1100), 1);  /* 1 token */
    cr_expect_eq(ratelimit_take(rl, "1.2.3.4", 1100), 0);
    ratelimit_free(rl);
}

Test(ratelimit, refill_is_capped_at_the_burst)
{
    struct ratelimit *rl = ratelimit_new(100, 3);
    cr_assert_not_null(rl);
    for (int i = 0; i < 3; i++)
        ratelimit_take(rl, "a", 0);
    int n = 0;
    while (ratelimit_take(rl, "a", 60000))      /* a minute later */
        n++;
    cr_expect_eq(n, 3);
    ratelimit_free(rl);
}

Test(ratelimit, keys_are_independent)
{
    struct ratelimit *rl = ratelimit_new(1, 2);
    cr_assert_not_null(rl);
    cr_expect_eq(ratelimit_take(rl, "a", 0), 1);
    cr_expect_eq(ratelimit_take(rl, "a", 0), 1);
    cr_expect_eq(ratelimit_take(rl, "a", 0), 0);
    cr_expect_eq(ratelimit_take(rl, "b", 0), 1);
    cr_expect_eq(ratelimit_take(rl, "b", 0), 1);
    cr_expect_eq(ratelimit_take(rl, "b", 0), 0);
    ratelimit_free(rl);
}

Test(ratelimit, a_flood_of_keys_never_blocks_a_client_within_its_limit)
{
    struct ratelimit *rl = ratelimit_new(1, 1);
    cr_assert_not_null(rl);
    char key[32];
    for (int t = 0; t < 50; t++) {
        /* one request a second from the client: always within */
        cr_expect_eq(ratelimit_take(rl, "10.0.0.1", t * 1000), 1, "t %d", t);
        for (int i = 0; i < 1000; i++) {
            snprintf(key, sizeof(key), "k%d.%d", t, i);
            ratelimit_take(rl, key, t * 1000);
        }
    }
    ratelimit_free(rl);
}

Test(ratelimit, bad_arguments)
{
    cr_expect_null(ratelimit_new(0, 5));
    cr_expect_null(ratelimit_new(5, 0));
}

Test(ratelimit, the_whole_table_remembers_clients)
{
    /* 6,000 clients each spend their one token; asked again at once, a
     * remembered client is refused. The table holds 8,192: far more
     * than 4,096 must be remembered (half the groups would hold no
     * more than that). */
    struct ratelimit *rl = ratelimit_new(1, 1);
    cr_assert_not_null(rl);
    char key[32];
    int remembered = 0;
    for (int i = 0; i < 6000; i++) {
        snprintf(key, sizeof(key), "10.1.%d.%d", i / 256, i % 256);
        cr_expect_eq(ratelimit_take(rl, key, 0), 1);
    }
    for (int i = 0; i < 6000; i++) {
        snprintf(key, sizeof(key), "10.1.%d.%d", i / 256, i % 256);
        remembered += !ratelimit_take(rl, key, 0);
    }
    cr_expect_gt(remembered, 5000, "only %d of 6000 remembered", remembered);
    ratelimit_free(rl);
}
