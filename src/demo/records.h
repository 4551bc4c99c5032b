/* The CRM records of the demo business (docs/decisions/0005): companies,
 * contacts with their lifecycle histories, deals in both pipelines and
 * the activities of the sales team, all derived from the seed. Each
 * record draws from its own random stream (seed, kind, index), so any
 * pass over the contacts regenerates exactly the same story, and the
 * database and CSV outputs hold the same data. */
#ifndef PHEU_DEMO_RECORDS_H
#define PHEU_DEMO_RECORDS_H

#include <stdint.h>

#include "demo/demo.h"
#include "demo/sink.h"
#include "store/db.h"

#define DEMO_MAX_REPS 200

/* The users who own the records: regions are 0 (Hà Nội, the north and
 * centre) and 1 (TP. Hồ Chí Minh, the south). */
struct demo_org {
    int64_t reps[2][DEMO_MAX_REPS];
    int nreps[2];
    int64_t manager[2], specialist[2], ae[2];
    int64_t cs[4];
    int ncs;
    int64_t mkt[5];     /* the marketing team, its manager first */
    int nmkt;
};

struct mkt;

/* Generates o->contacts contacts and everything that goes with them,
 * owned by the users of org, with times before today_ms (the start of
 * the current day in the business time zone), and their touchpoints
 * with the campaigns of mkt (demo/marketing.h). Counts go to res. */
int demo_records(const struct demo_sink *out, const struct demo_org *org,
                 const struct mkt *mkt, const struct demo_options *o,
                 int64_t today_ms, struct demo_result *res,
                 struct err *err);

#endif
