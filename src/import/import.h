/* CSV imports of contacts, companies, deals and activities (SPEC §12,
 * App. C). Rows are read in batches of IMPORT_BATCH, each batch one write
 * transaction: a crash leaves whole batches only, and the checkpoint
 * (imports.rows_done) commits with the batch, so running the same file
 * again continues after the last committed batch. Invalid rows are
 * skipped and reported (row, column, reason); valid rows of a batch are
 * written. Contacts are merged by email, then phone; companies by domain,
 * then name: an existing record is updated, never duplicated. A dry run
 * does all of it and rolls every batch back. Stage changes are exactly
 * those the columns give (Lifecycle Stage, Became a … Date). */
#ifndef PHEU_IMPORT_IMPORT_H
#define PHEU_IMPORT_IMPORT_H

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#include "model/object.h"

#define IMPORT_BATCH 1000

struct import_opts {
    const struct object *o;
    int dry_run;
    int force;                      /* import a file already imported */
    const char *map;                /* --map overrides, or NULL */
    const char *file_name;
    const struct principal *who;    /* NULL: the CLI (sees everything) */
    int64_t import_id;              /* an imports row to use (API), or 0 */
    FILE *errors;                   /* also write the error CSV here */
    atomic_int *stop;               /* set: stop after this batch */
    void (*progress)(int64_t rows, void *ctx);
    void *progress_ctx;
};

struct import_result {
    int64_t id;                     /* imports row (0 for a CLI dry run) */
    int64_t rows_total, rows_ok, rows_failed, created, updated;
    int64_t resumed_at;             /* data rows skipped as already done */
    int already;                    /* the file was imported before */
};

/* Imports the CSV in f (whose SHA-256 in hex is sha) into c's database.
 * Returns 0 when the file was read (row errors are in the result and the
 * imports row), or an error (a fatal problem of the file: empty, an
 * unterminated quote, a bad header, storage). */
int import_run(struct db_conn *c, FILE *f, const char *sha,
               const struct import_opts *opts, struct import_result *res,
               struct err *err);

/* The SHA-256 of f's contents in hex (f is rewound). */
int import_sha256(FILE *f, char out[65]);

/* Writes the error report of import id as CSV (row,column,reason). */
int import_errors_csv(struct db_conn *c, int64_t id, FILE *out,
                      struct err *err);

#endif
