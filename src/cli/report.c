/* pheu report funnel (SPEC §3, App. B): the funnel report on the command
 * line, as an aligned table with a bar per stage, as CSV, or as the
 * API's JSON document. The command line sees every contact. */
#include "cli/cli.h"
#include "report/funnel.h"
#include "util/csvcell.h"
#include "util/opt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BAR_WIDTH 30        /* characters of the longest bar */

/* The query being read and the arena its strings live in. */
struct query_ctx {
    struct funnel_query *q;
    struct arena *a;
};

/* cli_query_fn: feeds one --filter argument to the query. */
static int filter_arg(const char *key, const char *value, void *ctx,
                      struct db_conn *c, struct err *err)
{
    struct query_ctx *qc = ctx;
    return funnel_query_arg(qc->q, c, key, value, qc->a, err);
}

/* A count with thousands separators ("1,234"). */
static const char *grouped(json_int_t n, char *buf, size_t len)
{
    char digits[32];
    int nd = snprintf(digits, sizeof(digits), "%lld", (long long)n), o = 0;
    for (int i = 0; i < nd && o + 2 < (int)len; i++) {
        if (i && digits[i] != '-' && (nd - i) % 3 == 0 && digits[i - 1] != '-')
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
    return buf;
}

/* "42.1%" of a fraction, or "-" for null. */
static const char *percent(const json_t *v, char *buf, size_t len)
{
    if (!json_is_number(v))
        return "-";
    snprintf(buf, len, "%.1f%%", json_number_value(v) * 100.0);
    return buf;
}

/* Days with one decimal, or "-". */
static const char *days(const json_t *vel, const char *k, char *buf,
                        size_t len)
{
    const json_t *v = json_object_get(vel, k);
    if (!json_is_number(v))
        return "-";
    snprintf(buf, len, "%.1f", json_number_value(v));
    return buf;
}

/* Prints one funnel (stages, parts, overall) as a table with bars. */
static void print_table(const json_t *f, const char *what)
{
    const json_t *stages = json_object_get(f, "stages"), *s;
    size_t i;
    json_int_t max = 1;
    json_array_foreach(stages, i, s)
        if (json_integer_value(json_object_get(s, what)) > max)
            max = json_integer_value(json_object_get(s, what));
    printf("%-26s %-5s %10s %10s %9s %9s\n", "stage", "part", what,
           "to next", "median d", "p75 d");
    json_array_foreach(stages, i, s) {
        char b1[32], b2[32], b3[32], b4[32];
        json_int_t n = json_integer_value(json_object_get(s, what));
        const json_t *vel = json_object_get(s, "velocity_days");
        printf("%-26s %-5s %10s %10s %9s %9s  ",
               json_string_value(json_object_get(s, "stage")),
               json_string_value(json_object_get(s, "part")),
               grouped(n, b1, sizeof(b1)),
               percent(json_object_get(s, "conversion_to_next"), b2,
                       sizeof(b2)),
               days(vel, "median", b3, sizeof(b3)),
               days(vel, "p75", b4, sizeof(b4)));
        int w = (int)((n * BAR_WIDTH + max - 1) / max);
        for (int k = 0; k < w; k++)
            fputs("\u2588", stdout);
        putchar('\n');
    }
    const json_t *parts = json_object_get(f, "parts"), *p;
    json_array_foreach(parts, i, p) {
        char b[32];
        printf("%s%s %s", i ? " · " : "",
               json_string_value(json_object_get(p, "part")),
               grouped(json_integer_value(json_object_get(p, what)), b,
                       sizeof(b)));
    }
    char b[32];
    printf("   overall %s\n", percent(json_object_get(f, "overall"), b,
                                       sizeof(b)));
}

/* The text of a group key or name (NULL: none). */
static const char *key_text(const json_t *v, char *buf, size_t len)
{
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_integer(v)) {
        snprintf(buf, len, "%lld", (long long)json_integer_value(v));
        return buf;
    }
    return NULL;
}

/* Appends the CSV rows of one funnel (group key and name may be NULL). */
static void csv_rows(struct buf *b, const json_t *f, const char *what,
                     const char *key, const char *name)
{
    const json_t *s;
    size_t i;
    json_array_foreach(json_object_get(f, "stages"), i, s) {
        const json_t *vel = json_object_get(s, "velocity_days");
        const json_t *c = json_object_get(s, "conversion_to_next");
        csvcell_add(b, key, 1);
        buf_adds(b, ",");
        csvcell_add(b, name, 1);
        buf_addf(b, ",%s,%s,%lld,", json_string_value(json_object_get(s,
                 "stage")), json_string_value(json_object_get(s, "part")),
                 (long long)json_integer_value(json_object_get(s, what)));
        if (json_is_number(c))
            buf_addf(b, "%.6f", json_number_value(c));
        buf_adds(b, ",");
        if (json_is_object(vel))
            buf_addf(b, "%.4f,%.4f", json_number_value(json_object_get(vel,
                     "median")), json_number_value(json_object_get(vel,
                     "p75")));
        else
            buf_adds(b, ",");
        buf_adds(b, "\r\n");
    }
}

/* Prints the report in format fmt ("table", "csv" or "json"). */
static int print_report(const json_t *doc, const char *fmt)
{
    const char *what = strcmp(json_string_value(json_object_get(doc,
                              "mode")), "cohort") ? "entered" : "reached";
    const json_t *groups = json_object_get(doc, "groups"), *g;
    size_t i;
    if (!strcmp(fmt, "json")) {
        char *s = json_dumps(doc, JSON_COMPACT);
        int rc = s && printf("%s\n", s) > 0 ? 0 : 1;
        free(s);
        return rc;
    }
    if (!strcmp(fmt, "csv")) {
        struct buf b;
        buf_init(&b, (size_t)-1);
        buf_addf(&b, "group_key,group_name,stage,part,%s,conversion_to_next,"
                 "velocity_median_days,velocity_p75_days\r\n", what);
        csv_rows(&b, doc, what, NULL, NULL);
        json_array_foreach(groups, i, g) {
            char kb[32];
            csv_rows(&b, g, what, key_text(json_object_get(g, "key"), kb,
                     sizeof(kb)), key_text(json_object_get(g, "name"), kb,
                     sizeof(kb)));
        }
        int rc = fwrite(b.data, 1, b.len, stdout) == b.len ? 0 : 1;
        buf_release(&b);
        return rc;
    }
    char nb[32];
    printf("Funnel, %s mode, %s to %s: %s contacts\n\n",
           json_string_value(json_object_get(doc, "mode")),
           json_string_value(json_object_get(doc, "from")),
           json_string_value(json_object_get(doc, "to")),
           grouped(json_integer_value(json_object_get(doc, "contacts")), nb,
                   sizeof(nb)));
    print_table(doc, what);
    json_array_foreach(groups, i, g) {
        char kb[32];
        const char *name = key_text(json_object_get(g, "name"), kb,
                                    sizeof(kb));
        if (!name)
            name = key_text(json_object_get(g, "key"), kb, sizeof(kb));
        printf("\n== %s (%s contacts)\n", name ? name : "(none)",
               grouped(json_integer_value(json_object_get(g, "contacts")),
                       nb, sizeof(nb)));
        print_table(g, what);
    }
    return fflush(stdout) ? 1 : 0;
}

/* Reads the options into the query; 2 on bad usage (printed). */
static int read_options(struct query_ctx *qc, struct db_conn *c,
                        const char *const vals[4], const char *filter)
{
    struct err err = {0};
    struct funnel_query *q = qc->q;
    const char *keys[] = {"from", "to", "mode", "group_by"};
    int rc = 0;
    for (int i = 0; i < 4 && !rc; i++)
        if (vals[i])
            rc = funnel_query_arg(q, c, keys[i], vals[i], qc->a, &err);
    if (!rc && filter)
        rc = cli_read_query(filter, filter_arg, qc, c, &err);
    if (!rc)
        rc = funnel_query_check(q, &err);
    if (rc) {
        if (err.field && !strcmp(err.field, "group_by"))
            err.field = "group-by";
        cli_fail(&err);
        return 2;
    }
    return 0;
}

/* pheu report funnel --from D --to D [--mode cohort|period]
 * (pheu report attribution: cli/report_attribution.c; pheu report
 * campaigns: cli/report_campaigns.c)
 * [--group-by source|campaign|owner|team|month] [--filter Q]
 * [--format table|csv|json] [--db URL] */
int cmd_report(int argc, char **argv)
{
    for (int i = 0; i < argc; i++)      /* the report's name, not a value */
        if ((!strcmp(argv[i], "attribution") ||
             !strcmp(argv[i], "campaigns")) &&
            (i == 0 || strncmp(argv[i - 1], "--", 2) ||
             strchr(argv[i - 1], '=') || !strcmp(argv[i - 1], "--help"))) {
            int attr = argv[i][0] == 'a';
            memmove(&argv[i], &argv[i + 1], (size_t)(argc - i) *
                    sizeof(*argv));
            return attr ? cmd_report_attribution(argc - 1, argv)
                        : cmd_report_campaigns(argc - 1, argv);
        }
    const char *url = DEFAULT_DB, *from = NULL, *to = NULL, *mode = NULL,
               *group = NULL, *filter = NULL, *format = "table";
    int npos = 0;
    struct opt opts[] = {
        OPT_STR("db", &url, "PHEU_DB", DB_HELP),
        OPT_STR("from", &from, NULL, "first day of the period, YYYY-MM-DD"),
        OPT_STR("to", &to, NULL, "last day of the period, YYYY-MM-DD"),
        OPT_STR("mode", &mode, NULL, "cohort (default: contacts created in "
                "the period) or period (stages entered in it)"),
        OPT_STR("group-by", &group, NULL, "source, campaign, owner, team or "
                "month: one funnel per group"),
        OPT_STR("filter", &filter, NULL, "contact filter, e.g. "
                "'source=social&owner_id=3'"),
        OPT_STR("format", &format, NULL, "table (default), csv or json"),
        OPT_END,
    };
    const char *usage = "pheu report funnel --from YYYY-MM-DD --to "
                        "YYYY-MM-DD [--mode cohort|period] [--group-by "
                        "source|campaign|owner|team|month] [--filter Q] "
                        "[--format table|csv|json]\n       pheu report "
                        "attribution --model M [...]: see 'pheu report "
                        "attribution --help'\n       pheu report campaigns "
                        "[...]: see 'pheu report campaigns --help'";
    int rc = opt_parse(argc, argv, opts, usage, &npos);
    if (rc)
        return rc == 1 ? 0 : rc;
    if (npos != 1 || strcmp(argv[0], "funnel")) {
        fprintf(stderr, "pheu: report needs the report's name: funnel, "
                "attribution or campaigns\n");
        return 2;
    }
    if (strcmp(format, "table") && strcmp(format, "csv") &&
        strcmp(format, "json")) {
        fprintf(stderr, "pheu: --format must be table, csv or json\n");
        return 2;
    }
    struct db *db;
    struct db_conn *c;
    struct err err = {0};
    struct funnel_query q;
    struct arena a;
    json_t *doc = NULL;
    if (cli_open_db(url, &db))
        return 1;
    arena_init(&a);
    funnel_query_init(&q);
    rc = db_conn_get(db, &c, &err) ? 1 : 0;
    if (rc)
        cli_fail(&err);
    const char *vals[4] = {from, to, mode, group};
    struct query_ctx qc = {&q, &a};
    if (!rc)
        rc = read_options(&qc, c, vals, filter);
    if (!rc && funnel_run(c, &q, NULL, &doc, &a, &err))
        rc = cli_fail(&err);
    if (!rc)
        rc = print_report(doc, format);
    json_decref(doc);
    funnel_query_release(&q);
    arena_release(&a);
    db_close(db);
    return rc;
}
