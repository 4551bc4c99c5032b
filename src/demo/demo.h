/* The demo business of "pheu demo": a Vietnamese company with marketing,
 * sales and success teams in a hierarchy and their users, generated
 * deterministically from a seed. Later issues add their records here. */
#ifndef PHEU_DEMO_DEMO_H
#define PHEU_DEMO_DEMO_H

#include <stdint.h>

#include "store/db.h"

#define DEMO_ADMIN_EMAIL "admin@demo.pheu.vn"
#define DEMO_PASSWORD "pheu-demo"

struct demo_options {
    long contacts;      /* sizes the sales force: one rep per ~5,000 */
    uint64_t seed;
};

struct demo_result {
    int teams, users;
    int already;        /* the demo was loaded before: nothing written */
};

/* Loads the demo into db in one transaction, or nothing when the demo
 * admin already exists. */
int demo_generate(struct db *db, const struct demo_options *o,
                  struct demo_result *res, struct err *err);

#endif
