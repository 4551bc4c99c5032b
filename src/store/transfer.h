/* Copies every table from one database to another (pheu migrate-data):
 * the schema is created on the target by the migrations, then each table
 * is streamed in id order, in batches that commit on their own, so an
 * interrupted run resumes where it stopped. */
#ifndef PHEU_STORE_TRANSFER_H
#define PHEU_STORE_TRANSFER_H

#include <stdint.h>

#include "store/db.h"

/* The business tables in an order that satisfies foreign keys (parents
 * first), ending with a NULL name. has_id: rows are keyed by "id". */
struct table_def {
    const char *name;
    int has_id;
};
extern const struct table_def db_tables[];

struct transfer_report {
    const char *table;
    int64_t source_rows, target_rows, copied;
};

/* Called after each table with its figures. */
typedef void (*transfer_progress_fn)(const struct transfer_report *r,
                                     void *arg);

/* Copies every table of db_tables from src to dst (both migrated).
 * Tables with ids continue after the target's largest id; tables without
 * are replaced whole in one transaction. Returns 0 when every table's
 * counts match afterwards, E_CONFLICT when one does not. */
int transfer_all(struct db *src, struct db *dst, int batch,
                 transfer_progress_fn progress, void *arg, struct err *err);

#endif
