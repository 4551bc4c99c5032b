/* Unit tests for report/campaigns.c's arithmetic and arguments (SPEC §4
 * "campaign performance"; decision 0015): cost per lead / MQL / customer
 * rounded half up and null on 0, ROI as a fraction and null without
 * cost, conversion rates, and the query's parameters. Every expected
 * value is worked out in the comment beside it. */
#include <criterion/criterion.h>
#include <stdint.h>

#include "report/campaigns.h"

Test(campaigns, cost_per_divides_exactly)
{
    int64_t x = -1;
    cr_assert_eq(camp_cost_per(4000000, 2, &x), 0);
    cr_assert_eq(x, 2000000);
}

Test(campaigns, cost_per_rounds_half_up)
{
    int64_t x = -1;
    cr_assert_eq(camp_cost_per(4000000, 3, &x), 0);    /* 1,333,333.33 */
    cr_assert_eq(x, 1333333);
    cr_assert_eq(camp_cost_per(5, 2, &x), 0);          /* 2.5 -> 3 */
    cr_assert_eq(x, 3);
    cr_assert_eq(camp_cost_per(7, 4, &x), 0);          /* 1.75 -> 2 */
    cr_assert_eq(x, 2);
    cr_assert_eq(camp_cost_per(5, 4, &x), 0);          /* 1.25 -> 1 */
    cr_assert_eq(x, 1);
    cr_assert_eq(camp_cost_per(0, 9, &x), 0);          /* no cost: 0 */
    cr_assert_eq(x, 0);
}

Test(campaigns, cost_per_nothing_is_null)
{
    int64_t x = 42;
    cr_assert_eq(camp_cost_per(4000000, 0, &x), -1);
    cr_assert_eq(x, 42);                                /* untouched */
}

Test(campaigns, cost_per_survives_the_largest_costs)
{
    int64_t x = 0;
    /* 2 * INT64_MAX would overflow 64 bits: 128-bit arithmetic */
    cr_assert_eq(camp_cost_per(INT64_MAX, 1, &x), 0);
    cr_assert_eq(x, INT64_MAX);
    cr_assert_eq(camp_cost_per(INT64_MAX, 2, &x), 0);  /* .5 -> up */
    cr_assert_eq(x, INT64_MAX / 2 + 1);
}

Test(campaigns, roi_is_a_fraction)
{
    double r = 0;
    cr_assert_eq(camp_roi(3000000, 1000000, &r), 0);   /* (3 - 1) / 1 */
    cr_assert_float_eq(r, 2.0, 1e-12);
    cr_assert_eq(camp_roi(500000, 4000000, &r), 0);    /* -3.5 / 4 */
    cr_assert_float_eq(r, -0.875, 1e-12);
    cr_assert_eq(camp_roi(0, 100000, &r), 0);          /* all lost */
    cr_assert_float_eq(r, -1.0, 1e-12);
    cr_assert_eq(camp_roi(100, 100, &r), 0);           /* break even */
    cr_assert_float_eq(r, 0.0, 1e-12);
}

Test(campaigns, roi_without_cost_is_null)
{
    double r = 7;
    cr_assert_eq(camp_roi(1000000, 0, &r), -1);
    cr_assert_float_eq(r, 7.0, 0);
}

Test(campaigns, rates_and_their_nulls)
{
    double r = 0;
    cr_assert_eq(camp_rate(2, 3, &r), 0);
    cr_assert_float_eq(r, 2.0 / 3.0, 1e-12);
    cr_assert_eq(camp_rate(0, 5, &r), 0);
    cr_assert_float_eq(r, 0.0, 0);
    cr_assert_eq(camp_rate(0, 0, &r), -1);
}

/* Reads key=value into q; the error's field on failure, else NULL. */
static const char *arg(struct camp_query *q, const char *k, const char *v,
                       struct arena *a)
{
    struct err err = {0};
    return camp_query_arg(q, k, v, a, &err) ? err.field : NULL;
}

Test(campaigns, query_defaults_and_sort)
{
    struct camp_query q;
    struct arena a;
    struct err err = {0};
    arena_init(&a);
    camp_query_init(&q);
    cr_assert_eq(q.model, ATTR_LINEAR);
    cr_assert_eq(q.sort, CC_REVENUE);
    cr_assert_eq(q.desc, 1);
    cr_assert_eq(camp_query_check(&q, 0, &err), 0);    /* CLI: open */
    cr_assert_eq(camp_query_check(&q, 1, &err), E_INVALID);
    cr_assert_str_eq(err.field, "from");
    cr_assert_null(arg(&q, "sort", "cost_per_lead", &a));
    cr_assert_eq(q.sort, CC_COST_PER_LEAD);
    cr_assert_eq(q.desc, 0);
    cr_assert_null(arg(&q, "sort", "-name", &a));
    cr_assert_eq(q.sort, CC_NAME);
    cr_assert_eq(q.desc, 1);
    cr_assert_str_eq(arg(&q, "sort", "-", &a), "sort");
    cr_assert_str_eq(arg(&q, "sort", "--name", &a), "sort");
    cr_assert_str_eq(camp_col_name(CC_CAC), "cac");
    cr_assert_null(camp_col_name(CC_COLS));
    arena_release(&a);
}

Test(campaigns, query_period_and_filters)
{
    struct camp_query q;
    struct arena a;
    struct err err = {0};
    arena_init(&a);
    camp_query_init(&q);
    cr_assert_null(arg(&q, "from", "2025-03-01", &a));
    cr_assert_null(arg(&q, "to", "2025-03-31", &a));
    /* 31 whole days: to is included */
    cr_assert_eq(q.to_ms - q.from_ms, 31 * 86400000LL);
    cr_assert_eq(camp_query_check(&q, 1, &err), 0);
    cr_assert_null(arg(&q, "channel", "paid_search", &a));
    cr_assert_str_eq(q.channel, "paid_search");
    cr_assert_str_eq(arg(&q, "channel", "Paid_search", &a), "channel");
    cr_assert_null(arg(&q, "model", "time_decay", &a));
    cr_assert_eq(q.model, ATTR_TIME_DECAY);
    cr_assert_str_eq(arg(&q, "model", "linear2", &a), "model");
    cr_assert_str_eq(arg(&q, "currency", "vnd", &a), "currency");
    cr_assert_str_eq(arg(&q, "by", "campaign", &a), "by");
    cr_assert_str_eq(arg(&q, "to", "2025-02-31", &a), "to");
    cr_assert_null(arg(&q, "to", "2025-02-01", &a));
    cr_assert_eq(camp_query_check(&q, 1, &err), E_INVALID);
    cr_assert_str_eq(err.field, "from");                /* after to */
    arena_release(&a);
}

/* ---- one contact through the funnel (camp_count_contact) ---- */

#define N CAMP_NEVER
#define LO 1000
#define HI 2000             /* the period [1000, 2000) */

/* Counts one contact created at created with the given first entries
 * (subscriber, lead, MQL, SQL, opportunity, customer, evangelist). */
static struct camp_counts one(int64_t created, int64_t sub, int64_t lead,
                              int64_t mql, int64_t sql, int64_t opp,
                              int64_t cust, int64_t evan)
{
    const int64_t became[7] = {sub, lead, mql, sql, opp, cust, evan};
    struct camp_counts c = {0};
    camp_count_contact(&c, created, became, LO, HI);
    return c;
}

Test(campaigns, contact_in_order_inside_the_period)
{
    /* created, lead, MQL, SQL in the period; customer after it */
    struct camp_counts c = one(1100, N, 1100, 1200, 1300, N, 2500, N);
    cr_assert_eq(c.new_contacts, 1);
    cr_assert_eq(c.leads, 1);
    cr_assert_eq(c.mqls, 1);
    cr_assert_eq(c.mql_sql, 1);         /* became SQL */
    cr_assert_eq(c.sqls, 1);
    cr_assert_eq(c.sql_cust, 1);        /* became customer, later */
    cr_assert_eq(c.customers, 0);       /* not in the period */
}

Test(campaigns, a_skipped_stage_counts_as_reached)
{
    /* straight to customer in the period: lead, MQL, SQL and customer */
    struct camp_counts c = one(500, N, N, N, N, N, 1500, N);
    cr_assert_eq(c.new_contacts, 0);    /* created before */
    cr_assert_eq(c.leads, 1);
    cr_assert_eq(c.mqls, 1);
    cr_assert_eq(c.mql_sql, 1);
    cr_assert_eq(c.sqls, 1);
    cr_assert_eq(c.sql_cust, 1);
    cr_assert_eq(c.customers, 1);
}

Test(campaigns, an_earlier_entry_keeps_a_stage_out_of_the_period)
{
    /* a lead before the period, MQL in it: an MQL, not a lead; an
     * opportunity before the period makes SQL (or later) earlier */
    struct camp_counts c = one(500, N, 900, 1500, N, N, N, N);
    cr_assert_eq(c.leads, 0);
    cr_assert_eq(c.mqls, 1);
    cr_assert_eq(c.mql_sql, 0);         /* never became SQL */
    c = one(500, N, 1200, 1300, N, 800, N, N);
    cr_assert_eq(c.leads, 0);           /* reached lead-or-later at 800 */
    cr_assert_eq(c.mqls, 0);
    cr_assert_eq(c.sqls, 0);
}

Test(campaigns, period_ends_and_subscribers)
{
    /* from is included, to is not; a subscriber only is no lead */
    struct camp_counts c = one(LO, LO, N, N, N, N, N, N);
    cr_assert_eq(c.new_contacts, 1);
    cr_assert_eq(c.leads, 0);
    c = one(HI, N, HI, N, N, N, N, N);
    cr_assert_eq(c.new_contacts, 0);
    cr_assert_eq(c.leads, 0);
    c = one(HI - 1, N, N, N, N, N, N, HI - 1);   /* evangelist at once */
    cr_assert_eq(c.leads + c.mqls + c.sqls + c.customers, 4);
}
