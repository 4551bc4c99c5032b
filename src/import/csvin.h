/* Streaming CSV input for imports (SPEC §12, App. C) on libcsv: UTF-8
 * with or without a BOM, the delimiter (comma, semicolon or tab) taken
 * from the header line, one callback per record with its number (the
 * header is record 1, as a spreadsheet numbers rows). Malformed input is
 * reported, never fatal to the process: a record with the wrong number
 * of fields is a row error; an unterminated quote or a field over
 * CSVIN_MAX_FIELD bytes ends the file with an error naming the record
 * where it started. */
#ifndef PHEU_IMPORT_CSVIN_H
#define PHEU_IMPORT_CSVIN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CSVIN_MAX_FIELD (16u * 1024 * 1024)   /* bytes held for one field */
#define CSVIN_MAX_COLS 256

/* One record: ncols fields (NUL-terminated, borrowed for the call). */
struct csv_record {
    int64_t number;             /* 1 = the header */
    int nfields;
    const char *fields[CSVIN_MAX_COLS];
    size_t lens[CSVIN_MAX_COLS];
    int too_many;               /* more than CSVIN_MAX_COLS fields */
};

/* Called per record; a non-zero return stops the read with that value. */
typedef int (*csv_record_fn)(const struct csv_record *r, void *ctx);

/* Reads f to the end, calling fn per record. Returns 0, fn's non-zero
 * value, or -1 with a message in msg (and the record number where the
 * problem began in *at): empty file, unterminated quote, oversized
 * field, read error. */
int csvin_read(FILE *f, csv_record_fn fn, void *ctx, char *msg, size_t len,
               int64_t *at);

/* Picks the delimiter of a header line: the most frequent of ',', ';'
 * and tab outside quotes (',' when none). */
char csvin_delimiter(const char *line, size_t n);

#endif
