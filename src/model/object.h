/* CRM objects described by tables of fields (SPEC §2): contacts,
 * companies, deals and activities share one implementation of JSON
 * input and output, storage, filters, sorting, paging and auditing, each
 * object adding only its own rules through hooks. A field's name is its
 * API name and, unless it is virtual, its column. */
#ifndef PHEU_MODEL_OBJECT_H
#define PHEU_MODEL_OBJECT_H

#include <jansson.h>
#include <stdint.h>

#include "model/principal.h"
#include "store/db.h"
#include "store/visibility.h"
#include "util/arena.h"
#include "util/err.h"

#define REC_MAX 32

enum ftype {
    FT_ID,          /* the primary key */
    FT_TEXT,        /* NFC text */
    FT_EMAIL,       /* lower-cased, validated */
    FT_PHONE,       /* E.164 when parseable */
    FT_INT,         /* integer */
    FT_MONEY,       /* integer minor units, >= 0 */
    FT_REF,         /* id of another record (NULL allowed) */
    FT_ENUM,        /* one of field.values */
    FT_TIME,        /* ms UTC in storage, ISO 8601 in the API */
    FT_DATE,        /* "YYYY-MM-DD" text */
    FT_CURRENCY,    /* ISO 4217 code */
    FT_CUSTOM,      /* JSON object of declared custom fields */
    FT_IDS,         /* virtual list of ids (a deal's contact_ids) */
    FT_COUNTS       /* JSON object whose keys are field.values, each a
                     * non-negative integer or null (campaign goals) */
};

enum fflag {
    FF_RO = 1,          /* nobody sets it through the API: 422 */
    FF_ADMIN = 2,       /* admins and imports only (migrations): 422 */
    FF_REQ = 4,         /* required on create */
    FF_NOTNULL = 8,     /* never NULL in storage (keyset without NULLs) */
    FF_VIRTUAL = 16,    /* not a column of the table */
    FF_HIDDEN = 32,     /* a column the API never shows */
    FF_NOFILTER = 64,   /* not usable in filters or sort */
    FF_WRITEONLY = 128, /* accepted on input, never shown */
    FF_DERIVED = 256    /* kept from other records (the stage history): the
                         * audit log of an update does not repeat it */
};

struct field {
    const char *name;
    enum ftype type;
    int flags;
    const char *const *values;  /* FT_ENUM, FT_COUNTS: NULL-ended */
    const char *ref;            /* FT_REF: table referenced */
    int max;                    /* FT_TEXT: byte limit (0 = 1000) */
};

/* One field's value: set says the input gave it (or the row has it). */
struct val {
    unsigned char set, null;
    int64_t i;
    const char *s;              /* text, arena-owned */
    json_t *j;                  /* FT_CUSTOM object, FT_IDS array (owned) */
};

struct object;

/* A record of one object: values indexed like object.fields. */
struct rec {
    const struct object *o;
    int64_t id;
    struct val v[REC_MAX];
};

/* What a write knows about its caller and transaction. */
struct wctx {
    struct db_conn *c;
    const struct principal *who;    /* NULL: the CLI or an import */
    int privileged;                 /* admin, CLI or import */
    const char *reason;             /* stage changes: "manual", "import" */
    int bulk;                       /* imports: audit a new record from
                                     * its input, without reading it back */
    int quiet_stages;               /* imports: the importer writes the
                                     * stage history its columns give,
                                     * nothing else does (App. C) */
    struct rec *back;               /* when set (not with bulk), a
                                     * successful rec_create/rec_update
                                     * leaves here the record as it read
                                     * it back inside the transaction for
                                     * the audit row; the caller releases
                                     * it (rec_release) */
    struct arena *a;
    const char *via;                /* what writes for nobody ("form:12"):
                                     * kept in the audit rows */
};

struct object {
    const char *name;           /* "contact": audit, custom fields */
    const char *plural;         /* "contacts": the URL and export name */
    const char *table;
    enum vis_object vis;
    int search_kind;            /* search_terms.kind, 0 = not searched */
    const struct field *fields;
    int nfields;
    /* Normalises and checks in (the fields given) against old (NULL on
     * create) before the row is written; may set more fields of in. */
    int (*prepare)(struct wctx *w, struct rec *in, const struct rec *old,
                   struct err *err);
    /* Runs after the row is written (id known), in the transaction. */
    int (*after)(struct wctx *w, const struct rec *in, const struct rec *old,
                 int64_t id, struct err *err);
    /* Removes what refers to record id before it is deleted. */
    int (*unlink)(struct wctx *w, int64_t id, struct err *err);
    /* Loads virtual fields of a read record. */
    int (*load)(struct db_conn *c, struct rec *r, struct arena *a,
                struct err *err);
    /* Whether who may create, update and delete records of the object
     * (NULL: anyone who may see them); reads are not affected. */
    int (*may_write)(const struct principal *who);
    int no_import;              /* not offered to CSV imports */
};

extern const struct object OBJ_CONTACT, OBJ_COMPANY, OBJ_DEAL,
    OBJ_ACTIVITY, OBJ_CAMPAIGN;

/* Every object, NULL-ended. */
const struct object *const *object_all(void);
/* The object whose plural is name ("contacts"), or NULL. */
const struct object *object_by_plural(const char *name);
/* The object whose singular is name ("contact"), or NULL. */
const struct object *object_by_name(const char *name);
/* 0 when the caller who (NULL: the CLI or an import) may write records
 * of o, else E_FORBIDDEN (403: a role rule, not a visibility one). */
int object_may_write(const struct object *o, const struct principal *who,
                     struct err *err);
/* The index of field name in o, or -1. */
int object_field(const struct object *o, const char *name);

/* Starts an empty record of o. */
void rec_init(struct rec *r, const struct object *o);
/* Frees the JSON values a record holds. */
void rec_release(struct rec *r);
/* Sets field name of r to text s (NULL sets NULL); for imports and hooks. */
void rec_set_text(struct rec *r, const char *name, const char *s);
/* Sets field name of r to integer v (0 and FT_REF set NULL). */
void rec_set_int(struct rec *r, const char *name, int64_t v);
/* The value of field name (NULL when the object has no such field). */
const struct val *rec_get(const struct rec *r, const char *name);
/* Text of field name, or NULL when unset or NULL. */
const char *rec_text(const struct rec *r, const char *name);
/* Integer of field name, or 0 when unset or NULL. */
int64_t rec_int(const struct rec *r, const char *name);

/* Reads a JSON body into r: unknown keys are E_INVALID (400); read-only
 * fields, and admin-only ones for unprivileged callers, are E_RULE
 * (422); values of the wrong JSON type are E_INVALID; values breaking a
 * rule (bad email, unknown enum value) are E_RULE. Custom fields are
 * checked against their declarations (c). creating adds the required
 * fields' checks. */
int rec_from_json(struct db_conn *c, const struct object *o, json_t *body,
                  int creating, int privileged, struct rec *r,
                  struct arena *a, struct err *err);
/* The API representation of r. */
json_t *rec_to_json(const struct rec *r);
/* Appends the same JSON text as json_dumps(rec_to_json(r), JSON_COMPACT)
 * to b, without building the object (the hot read path). */
struct buf;
void rec_dump(const struct rec *r, struct buf *b);
/* The same as json_dumps(rec_to_json(r), JSON_COMPACT | JSON_SORT_KEYS)
 * (the audit log's form), appended to b without building the object. */
void rec_dump_sorted(const struct rec *r, struct buf *b);

/* ---- writes (model/object.c): each in its own transaction when
 * own_tx, audited, visibility-checked when w->who is set ---- */

/* Creates a record from in; returns its id in *id. */
int rec_create(struct wctx *w, struct rec *in, int64_t *id,
               struct err *err);
/* The first steps of rec_create, for a bulk loader that writes the row
 * itself (import/bulk.c): rec_defaults fills the defaults of a new
 * record (owner, times, empty custom); rec_check_refs checks every
 * reference in sets: the target exists and the caller may see it
 * (E_RULE naming the field, never revealing which). */
void rec_defaults(struct wctx *w, struct rec *in);
int rec_check_refs(struct wctx *w, const struct rec *in, struct err *err);
/* Updates record id with the fields set in in. */
int rec_update(struct wctx *w, int64_t id, struct rec *in, struct err *err);
/* Deletes record id (and what only it owns). */
int rec_delete(struct wctx *w, const struct object *o, int64_t id,
               struct err *err);
/* Reads record id if the caller (v; NULL = anyone) may see it. */
int rec_read(struct db_conn *c, const struct object *o, const struct vis *v,
             int64_t id, struct rec *r, struct arena *a, struct err *err);

/* ---- shared values ---- */

extern const char *const LIFECYCLE_STAGES[];    /* in funnel order */
/* The funnel position of a stage (1..7, other = 0), -1 when unknown. */
int lifecycle_rank(const char *stage);

#endif
