/* pheu demo: load the demo business (src/demo/), or write its records as
 * CSV files for import benchmarks. */
#include "cli/cli.h"
#include "demo/demo.h"
#include "store/listq.h"
#include "util/clock.h"
#include "util/opt.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* Prints what was generated and how long it took. */
static void summary(const char *where, const struct demo_result *r,
                    int64_t us)
{
    printf("demo data %s: %d teams, %d users, %ld companies, %ld contacts, "
           "%ld stage changes, %ld deals, %ld activities in %.1f s\n", where,
           r->teams, r->users, r->companies, r->contacts, r->stage_changes,
           r->deals, r->activities, (double)us / 1e6);
    if (r->campaigns)
        printf("marketing: %ld campaigns, %ld cost entries, %ld "
               "touchpoints\n", r->campaigns, r->campaign_costs,
               r->touchpoints);
}

/* pheu demo [--db PATH] [--contacts N] [--seed S] [--csv DIR]
 * [--org-only] [--today YYYY-MM-DD] */
int cmd_demo(int argc, char **argv)
{
    const char *url = DEFAULT_DB, *csv = NULL, *today = NULL;
    long contacts = 3000, seed = 42;
    int org_only = 0, verbose = 0;
    struct opt opts[] = {
        OPT_STR("db", &url, "PHEU_DB", DB_HELP),
        OPT_INT("contacts", &contacts, NULL,
                "contacts to create (one company per 5; one sales rep per "
                "5,000, 6 to 200); default 3000"),
        OPT_INT("seed", &seed, NULL, "random seed (same seed, same data)"),
        OPT_STR("csv", &csv, NULL, "write contacts.csv, companies.csv, "
                "deals.csv, activities.csv, stage_changes.csv, "
                "campaigns.csv, campaign_costs.csv and touchpoints.csv into "
                "this directory (made if missing) instead of the database"),
        OPT_FLAG("org-only", &org_only, "users and teams only, no records"),
        OPT_FLAG("verbose", &verbose, "print the time of each phase"),
        OPT_STR("today", &today, "PHEU_DEMO_TODAY", "reference day "
                "YYYY-MM-DD the 18 months of history end at (default: "
                "today)"),
        OPT_END,
    };
    int rc = opt_parse(argc, argv, opts, "pheu demo [--db PATH] [--contacts "
                       "N] [--seed S] [--csv DIR] [--org-only] [--today D]",
                       NULL);
    if (rc)
        return rc == 1 ? 0 : rc;
    if (contacts < 0 || contacts > 10000000) {
        fprintf(stderr, "pheu: --contacts must be from 0 to 10000000\n");
        return 2;
    }
    struct demo_options o = {.contacts = contacts, .seed = (uint64_t)seed,
                             .csv_dir = csv, .org_only = org_only,
                             .verbose = verbose};
    int date_only = 0;
    if (today && (strlen(today) != 10 ||
                  listq_parse_time(today, &o.today_ms, &date_only) ||
                  !date_only)) {
        fprintf(stderr, "pheu: --today must be a date YYYY-MM-DD\n");
        return 2;
    }
    struct stat sb;
    if (csv && stat(csv, &sb) != 0 && mkdir(csv, 0777) != 0) {
        fprintf(stderr, "pheu: --csv: cannot create %s: %s\n", csv,
                strerror(errno));
        return 2;
    }
    if (csv && (stat(csv, &sb) != 0 || !S_ISDIR(sb.st_mode))) {
        fprintf(stderr, "pheu: --csv: %s is not a directory\n", csv);
        return 2;
    }
    struct db *db = NULL;
    if (!csv && cli_open_db(url, &db))
        return 1;
    struct demo_result res;
    struct err err = {0};
    int64_t t0 = clock_mono_us();
    rc = demo_generate(db, &o, &res, &err);
    db_close(db);
    if (rc)
        return cli_fail(&err);
    if (csv) {
        summary("written", &res, clock_mono_us() - t0);
        printf("CSV files in %s (ids as in a fresh database; load the "
               "same users with: pheu demo --org-only --contacts %ld "
               "--seed %ld)\n", csv, contacts, seed);
        return 0;
    }
    if (res.already) {
        printf("demo data already loaded in %s\n", url);
    } else {
        char where[300];
        snprintf(where, sizeof(where), "loaded into %s", url);
        summary(where, &res, clock_mono_us() - t0);
    }
    printf("log in as %s with password %s\n", DEMO_ADMIN_EMAIL,
           DEMO_PASSWORD);
    return 0;
}
