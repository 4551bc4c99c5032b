/* CSV import of touchpoints (SPEC §12, issue 6 item 2): columns named
 * like the fields of POST /api/v1/touchpoints, each row recorded through
 * model/touchpoint.c with the same rules. Kept apart from the resumable
 * engine of import.c (decision 0013): batches of IMPORT_BATCH rows, one
 * transaction each, a savepoint per row. */
#ifndef PHEU_IMPORT_TOUCHPOINTS_H
#define PHEU_IMPORT_TOUCHPOINTS_H

#include <stdio.h>

#include "import/import.h"

/* Imports the CSV in f; row errors go to errors (CSV "row,column,reason"
 * lines, when not NULL) and into res's counters; a dry run rolls every
 * batch back. Returns 0 when the file was read, else a fatal error
 * (empty file, no known column, unterminated quote, storage). */
int import_touchpoints(struct db_conn *c, FILE *f, int dry_run,
                       FILE *errors, struct import_result *res,
                       struct err *err);

#endif
