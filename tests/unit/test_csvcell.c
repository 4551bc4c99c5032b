/* Unit tests for util/csvcell.c: the formula guard of SPEC App. C
 * (ASCII and fullwidth triggers, leading blanks, tab and CR), E.164
 * phones left as they are, and quoting through libcsv. */
#include <criterion/criterion.h>
#include <string.h>

#include "util/csvcell.h"

/* The cell as csvcell_add writes it. */
static const char *cell(const char *s, int guard)
{
    static struct buf b;
    buf_release(&b);
    buf_init(&b, 1 << 20);
    csvcell_add(&b, s, guard);
    return buf_cstr(&b);
}

Test(csvcell, formula_triggers_are_risky)
{
    static const char *const risky[] = {
        "=1+2", "+1", "-1", "@SUM(A1)", "=HYPERLINK(\"http://x\")",
        "\t=1", "\tplain", "\rplain", "  =1", " \n@x",
        "\xef\xbc\x9d" "1+2",           /* ＝ */
        "\xef\xbc\x8b" "1",             /* ＋ */
        "\xef\xbc\x8d" "1",             /* － */
        "\xef\xbc\xa0" "x",             /* ＠ */
        "\xc2\xa0=1",                   /* no-break space, then = */
        "\xe3\x80\x80+1",               /* ideographic space, then + */
        "\xe2\x80\x8b-1",               /* zero-width space, then - */
        "\xef\xbb\xbf@x",               /* BOM, then @ */
        NULL};
    for (int i = 0; risky[i]; i++)
        cr_expect(csvcell_risky(risky[i]), "not risky: %s", risky[i]);
}

Test(csvcell, ordinary_text_is_not_risky)
{
    static const char *const fine[] = {
        "", "Nguyễn Văn An", "1+2", "a=b", "x-y", "an@x.vn", " a", "'=1",
        "\xef\xbc\xa1", "Đặng", "2026-03-01", "\xe2\x80\x94 dash", NULL};
    for (int i = 0; fine[i]; i++)
        cr_expect(!csvcell_risky(fine[i]), "risky: %s", fine[i]);
}

Test(csvcell, guarded_cells_get_a_quote_prefix)
{
    cr_expect_str_eq(cell("=1+2", 1), "'=1+2");
    cr_expect_str_eq(cell("@SUM(A1)", 1), "'@SUM(A1)");
    cr_expect_str_eq(cell("-2+3", 1), "'-2+3");
    cr_expect_str_eq(cell("\xef\xbc\x9d" "1", 1), "'\xef\xbc\x9d" "1");
    /* the prefix goes inside the quotes a tab or comma needs */
    cr_expect_str_eq(cell("\t=1", 1), "'\t=1");
    cr_expect_str_eq(cell("=1,2", 1), "\"'=1,2\"");
    cr_expect_str_eq(cell("\r\n=1", 1), "\"'\r\n=1\"");
    /* without guard the text goes out as it is */
    cr_expect_str_eq(cell("=1+2", 0), "=1+2");
}

Test(csvcell, quoting_follows_rfc4180)
{
    cr_expect_str_eq(cell("plain", 1), "plain");
    cr_expect_str_eq(cell("a,b", 1), "\"a,b\"");
    cr_expect_str_eq(cell("say \"hi\"", 1), "\"say \"\"hi\"\"\"");
    cr_expect_str_eq(cell("two\nlines", 1), "\"two\nlines\"");
    cr_expect_str_eq(cell(" padded ", 1), "\" padded \"");
    cr_expect_str_eq(cell("", 1), "\"\"");
    cr_expect_str_eq(cell(NULL, 1), "");
    cr_expect_str_eq(cell("Công ty TNHH Minh Phát", 1),
                     "Công ty TNHH Minh Phát");
}

Test(csvcell, e164_numbers_are_recognised)
{
    cr_expect(csvcell_is_e164("+84912345678"));
    cr_expect(csvcell_is_e164("+842438888888"));
    cr_expect(csvcell_is_e164("+12025550123"));
    cr_expect(!csvcell_is_e164("+0912345678"));
    cr_expect(!csvcell_is_e164("0912345678"));
    cr_expect(!csvcell_is_e164("+84 912 345 678"));
    cr_expect(!csvcell_is_e164("+8491"));
    cr_expect(!csvcell_is_e164("+1234567890123456"));
    cr_expect(!csvcell_is_e164("+84912345678=1"));
    cr_expect(!csvcell_is_e164("+"));
}
