/* pheu migrate-data --from URL --to URL: copy a whole Phễu database to
 * another engine (SQLite → PostgreSQL, or back), resumably. */
#include "cli/cli.h"
#include "store/transfer.h"
#include "util/opt.h"

#include <stdio.h>

/* Prints one table's line. */
static void report(const struct transfer_report *r, void *arg)
{
    (void)arg;
    printf("%-16s source %10lld  target %10lld  copied %10lld  %s\n",
           r->table, (long long)r->source_rows, (long long)r->target_rows,
           (long long)r->copied,
           r->source_rows == r->target_rows ? "ok" : "MISMATCH");
    fflush(stdout);
}

/* pheu migrate-data --from URL --to URL [--batch N] */
int cmd_migrate_data(int argc, char **argv)
{
    const char *from = NULL, *to = NULL;
    long batch = 10000;
    struct opt opts[] = {
        OPT_STR("from", &from, NULL, "source database (SQLite path, "
                "sqlite:PATH or postgres://...)"),
        OPT_STR("to", &to, NULL, "target database; created if empty"),
        OPT_INT("batch", &batch, NULL, "rows per committed batch"),
        OPT_END,
    };
    int rc = opt_parse(argc, argv, opts, "pheu migrate-data --from URL --to "
                       "URL [--batch N]", NULL);
    if (rc)
        return rc == 1 ? 0 : rc;
    if (!from || !to) {
        fprintf(stderr, "pheu: --from and --to are required\n");
        return 2;
    }
    if (batch < 1 || batch > 1000000) {
        fprintf(stderr, "pheu: --batch must be from 1 to 1000000\n");
        return 2;
    }
    struct db *src = NULL, *dst = NULL;
    struct err err = {0};
    if (cli_open_db(from, &src))
        return 1;
    if (cli_open_db(to, &dst)) {
        db_close(src);
        return 1;
    }
    rc = transfer_all(src, dst, (int)batch, report, NULL, &err);
    db_close(src);
    db_close(dst);
    if (rc)
        return cli_fail(&err);
    printf("copied %s to %s: every table's row count matches\n", from, to);
    return 0;
}
