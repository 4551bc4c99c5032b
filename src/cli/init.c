/* pheu init: create the database (or upgrade it) by running migrations. */
#include "cli/cli.h"
#include "store/migrate.h"
#include "util/opt.h"

#include <stdio.h>

/* pheu init [--db PATH] */
int cmd_init(int argc, char **argv)
{
    const char *url = DEFAULT_DB;
    struct opt opts[] = {
        OPT_STR("db", &url, "PHEU_DB", DB_HELP),
        OPT_END,
    };
    int rc = opt_parse(argc, argv, opts, "pheu init [--db PATH]", NULL);
    if (rc)
        return rc == 1 ? 0 : rc;
    struct db *db;
    struct err err = {0};
    int applied = 0;
    if (db_open(url, &db, &err))
        return cli_fail(&err);
    rc = migrate_run(db, &applied, &err);
    db_close(db);
    if (rc)
        return cli_fail(&err);
    printf("database %s ready (%d migration%s applied)\n", url, applied,
           applied == 1 ? "" : "s");
    return 0;
}
