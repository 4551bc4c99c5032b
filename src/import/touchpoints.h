/* CSV import of touchpoints (SPEC §12, issue 6 item 2): columns named
 * like the fields of POST /api/v1/touchpoints, each row recorded through
 * model/touchpoint.c with the same rules. Kept apart from the resumable
 * engine of import.c (decision 0013): batches of IMPORT_BATCH rows, one
 * transaction each, a savepoint per row; no dedupe (the same file
 * imported twice records its touches twice). */
#ifndef PHEU_IMPORT_TOUCHPOINTS_H
#define PHEU_IMPORT_TOUCHPOINTS_H

#include <stdio.h>

#include "import/import.h"

/* Imports the CSV in f with o's dry_run, who (NULL: the CLI, which sees
 * everything), errors (CSV "row,column,reason" lines, or NULL), stop and
 * import_id: an imports row (API imports) that gets the counters, the
 * row errors and the checkpoint with each batch, so an import stopped by
 * a shutdown resumes after its last batch. A dry run rolls every batch
 * back. o->o, map, force and progress are not used. Returns 0 when the
 * file was read, else a fatal error (empty file, no known column,
 * unterminated quote, storage). */
int import_touchpoints(struct db_conn *c, FILE *f,
                       const struct import_opts *o, struct import_result *res,
                       struct err *err);

#endif
