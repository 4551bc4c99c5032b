/* Bulk loading inside one write transaction (pheu demo, and any other
 * loader of many rows): rows given value by value, sent as multi-row
 * INSERTs on SQLite (about 2.5x fewer statement steps than one row at a
 * time) and as COPY on PostgreSQL; secondary indexes dropped before a
 * large load and built again afterwards (a sort, instead of one random
 * B-tree insert per row); and the engine tuned for the load. */
#ifndef PHEU_STORE_BULK_H
#define PHEU_STORE_BULK_H

#include <stdint.h>

#include "store/db.h"

struct bulk;

/* Starts loading rows into table's ncols columns (names copied). On PostgreSQL only one load may be open per connection at
 * a time. Returns a new handle in *out; bulk_end frees it. */
int bulk_begin(struct db_conn *c, const char *table, const char *const *cols,
               int ncols, struct bulk **out, struct err *err);
/* The next value of the current row, in column order; text is copied
 * (NULL gives NULL). */
void bulk_int(struct bulk *b, int64_t v);
void bulk_text(struct bulk *b, const char *s);
void bulk_null(struct bulk *b);
/* Ends the current row (exactly ncols values given), sending a batch
 * when it is full. */
int bulk_row(struct bulk *b, struct err *err);
/* Sends what is left and frees b (also after an error, when nothing
 * more is sent). Returns the first error of the load. */
int bulk_end(struct bulk *b, struct err *err);
/* Rows written so far. */
long bulk_count(const struct bulk *b);

/* The secondary indexes of some tables, saved while they are dropped. */
struct bulk_indexes {
    char **names, **sql;
    int n;
};

/* Drops the indexes of table that no constraint needs (not the primary
 * key, not the unique indexes of UNIQUE constraints), appending their
 * definitions to *saved for bulk_indexes_restore. In the caller's
 * transaction. */
int bulk_indexes_drop(struct db_conn *c, const char *table,
                      struct bulk_indexes *saved, struct err *err);
/* On PostgreSQL, drops the primary key of table too (a table whose key
 * is all its columns, such as search_terms, gets rows in bulk fastest
 * without it, the key built by one sort afterwards), saving it in *saved
 * for bulk_indexes_restore; *dropped says whether it did. Nothing on
 * SQLite, where a WITHOUT ROWID table is its key. */
int bulk_pkey_drop(struct db_conn *c, const char *table,
                   struct bulk_indexes *saved, int *dropped, struct err *err);
/* On PostgreSQL, drops the foreign keys of table, saving them in *saved
 * for bulk_indexes_restore, which adds them back and so checks every row
 * in one join. Loaded rows are otherwise checked one at a time, a row
 * lock taken on the referenced row each (2.7 M index probes and locks
 * for a million contacts). Nothing on SQLite, whose checks are cheap
 * lookups and whose constraints cannot be dropped. */
int bulk_fkeys_drop(struct db_conn *c, const char *table,
                    struct bulk_indexes *saved, struct err *err);
/* Creates the saved indexes again (a failure, such as a duplicate under
 * a unique index, is an error: roll back) and frees them. */
int bulk_indexes_restore(struct db_conn *c, struct bulk_indexes *saved,
                         struct err *err);
/* Frees the saved definitions without creating anything. */
void bulk_indexes_release(struct bulk_indexes *saved);

/* After a load: refreshes the planner's statistics of table on
 * PostgreSQL (ANALYZE; without it, a freshly loaded search index is
 * planned as if empty and a search takes seconds instead of
 * milliseconds); nothing on SQLite, whose planner uses no statistics
 * unless ANALYZE was run once (it never is). */
int bulk_analyze(struct db_conn *c, const char *table, struct err *err);

/* The id the next row of table would get from its id generator (the
 * PostgreSQL sequence, which this takes; SQLite's AUTOINCREMENT
 * counter), so a loader can give ids itself without reusing the id of a
 * deleted row. In the caller's write transaction; after the load,
 * db_sync_ids moves the generator past the ids given. */
int bulk_next_id(struct db_conn *c, const char *table, int64_t *id,
                 struct err *err);

/* Prepares the connection for a large load before its transaction
 * starts: on SQLite a page cache of about 1 GiB, helper threads for
 * index sorts, and no foreign-key checks (several tables are loaded in
 * interleaved batches, so a child batch may go before its parents'; the
 * loader answers for the references); on PostgreSQL, where each table
 * is copied whole before its children and references are checked, more
 * memory for index builds, no wait for the WAL flush at commit, and no
 * statement timeout (copying a million rows is one statement).
 * bulk_tune_end restores the defaults. */
int bulk_tune(struct db_conn *c, struct err *err);
void bulk_tune_end(struct db_conn *c);

/* The settings of a load inside a live server's write transaction
 * (imports; decision 0008): what bulk_tune sets that other connections
 * cannot notice. On SQLite helper threads and temp files on disk for
 * the index sorts (not in memory: the peak RSS stays bounded; the page
 * cache stays at 8 MiB, which measured faster than 64 MiB for a load
 * without indexes, and 130 MB smaller); on PostgreSQL, for this transaction only (SET LOCAL), more
 * memory for index builds and no statement timeout. The journal, the
 * foreign-key checks and the durability of the commit are left as they
 * are. bulk_tune_import_end restores SQLite's connection defaults. */
int bulk_tune_import(struct db_conn *c, struct err *err);
void bulk_tune_import_end(struct db_conn *c);

#endif
