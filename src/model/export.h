/* Exports of CRM lists (SPEC §12, App. C; docs/decisions/0009): the
 * whole of a filtered, sorted list as CSV, a JSON array or NDJSON,
 * produced page by page through store/listq.h in constant memory, with
 * the reader's visibility. The CSV row writer is shared with
 * `pheu demo --csv`, so demo files and exports have one layout. */
#ifndef PHEU_MODEL_EXPORT_H
#define PHEU_MODEL_EXPORT_H

#include "model/custom_field.h"
#include "model/object.h"
#include "util/buf.h"

#define EXPORT_PAGE 500     /* records read per list page */

enum export_format { EXPORT_CSV, EXPORT_JSON, EXPORT_NDJSON };

/* Reads "csv", "json" or "ndjson" into *f; E_INVALID naming "format"
 * otherwise. */
int export_format_parse(const char *s, enum export_format *f,
                        struct err *err);
/* The MIME type of a format ("text/csv; charset=utf-8", ...). */
const char *export_content_type(enum export_format f);
/* The file name extension of a format ("csv", "json", "ndjson"). */
const char *export_extension(enum export_format f);

/* ---- CSV rows ----
 * Columns: the object's API fields in table order (hidden and
 * write-only ones left out), then one "custom.<name>" column per
 * declared custom field of cf (NULL: none). Times are ISO 8601 UTC,
 * id lists (a deal's contact_ids) are joined with ';', NULL is an
 * empty cell; text cells are guarded against formulas (App. C) except
 * phone numbers in E.164 and numbers we wrote ourselves. */

/* Appends the header line (with "\r\n"). */
void export_csv_header(const struct object *o, const struct cf_set *cf,
                       struct buf *b);
/* Appends r as one line (with "\r\n"). */
void export_csv_row(const struct rec *r, const struct cf_set *cf,
                    struct buf *b);

/* ---- streamed exports ---- */

struct export;

/* Starts an export of o in format f for viewer v (NULL: everything; v
 * is borrowed and must outlive the export). Returns a new export; the
 * caller frees it with export_free. */
struct export *export_new(const struct object *o, enum export_format f,
                          const struct vis *v);
/* Reads one list argument (filters, sort, q: the syntax of
 * store/listq.h). "limit" and "cursor" are E_INVALID: an export has
 * every row. */
int export_arg(struct export *x, struct db_conn *c, const char *key,
               const char *value, struct err *err);
/* Appends the next part of the output to b: the header (or "[") with
 * the first page, then one page per call, and the end with the last
 * page. Returns 1 while more follows, 0 when the export is complete, or
 * -1 with err set (what was appended so far stays valid output up to
 * the last whole row). */
int export_next(struct export *x, struct db_conn *c, struct buf *b,
                struct err *err);
/* The number of records written so far. */
long export_rows(const struct export *x);
/* Frees x; safe on NULL. */
void export_free(struct export *x);

#endif
