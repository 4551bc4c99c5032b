/* Unit tests for import/csvin.c and import/mapping.c: records from
 * awkward CSV (BOM, quotes, newlines in fields, other delimiters, empty
 * input, unclosed quotes), header aliases of HubSpot and Salesforce
 * exports, stage and source labels, dates in Vietnam time, amounts. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "import/csvin.h"
#include "import/mapping.h"

struct seen {
    int n;
    char cells[16][8][64];
    int nf[16];
    int64_t numbers[16];
};

/* Keeps every record (up to 16 of 8 fields). */
static int keep(const struct csv_record *r, void *ctx)
{
    struct seen *s = ctx;
    if (s->n == 16)
        return 0;
    s->nf[s->n] = r->nfields;
    s->numbers[s->n] = r->number;
    for (int i = 0; i < r->nfields && i < 8; i++)
        snprintf(s->cells[s->n][i], 64, "%s", r->fields[i]);
    s->n++;
    return 0;
}

/* Reads text through csvin_read; returns its result. */
static int read_text(const char *text, size_t len, struct seen *s,
                     char *msg, int64_t *at)
{
    FILE *f = fmemopen((void *)text, len, "rb");
    cr_assert_not_null(f);
    memset(s, 0, sizeof(*s));
    int rc = csvin_read(f, keep, s, msg, 160, at);
    fclose(f);
    return rc;
}

Test(csvin, bom_quotes_and_newlines_in_fields)
{
    static const char t[] = "\xEF\xBB\xBF" "Tên,Ghi chú\n"
                            "\"Nguyễn, An\",\"dòng 1\ndòng 2\"\n"
                            "\"say \"\"hi\"\"\",x\r\n";
    struct seen s;
    char msg[160];
    int64_t at;
    cr_assert_eq(read_text(t, sizeof(t) - 1, &s, msg, &at), 0, "%s", msg);
    cr_assert_eq(s.n, 3);
    cr_expect_str_eq(s.cells[0][0], "Tên");
    cr_expect_str_eq(s.cells[1][0], "Nguyễn, An");
    cr_expect_str_eq(s.cells[1][1], "dòng 1\ndòng 2");
    cr_expect_str_eq(s.cells[2][0], "say \"hi\"");
    cr_expect_eq(s.numbers[2], 3);
}

Test(csvin, delimiter_comes_from_the_header)
{
    cr_expect_eq(csvin_delimiter("a;b;c\n", 6), ';');
    cr_expect_eq(csvin_delimiter("a\tb\tc\n", 6), '\t');
    cr_expect_eq(csvin_delimiter("\"a;b\",c\n", 8), ',');
    cr_expect_eq(csvin_delimiter("abc\n", 4), ',');
    static const char t[] = "email\tname\nx@y.vn\tAn Bình\n";
    struct seen s;
    char msg[160];
    int64_t at;
    cr_assert_eq(read_text(t, sizeof(t) - 1, &s, msg, &at), 0);
    cr_expect_eq(s.nf[1], 2);
    cr_expect_str_eq(s.cells[1][1], "An Bình");    /* space kept */
}

Test(csvin, empty_input_is_an_error)
{
    struct seen s;
    char msg[160];
    int64_t at;
    cr_expect_eq(read_text("", 0, &s, msg, &at), -1);
    cr_expect_str_eq(msg, "the file is empty");
    cr_expect_eq(at, 1);
    cr_expect_eq(read_text("\xEF\xBB\xBF", 3, &s, msg, &at), -1);
}

Test(mapping, hubspot_and_salesforce_columns)
{
    struct col_map m = mapping_column(&OBJ_CONTACT, "First Name", NULL);
    cr_expect_eq(m.kind, COL_FIELD);
    cr_expect_str_eq(m.target, "first_name");
    m = mapping_column(&OBJ_CONTACT, "Phone Number", NULL);
    cr_expect_str_eq(m.target, "phone");
    m = mapping_column(&OBJ_CONTACT, "Became a Marketing Qualified Lead "
                       "Date", NULL);
    cr_expect_eq(m.kind, COL_BECAME);
    cr_expect_str_eq(m.target, "marketing_qualified_lead");
    cr_expect_eq(mapping_column(&OBJ_CONTACT, "Contact owner", NULL).kind,
                 COL_OWNER);
    cr_expect_eq(mapping_column(&OBJ_CONTACT, "Account Name", NULL).kind,
                 COL_COMPANY);
    cr_expect_eq(mapping_column(&OBJ_DEAL, "Deal Stage", NULL).kind,
                 COL_STAGE);
    cr_expect_str_eq(mapping_column(&OBJ_COMPANY, "Company Domain Name",
                                    NULL).target, "domain");
    cr_expect_eq(mapping_column(&OBJ_CONTACT, "Favourite colour",
                                NULL).kind, COL_IGNORE);
    cr_expect_eq(mapping_column(&OBJ_CONTACT, "score", NULL).kind,
                 COL_IGNORE);                   /* read-only */
    m = mapping_column(&OBJ_CONTACT, "Mail", "Tên=first_name,Mail=email");
    cr_expect_str_eq(m.target, "email");
    char msg[160];
    cr_expect_eq(mapping_check(&OBJ_CONTACT, "a=nope", msg, sizeof(msg)),
                 -1);
    cr_expect_eq(mapping_check(&OBJ_CONTACT, "a=became_lead,b=owner", msg,
                               sizeof(msg)), 0);
}

Test(mapping, values)
{
    cr_expect_str_eq(mapping_stage("marketingqualifiedlead"),
                     "marketing_qualified_lead");
    cr_expect_str_eq(mapping_stage("Sales Qualified Lead"),
                     "sales_qualified_lead");
    cr_expect_null(mapping_stage("prospect"));
    cr_expect_str_eq(mapping_source("Paid Social"), "social");
    cr_expect_str_eq(mapping_source("Direct Traffic"), "direct");
    cr_expect_str_eq(mapping_source("AI referrals"), "other");
    int64_t ms;
    cr_assert_eq(mapping_time("2026-03-01 10:00", &ms), 0);
    cr_expect_eq(ms, 1772334000000LL);          /* 03:00Z */
    cr_assert_eq(mapping_time("2026-03-01T10:00:00+07:00", &ms), 0);
    cr_expect_eq(ms, 1772334000000LL);
    cr_assert_eq(mapping_time("2026-03-01", &ms), 0);
    cr_expect_eq(ms, 1772298000000LL);          /* 2026-02-28T17:00Z */
    cr_expect_eq(mapping_time("2026-02-30", &ms), -1);
    cr_expect_eq(mapping_time("01/03/2026", &ms), -1);
    int64_t a;
    cr_assert_eq(mapping_amount("150,000,000", 0, &a), 0);
    cr_expect_eq(a, 150000000);
    cr_assert_eq(mapping_amount("1,250.50", 2, &a), 0);
    cr_expect_eq(a, 125050);
    cr_assert_eq(mapping_amount("12,5", 2, &a), 0);
    cr_expect_eq(a, 1250);
    cr_expect_eq(mapping_amount("12.5", 0, &a), -1);
    cr_assert_eq(mapping_amount("80.000.000", 0, &a), 0);   /* Vietnamese */
    cr_expect_eq(a, 80000000);
    cr_assert_eq(mapping_amount("1.250,50", 2, &a), 0);
    cr_expect_eq(a, 125050);
    cr_expect_eq(mapping_amount("abc", 0, &a), -1);
    cr_expect_str_eq(mapping_size_band("120"), "51-200");
    cr_expect_str_eq(mapping_size_band("5001+"), "5001+");
    cr_expect_null(mapping_size_band("many"));
}
