/* Numbered schema migrations (src/store/migrations/NNNN_name.sql, embedded
 * at build time), applied in order at start and by "pheu init". */
#ifndef PHEU_STORE_MIGRATE_H
#define PHEU_STORE_MIGRATE_H

#include "store/db.h"

/* Applies every migration not yet recorded in schema_migrations, each in
 * its own write transaction. Sets *applied to how many ran. */
int migrate_run(struct db *db, int *applied, struct err *err);

#endif
