/* pheu export: a filtered list of contacts, companies, deals, campaigns or
 * activities as CSV, JSON or NDJSON (SPEC §12, App. B, App. C), on
 * standard output or into a file; the command line sees every record. */
#include "cli/cli.h"
#include "model/export.h"
#include "util/clock.h"
#include "util/opt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* cli_query_fn: feeds one filter argument to the export. */
static int filter_arg(const char *key, const char *value, void *ctx,
                      struct db_conn *c, struct err *err)
{
    return export_arg(ctx, c, key, value, err);
}

/* Runs the export into out; *rows gets the record count. */
static int run(struct export *x, struct db_conn *c, FILE *out, long *rows,
               struct err *err)
{
    struct buf b;
    int more = 1;
    buf_init(&b, (size_t)-1);
    while (more > 0) {
        b.len = 0;
        more = export_next(x, c, &b, err);
        if (b.len && fwrite(b.data, 1, b.len, out) != b.len) {
            more = -1;
            err_set(err, E_INTERNAL, NULL, "cannot write the output");
        }
    }
    buf_release(&b);
    *rows = export_rows(x);
    if (more == 0 && fflush(out) != 0) {
        more = -1;
        err_set(err, E_INTERNAL, NULL, "cannot write the output");
    }
    return more < 0 ? 1 : 0;
}

/* Exports into the file path through a temporary file renamed at the
 * end, so a failed export leaves no half file behind. */
static int to_file(struct export *x, struct db_conn *c, const char *path,
                   long *rows, struct err *err)
{
    char tmp[4096];
    snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        err_set(err, E_INVALID, "output", "cannot create %.100s", path);
        return 1;
    }
    int rc = run(x, c, f, rows, err);
    if (fclose(f) != 0 && !rc) {
        err_set(err, E_INTERNAL, NULL, "cannot write the output");
        rc = 1;
    }
    if (!rc && rename(tmp, path) != 0) {
        err_set(err, E_INVALID, "output", "cannot write %.100s", path);
        rc = 1;
    }
    if (rc)
        unlink(tmp);
    return rc;
}

/* pheu export OBJECT [--filter Q] [--format csv|json|ndjson]
 * [--output FILE] [--db URL] */
int cmd_export(int argc, char **argv)
{
    const char *url = DEFAULT_DB, *filter = NULL, *format = "csv",
               *output = NULL;
    int npos = 0;
    struct opt opts[] = {
        OPT_STR("db", &url, "PHEU_DB", DB_HELP),
        OPT_STR("filter", &filter, NULL, "list query, e.g. "
                "'lifecycle_stage=lead&owner_id=3&sort=-created_at'"),
        OPT_STR("format", &format, NULL, "csv (default), json or ndjson"),
        OPT_STR("output", &output, NULL, "file to write (default: "
                "standard output)"),
        OPT_END,
    };
    const char *usage = "pheu export contacts|companies|deals|activities|"
                        "campaigns [--filter Q] [--format csv|json|ndjson] "
                        "[--output FILE]";
    int rc = opt_parse(argc, argv, opts, usage, &npos);
    if (rc)
        return rc == 1 ? 0 : rc;
    struct err err = {0};
    enum export_format fmt;
    const struct object *o = npos == 1 ? object_by_plural(argv[0]) : NULL;
    if (!o) {
        fprintf(stderr, "pheu: export needs one of contacts, companies, "
                "deals, activities, campaigns\n");
        return 2;
    }
    if (export_format_parse(format, &fmt, &err)) {
        fprintf(stderr, "pheu: --format must be csv, json or ndjson\n");
        return 2;
    }
    struct db *db;
    struct db_conn *c;
    if (cli_open_db(url, &db))
        return 1;
    int64_t t0 = clock_mono_us();
    long rows = 0;
    struct export *x = export_new(o, fmt, NULL);
    rc = db_conn_get(db, &c, &err);
    if (!rc && filter && cli_read_query(filter, filter_arg, x, c, &err)) {
        cli_fail(&err);         /* err may point into x: print first */
        export_free(x);
        db_close(db);
        return 2;
    }
    if (!rc)
        rc = output ? to_file(x, c, output, &rows, &err)
                    : run(x, c, stdout, &rows, &err);
    if (rc)
        cli_fail(&err);
    export_free(x);
    db_close(db);
    if (rc)
        return 1;
    if (output)
        fprintf(stderr, "exported %ld %s to %s in %.2f s\n", rows,
                o->plural, output, (double)(clock_mono_us() - t0) / 1e6);
    return 0;
}
