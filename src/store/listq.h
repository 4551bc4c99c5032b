/* Lists of CRM records (SPEC §12): filters "field=value" and
 * "field[op]=value" (ops eq ne lt lte gt gte in contains starts empty,
 * custom fields as "custom.name"), sort=field|-field, keyset cursors
 * (stable under concurrent inserts, no COUNT per page), limit <= 500 and
 * q= search. Parsing checks every key and value against the object's
 * field table (unknown field or op, wrong value type: E_INVALID). */
#ifndef PHEU_STORE_LISTQ_H
#define PHEU_STORE_LISTQ_H

#include "model/custom_field.h"
#include "model/object.h"
#include "util/buf.h"

#define LISTQ_MAX_CONDS 24
#define LISTQ_MAX_PARAMS 256

enum listq_op { OP_EQ, OP_NE, OP_LT, OP_LTE, OP_GT, OP_GTE, OP_IN,
                OP_CONTAINS, OP_STARTS, OP_EMPTY };

struct cond {
    int field;                  /* index in o->fields, or -1: custom */
    const struct cf_def *cf;    /* the custom field when field is -1 */
    enum listq_op op;
    const char *vals[64];       /* OP_IN: up to 64 values; else vals[0] */
    int nvals;
};

/* Bound parameters of generated SQL: 'i' int, 't' text. */
struct sqlp {
    char kinds[LISTQ_MAX_PARAMS];
    int64_t ints[LISTQ_MAX_PARAMS];
    const char *texts[LISTQ_MAX_PARAMS];
    int n;
};

struct listq {
    const struct object *o;
    struct cond conds[LISTQ_MAX_CONDS];
    int nconds;
    int sort;                   /* field index; 0 is id */
    int desc;
    int limit;
    const char *q;              /* search text, or NULL */
    /* the cursor, decoded */
    int has_cursor;
    int cursor_null;
    int64_t cursor_i, cursor_id, cursor_off;
    const char *cursor_s;
    const char *cursor_sort;    /* the sort field the cursor was made for */
    struct cf_set cf;           /* the object's custom fields */
};

/* Reads one query argument (key, value) into lq; keys other than limit,
 * cursor, sort, q and the object's fields are E_INVALID. Call
 * listq_init first. */
void listq_init(struct listq *lq, const struct object *o);
int listq_arg(struct listq *lq, struct db_conn *c, const char *key,
              const char *value, struct arena *a, struct err *err);
/* Releases what lq holds. */
void listq_release(struct listq *lq);

/* Runs the list for a viewer (v; NULL = everything): fills out (room for
 * lq->limit records) and *n; *next is the cursor of the next page or
 * NULL at the end. */
int listq_run(struct db_conn *c, struct listq *lq, const struct vis *v,
              struct rec *out, int *n, const char **next, struct arena *a,
              struct err *err);

/* Appends the WHERE conditions of lq's filters and the viewer's
 * visibility on table alias "t" to sql (starting with " AND ...") and
 * their parameters to p. For search and reports. */
int listq_where(struct db_conn *c, const struct listq *lq,
                const struct vis *v, struct buf *sql, struct sqlp *p,
                struct arena *a, struct err *err);
/* Binds p to st from parameter index first (1-based). */
int sqlp_bind(struct db_stmt *st, const struct sqlp *p, int first,
              struct err *err);
/* Adds a parameter. */
void sqlp_int(struct sqlp *p, int64_t v);
void sqlp_text(struct sqlp *p, const char *s);

/* Parses a filter time: ISO 8601, or a date "YYYY-MM-DD" taken as the
 * start of that day in the business time zone (*date_only set). */
int listq_parse_time(const char *s, int64_t *ms, int *date_only);

#endif
