/* Unit tests for util/money.c: minor-unit decimals, reading rates from
 * JSON numbers exactly, and conversions worked out by hand (half up,
 * cross rates through the base currency, different decimals, overflow). */
#include <criterion/criterion.h>
#include <stdint.h>

#include "util/money.h"

static const struct money_rate ONE = {1, 0};

/* Converts and checks; rates given as integers. */
static int64_t conv(int64_t amount, const char *from, int64_t rfrom,
                    const char *to, int64_t rto)
{
    struct money_rate a, b;
    int64_t out = -1;
    cr_assert_eq(money_rate_from_int(rfrom, &a), 0);
    cr_assert_eq(money_rate_from_int(rto, &b), 0);
    cr_assert_eq(money_convert(amount, money_decimals(from), a,
                               money_decimals(to), b, &out), 0);
    return out;
}

Test(money, decimals_of_common_currencies)
{
    cr_expect_eq(money_decimals("VND"), 0);
    cr_expect_eq(money_decimals("JPY"), 0);
    cr_expect_eq(money_decimals("KRW"), 0);
    cr_expect_eq(money_decimals("USD"), 2);
    cr_expect_eq(money_decimals("EUR"), 2);
    cr_expect_eq(money_decimals("THB"), 2);
    cr_expect_eq(money_decimals("KWD"), 3);
}

Test(money, code_shape)
{
    cr_expect(money_code_valid("USD"));
    cr_expect_not(money_code_valid("usd"));
    cr_expect_not(money_code_valid("US"));
    cr_expect_not(money_code_valid("USDX"));
    cr_expect_not(money_code_valid(NULL));
}

Test(money, rates_read_as_written)
{
    struct money_rate r;
    cr_assert_eq(money_rate_from_int(25400, &r), 0);
    cr_expect_eq(r.mant, 254);
    cr_expect_eq(r.exp, 2);
    cr_assert_eq(money_rate_from_double(25400.5, &r), 0);
    cr_expect_eq(r.mant, 254005);
    cr_expect_eq(r.exp, -1);
    cr_assert_eq(money_rate_from_double(0.0000394, &r), 0);
    cr_expect_eq(r.mant, 394);
    cr_expect_eq(r.exp, -7);
    cr_assert_eq(money_rate_from_double(0.1, &r), 0);   /* not 0.1000..055 */
    cr_expect_eq(r.mant, 1);
    cr_expect_eq(r.exp, -1);
    cr_expect_eq(money_rate_from_int(0, &r), -1);
    cr_expect_eq(money_rate_from_int(-3, &r), -1);
    cr_expect_eq(money_rate_from_double(-1.5, &r), -1);
    cr_expect_eq(money_rate_from_double(0.0, &r), -1);
}

Test(money, foreign_deal_into_the_base_currency)
{
    /* USD 123.45 at 25,400 VND = 3,135,630 VND */
    struct money_rate usd;
    int64_t out;
    money_rate_from_int(25400, &usd);
    cr_assert_eq(money_convert(12345, 2, usd, 0, ONE, &out), 0);
    cr_expect_eq(out, 3135630);
    /* USD 0.01 at 25,400.5 = 254.005 VND -> 254 */
    money_rate_from_double(25400.5, &usd);
    cr_assert_eq(money_convert(1, 2, usd, 0, ONE, &out), 0);
    cr_expect_eq(out, 254);
    /* USD 0.02 at 25,400.5 = 508.01 -> 508; 0.10 = 2540.05 -> 2540 */
    cr_assert_eq(money_convert(10, 2, usd, 0, ONE, &out), 0);
    cr_expect_eq(out, 2540);
}

Test(money, base_into_a_foreign_report_rounds_half_up)
{
    /* VND -> USD at 25,000: 12,500 VND = 0.50 USD = 50 cents */
    cr_expect_eq(conv(12500, "VND", 1, "USD", 25000), 50);
    /* 125 VND = 0.005 USD = half a cent -> 1 cent; 124 -> 0 */
    cr_expect_eq(conv(125, "VND", 1, "USD", 25000), 1);
    cr_expect_eq(conv(124, "VND", 1, "USD", 25000), 0);
    cr_expect_eq(conv(0, "VND", 1, "USD", 25000), 0);
}

Test(money, cross_rates_through_the_base)
{
    /* EUR 100.00 (27,000 VND) in USD (25,000 VND): 108.00 USD */
    cr_expect_eq(conv(10000, "EUR", 27000, "USD", 25000), 10800);
    /* JPY 1,000 (170 VND) in USD: 6.80 USD; different decimals */
    cr_expect_eq(conv(1000, "JPY", 170, "USD", 25000), 680);
    /* USD 6.80 back into JPY: 1,000 */
    cr_expect_eq(conv(680, "USD", 25000, "JPY", 170), 1000);
}

Test(money, overflow_is_refused_and_tiny_results_are_zero)
{
    struct money_rate usd, tiny;
    int64_t out = 7;
    money_rate_from_int(25400, &usd);
    cr_expect_eq(money_convert(INT64_MAX, 2, usd, 0, ONE, &out), -1);
    money_rate_from_double(1e-30, &tiny);
    cr_assert_eq(money_convert(1000, 0, tiny, 2, ONE, &out), 0);
    cr_expect_eq(out, 0);
    /* the largest amount in its own currency's shape stays exact */
    cr_assert_eq(money_convert(INT64_MAX, 2, ONE, 2, ONE, &out), 0);
    cr_expect_eq(out, INT64_MAX);
}

Test(money, format_groups_thousands_and_places_the_point)
{
    char b[64];
    cr_expect_str_eq(money_format(123456789, 2, b, sizeof(b)),
                     "1,234,567.89");
    cr_expect_str_eq(money_format(25163700000, 0, b, sizeof(b)),
                     "25,163,700,000");
    cr_expect_str_eq(money_format(5, 2, b, sizeof(b)), "0.05");
    cr_expect_str_eq(money_format(-1234, 0, b, sizeof(b)), "-1,234");
    cr_expect_str_eq(money_format(0, 0, b, sizeof(b)), "0");
    cr_expect_str_eq(money_format(999, 0, b, sizeof(b)), "999");
    cr_expect_str_eq(money_format(1000, 3, b, sizeof(b)), "1.000");
    cr_expect_str_eq(money_format(INT64_MIN, 0, b, sizeof(b)),
                     "-9,223,372,036,854,775,808");
}
