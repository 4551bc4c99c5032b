/* Where the demo's rows go (demo/records.c, demo/marketing.c): one
 * output table at a time, either a bulk load into the database
 * (store/bulk.h) or a CSV file in the layout of `pheu export` (object
 * rows) or with the table's column names as header (raw rows). */
#ifndef PHEU_DEMO_SINK_H
#define PHEU_DEMO_SINK_H

#include <stdint.h>
#include <stdio.h>

#include "model/object.h"
#include "store/bulk.h"
#include "util/buf.h"

/* Where the records go: the database c (in its open write transaction)
 * or, when c is NULL, CSV files in csv_dir. */
struct demo_sink {
    struct db_conn *c;
    const char *csv_dir;
};

/* One output table: a bulk load into the database, or a CSV file. */
struct sink {
    const struct demo_sink *out;
    struct err *err;
    const struct object *o;         /* object rows, or NULL: raw rows */
    struct bulk *b;
    FILE *f;
    struct buf line;
    int cells;
    long rows;
};

/* Opens a sink of object o's rows (CSV: <plural>.csv in the export
 * layout). Errors go to err, for this call and every later one. */
int sink_obj(struct sink *s, const struct demo_sink *out,
             const struct object *o, struct err *err);
/* Opens a sink of raw rows of table (CSV: the file csv, or nothing when
 * csv is NULL). */
int sink_raw(struct sink *s, const struct demo_sink *out, const char *table,
             const char *const *cols, int ncols, const char *csv,
             struct err *err);
/* Writes one record of the sink's object. */
int sink_rec(struct sink *s, const struct rec *r);
/* Raw rows: values in column order, then raw_end. An integer value. */
void raw_int(struct sink *s, int64_t v);
/* A raw time value: ms in the database, ISO 8601 in CSV. */
void raw_time(struct sink *s, int64_t ms);
/* A raw text value (NULL: NULL), guarded in CSV like any text cell. */
void raw_text(struct sink *s, const char *t);
/* Ends a raw row. */
int raw_end(struct sink *s);
/* Finishes a sink (after an error rc, just frees it); returns rc or the
 * first error of finishing. */
int sink_close(struct sink *s, int rc);

#endif
