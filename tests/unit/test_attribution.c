/* Unit tests for report/attribution.c's arithmetic (SPEC §4, App. C):
 * the named positions of a path, and every model's credits on one, two
 * and three touches, positions held by one touch, the rest split over
 * named touches when every touch is named, the rounding remainder, and
 * time decay's weights. Every expected credit is worked out by hand in
 * the comment beside it. */
#include <criterion/criterion.h>
#include <stdint.h>

#include "report/attribution.h"

#define D 86400000LL                /* a day in ms */
#define T0 (20000 * D)              /* some day in 2024 */
#define MAXN 8

/* A path: touch times (days after T0) and the deal around them. */
struct path {
    int64_t at[MAXN];
    int n;
    int pos[ATTR_NPOS];
    int64_t closed;
    int64_t credits[MAXN];
    unsigned char credited[MAXN];
};

/* Builds a path of n touches on the given days, with lead entry and
 * deal creation on the given days (lead < -1000: no lead entry), closed
 * on day close. */
static void path(struct path *p, int n, const double *days, double lead,
                 double created, double close)
{
    p->n = n;
    for (int i = 0; i < n; i++)
        p->at[i] = T0 + (int64_t)(days[i] * D);
    p->closed = T0 + (int64_t)(close * D);
    attr_positions(p->at, n, lead < -1000 ? ATTR_NO_TIME
                   : T0 + (int64_t)(lead * D), T0 + (int64_t)(created * D),
                   p->pos);
}

/* Credits amount by model m and checks the credits and their sum. */
static void expect(struct path *p, enum attr_model m, int64_t amount,
                   const int64_t *want, const unsigned char *shared)
{
    int64_t sum = 0;
    attr_credit(m, p->at, p->n, p->pos, p->closed, amount, p->credits,
                p->credited);
    for (int i = 0; i < p->n; i++) {
        cr_expect_eq(p->credits[i], want[i], "%s: touch %d got %lld, "
                     "want %lld", attr_model_name(m), i,
                     (long long)p->credits[i], (long long)want[i]);
        if (shared)
            cr_expect_eq(p->credited[i], shared[i], "%s: credited[%d]",
                         attr_model_name(m), i);
        sum += p->credits[i];
    }
    cr_expect_eq(sum, amount, "%s: credits sum to the amount",
                 attr_model_name(m));
}

/* ---- positions ---- */

Test(attr_positions, first_last_and_the_moments_at_or_before)
{
    struct path p;
    const double days[] = {0, 7, 14, 21};
    path(&p, 4, days, 7, 15, 30);       /* lead exactly at touch 1 */
    cr_expect_eq(p.pos[ATTR_FIRST], 0);
    cr_expect_eq(p.pos[ATTR_LEAD], 1);  /* at or before: the same ms */
    cr_expect_eq(p.pos[ATTR_DEAL], 2);  /* day 15: last touch is day 14 */
    cr_expect_eq(p.pos[ATTR_LAST], 3);
}

Test(attr_positions, none_early_enough_is_the_first_touch)
{
    struct path p;
    const double days[] = {5, 6, 7};
    path(&p, 3, days, 1, 2, 10);        /* lead and deal before any touch */
    cr_expect_eq(p.pos[ATTR_LEAD], 0);
    cr_expect_eq(p.pos[ATTR_DEAL], 0);
    path(&p, 3, days, -2000, 9, 10);    /* no contact ever became a lead */
    cr_expect_eq(p.pos[ATTR_LEAD], 0);
    cr_expect_eq(p.pos[ATTR_DEAL], 2);
}

Test(attr_positions, equal_times_take_the_last_of_them)
{
    struct path p;
    const double days[] = {1, 3, 3, 3, 8};  /* ordered by at, then id */
    path(&p, 5, days, 3, 4, 9);
    cr_expect_eq(p.pos[ATTR_LEAD], 3);
    cr_expect_eq(p.pos[ATTR_DEAL], 3);
    cr_expect_eq(p.pos[ATTR_LAST], 4);
}

/* ---- one touch: every model gives it 100% ---- */

Test(attr_credit, one_touch_takes_everything_in_every_model)
{
    struct path p;
    const double days[] = {3};
    const int64_t want[] = {12345};
    const unsigned char yes[] = {1};
    path(&p, 1, days, 1, 2, 10);
    for (int m = 0; m < ATTR_MODELS; m++)
        expect(&p, (enum attr_model)m, 12345, want, yes);
}

/* ---- two touches (day 0 and day 7, closed on day 7) ---- */

Test(attr_credit, two_touches_single_position_models)
{
    struct path p;
    const double days[] = {0, 7};
    path(&p, 2, days, 7, 7, 7);         /* lead and deal creation: t1 */
    expect(&p, ATTR_FIRST_TOUCH, 1000, (int64_t[]){1000, 0},
           (unsigned char[]){1, 0});
    expect(&p, ATTR_LAST_TOUCH, 1000, (int64_t[]){0, 1000},
           (unsigned char[]){0, 1});
    expect(&p, ATTR_LINEAR, 1000, (int64_t[]){500, 500},
           (unsigned char[]){1, 1});
    /* weights 2^(-7/7) = 0.5 and 1: 1/3 and 2/3 of 900 */
    expect(&p, ATTR_TIME_DECAY, 900, (int64_t[]){300, 600},
           (unsigned char[]){1, 1});
}

Test(attr_credit, two_touches_u_shaped_is_fifty_fifty)
{
    struct path p;
    const double days[] = {0, 7};
    path(&p, 2, days, 7, 7, 7);
    /* 40 + 40; the rest's 20 over the two named touches: 50 / 50 */
    expect(&p, ATTR_U_SHAPED, 1000, (int64_t[]){500, 500},
           (unsigned char[]){1, 1});
}

Test(attr_credit, two_touches_w_shaped_and_full_path)
{
    struct path p;
    const double days[] = {0, 7};
    path(&p, 2, days, 7, 7, 7);         /* lead = deal = t1 */
    /* W: t0 30, t1 30 + 30, rest 10 over both named: 35 / 65 */
    expect(&p, ATTR_W_SHAPED, 1000, (int64_t[]){350, 650}, NULL);
    /* full path: t0 22.5, t1 22.5 x 3 = 67.5, rest 5 each: 27.5 / 72.5 */
    expect(&p, ATTR_FULL_PATH, 1000, (int64_t[]){275, 725}, NULL);
    path(&p, 2, days, 0, 0, 7);         /* lead = deal = t0 */
    /* W: t0 holds all three (90); t1 holds no W position, so it is the
     * rest and takes all of its 10 */
    expect(&p, ATTR_W_SHAPED, 1000, (int64_t[]){900, 100}, NULL);
    /* full path: t0 67.5, t1 is last (22.5); no unnamed touch: the rest
     * is 5 each -> 72.5 / 27.5 */
    expect(&p, ATTR_FULL_PATH, 1000, (int64_t[]){725, 275}, NULL);
    /* U: t0 holds first and lead (80), t1 is the rest (20) */
    expect(&p, ATTR_U_SHAPED, 1000, (int64_t[]){800, 200}, NULL);
}

/* ---- three touches (days 0, 7, 14; closed on day 14) ---- */

Test(attr_credit, three_touches_single_position_and_linear)
{
    struct path p;
    const double days[] = {0, 7, 14};
    path(&p, 3, days, 8, 14, 14);       /* lead t1, deal t2 */
    expect(&p, ATTR_FIRST_TOUCH, 900, (int64_t[]){900, 0, 0},
           (unsigned char[]){1, 0, 0});
    expect(&p, ATTR_LAST_TOUCH, 900, (int64_t[]){0, 0, 900},
           (unsigned char[]){0, 0, 1});
    expect(&p, ATTR_LINEAR, 900, (int64_t[]){300, 300, 300},
           (unsigned char[]){1, 1, 1});
}

Test(attr_credit, linear_remainder_goes_to_the_earliest_of_equals)
{
    struct path p;
    const double days[] = {0, 7, 14};
    path(&p, 3, days, 8, 14, 14);
    /* 33.33 each: 33 + 33 + 33 = 99, the 1 left to the earliest */
    expect(&p, ATTR_LINEAR, 100, (int64_t[]){34, 33, 33}, NULL);
    /* 66.67 each: 66 x 3 = 198, the 2 left go together to touch 0 */
    expect(&p, ATTR_LINEAR, 200, (int64_t[]){68, 66, 66}, NULL);
}

Test(attr_credit, three_touches_u_shaped)
{
    struct path p;
    const double days[] = {0, 7, 14};
    path(&p, 3, days, 8, 14, 14);       /* lead t1 */
    /* 40 / 40 / 20 (the only unnamed touch takes the whole rest) */
    expect(&p, ATTR_U_SHAPED, 1000, (int64_t[]){400, 400, 200},
           (unsigned char[]){1, 1, 1});
    /* 7: 2.8, 2.8, 1.4 -> 2, 2, 1; the 2 left go to the largest share,
     * the earliest of the two 40% touches */
    expect(&p, ATTR_U_SHAPED, 7, (int64_t[]){4, 2, 1}, NULL);
}

Test(attr_credit, three_touches_w_shaped_is_a_third_each)
{
    struct path p;
    const double days[] = {0, 7, 14};
    path(&p, 3, days, 8, 14, 14);       /* first t0, lead t1, deal t2 */
    /* 30 + 10/3 each: 333.33 -> 333 x 3, the 1 left to t0 */
    expect(&p, ATTR_W_SHAPED, 1000, (int64_t[]){334, 333, 333},
           (unsigned char[]){1, 1, 1});
    expect(&p, ATTR_W_SHAPED, 999, (int64_t[]){333, 333, 333}, NULL);
}

Test(attr_credit, three_touches_full_path)
{
    struct path p;
    const double days[] = {0, 7, 14};
    path(&p, 3, days, 8, 8, 14);        /* lead = deal = t1 */
    /* t0 22.5, t1 45, t2 22.5; rest 10/3 each: 25.83 / 48.33 / 25.83
     * of 1200 = 310 / 580 / 310 */
    expect(&p, ATTR_FULL_PATH, 1200, (int64_t[]){310, 580, 310},
           (unsigned char[]){1, 1, 1});
    path(&p, 3, days, 8, 14, 14);       /* every position distinct-ish:
                                         * deal = last = t2 */
    /* t0 22.5, t1 22.5, t2 45, rest 10/3: 25.83 / 25.83 / 48.33 */
    expect(&p, ATTR_FULL_PATH, 1200, (int64_t[]){310, 310, 580}, NULL);
}

Test(attr_credit, time_decay_halves_every_week)
{
    struct path p;
    const double days[] = {0, 7, 14};
    path(&p, 3, days, 8, 14, 14);
    /* 14, 7, 0 days before close: 0.25, 0.5, 1 of 1.75 */
    expect(&p, ATTR_TIME_DECAY, 700, (int64_t[]){100, 200, 400},
           (unsigned char[]){1, 1, 1});
    /* 1000: 142.86, 285.71, 571.43 -> 142 + 285 + 571 = 998; the 2
     * left go to the largest weight, the last touch */
    expect(&p, ATTR_TIME_DECAY, 1000, (int64_t[]){142, 285, 573}, NULL);
}

Test(attr_credit, time_decay_does_not_depend_on_the_close)
{
    struct path p;
    const double days[] = {0, 7, 14};
    path(&p, 3, days, 8, 14, 35);       /* closed 3 weeks after the last */
    /* 35, 28, 21 days: 1/32, 1/16, 1/8 -> the same proportions */
    expect(&p, ATTR_TIME_DECAY, 700, (int64_t[]){100, 200, 400}, NULL);
}

Test(attr_credit, time_decay_half_a_week)
{
    struct path p;
    const double days[] = {0, 3.5};
    path(&p, 2, days, 0, 0, 3.5);
    /* 2^(-0.5) = 0.70711 and 1: 0.41421 and 0.58579 of 100000 */
    expect(&p, ATTR_TIME_DECAY, 100000, (int64_t[]){41421, 58579}, NULL);
}

Test(attr_credit, equal_times_split_evenly_remainder_to_the_earlier)
{
    struct path p;
    const double days[] = {2, 2};
    path(&p, 2, days, 0, 0, 9);
    expect(&p, ATTR_TIME_DECAY, 1001, (int64_t[]){501, 500}, NULL);
    expect(&p, ATTR_LINEAR, 1001, (int64_t[]){501, 500}, NULL);
}

/* ---- positions held by one touch ---- */

Test(attr_credit, first_is_also_lead_creation)
{
    struct path p;
    const double days[] = {0, 7, 14};
    path(&p, 3, days, 1, 14, 14);       /* lead t0 = first, deal t2 */
    /* U: t0 80, the rest 20 over t1 and t2: 10 each */
    expect(&p, ATTR_U_SHAPED, 1000, (int64_t[]){800, 100, 100}, NULL);
    /* W: t0 60, t2 30, t1 is the only rest: 10 */
    expect(&p, ATTR_W_SHAPED, 1000, (int64_t[]){600, 100, 300}, NULL);
    /* full path: t0 45, t2 45 (deal + last), t1 the rest: 10 */
    expect(&p, ATTR_FULL_PATH, 1000, (int64_t[]){450, 100, 450}, NULL);
}

Test(attr_credit, w_shaped_four_touches_two_unnamed)
{
    struct path p;
    const double days[] = {0, 7, 14, 21};
    path(&p, 4, days, 1, 14, 21);       /* lead t0, deal t2, last t3 */
    /* t0 60, t2 30, rest 10 over t1 and t3: 5 each */
    expect(&p, ATTR_W_SHAPED, 1000, (int64_t[]){600, 50, 300, 50},
           (unsigned char[]){1, 1, 1, 1});
    /* first touch: only t0 has a share */
    expect(&p, ATTR_FIRST_TOUCH, 1000, (int64_t[]){1000, 0, 0, 0},
           (unsigned char[]){1, 0, 0, 0});
}

Test(attr_credit, zero_amount_gives_zero_credits)
{
    struct path p;
    const double days[] = {0, 7, 14};
    path(&p, 3, days, 8, 14, 14);
    for (int m = 0; m < ATTR_MODELS; m++)
        expect(&p, (enum attr_model)m, 0, (int64_t[]){0, 0, 0}, NULL);
}

Test(attr_credit, largest_amount_is_exact)
{
    struct path p;
    const double days[] = {0, 7, 14};
    path(&p, 3, days, 8, 14, 14);
    /* INT64_MAX = 9223372036854775807 = 3 x 3074457345618258602 + 1 */
    expect(&p, ATTR_LINEAR, INT64_MAX, (int64_t[]){3074457345618258603LL,
           3074457345618258602LL, 3074457345618258602LL}, NULL);
    for (int m = 0; m < ATTR_MODELS; m++) {
        int64_t sum = 0;
        attr_credit((enum attr_model)m, p.at, 3, p.pos, p.closed, INT64_MAX,
                    p.credits, p.credited);
        for (int i = 0; i < 3; i++) {
            cr_expect_geq(p.credits[i], 0);
            sum += p.credits[i];
        }
        cr_expect_eq(sum, INT64_MAX, "%s", attr_model_name(m));
    }
}

Test(attr_model, names_round_trip)
{
    cr_expect_eq(attr_model_parse("u_shaped"), ATTR_U_SHAPED);
    cr_expect_eq(attr_model_parse("time_decay"), ATTR_TIME_DECAY);
    cr_expect_eq(attr_model_parse("U_SHAPED"), -1);
    cr_expect_eq(attr_model_parse(""), -1);
    for (int m = 0; m < ATTR_MODELS; m++)
        cr_expect_eq(attr_model_parse(attr_model_name(m)), m);
}

Test(attr_credit, long_paths_of_a_hundred_touches)
{
    enum { N = 100 };
    int64_t at[N], credits[N], sum = 0;
    unsigned char credited[N];
    int pos[ATTR_NPOS];
    for (int i = 0; i < N; i++)
        at[i] = T0 + i * D;
    attr_positions(at, N, T0 + 10 * D, T0 + 50 * D, pos);
    cr_expect_eq(pos[ATTR_LEAD], 10);
    cr_expect_eq(pos[ATTR_DEAL], 50);
    /* linear: 10.01 each -> 10, the 1 left to the first */
    attr_credit(ATTR_LINEAR, at, N, pos, at[N - 1], 1001, credits, credited);
    cr_expect_eq(credits[0], 11);
    for (int i = 1; i < N; i++)
        cr_expect_eq(credits[i], 10, "touch %d", i);
    /* W: first, lead, deal 30% of 97,000 = 29,100; the 97 others share
     * 10% (9,700): 100 each */
    attr_credit(ATTR_W_SHAPED, at, N, pos, at[N - 1], 97000, credits,
                credited);
    for (int i = 0; i < N; i++) {
        int named = i == 0 || i == 10 || i == 50;
        cr_expect_eq(credits[i], named ? 29100 : 100, "touch %d", i);
        sum += credits[i];
    }
    cr_expect_eq(sum, 97000);
    /* time decay: the last week (touches 93..99 are 6..0 days before the
     * last) weighs most; credits still sum to the amount */
    sum = 0;
    attr_credit(ATTR_TIME_DECAY, at, N, pos, at[N - 1], 1000000, credits,
                credited);
    for (int i = 0; i < N; i++) {
        sum += credits[i];
        if (i)
            cr_expect_geq(credits[i], credits[i - 1], "weights grow");
    }
    cr_expect_eq(sum, 1000000);
    /* touch 91 is one week before touch 98: half its weight (98, not
     * 99: the last touch also takes the rounding remainder) */
    cr_expect(credits[91] * 2 >= credits[98] - 2 &&
              credits[91] * 2 <= credits[98] + 2, "%lld %lld",
              (long long)credits[91], (long long)credits[98]);
}
