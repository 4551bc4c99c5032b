/* Unit tests for util/clock.c: ISO 8601 formatting and parsing with known
 * answers (leap years, offsets, fractions), round trips, refusals, and
 * the fake clock. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "util/clock.h"

#define T_2026_03_01_0830 1772353800000LL

static void teardown(void)
{
    clock_set_fake(0);
}

TestSuite(clock, .fini = teardown);

/* Formats ms and compares with want. */
static void expect_iso(int64_t ms, const char *want)
{
    char buf[32];
    clock_iso(ms, buf, sizeof(buf));
    cr_expect_str_eq(buf, want, "ms %lld", (long long)ms);
}

/* Parses s and compares with want. */
static void expect_parse(const char *s, int64_t want)
{
    int64_t ms = -42;
    cr_expect_eq(clock_parse_iso(s, &ms), 0, "'%s' refused", s);
    cr_expect_eq(ms, want, "'%s' gave %lld, want %lld", s, (long long)ms,
                 (long long)want);
}

static void expect_refused(const char *s)
{
    int64_t ms = -42;
    cr_expect_eq(clock_parse_iso(s, &ms), -1, "'%s' accepted", s);
    cr_expect_eq(ms, -42, "'%s' changed the output", s);
}

Test(clock, iso_writes_whole_seconds_without_fraction)
{
    expect_iso(T_2026_03_01_0830, "2026-03-01T08:30:00Z");
    expect_iso(0, "1970-01-01T00:00:00Z");
    expect_iso(1798761599000LL, "2026-12-31T23:59:59Z");
    expect_iso(2147483648000LL, "2038-01-19T03:14:08Z");
}

Test(clock, iso_writes_milliseconds_when_present)
{
    expect_iso(T_2026_03_01_0830 + 123, "2026-03-01T08:30:00.123Z");
    expect_iso(T_2026_03_01_0830 + 5, "2026-03-01T08:30:00.005Z");
    expect_iso(999, "1970-01-01T00:00:00.999Z");
}

Test(clock, iso_handles_times_before_the_epoch)
{
    expect_iso(-1, "1969-12-31T23:59:59.999Z");
    expect_iso(-1000, "1969-12-31T23:59:59Z");
    expect_iso(-14182940000LL, "1969-07-20T20:17:40Z");
}

Test(clock, iso_writes_leap_day)
{
    expect_iso(1709164800000LL, "2024-02-29T00:00:00Z");
    expect_iso(951825600000LL, "2000-02-29T12:00:00Z");
}

Test(clock, parse_reads_utc)
{
    expect_parse("2026-03-01T08:30:00Z", T_2026_03_01_0830);
    expect_parse("1970-01-01T00:00:00Z", 0);
    expect_parse("1969-07-20T20:17:40Z", -14182940000LL);
}

Test(clock, parse_date_only_is_midnight_utc)
{
    expect_parse("2026-01-01", 1767225600000LL);
    expect_parse("2024-02-29", 1709164800000LL);
}

Test(clock, parse_accepts_space_and_no_seconds)
{
    expect_parse("2026-03-01 08:30:00Z", T_2026_03_01_0830);
    expect_parse("2026-03-01T08:30Z", T_2026_03_01_0830);
}

Test(clock, parse_converts_offsets_to_utc)
{
    expect_parse("2026-03-01T15:30:00+07:00", T_2026_03_01_0830);
    expect_parse("2026-03-01T15:30:00+0700", T_2026_03_01_0830);
    expect_parse("2026-03-01T03:30:00-05:00", T_2026_03_01_0830);
    expect_parse("2026-03-01T08:30:00+00:00", T_2026_03_01_0830);
    expect_parse("2026-03-01T14:00:00+05:30", T_2026_03_01_0830);
    /* an offset that crosses midnight into the previous day */
    expect_parse("2026-03-01T05:00:00+07:00", 1772316000000LL);
}

Test(clock, parse_reads_fractions_to_milliseconds)
{
    expect_parse("2026-03-01T08:30:00.5Z", T_2026_03_01_0830 + 500);
    expect_parse("2026-03-01T08:30:00.05Z", T_2026_03_01_0830 + 50);
    expect_parse("2026-03-01T08:30:00.123Z", T_2026_03_01_0830 + 123);
    /* beyond milliseconds is truncated, not rounded */
    expect_parse("2026-03-01T08:30:00.123999Z", T_2026_03_01_0830 + 123);
    expect_parse("2026-03-01T15:30:00.250+07:00", T_2026_03_01_0830 + 250);
}

Test(clock, leap_day_accepted_only_in_leap_years)
{
    expect_parse("2024-02-29T00:00:00Z", 1709164800000LL);
    expect_parse("2000-02-29T12:00:00Z", 951825600000LL);
    expect_refused("2026-02-29T00:00:00Z");
    expect_refused("2026-02-29");
    expect_refused("1900-02-29"); /* divisible by 100, not by 400 */
    expect_refused("2100-02-29");
    expect_refused("2024-02-30");
}

Test(clock, month_lengths_are_checked)
{
    expect_parse("2026-04-30", 1777507200000LL);
    expect_refused("2026-04-31");
    expect_refused("2026-06-31");
    expect_refused("2026-09-31");
    expect_refused("2026-11-31");
    expect_refused("2026-01-32");
    expect_refused("2026-01-00");
}

Test(clock, bad_inputs_are_refused)
{
    static const char *const bad[] = {
        "",
        "2026",
        "2026-03",
        "2026-3-01",
        "2026-03-1",
        "26-03-01",
        "2026/03/01",
        "2026-13-01",
        "2026-00-10",
        "2026-03-01T",
        "2026-03-01T08",
        "2026-03-01T8:30Z",
        "2026-03-01T24:00:00Z",
        "2026-03-01T08:60:00Z",
        "2026-03-01T08:30:60Z",
        "2026-03-01T08:30:00",   /* a time needs a zone */
        "2026-03-01T08:30:00.Z", /* a dot needs digits */
        "2026-03-01T08:30:00Zx",
        "2026-03-01T08:30:00z",
        "2026-03-01T08:30:00+15:00",
        "2026-03-01T08:30:00+07:60",
        "2026-03-01T08:30:00+7:00",
        "2026-03-01T08:30:00+07",
        "2026-03-01x",
        " 2026-03-01",
        "2026-03-01 ",
        "２０２６-03-01",
        "abcd-ef-gh",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_refused(bad[i]);
}

Test(clock, parse_refuses_null)
{
    int64_t ms = 7;
    cr_assert_eq(clock_parse_iso(NULL, &ms), -1);
    cr_assert_eq(ms, 7);
}

Test(clock, iso_round_trips_through_parse)
{
    /* seeded linear congruential walk over 1900..2200 */
    uint64_t x = 0x5eed;
    const int64_t lo = -2208988800000LL, span = 9467107200000LL;
    for (int i = 0; i < 5000; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        int64_t ms = lo + (int64_t)((x >> 11) % (uint64_t)span);
        if (i % 2)
            ms -= ms % 1000; /* half without a fraction */
        char buf[32];
        clock_iso(ms, buf, sizeof(buf));
        int64_t back = 0;
        cr_assert_eq(clock_parse_iso(buf, &back), 0, "'%s' refused", buf);
        cr_assert_eq(back, ms, "'%s' gave %lld, want %lld", buf,
                     (long long)back, (long long)ms);
    }
}

Test(clock, fake_clock_is_returned_until_cleared)
{
    clock_set_fake(T_2026_03_01_0830);
    cr_assert_eq(clock_now_ms(), T_2026_03_01_0830);
    cr_assert_eq(clock_now_ms(), T_2026_03_01_0830);
    clock_set_fake(T_2026_03_01_0830 + 1);
    cr_assert_eq(clock_now_ms(), T_2026_03_01_0830 + 1);
    clock_set_fake(0);
    /* the real clock: after 2024-01-01 */
    cr_assert_gt(clock_now_ms(), 1704067200000LL);
}

Test(clock, monotonic_clock_does_not_go_back)
{
    int64_t a = clock_mono_us();
    int64_t b = clock_mono_us();
    cr_assert_geq(b, a);
    cr_assert_gt(a, 0);
}
