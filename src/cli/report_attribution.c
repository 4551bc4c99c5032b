/* pheu report attribution (SPEC §4, App. B): the attribution report on
 * the command line, as an aligned table with each row's share, as CSV,
 * or as the API's JSON document. The command line sees every deal. */
#include "cli/cli.h"
#include "report/attribution.h"
#include "util/csvcell.h"
#include "util/money.h"
#include "util/opt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An integer member of o. */
static json_int_t num(const json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

/* The text of a row's key ("12", "email"), or NULL for null. */
static const char *key_text(const json_t *v, char *buf, size_t len)
{
    if (json_is_string(v))
        return json_string_value(v);
    if (!json_is_integer(v))
        return NULL;
    snprintf(buf, len, "%lld", (long long)json_integer_value(v));
    return buf;
}

/* "42.1%" of part in total ("-" when total is 0). */
static const char *share(json_int_t part, json_int_t total, char *buf,
                         size_t len)
{
    if (total <= 0)
        return "-";
    snprintf(buf, len, "%.1f%%", 100.0 * (double)part / (double)total);
    return buf;
}

/* Prints the rows as CSV: key,name,revenue,share,touchpoints (revenue
 * in minor units, share of total_revenue as a fraction). */
static int print_csv(const json_t *doc)
{
    struct buf b;
    const json_t *row;
    size_t i;
    json_int_t total = num(doc, "total_revenue");
    buf_init(&b, (size_t)-1);
    buf_adds(&b, "key,name,revenue,share,touchpoints\r\n");
    json_array_foreach(json_object_get(doc, "rows"), i, row) {
        char kb[32];
        csvcell_add(&b, key_text(json_object_get(row, "key"), kb,
                                 sizeof(kb)), 1);
        buf_adds(&b, ",");
        csvcell_add(&b, json_string_value(json_object_get(row, "name")), 1);
        buf_addf(&b, ",%lld,", (long long)num(row, "revenue"));
        if (total > 0)
            buf_addf(&b, "%.6f", (double)num(row, "revenue") /
                     (double)total);
        buf_addf(&b, ",%lld\r\n", (long long)num(row, "touchpoints"));
    }
    int rc = fwrite(b.data, 1, b.len, stdout) == b.len ? 0 : 1;
    buf_release(&b);
    return rc;
}

/* Prints the excluded deals: "Excluded (no exchange rate): 2 deals,
 * USD 1,250.00". */
static void print_excluded(const json_t *doc)
{
    const json_t *ex = json_object_get(doc, "excluded"), *v;
    const char *cur;
    if (!num(ex, "deals"))
        return;
    printf("Excluded (no exchange rate): %lld deals",
           (long long)num(ex, "deals"));
    json_object_foreach((json_t *)json_object_get(ex, "revenue_by_currency"),
                        cur, v) {
        char mb[48];
        printf(", %s %s", cur, money_format(json_integer_value(v),
               money_decimals(cur), mb, sizeof(mb)));
    }
    putchar('\n');
}

/* Prints the report as a table: revenue, share and touchpoints, then
 * the campaign or channel (names last: they vary in width). */
static int print_table(const json_t *doc)
{
    const char *cur = json_string_value(json_object_get(doc, "currency"));
    const json_t *from = json_object_get(doc, "won_from");
    const json_t *to = json_object_get(doc, "won_to"), *row;
    int dec = money_decimals(cur);
    json_int_t total = num(doc, "total_revenue");
    char mb[48], sb[16], kb[32];
    size_t i;
    printf("Attribution, %s by %s, deals won %s%s%s%s\n",
           json_string_value(json_object_get(doc, "model")),
           json_string_value(json_object_get(doc, "by")),
           json_is_string(from) ? "from " : "",
           json_is_string(from) ? json_string_value(from) : "",
           json_is_string(to) ? (json_is_string(from) ? " to " : "until ")
                              : json_is_string(from) ? "" : "at any time",
           json_is_string(to) ? json_string_value(to) : "");
    printf("Total revenue %s %s over %lld deals\n\n", cur,
           money_format(total, dec, mb, sizeof(mb)),
           (long long)num(doc, "deals"));
    printf("%26s %7s %11s  %-8s %s\n", "revenue", "share", "touchpoints",
           "key", "name");
    json_array_foreach(json_object_get(doc, "rows"), i, row) {
        const char *k = key_text(json_object_get(row, "key"), kb, sizeof(kb));
        printf("%26s %7s %11lld  %-8s %s\n",
               money_format(num(row, "revenue"), dec, mb, sizeof(mb)),
               share(num(row, "revenue"), total, sb, sizeof(sb)),
               (long long)num(row, "touchpoints"), k ? k : "-",
               json_string_value(json_object_get(row, "name")));
    }
    const json_t *un = json_object_get(doc, "unattributed");
    printf("%26s %7s %11s  %-8s (unattributed: %lld deals without "
           "touches)\n", money_format(num(un, "revenue"), dec, mb,
           sizeof(mb)), share(num(un, "revenue"), total, sb, sizeof(sb)),
           "", "", (long long)num(un, "deals"));
    print_excluded(doc);
    return fflush(stdout) ? 1 : 0;
}

/* cli_report_print_fn: the table or the CSV. */
static int print_report(const json_t *doc, const char *fmt)
{
    return strcmp(fmt, "csv") ? print_table(doc) : print_csv(doc);
}

/* The query of a run and the arena its strings live in. */
struct run_ctx {
    struct attr_query q;
    struct arena a;
};

/* cli_report_run_fn: the report over every deal. */
static int run_report(struct db_conn *c, void *ctx, json_t **doc,
                      struct err *err)
{
    struct run_ctx *rc = ctx;
    return attribution_run(c, NULL, &rc->q, doc, &rc->a, err);
}

/* Reads the options into q as the API reads its parameters; a missing
 * --from or --to leaves that end of the period open. 2 on bad usage
 * (printed, naming the option). */
static int read_options(struct attr_query *q, const char *const vals[5],
                        struct arena *a)
{
    static const char *const KEYS[] = {"model", "by", "won_from", "won_to",
                                       "currency"};
    static const char *const OPTS[] = {"model", "by", "from", "to",
                                       "currency"};
    struct err err = {0};
    int rc = 0;
    for (int i = 0; i < 5 && !rc; i++)
        if (vals[i])
            rc = attr_query_arg(q, KEYS[i], vals[i], a, &err);
    if (!rc)
        rc = attr_query_check(q, 0, &err);
    if (!rc)
        return 0;
    for (int i = 0; i < 5; i++)
        if (err.field && !strcmp(err.field, KEYS[i]))
            err.field = OPTS[i];
    fprintf(stderr, "pheu: --%s: %s\n", err.field ? err.field : "?",
            err.msg);
    return 2;
}

/* pheu report attribution --model M [--by campaign|channel] [--from D]
 * [--to D] [--currency C] [--format table|csv|json] [--db URL] */
int cmd_report_attribution(int argc, char **argv)
{
    const char *url = DEFAULT_DB, *format = "table";
    const char *vals[5] = {NULL, "campaign", NULL, NULL, NULL};
    struct opt opts[] = {
        OPT_STR("db", &url, "PHEU_DB", DB_HELP),
        OPT_STR("model", &vals[0], NULL, "first_touch, last_touch, linear, "
                "u_shaped, w_shaped, full_path or time_decay"),
        OPT_STR("by", &vals[1], NULL, "campaign (default) or channel"),
        OPT_STR("from", &vals[2], NULL, "first day deals were won, "
                "YYYY-MM-DD (default: the start)"),
        OPT_STR("to", &vals[3], NULL, "last day deals were won, YYYY-MM-DD "
                "(default: no end)"),
        OPT_STR("currency", &vals[4], NULL, "report currency (default: the "
                "settings' currency)"),
        OPT_STR("format", &format, NULL, "table (default), csv or json"),
        OPT_END,
    };
    int rc = opt_parse(argc, argv, opts, "pheu report attribution --model "
                       "M [--by campaign|channel] [--from YYYY-MM-DD] [--to "
                       "YYYY-MM-DD] [--currency C] [--format "
                       "table|csv|json]", NULL);
    if (rc)
        return rc == 1 ? 0 : rc;
    struct run_ctx run;
    arena_init(&run.a);
    attr_query_init(&run.q);
    rc = read_options(&run.q, vals, &run.a);
    if (!rc)
        rc = cli_report(url, format, run_report, &run, print_report);
    arena_release(&run.a);
    return rc;
}
