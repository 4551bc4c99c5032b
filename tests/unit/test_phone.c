/* Unit tests for util/phone.c: E.164 normalisation with Vietnam as the
 * default region (SPEC §2, §12) and the digit forms of a phone search. */
#include <criterion/criterion.h>
#include <string.h>

#include "util/phone.h"

/* Asserts phone_e164(in) succeeds with want. */
static void e164_is(const char *in, const char *want)
{
    char out[PHONE_E164_SIZE];
    cr_assert_eq(phone_e164(in, out, sizeof(out)), 0, "\"%s\" refused", in);
    cr_assert_str_eq(out, want, "phone_e164(\"%s\")", in);
}

/* Asserts phone_e164(in) refuses and leaves out empty. */
static void refused(const char *in)
{
    char out[PHONE_E164_SIZE] = "junk";
    cr_assert_eq(phone_e164(in, out, sizeof(out)), -1, "\"%s\" accepted", in);
    cr_assert_str_eq(out, "", "\"%s\" left output", in);
}

Test(phone, vn_mobile_forms_are_equivalent)
{
    e164_is("0912 345 678", "+84912345678");
    e164_is("+84 912-345-678", "+84912345678");
    e164_is("84912345678", "+84912345678");
    e164_is("(+84) 912.345.678", "+84912345678");
    e164_is("0084912345678", "+84912345678");
    e164_is("0912345678", "+84912345678");
    e164_is("0912/345/678", "+84912345678");
}

Test(phone, vn_mobile_prefixes)
{
    e164_is("0321 234 567", "+84321234567");
    e164_is("0512 345 678", "+84512345678");
    e164_is("0771 234 567", "+84771234567");
    e164_is("0812 345 678", "+84812345678");
    e164_is("0981 234 567", "+84981234567");
}

Test(phone, vn_landline_becomes_e164)
{
    e164_is("024 3825 1234", "+842438251234");
    e164_is("(028) 3822-1234", "+842838221234");
    e164_is("+84 24 3825 1234", "+842438251234");
    e164_is("842438251234", "+842438251234");
}

Test(phone, trunk_zero_after_84_is_tolerated)
{
    e164_is("+84 (0) 912 345 678", "+84912345678");
    e164_is("+84 024 3825 1234", "+842438251234");
    e164_is("0084 0912 345 678", "+84912345678");
}

Test(phone, other_countries_keep_their_digits)
{
    e164_is("+1 (415) 555-2671", "+14155552671");
    e164_is("0044 20 7946 0958", "+442079460958");
    e164_is("+65 6123 4567", "+6561234567");
    e164_is("+12345678", "+12345678");               /* 8 digits */
    e164_is("+123456789012345", "+123456789012345"); /* 15 digits */
}

Test(phone, surrounding_spaces_are_ignored)
{
    e164_is("  0912 345 678  ", "+84912345678");
    e164_is(" + 84 912 345 678", "+84912345678");
}

Test(phone, letters_and_extensions_are_refused)
{
    refused("0912 345 678 x12");
    refused("0912 345 678 ext 12");
    refused("call 0912345678");
    refused("0912345678a");
    refused("091234567８"); /* full-width digit */
    refused("0912\t345\t678");
    refused("0912,345,678");
}

Test(phone, empty_and_short_are_refused)
{
    refused("");
    refused("   ");
    refused("+");
    refused("0");
    refused("+1234567"); /* 7 digits */
    refused("1234");
    refused(NULL);
}

Test(phone, too_long_is_refused)
{
    refused("+1234567890123456"); /* 16 digits */
    refused("001234567890123456");
    refused("0912345678901234567890");
}

Test(phone, misplaced_plus_is_refused)
{
    refused("84+912345678");
    refused("0912+345678");
    refused("++84912345678");
    refused("-+84912345678");
    refused("+0912345678"); /* no country code starts with 0 */
    refused("000912345678");
}

Test(phone, invalid_vietnamese_lengths_are_refused)
{
    refused("091234567");    /* 0 + 8 digits */
    refused("09123456789");  /* 0 + 10 digits, not 2x */
    refused("0123 456 789"); /* old 01x mobile prefix */
    refused("0612 345 678"); /* 6 is not a mobile prefix */
    refused("024 3825 123"); /* landline one digit short */
    refused("024 3825 12345");
    refused("+84 91234567");
    refused("+84 1900 1234");
    refused("8491234567");
    refused("0084 12345678");
}

Test(phone, numbers_without_prefix_are_refused)
{
    refused("912345678");
    refused("1900 1234");
    refused("12345678");
}

Test(phone, output_needs_room)
{
    char small[PHONE_E164_SIZE - 1];
    cr_assert_eq(phone_e164("0912345678", small, sizeof(small)), -1);
    cr_assert_eq(phone_e164("0912345678", NULL, 0), -1);
}

Test(phone, query_forms_drop_non_digits)
{
    char f[2][24];
    cr_assert_eq(phone_query_forms("0912", f), 1);
    cr_assert_str_eq(f[0], "0912");
    cr_assert_eq(phone_query_forms("0912 345-678", f), 1);
    cr_assert_str_eq(f[0], "0912345678");
    cr_assert_eq(phone_query_forms("(345)", f), 1);
    cr_assert_str_eq(f[0], "345");
}

Test(phone, query_forms_add_national_form_after_84)
{
    char f[2][24];
    cr_assert_eq(phone_query_forms("+84 912", f), 2);
    cr_assert_str_eq(f[0], "84912");
    cr_assert_str_eq(f[1], "0912");
    cr_assert_eq(phone_query_forms("84912345678", f), 2);
    cr_assert_str_eq(f[0], "84912345678");
    cr_assert_str_eq(f[1], "0912345678");
    cr_assert_eq(phone_query_forms("0084 912 345", f), 2);
    cr_assert_str_eq(f[0], "0084912345");
    cr_assert_str_eq(f[1], "0912345");
    /* "+849": the national form "09" is too short to write */
    cr_assert_eq(phone_query_forms("+849", f), 1);
    cr_assert_str_eq(f[0], "849");
}

Test(phone, query_forms_refuse_text_and_short_queries)
{
    char f[2][24];
    cr_assert_eq(phone_query_forms("09", f), 0);
    cr_assert_eq(phone_query_forms("+84", f), 0);
    cr_assert_eq(phone_query_forms("", f), 0);
    cr_assert_eq(phone_query_forms("nguyen 0912", f), 0);
    cr_assert_eq(phone_query_forms("Đăng 0912", f), 0);
    cr_assert_eq(phone_query_forms("0912x", f), 0);
    cr_assert_eq(phone_query_forms("123456789012345678", f), 0);
    cr_assert_eq(phone_query_forms(NULL, f), 0);
}
