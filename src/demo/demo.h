/* The demo business of "pheu demo": a Vietnamese company with marketing,
 * sales and success teams in a hierarchy and their users, and the CRM
 * records they work on (demo/records.h), generated deterministically from
 * a seed. */
#ifndef PHEU_DEMO_DEMO_H
#define PHEU_DEMO_DEMO_H

#include <stdint.h>

#include "store/db.h"

#define DEMO_ADMIN_EMAIL "admin@demo.pheu.vn"
#define DEMO_PASSWORD "pheu-demo"

struct demo_options {
    long contacts;      /* contacts; sizes the sales force (one rep per
                         * ~5,000) and the companies (one per 5) */
    uint64_t seed;
    const char *csv_dir;    /* write CSV files here instead of a database */
    int org_only;       /* users and teams only, no records */
    int64_t today_ms;   /* start of the reference day (0: today in the
                         * business time zone); records lie before it */
    int verbose;        /* print each phase's time on stderr */
};

/* With o->verbose, prints "demo: <phase> <seconds since the last>" on
 * stderr. */
void demo_phase(const struct demo_options *o, const char *phase);

struct demo_result {
    int teams, users;
    long companies, contacts, deals, activities, stage_changes;
    long campaigns, campaign_costs, touchpoints;
    int already;        /* the demo was loaded before: nothing written */
};

/* Loads the demo into db in one transaction, or nothing when the demo
 * admin already exists. With o->csv_dir set, db is not used (may be
 * NULL): the records go to CSV files in that directory, their ids being
 * those a fresh database would give. */
int demo_generate(struct db *db, const struct demo_options *o,
                  struct demo_result *res, struct err *err);

/* The start of the current day in the business time zone (UTC+7). */
int64_t demo_today(void);

#endif
