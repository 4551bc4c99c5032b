/* Custom field declarations and value checks. */
#include "model/custom_field.h"
#include "model/record.h"
#include "store/audit.h"
#include "util/clock.h"
#include "util/text.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const CF_TYPES[] = {"text", "number", "money", "date",
    "bool", "select", "multiselect", NULL};
static const char *const CF_OBJECTS[] = {"contact", "company", "deal",
    "activity", NULL};

#define CF_COLS "id, object, name, label, type, options, created_at, " \
    "updated_at"

/* Whether s is one of the NULL-ended list. */
static int one_of(const char *s, const char *const *list)
{
    for (int i = 0; list[i]; i++)
        if (!strcmp(s, list[i]))
            return 1;
    return 0;
}

int cf_valid_name(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > 40 || name[0] < 'a' || name[0] > 'z')
        return 0;
    for (size_t i = 0; i < n; i++) {
        char ch = name[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
              ch == '_'))
            return 0;
    }
    return 1;
}

/* Fills d from the current row (CF_COLS order). */
static void read_row(struct db_stmt *st, struct cf_def *d, struct arena *a)
{
    d->id = db_col_int(st, 0);
    d->object = arena_strdup(a, db_col_text(st, 1));
    d->name = arena_strdup(a, db_col_text(st, 2));
    d->label = arena_strdup(a, db_col_text(st, 3));
    d->type = arena_strdup(a, db_col_text(st, 4));
    const char *opt = db_col_text(st, 5);
    d->options = opt ? json_loads(opt, 0, NULL) : NULL;
    d->created_at = db_col_int(st, 6);
    d->updated_at = db_col_int(st, 7);
}

int cf_load(struct db_conn *c, const char *object, struct cf_set *out,
            struct arena *a, struct err *err)
{
    struct db_stmt *st;
    int cap = 0, r;
    memset(out, 0, sizeof(*out));
    int rc = db_query(c, &st, err, "SELECT " CF_COLS " FROM custom_fields "
                      "WHERE object = ? ORDER BY id", "t", object);
    if (rc)
        return rc;
    while ((r = db_step(st, err)) == DB_ROW) {
        if (out->n == cap) {
            cap = cap ? cap * 2 : 8;
            struct cf_def *nd = arena_alloc(a, sizeof(*nd) * (size_t)cap);
            if (out->n)
                memcpy(nd, out->defs, sizeof(*nd) * (size_t)out->n);
            out->defs = nd;
        }
        read_row(st, &out->defs[out->n++], a);
    }
    db_done(st);
    if (r < 0) {
        cf_set_release(out);
        return err->code;
    }
    return 0;
}

void cf_set_release(struct cf_set *s)
{
    for (int i = 0; i < s->n; i++)
        json_decref(s->defs[i].options);
    s->n = 0;
}

const struct cf_def *cf_find(const struct cf_set *s, const char *name)
{
    for (int i = 0; i < s->n; i++)
        if (!strcmp(s->defs[i].name, name))
            return &s->defs[i];
    return NULL;
}

/* Whether opt is one of d's options. */
static int has_option(const struct cf_def *d, const char *opt)
{
    size_t i;
    json_t *o;
    json_array_foreach(d->options, i, o)
        if (json_is_string(o) && !strcmp(json_string_value(o), opt))
            return 1;
    return 0;
}

/* Checks string v (max bytes) and rewrites it as NFC (App. C). */
static int nfc_string(json_t *v, size_t max, const char *f, struct arena *a,
                      struct err *err)
{
    const char *out;
    int rc = text_normalize(json_string_value(v), json_string_length(v), max,
                            f, &out, a, err);
    if (!rc && strcmp(out, json_string_value(v)))
        json_string_set(v, out);
    return rc;
}

int cf_check_value(const struct cf_def *d, json_t *v, struct arena *a,
                   struct err *err)
{
    const char *f = arena_printf(a, "custom.%s", d->name);
    const char *t = d->type;
    if (!strcmp(t, "text")) {
        if (!json_is_string(v))
            return err_set(err, E_INVALID, f, "must be a string");
        return nfc_string(v, 1000, f, a, err);
    }
    if (!strcmp(t, "number")) {
        if (!json_is_number(v) || !isfinite(json_number_value(v)))
            return err_set(err, E_INVALID, f, "must be a number");
        return 0;
    }
    if (!strcmp(t, "money")) {
        if (!json_is_integer(v))
            return err_set(err, E_INVALID, f, "must be an integer amount "
                           "in minor units");
        return json_integer_value(v) < 0
            ? err_set(err, E_RULE, f, "must not be negative") : 0;
    }
    if (!strcmp(t, "bool"))
        return json_is_boolean(v) ? 0 : err_set(err, E_INVALID, f,
                                                "must be true or false");
    if (!strcmp(t, "date")) {
        if (!json_is_string(v))
            return err_set(err, E_INVALID, f, "must be a YYYY-MM-DD string");
        return clock_valid_date(json_string_value(v)) ? 0
            : err_set(err, E_RULE, f, "is not a date (YYYY-MM-DD)");
    }
    if (!strcmp(t, "select")) {
        if (!json_is_string(v))
            return err_set(err, E_INVALID, f, "must be a string");
        if (nfc_string(v, 1000, f, a, err))
            return err->code;
        return has_option(d, json_string_value(v)) ? 0
            : err_set(err, E_RULE, f, "is not one of the field's options");
    }
    /* multiselect: distinct options */
    if (!json_is_array(v))
        return err_set(err, E_INVALID, f, "must be an array of options");
    size_t i, j;
    json_t *o, *p;
    json_array_foreach(v, i, o) {
        if (!json_is_string(o))
            return err_set(err, E_INVALID, f, "must be an array of strings");
        if (nfc_string(o, 1000, f, a, err))
            return err->code;
        if (!has_option(d, json_string_value(o)))
            return err_set(err, E_RULE, f, "\"%s\" is not one of the "
                           "field's options", json_string_value(o));
        json_array_foreach(v, j, p)
            if (j < i && json_equal(o, p))
                return err_set(err, E_RULE, f, "lists an option twice");
    }
    return 0;
}

json_t *cf_to_json(const struct cf_def *d)
{
    char c[40], m[40];
    clock_iso(d->created_at, c, sizeof(c));
    clock_iso(d->updated_at, m, sizeof(m));
    return json_pack("{sIsssssssssOssss}", "id", (json_int_t)d->id,
                     "object", d->object, "name", d->name, "label",
                     d->label, "type", d->type, "options",
                     d->options ? d->options : json_null(),
                     "created_at", c, "updated_at", m);
}

/* Checks an options value for type t: required (non-empty array of
 * distinct non-empty strings, rewritten as NFC) for select types,
 * refused otherwise. */
static int check_options(const char *t, json_t *opt, struct arena *a,
                         struct err *err)
{
    int sel = !strcmp(t, "select") || !strcmp(t, "multiselect");
    if (!sel)
        return opt && !json_is_null(opt)
            ? err_set(err, E_RULE, "options", "only select and multiselect "
                      "fields have options") : 0;
    if (!json_is_array(opt) || json_array_size(opt) == 0 ||
        json_array_size(opt) > 500)
        return err_set(err, E_RULE, "options", "must be a list of 1 to 500 "
                       "options");
    size_t i, j;
    json_t *o, *p;
    json_array_foreach(opt, i, o) {
        if (!json_is_string(o) || !json_string_length(o) ||
            json_string_length(o) > 200)
            return err_set(err, E_INVALID, "options", "must be strings of "
                           "1 to 200 bytes");
        if (nfc_string(o, 200, "options", a, err))
            return err->code;
        json_array_foreach(opt, j, p)
            if (j < i && json_equal(o, p))
                return err_set(err, E_RULE, "options", "lists an option "
                               "twice");
    }
    return 0;
}

/* Reads a required or optional string key of body. */
static int str_key(json_t *body, const char *k, int required,
                   const char **out, struct arena *a, struct err *err)
{
    json_t *v = json_object_get(body, k);
    *out = NULL;
    if (!v)
        return required ? err_set(err, E_INVALID, k, "is required") : 0;
    if (!json_is_string(v) || !json_string_length(v))
        return err_set(err, E_INVALID, k, "must be a non-empty string");
    return text_normalize(json_string_value(v), json_string_length(v), 200,
                          k, out, a, err);
}

int cf_get(struct db_conn *c, int64_t id, struct cf_def *d, struct arena *a,
           struct err *err)
{
    struct db_stmt *st;
    int rc = db_query(c, &st, err, "SELECT " CF_COLS " FROM custom_fields "
                      "WHERE id = ?", "i", id);
    if (rc)
        return rc;
    int r = db_step(st, err);
    if (r == DB_ROW)
        read_row(st, d, a);
    db_done(st);
    if (r < 0)
        return err->code;
    return r == DB_ROW ? 0 : err_set(err, E_NOTFOUND, NULL,
                                     "no such custom field");
}

int cf_create(struct db_conn *c, int64_t actor, json_t *body, int64_t *id,
              struct arena *a, struct err *err)
{
    static const char *const keys[] = {"object", "name", "label", "type",
        "options", NULL};
    const char *object, *name, *label, *type;
    int rc = record_check_readonly(body, err);
    if (!rc)
        rc = record_check_keys(body, keys, err);
    if (!rc)
        rc = str_key(body, "object", 1, &object, a, err);
    if (!rc)
        rc = str_key(body, "name", 1, &name, a, err);
    if (!rc)
        rc = str_key(body, "label", 0, &label, a, err);
    if (!rc)
        rc = str_key(body, "type", 1, &type, a, err);
    if (rc)
        return rc;
    if (!one_of(object, CF_OBJECTS))
        return err_set(err, E_INVALID, "object", "must be contact, company, "
                       "deal or activity");
    if (!cf_valid_name(name))
        return err_set(err, E_RULE, "name", "must be 1 to 40 of a-z, 0-9 "
                       "and _, starting with a letter");
    if (!one_of(type, CF_TYPES))
        return err_set(err, E_INVALID, "type", "must be text, number, "
                       "money, date, bool, select or multiselect");
    json_t *opt = json_object_get(body, "options");
    rc = check_options(type, opt, a, err);
    if (rc)
        return rc;
    char *optx = opt && !json_is_null(opt)
        ? json_dumps(opt, JSON_COMPACT) : NULL;
    int64_t now = clock_now_ms(), other;
    rc = db_begin_write(c, err);
    if (!rc) {
        rc = db_int(c, err, &other, "SELECT id FROM custom_fields WHERE "
                    "object = ? AND name = ?", "tt", object, name);
        if (rc == 0) {
            rc = err_set(err, E_CONFLICT, "name", "a %s field with this "
                         "name exists", object);
            err->id = other;
        } else if (rc == E_NOTFOUND) {
            rc = db_int(c, err, id, "INSERT INTO custom_fields (object, "
                        "name, label, type, options, created_at, "
                        "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
                        "RETURNING id", "ttttt" "ii", object, name,
                        label ? label : name, type, optx, now, now);
        }
    }
    if (!rc)
        rc = audit_write(c, actor, "create", "custom_field", *id, NULL,
                         body, err);
    free(optx);
    if (!rc)
        rc = db_commit(c, err);
    if (rc)
        db_rollback(c);
    return rc;
}

int cf_update(struct db_conn *c, int64_t actor, int64_t id, json_t *body,
              struct arena *a, struct err *err)
{
    static const char *const keys[] = {"label", "options", NULL};
    struct cf_def d;
    const char *label;
    int rc = record_check_readonly(body, err);
    if (!rc)
        rc = record_check_keys(body, keys, err);
    if (!rc)
        rc = str_key(body, "label", 0, &label, a, err);
    if (rc)
        return rc;
    rc = db_begin_write(c, err);
    if (!rc)
        rc = cf_get(c, id, &d, a, err);
    if (rc) {
        db_rollback(c);
        return rc;
    }
    json_t *opt = json_object_get(body, "options");
    if (opt)
        rc = check_options(d.type, opt, a, err);
    json_t *keep = opt ? opt : d.options;
    char *optx = !rc && keep && !json_is_null(keep)
        ? json_dumps(keep, JSON_COMPACT) : NULL;
    json_t *old = cf_to_json(&d);
    if (!rc)
        rc = db_run(c, err, "UPDATE custom_fields SET label = ?, options = "
                    "?, updated_at = ? WHERE id = ?", "ttii",
                    label ? label : d.label, optx, clock_now_ms(), id);
    if (!rc)
        rc = audit_write(c, actor, "update", "custom_field", id, old, body,
                         err);
    json_decref(old);
    json_decref(d.options);
    free(optx);
    if (!rc)
        rc = db_commit(c, err);
    if (rc)
        db_rollback(c);
    return rc;
}

int cf_delete(struct db_conn *c, int64_t actor, int64_t id, struct err *err)
{
    int64_t got;
    int rc = db_begin_write(c, err);
    if (!rc)
        rc = db_int(c, err, &got, "DELETE FROM custom_fields WHERE id = ? "
                    "RETURNING id", "i", id);
    if (rc == E_NOTFOUND)
        err_set(err, E_NOTFOUND, NULL, "no such custom field");
    if (!rc)
        rc = audit_write(c, actor, "delete", "custom_field", id, NULL, NULL,
                         err);
    if (!rc)
        rc = db_commit(c, err);
    if (rc)
        db_rollback(c);
    return rc;
}
