/* pheu demo: load the demo business (src/demo/). */
#include "cli/cli.h"
#include "demo/demo.h"
#include "util/opt.h"

#include <stdio.h>

/* pheu demo [--db PATH] [--contacts N] [--seed S] */
int cmd_demo(int argc, char **argv)
{
    const char *url = DEFAULT_DB;
    long contacts = 1000, seed = 42;
    struct opt opts[] = {
        OPT_STR("db", &url, "PHEU_DB", DB_HELP),
        OPT_INT("contacts", &contacts, NULL,
                "size of the business (contacts; sizes the sales team)"),
        OPT_INT("seed", &seed, NULL, "random seed (same seed, same data)"),
        OPT_END,
    };
    int rc = opt_parse(argc, argv, opts, "pheu demo [--db PATH] [--contacts "
                       "N] [--seed S]", NULL);
    if (rc)
        return rc == 1 ? 0 : rc;
    if (contacts < 0 || contacts > 10000000) {
        fprintf(stderr, "pheu: --contacts must be from 0 to 10000000\n");
        return 2;
    }
    struct db *db;
    if (cli_open_db(url, &db))
        return 1;
    struct demo_options o = {.contacts = contacts, .seed = (uint64_t)seed};
    struct demo_result res;
    struct err err = {0};
    rc = demo_generate(db, &o, &res, &err);
    db_close(db);
    if (rc)
        return cli_fail(&err);
    if (res.already)
        printf("demo data already loaded in %s\n", url);
    else
        printf("demo data loaded into %s: %d teams, %d users\n", url,
               res.teams, res.users);
    printf("log in as %s with password %s\n", DEMO_ADMIN_EMAIL,
           DEMO_PASSWORD);
    return 0;
}
