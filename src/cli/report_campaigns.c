/* pheu report campaigns (SPEC §4, App. B): the campaign performance
 * report on the command line, as an aligned table, as CSV (one line per
 * campaign, the API's row names as the header), or as the API's JSON
 * document. The command line sees every record. */
#include "cli/cli.h"
#include "report/campaigns.h"
#include "util/csvcell.h"
#include "util/money.h"
#include "util/opt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The options in the order of camp_query_arg's keys. */
#define NOPTS 6
static const char *const KEYS[NOPTS] = {"from", "to", "model", "currency",
                                        "channel", "sort"};

/* Money in major units ("1,250,000"), or "-" for null. */
static const char *money(const json_t *v, int dec, char *buf, size_t len)
{
    if (!json_is_integer(v))
        return "-";
    return money_format(json_integer_value(v), dec, buf, len);
}

/* "42.1%" of a fraction, or "-" for null. */
static const char *percent(const json_t *v, char *buf, size_t len)
{
    if (!json_is_number(v))
        return "-";
    snprintf(buf, len, "%.1f%%", json_number_value(v) * 100.0);
    return buf;
}

/* Prints one line of the table: figures first, the name last. */
static void table_line(const json_t *r, int dec, const char *id,
                       const char *name)
{
    char b[6][48];
    const char *cnt[] = {"touchpoints", "new_contacts", "leads", "mqls",
                         "sqls", "deals", "customers"};
    printf("%6s %18s", id, money(json_object_get(r, "cost"), dec, b[0],
                                 sizeof(b[0])));
    for (size_t i = 0; i < sizeof(cnt) / sizeof(cnt[0]); i++)
        printf(" %8lld", (long long)json_integer_value(json_object_get(r,
               cnt[i])));
    printf(" %18s %14s %14s %8s  %s\n",
           money(json_object_get(r, "revenue"), dec, b[1], sizeof(b[1])),
           money(json_object_get(r, "cost_per_lead"), dec, b[2],
                 sizeof(b[2])),
           money(json_object_get(r, "cac"), dec, b[3], sizeof(b[3])),
           percent(json_object_get(r, "roi"), b[4], sizeof(b[4])), name);
}

/* Prints the report as a table, one campaign a line, then the totals. */
static int print_table(const json_t *doc)
{
    const char *cur = json_string_value(json_object_get(doc, "currency"));
    const json_t *from = json_object_get(doc, "from");
    const json_t *to = json_object_get(doc, "to"), *row;
    int dec = money_decimals(cur);
    size_t i;
    printf("Campaign performance, %s to %s, revenue by %s, %s\n\n",
           json_is_string(from) ? json_string_value(from) : "the start",
           json_is_string(to) ? json_string_value(to) : "now",
           json_string_value(json_object_get(doc, "model")), cur);
    printf("%6s %18s %8s %8s %8s %8s %8s %8s %8s %18s %14s %14s %8s  %s\n",
           "id", "cost", "touches", "new", "leads", "mqls", "sqls", "deals",
           "custs", "revenue", "per lead", "cac", "roi", "name");
    json_array_foreach(json_object_get(doc, "rows"), i, row) {
        char id[24];
        snprintf(id, sizeof(id), "%lld", (long long)json_integer_value(
                 json_object_get(row, "campaign_id")));
        table_line(row, dec, id, json_string_value(json_object_get(row,
                   "name")));
    }
    table_line(json_object_get(doc, "totals"), dec, "", "(total)");
    return fflush(stdout) ? 1 : 0;
}

/* Appends one CSV cell of a row's JSON value (null: empty). */
static void csv_value(struct buf *b, const json_t *v)
{
    if (json_is_string(v))
        csvcell_add(b, json_string_value(v), 1);
    else if (json_is_integer(v))
        buf_addf(b, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        buf_addf(b, "%.6f", json_real_value(v));
}

/* Prints the rows as CSV with the API's names as the header. */
static int print_csv(const json_t *doc)
{
    static const char *const EXTRA[] = {"parent_id", NULL};
    struct buf b;
    const json_t *row;
    size_t i;
    buf_init(&b, (size_t)-1);
    for (int k = 0; k < CC_COLS; k++)
        buf_addf(&b, "%s%s", k ? "," : "", camp_col_name(k));
    buf_addf(&b, ",%s\r\n", EXTRA[0]);
    json_array_foreach(json_object_get(doc, "rows"), i, row) {
        for (int k = 0; k < CC_COLS; k++) {
            if (k)
                buf_adds(&b, ",");
            csv_value(&b, json_object_get(row, camp_col_name(k)));
        }
        buf_adds(&b, ",");
        csv_value(&b, json_object_get(row, EXTRA[0]));
        buf_adds(&b, "\r\n");
    }
    int rc = fwrite(b.data, 1, b.len, stdout) == b.len ? 0 : 1;
    buf_release(&b);
    return rc;
}

/* cli_report_print_fn: the table or the CSV. */
static int print_report(const json_t *doc, const char *fmt)
{
    return strcmp(fmt, "csv") ? print_table(doc) : print_csv(doc);
}

/* The query of a run and the arena its strings live in. */
struct run_ctx {
    struct camp_query q;
    struct arena a;
};

/* cli_report_run_fn: the report over every record. */
static int run_report(struct db_conn *c, void *ctx, json_t **doc,
                      struct err *err)
{
    struct run_ctx *rc = ctx;
    return campaign_report_run(c, NULL, &rc->q, doc, &rc->a, err);
}

/* Reads the options into q as the API reads its parameters (an omitted
 * --from or --to leaves that end open). 2 on bad usage (printed, naming
 * the option). */
static int read_options(struct camp_query *q, const char *const vals[NOPTS],
                        struct arena *a)
{
    struct err err = {0};
    int rc = 0;
    for (int i = 0; i < NOPTS && !rc; i++)
        if (vals[i])
            rc = camp_query_arg(q, KEYS[i], vals[i], a, &err);
    if (!rc)
        rc = camp_query_check(q, 0, &err);
    if (!rc)
        return 0;
    fprintf(stderr, "pheu: --%s: %s\n", err.field ? err.field : "?",
            err.msg);
    return 2;
}

/* pheu report campaigns [--from D] [--to D] [--model M] [--currency C]
 * [--channel CH] [--sort COL] [--format table|csv|json] [--db URL] */
int cmd_report_campaigns(int argc, char **argv)
{
    const char *url = DEFAULT_DB, *format = "table";
    const char *vals[NOPTS] = {NULL};
    struct opt opts[] = {
        OPT_STR("db", &url, "PHEU_DB", DB_HELP),
        OPT_STR("from", &vals[0], NULL, "first day of the period, "
                "YYYY-MM-DD (default: the start)"),
        OPT_STR("to", &vals[1], NULL, "last day of the period, YYYY-MM-DD "
                "(default: no end)"),
        OPT_STR("model", &vals[2], NULL, "attribution model of the revenue "
                "(default linear)"),
        OPT_STR("currency", &vals[3], NULL, "report currency (default: the "
                "settings' currency)"),
        OPT_STR("channel", &vals[4], NULL, "only campaigns of this channel"),
        OPT_STR("sort", &vals[5], NULL, "column to sort by, '-' first for "
                "descending (default -revenue)"),
        OPT_STR("format", &format, NULL, "table (default), csv or json"),
        OPT_END,
    };
    int rc = opt_parse(argc, argv, opts, "pheu report campaigns [--from "
                       "YYYY-MM-DD] [--to YYYY-MM-DD] [--model M] "
                       "[--currency C] [--channel CH] [--sort COL] "
                       "[--format table|csv|json]", NULL);
    if (rc)
        return rc == 1 ? 0 : rc;
    struct run_ctx run;
    arena_init(&run.a);
    camp_query_init(&run.q);
    rc = read_options(&run.q, vals, &run.a);
    if (!rc)
        rc = cli_report(url, format, run_report, &run, print_report);
    arena_release(&run.a);
    return rc;
}
