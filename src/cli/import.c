/* pheu import contacts|companies|deals|activities|touchpoints FILE
 * [--dry-run] [--map a=b,…] [--errors FILE] [--force]: a CSV import as
 * the CLI (which sees every record), with a progress line on a
 * terminal. */
#include "cli/cli.h"
#include "import/import.h"
#include "import/touchpoints.h"
#include "util/opt.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define USAGE "pheu import contacts|companies|deals|activities|touchpoints " \
    "FILE [--dry-run] [--map COLUMN=field,…] [--errors FILE] [--force]"

/* Redraws the progress line on stderr. */
static void progress(int64_t rows, void *ctx)
{
    (void)ctx;
    fprintf(stderr, "\r%lld rows…", (long long)rows);
    fflush(stderr);
}

/* Prints what the import did. */
static void summary(const struct import_result *r, int dry)
{
    if (r->already) {
        printf("this file was imported before; nothing to do (--force "
               "imports it again)\n");
        return;
    }
    if (r->resumed_at)
        printf("resumed after row %lld\n", (long long)r->resumed_at + 1);
    printf("%s%lld rows: %lld ok (%lld created, %lld updated), %lld "
           "failed\n", dry ? "dry run, nothing written: " : "",
           (long long)r->rows_total, (long long)r->rows_ok,
           (long long)r->created, (long long)r->updated,
           (long long)r->rows_failed);
}

/* pheu import touchpoints FILE [--dry-run] [--errors FILE]: rows
 * through import/touchpoints.c (no imports row; decision 0013). Row
 * errors go to the --errors file, else to stderr. */
static int import_tp(const char *url, const char *path, int dry,
                     FILE *ef)
{
    struct db *db = NULL;
    struct db_conn *c;
    struct err err = {0};
    struct import_result res = {0};
    struct import_opts o = {.dry_run = dry, .errors = ef ? ef : stderr};
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "pheu: cannot open %s\n", path);
        return 1;
    }
    int rc = cli_open_db(url, &db) ? 1 : 0;
    if (!rc)
        rc = db_conn_get(db, &c, &err);
    if (!rc)
        rc = import_touchpoints(c, f, &o, &res, &err);
    if (rc && err.code)
        rc = cli_fail(&err);
    else if (!rc)
        summary(&res, dry);
    if (db)
        db_close(db);
    fclose(f);
    return rc;
}

/* pheu import OBJECT FILE … */
int cmd_import(int argc, char **argv)
{
    const char *url = DEFAULT_DB, *map = NULL, *errors = NULL;
    int dry = 0, force = 0, npos = 0;
    struct opt opts[] = {
        OPT_STR("db", &url, "PHEU_DB", DB_HELP),
        OPT_FLAG("dry-run", &dry, "check every row, write nothing"),
        OPT_STR("map", &map, NULL, "column mapping overrides: "
                "'Column Name=field,…'"),
        OPT_STR("errors", &errors, NULL, "write the per-row error report "
                "(CSV) to this file"),
        OPT_FLAG("force", &force, "import a file imported before"),
        OPT_END,
    };
    int rc = opt_parse(argc, argv, opts, USAGE, &npos);
    if (rc)
        return rc == 1 ? 0 : rc;
    if (npos == 2 && !strcmp(argv[0], "touchpoints") && (map || force)) {
        fprintf(stderr, "pheu: --map and --force are not for touchpoints\n");
        return 2;
    }
    if (npos == 2 && !strcmp(argv[0], "touchpoints")) {
        FILE *tef = NULL;
        if (errors && !(tef = fopen(errors, "w"))) {
            fprintf(stderr, "pheu: cannot write %s\n", errors);
            return 1;
        }
        if (tef)
            fputs("row,column,reason\n", tef);
        rc = import_tp(url, argv[1], dry, tef);
        if (tef)
            fclose(tef);
        return rc;
    }
    const struct object *o = npos == 2 ? object_by_plural(argv[0]) : NULL;
    if (!o || o->no_import) {
        fprintf(stderr, "usage: %s\n", USAGE);
        return 2;
    }
    FILE *f = fopen(argv[1], "rb"), *ef = NULL;
    if (!f) {
        fprintf(stderr, "pheu: cannot open %s\n", argv[1]);
        return 1;
    }
    if (errors && !(ef = fopen(errors, "w"))) {
        fprintf(stderr, "pheu: cannot write %s\n", errors);
        fclose(f);
        return 1;
    }
    if (ef)
        fputs("row,column,reason\n", ef);
    char sha[65];
    struct db *db = NULL;
    struct db_conn *c;
    struct err err = {0};
    struct import_result res = {0};
    struct import_opts io = {.o = o, .dry_run = dry, .force = force,
                             .map = map, .file_name = argv[1],
                             .errors = ef};
    if (isatty(2))
        io.progress = progress;
    rc = import_sha256(f, sha) ? err_set(&err, E_INTERNAL, NULL, "cannot "
                                         "read %s", argv[1]) : 0;
    if (!rc && cli_open_db(url, &db)) {
        rc = 1;
        err.code = 0;
    } else if (!rc) {
        rc = db_conn_get(db, &c, &err);
        if (!rc)
            rc = import_run(c, f, sha, &io, &res, &err);
    }
    if (io.progress)
        fputc('\n', stderr);
    if (rc && err.code) {
        if (!res.already && res.rows_total)
            summary(&res, dry);
        rc = cli_fail(&err);
    } else if (!rc) {
        summary(&res, dry);
    }
    if (db)
        db_close(db);
    fclose(f);
    if (ef)
        fclose(ef);
    return rc;
}
