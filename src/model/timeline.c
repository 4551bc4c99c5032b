/* Timeline: one query per source, each already newest first and cut at
 * the cursor, merged in memory. */
#include "model/timeline.h"
#include "model/touchpoint.h"
#include "store/q_record.h"
#include "util/clock.h"
#include "util/xalloc.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* Entry kinds, which also order entries of the same instant. */
enum { K_ACTIVITY = 1, K_STAGE = 2, K_AUDIT = 3, K_TOUCHPOINT = 4 };

struct entry {
    int64_t at, id;
    int kind;
    json_t *j;
};

struct cursor {
    int set;
    int64_t at, id;
    int kind;
};

/* Decodes a cursor; -1 when it is not one this server made. */
static int read_cursor(const char *s, struct cursor *cur)
{
    unsigned char bin[256];
    size_t len;
    memset(cur, 0, sizeof(*cur));
    if (!s)
        return 0;
    if (strlen(s) > 300 ||
        sodium_base642bin(bin, sizeof(bin) - 1, s, strlen(s), NULL, &len,
                          NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING))
        return -1;
    json_t *j = json_loadb((const char *)bin, len, 0, NULL);
    json_int_t at, id, kind;
    int ok = j && !json_unpack(j, "[III]", &at, &kind, &id) && kind >= 1 &&
             kind <= K_TOUCHPOINT;
    json_decref(j);
    if (!ok)
        return -1;
    *cur = (struct cursor){1, at, id, (int)kind};
    return 0;
}

/* Encodes the cursor after entry e. */
static const char *make_cursor(const struct entry *e, struct arena *a)
{
    json_t *j = json_pack("[III]", (json_int_t)e->at, (json_int_t)e->kind,
                          (json_int_t)e->id);
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    size_t n = sodium_base64_encoded_len(
        strlen(s), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *out = arena_alloc(a, n);
    sodium_bin2base64(out, n, (const unsigned char *)s, strlen(s),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    free(s);
    return out;
}

/* The SQL condition placing a source of kind k after the cursor, on
 * columns at_col and id_col (the cursor's numbers, decoded, inline). */
static const char *after_cursor(const struct cursor *cur, int k,
                                const char *at_col, const char *id_col,
                                struct arena *a)
{
    if (!cur->set)
        return "1=1";
    if (k < cur->kind)
        return arena_printf(a, "%s <= %lld", at_col, (long long)cur->at);
    if (k > cur->kind)
        return arena_printf(a, "%s < %lld", at_col, (long long)cur->at);
    return arena_printf(a, "(%s < %lld OR (%s = %lld AND %s < %lld))",
                        at_col, (long long)cur->at, at_col,
                        (long long)cur->at, id_col, (long long)cur->id);
}

struct list {
    struct entry *e;
    int n, cap;
};

/* Appends an entry (taking j). */
static void push(struct list *l, int64_t at, int kind, int64_t id, json_t *j)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->e = xrealloc(l->e, sizeof(struct entry) * (size_t)l->cap);
    }
    l->e[l->n++] = (struct entry){at, id, kind, j};
}

/* Base object of every entry. */
static json_t *entry_json(const char *type, int64_t at, int64_t user)
{
    char iso[40];
    clock_iso(at, iso, sizeof(iso));
    json_t *j = json_pack("{ssss}", "type", type, "at", iso);
    json_object_set_new(j, "user_id", user ? json_integer(user)
                                           : json_null());
    return j;
}

/* Activities linked to the record. */
static int read_activities(struct db_conn *c, const struct object *o,
                           int64_t id, const struct cursor *cur, int limit,
                           struct list *l, struct arena *a, struct err *err)
{
    const char *link = o == &OBJ_CONTACT ? "t.contact_id = ?"
        : o == &OBJ_DEAL ? "t.deal_id = ?"
        : "(t.company_id = ? OR t.contact_id IN (SELECT id FROM contacts "
          "WHERE company_id = ?))";
    const char *sql = arena_printf(
        a, "SELECT %s FROM activities t WHERE %s AND %s ORDER BY "
        "t.created_at DESC, t.id DESC LIMIT %d",
        q_rec_cols(&OBJ_ACTIVITY, "t", a), link,
        after_cursor(cur, K_ACTIVITY, "t.created_at", "t.id", a), limit);
    struct db_stmt *st;
    int rc = o == &OBJ_COMPANY ? db_query(c, &st, err, sql, "ii", id, id)
                               : db_query(c, &st, err, sql, "i", id);
    if (rc)
        return rc;
    int r;
    while ((r = db_step(st, err)) == DB_ROW) {
        struct rec act;
        rec_init(&act, &OBJ_ACTIVITY);
        q_rec_read_row(st, 0, &act, a);
        int64_t at = rec_int(&act, "created_at");
        json_t *j = entry_json("activity", at, rec_int(&act, "owner_id"));
        json_object_set_new(j, "activity", rec_to_json(&act));
        rec_release(&act);
        push(l, at, K_ACTIVITY, act.id, j);
    }
    db_done(st);
    return r < 0 ? err->code : 0;
}

/* Lifecycle stage changes of a contact. */
static int read_stages(struct db_conn *c, int64_t id,
                       const struct cursor *cur, int limit, struct list *l,
                       struct arena *a, struct err *err)
{
    const char *sql = arena_printf(
        a, "SELECT id, from_stage, to_stage, at, by_user, reason FROM "
        "stage_changes WHERE contact_id = ? AND %s ORDER BY at DESC, id "
        "DESC LIMIT %d", after_cursor(cur, K_STAGE, "at", "id", a), limit);
    struct db_stmt *st;
    int rc = db_query(c, &st, err, sql, "i", id);
    if (rc)
        return rc;
    int r;
    while ((r = db_step(st, err)) == DB_ROW) {
        int64_t at = db_col_int(st, 3);
        json_t *j = entry_json("stage_change", at, db_col_int(st, 4));
        json_object_set_new(j, "from", db_col_null(st, 1) ? json_null()
                            : json_string(db_col_text(st, 1)));
        json_object_set_new(j, "to", json_string(db_col_text(st, 2)));
        json_object_set_new(j, "reason", db_col_null(st, 5) ? json_null()
                            : json_string(db_col_text(st, 5)));
        push(l, at, K_STAGE, db_col_int(st, 0), j);
    }
    db_done(st);
    return r < 0 ? err->code : 0;
}

/* Touchpoints of a contact, at their own "at" (SPEC §4). */
static int read_touchpoints(struct db_conn *c, int64_t id,
                            const struct cursor *cur, int limit,
                            struct list *l, struct arena *a, struct err *err)
{
    const char *sql = arena_printf(
        a, "SELECT " TOUCHPOINT_COLS " FROM touchpoints t WHERE "
        "t.contact_id = ? AND %s ORDER BY t.at DESC, t.id DESC LIMIT %d",
        after_cursor(cur, K_TOUCHPOINT, "t.at", "t.id", a), limit);
    struct db_stmt *st;
    int rc = db_query(c, &st, err, sql, "i", id);
    if (rc)
        return rc;
    int r;
    while ((r = db_step(st, err)) == DB_ROW) {
        int64_t at = db_col_int(st, 13);
        json_t *j = entry_json("touchpoint", at, db_col_null(st, 15) ? 0
                               : db_col_int(st, 15));
        json_object_set_new(j, "touchpoint", touchpoint_row_json(st));
        push(l, at, K_TOUCHPOINT, db_col_int(st, 0), j);
    }
    db_done(st);
    return r < 0 ? err->code : 0;
}

/* {field: [old, new]} from an audit row's old and new values. */
static json_t *changes(const char *old_s, const char *new_s)
{
    json_t *o = old_s ? json_loads(old_s, 0, NULL) : NULL;
    json_t *n = new_s ? json_loads(new_s, 0, NULL) : NULL;
    json_t *out = json_object();
    const char *k;
    json_t *x;
    if (json_is_object(n))
        json_object_foreach(n, k, x) {
            json_t *was = json_is_object(o) ? json_object_get(o, k) : NULL;
            json_object_set_new(out, k, json_pack("[OO]", was ? was
                                                  : json_null(), x));
        }
    json_decref(o);
    json_decref(n);
    return out;
}

/* {"kind","id"} of an audit row's via ("form:12"), or {"kind"} when it
 * names no record. */
static json_t *via_json(const char *via)
{
    const char *colon = strchr(via, ':');
    json_t *j = json_object();
    json_object_set_new(j, "kind", colon ? json_stringn(via, (size_t)(colon
                        - via)) : json_string(via));
    if (colon)
        json_object_set_new(j, "id", json_integer(strtoll(colon + 1, NULL,
                                                          10)));
    return j;
}

/* Creation, field changes and merges from the audit log. */
static int read_audit(struct db_conn *c, const struct object *o, int64_t id,
                      const struct cursor *cur, int limit, struct list *l,
                      struct arena *a, struct err *err)
{
    const char *sql = arena_printf(
        a, "SELECT id, action, at, user_id, old_values, new_values, via FROM "
        "audit_log WHERE object = ? AND object_id = ? AND action IN "
        "('create', 'update', 'merge') AND %s ORDER BY at DESC, id DESC "
        "LIMIT %d", after_cursor(cur, K_AUDIT, "at", "id", a), limit);
    struct db_stmt *st;
    int rc = db_query(c, &st, err, sql, "ti", o->name, id);
    if (rc)
        return rc;
    int r;
    while ((r = db_step(st, err)) == DB_ROW) {
        const char *action = db_col_text(st, 1);
        int64_t at = db_col_int(st, 2);
        json_t *j;
        if (!strcmp(action, "create")) {
            j = entry_json("created", at, db_col_int(st, 3));
        } else if (!strcmp(action, "merge")) {
            j = entry_json("merged", at, db_col_int(st, 3));
            json_t *nv = json_loads(db_col_text(st, 5), 0, NULL);
            json_object_set(j, "merged_id", json_object_get(nv,
                                                            "merged_id"));
            json_decref(nv);
        } else {
            j = entry_json("field_change", at, db_col_int(st, 3));
            json_object_set_new(j, "changes", changes(db_col_text(st, 4),
                                                      db_col_text(st, 5)));
        }
        if (!db_col_null(st, 6))
            json_object_set_new(j, "via", via_json(db_col_text(st, 6)));
        push(l, at, K_AUDIT, db_col_int(st, 0), j);
    }
    db_done(st);
    return r < 0 ? err->code : 0;
}

/* Newest first; at one instant the higher kind, then the higher id. */
static int cmp_entry(const void *x, const void *y)
{
    const struct entry *a = x, *b = y;
    if (a->at != b->at)
        return a->at < b->at ? 1 : -1;
    if (a->kind != b->kind)
        return b->kind - a->kind;
    return (a->id < b->id) - (a->id > b->id);
}

int timeline_read(struct db_conn *c, const struct object *o, int64_t id,
                  const char *cursor, int limit, json_t **data,
                  const char **next, struct arena *a, struct err *err)
{
    struct cursor cur;
    struct list l = {0};
    *next = NULL;
    if (read_cursor(cursor, &cur))
        return err_set(err, E_INVALID, "cursor", "is not a cursor this "
                       "server gave");
    int rc = read_activities(c, o, id, &cur, limit + 1, &l, a, err);
    if (!rc && o == &OBJ_CONTACT)
        rc = read_stages(c, id, &cur, limit + 1, &l, a, err);
    if (!rc && o == &OBJ_CONTACT)
        rc = read_touchpoints(c, id, &cur, limit + 1, &l, a, err);
    if (!rc)
        rc = read_audit(c, o, id, &cur, limit + 1, &l, a, err);
    if (!rc) {
        qsort(l.e, (size_t)l.n, sizeof(struct entry), cmp_entry);
        *data = json_array();
        for (int i = 0; i < l.n && i < limit; i++) {
            json_array_append(*data, l.e[i].j);
            if (i == limit - 1 && l.n > limit)
                *next = make_cursor(&l.e[i], a);
        }
    }
    for (int i = 0; i < l.n; i++)
        json_decref(l.e[i].j);
    free(l.e);
    return rc;
}
