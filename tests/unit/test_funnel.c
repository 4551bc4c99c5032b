/* Unit tests for report/funnel.c's arithmetic and report/stats.c's
 * percentiles, on small cases computed by hand (SPEC §3, App. C):
 * skipped stages, backward moves, a contact re-entering a stage, empty
 * cohorts, a single contact, period mode's entries and parts, and
 * percentile_cont's interpolation checked against a sort. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "report/funnel.h"
#include "report/stats.h"

#define D 86400000LL                /* a day in ms */
#define T0 (20000 * D)              /* some day in 2024 */

enum { SUB, LEAD, MQL, SQL, OPP, CUST, EVANG };

/* A contact whose first entries are the given days after T0 (-1:
 * never). */
static void contact(int64_t first[FUNNEL_STAGES], const int days[7])
{
    for (int k = 0; k < FUNNEL_STAGES; k++)
        first[k] = days[k] < 0 ? 0 : T0 + days[k] * D;
}

/* Adds a cohort contact given by its days. */
static void add(struct funnel_acc *f, int s, int l, int m, int q, int o,
                int c, int e)
{
    int64_t first[FUNNEL_STAGES];
    const int days[7] = {s, l, m, q, o, c, e};
    contact(first, days);
    funnel_add_cohort(f, first);
}

Test(funnel, single_contact_with_skipped_stages)
{
    struct funnel_acc f = {0};
    struct funnel_out o;
    add(&f, -1, 0, 2, -1, -1, 10, -1);  /* lead, MQL, then customer */
    funnel_finish(&f, FUNNEL_COHORT, &o);
    cr_expect_eq(o.contacts, 1);
    const int64_t want[7] = {1, 1, 1, 1, 1, 1, 0};  /* skipped = reached */
    for (int k = 0; k < 7; k++)
        cr_expect_eq(o.count[k], want[k], "reached[%d]", k);
    cr_expect_float_eq(o.conversion[SUB], 1.0, 1e-12);
    cr_expect_float_eq(o.conversion[CUST], 0.0, 1e-12);
    cr_expect_float_eq(o.overall, 1.0, 1e-12);
    /* velocity only over contacts that entered both stages */
    cr_expect_not(o.has_velocity[SUB]);
    cr_expect(o.has_velocity[LEAD]);
    cr_expect_float_eq(o.median[LEAD], 2.0, 1e-12);
    cr_expect_float_eq(o.p75[LEAD], 2.0, 1e-12);
    cr_expect_float_eq(o.median[MQL], 8.0, 1e-12);  /* MQL -> customer */
    cr_expect_not(o.has_velocity[SQL]);
    cr_expect_not(o.has_velocity[OPP]);
    cr_expect_not(o.has_velocity[CUST]);
    cr_expect_eq(o.part[0], 1);
    cr_expect_eq(o.part[1], 1);
    cr_expect_eq(o.part[2], 1);
    funnel_acc_free(&f);
}

Test(funnel, empty_cohort_is_all_zero)
{
    struct funnel_acc f = {0};
    struct funnel_out o;
    funnel_finish(&f, FUNNEL_COHORT, &o);
    cr_expect_eq(o.contacts, 0);
    for (int k = 0; k < 7; k++) {
        cr_expect_eq(o.count[k], 0);
        cr_expect_float_eq(o.conversion[k], 0.0, 1e-12);
        cr_expect_not(o.has_velocity[k]);
    }
    cr_expect_float_eq(o.overall, 0.0, 1e-12);
    funnel_acc_free(&f);
}

Test(funnel, contact_without_stage_counts_in_cohort_only)
{
    struct funnel_acc f = {0};
    struct funnel_out o;
    add(&f, -1, -1, -1, -1, -1, -1, -1);
    add(&f, 0, -1, -1, -1, -1, -1, -1);
    funnel_finish(&f, FUNNEL_COHORT, &o);
    cr_expect_eq(o.contacts, 2);
    cr_expect_eq(o.count[SUB], 1);
    cr_expect_eq(o.count[LEAD], 0);
    cr_expect_float_eq(o.conversion[SUB], 0.0, 1e-12);
    funnel_acc_free(&f);
}

Test(funnel, backward_moves_and_reentries_keep_first_entries)
{
    /* lead d0, MQL d3, back to lead d5, MQL again d9, SQL d12: first
     * entries lead 0, MQL 3, SQL 12 */
    struct funnel_acc f = {0};
    struct funnel_out o;
    add(&f, -1, 0, 3, 12, -1, -1, -1);
    /* imported as opportunity d0, moved back to lead d20, customer d30:
     * lead's next entry must follow it (opportunity d0 does not) */
    add(&f, -1, 20, -1, -1, 0, 30, -1);
    funnel_finish(&f, FUNNEL_COHORT, &o);
    const int64_t want[7] = {2, 2, 2, 2, 1, 1, 0};
    for (int k = 0; k < 7; k++)
        cr_expect_eq(o.count[k], want[k], "reached[%d]", k);
    /* lead -> next: 3 days and 10 days */
    cr_expect_float_eq(o.median[LEAD], 6.5, 1e-12);
    cr_expect_float_eq(o.p75[LEAD], 8.25, 1e-12);
    cr_expect_float_eq(o.median[MQL], 9.0, 1e-12);
    cr_expect_float_eq(o.median[OPP], 30.0, 1e-12);
    cr_expect_float_eq(o.conversion[SQL], 0.5, 1e-12);
    cr_expect_float_eq(o.overall, 0.5, 1e-12);
    funnel_acc_free(&f);
}

Test(funnel, merged_halves_equal_one_reader)
{
    /* two readers of one report, each a share of the contacts, merged:
     * the same figures as one reader of all of them */
    struct funnel_acc one = {0}, a = {0}, b = {0};
    struct funnel_out o1, o2;
    const int days[5][7] = {{0, 2, 5, -1, -1, -1, -1},
                            {-1, 0, 3, 12, -1, -1, -1},
                            {-1, 20, -1, -1, 0, 30, -1},
                            {1, 1, 9, 10, 11, 40, 41},
                            {-1, -1, -1, -1, -1, -1, -1}};
    for (int i = 0; i < 5; i++) {
        int64_t first[FUNNEL_STAGES];
        contact(first, days[i]);
        funnel_add_cohort(&one, first);
        funnel_add_cohort(i % 2 ? &b : &a, first);
    }
    funnel_acc_merge(&a, &b);
    cr_expect_eq(b.contacts, 0);
    cr_expect_eq(b.vel[LEAD].n, 0);
    funnel_finish(&one, FUNNEL_COHORT, &o1);
    funnel_finish(&a, FUNNEL_COHORT, &o2);
    cr_expect_eq(o2.contacts, 5);
    cr_expect_eq(o2.count[LEAD], 4);
    cr_expect_eq(o2.count[EVANG], 1);
    /* lead -> next: 3, 3, 10 and 8 days */
    cr_expect_float_eq(o2.median[LEAD], 5.5, 1e-12);
    for (int k = 0; k < FUNNEL_STAGES; k++) {
        cr_expect_eq(o2.count[k], o1.count[k], "count[%d]", k);
        cr_expect_eq(o2.has_velocity[k], o1.has_velocity[k]);
        cr_expect_float_eq(o2.median[k], o1.median[k], 1e-12);
        cr_expect_float_eq(o2.p75[k], o1.p75[k], 1e-12);
    }
    for (int p = 0; p < FUNNEL_PARTS; p++)
        cr_expect_eq(o2.part[p], o1.part[p]);
    funnel_acc_free(&one);
    funnel_acc_free(&a);
    funnel_acc_free(&b);
}

Test(funnel, single_entry_counts_equal_one_contact_at_a_time)
{
    /* what PostgreSQL counts by GROUP BY: contacts with at most one
     * first entry, n at a time, as funnel_add_cohort one by one */
    struct funnel_acc one = {0}, n = {0};
    struct funnel_out o1, o2;
    for (int k = -1; k < FUNNEL_STAGES; k++) {
        for (int i = 0; i < k + 3; i++) {
            int64_t first[FUNNEL_STAGES] = {0};
            if (k >= 0)
                first[k] = T0 + i * D;
            funnel_add_cohort(&one, first);
        }
        funnel_add_single(&n, k, k + 3);
    }
    funnel_finish(&one, FUNNEL_COHORT, &o1);
    funnel_finish(&n, FUNNEL_COHORT, &o2);
    cr_expect_eq(o2.contacts, 2 + 3 + 4 + 5 + 6 + 7 + 8 + 9);
    cr_expect_eq(o2.count[SUB], 3 + 4 + 5 + 6 + 7 + 8 + 9);
    cr_expect_eq(o2.count[EVANG], 9);
    for (int k = 0; k < FUNNEL_STAGES; k++) {
        cr_expect_eq(o2.count[k], o1.count[k], "count[%d]", k);
        cr_expect_not(o1.has_velocity[k]);
        cr_expect_not(o2.has_velocity[k]);
    }
    for (int p = 0; p < FUNNEL_PARTS; p++)
        cr_expect_eq(o2.part[p], o1.part[p]);
    funnel_acc_free(&one);
    funnel_acc_free(&n);
}

Test(funnel, same_time_entries_are_zero_day_steps)
{
    /* HubSpot often dates "became a lead" and "became an MQL" alike */
    struct funnel_acc f = {0};
    struct funnel_out o;
    add(&f, -1, 4, 4, -1, -1, -1, -1);
    funnel_finish(&f, FUNNEL_COHORT, &o);
    cr_expect(o.has_velocity[LEAD]);
    cr_expect_float_eq(o.median[LEAD], 0.0, 1e-12);
    funnel_acc_free(&f);
}

Test(funnel, next_entry_is_the_earliest_later_stage_after_it)
{
    int64_t first[FUNNEL_STAGES];
    const int days[7] = {-1, 10, -1, 30, 5, 20, -1};
    contact(first, days);
    cr_expect_eq(funnel_next_entry(first, LEAD), T0 + 20 * D);
    cr_expect_eq(funnel_next_entry(first, OPP), T0 + 20 * D);
    cr_expect_eq(funnel_next_entry(first, SQL), 0);
    cr_expect_eq(funnel_part_entry(first, 0), T0 + 10 * D);
    cr_expect_eq(funnel_part_entry(first, 1), T0 + 30 * D);
    cr_expect_eq(funnel_part_entry(first, 2), T0 + 5 * D);
}

Test(funnel, hand_computed_cohort)
{
    /* four contacts:
     *   A subscriber 0, lead 1, MQL 4, SQL 5, opportunity 9, customer 21
     *   B subscriber 0, lead 3
     *   C lead 0, MQL 2
     *   D subscriber 0
     * reached: sub 4, lead 3, MQL 2, SQL 1, opp 1, customer 1, evang 0
     * sub -> next: A 1, B 3 (C never entered subscriber) => median 2,
     *   p75 2.5; lead -> next: A 3, C 2 => median 2.5, p75 2.75 */
    struct funnel_acc f = {0};
    struct funnel_out o;
    add(&f, 0, 1, 4, 5, 9, 21, -1);
    add(&f, 0, 3, -1, -1, -1, -1, -1);
    add(&f, -1, 0, 2, -1, -1, -1, -1);
    add(&f, 0, -1, -1, -1, -1, -1, -1);
    funnel_finish(&f, FUNNEL_COHORT, &o);
    const int64_t want[7] = {4, 3, 2, 1, 1, 1, 0};
    for (int k = 0; k < 7; k++)
        cr_expect_eq(o.count[k], want[k], "reached[%d]", k);
    cr_expect_float_eq(o.conversion[SUB], 0.75, 1e-12);
    cr_expect_float_eq(o.conversion[LEAD], 2.0 / 3.0, 1e-12);
    cr_expect_float_eq(o.conversion[MQL], 0.5, 1e-12);
    cr_expect_float_eq(o.conversion[CUST], 0.0, 1e-12);
    cr_expect_float_eq(o.median[SUB], 2.0, 1e-12);
    cr_expect_float_eq(o.p75[SUB], 2.5, 1e-12);
    cr_expect_float_eq(o.median[LEAD], 2.5, 1e-12);
    cr_expect_float_eq(o.p75[LEAD], 2.75, 1e-12);
    cr_expect_float_eq(o.median[OPP], 12.0, 1e-12);
    cr_expect_float_eq(o.overall, 0.25, 1e-12);
    cr_expect_eq(o.part[0], 4);
    cr_expect_eq(o.part[1], 2);
    cr_expect_eq(o.part[2], 1);
    funnel_acc_free(&f);
}

Test(funnel, period_mode_counts_entries_and_parts)
{
    /* entries in the period only: B's subscriber entry lies before it */
    struct funnel_acc f = {0};
    struct funnel_out o;
    int64_t a[FUNNEL_STAGES], b[FUNNEL_STAGES];
    const int da[7] = {-1, 10, 12, -1, -1, -1, -1};
    const int db[7] = {-5, 11, -1, -1, -1, -1, -1};
    contact(a, da);
    contact(b, db);
    funnel_add_entry(&f, LEAD, a);
    funnel_add_entry(&f, MQL, a);
    funnel_add_entry(&f, LEAD, b);
    f.part[0] += 1;                     /* A entered TOFU in the period */
    f.part[1] += 1;
    funnel_finish(&f, FUNNEL_PERIOD, &o);
    cr_expect_eq(o.count[SUB], 0);
    cr_expect_eq(o.count[LEAD], 2);
    cr_expect_eq(o.count[MQL], 1);
    cr_expect_float_eq(o.conversion[SUB], 0.0, 1e-12);  /* 0 when none */
    cr_expect_float_eq(o.conversion[LEAD], 0.5, 1e-12);
    cr_expect_float_eq(o.median[LEAD], 2.0, 1e-12);     /* only A */
    cr_expect_eq(o.part[0], 1);
    cr_expect_eq(o.part[1], 1);
    funnel_acc_free(&f);
}

/* Sorts for the reference percentile. */
static int cmp64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

Test(stats, percentile_cont_known_answers)
{
    struct samples s = {0};
    for (int i = 4; i >= 1; i--)
        samples_add(&s, i);
    cr_expect_float_eq(samples_percentile(&s, 0.5), 2.5, 1e-12);
    cr_expect_float_eq(samples_percentile(&s, 0.75), 3.25, 1e-12);
    cr_expect_float_eq(samples_percentile(&s, 0.0), 1.0, 1e-12);
    cr_expect_float_eq(samples_percentile(&s, 1.0), 4.0, 1e-12);
    samples_free(&s);
    samples_add(&s, 5);
    cr_expect_float_eq(samples_percentile(&s, 0.75), 5.0, 1e-12);
    samples_free(&s);
    samples_add(&s, 10);
    samples_add(&s, 0);
    cr_expect_float_eq(samples_percentile(&s, 0.5), 5.0, 1e-12);
    cr_expect_float_eq(samples_percentile(&s, 0.75), 7.5, 1e-12);
    samples_free(&s);
}

Test(stats, selection_matches_a_sort)
{
    srand(42);
    for (int round = 0; round < 50; round++) {
        struct samples s = {0};
        size_t n = 1 + (size_t)(rand() % 2000);
        int spread = 1 + rand() % (round % 2 ? 5 : 1000000); /* many ties */
        for (size_t i = 0; i < n; i++)
            samples_add(&s, rand() % spread);
        int64_t *ref = malloc(n * sizeof(*ref));
        memcpy(ref, s.v, n * sizeof(*ref));
        qsort(ref, n, sizeof(*ref), cmp64);
        const double ps[] = {0.0, 0.25, 0.5, 0.75, 0.9, 1.0};
        for (size_t j = 0; j < sizeof(ps) / sizeof(ps[0]); j++) {
            double pos = ps[j] * (double)(n - 1);
            size_t k = (size_t)pos;
            double want = (double)ref[k] + (k + 1 < n ? ((double)ref[k + 1] -
                          (double)ref[k]) * (pos - (double)k) : 0.0);
            cr_expect_float_eq(samples_percentile(&s, ps[j]), want, 1e-6,
                               "n %zu p %.2f", n, ps[j]);
        }
        free(ref);
        samples_free(&s);
    }
}
