/* The shared implementation of CRM objects: JSON in and out, reference
 * checks, create/update/delete with audit rows, reads through visibility.
 * Object-specific rules live in the hooks of contact.c, company.c,
 * deal.c and activity.c. */
#include "model/object.h"
#include "model/custom_field.h"
#include "store/audit.h"
#include "store/q_record.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/phone.h"
#include "util/text.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <string.h>

const char *const LIFECYCLE_STAGES[] = {"subscriber", "lead",
    "marketing_qualified_lead", "sales_qualified_lead", "opportunity",
    "customer", "evangelist", "other", NULL};

int lifecycle_rank(const char *stage)
{
    if (!stage)
        return -1;
    for (int i = 0; i < 7; i++)
        if (!strcmp(stage, LIFECYCLE_STAGES[i]))
            return i + 1;
    return strcmp(stage, "other") ? -1 : 0;
}

static const struct object *const OBJECTS[] = {&OBJ_CONTACT, &OBJ_COMPANY,
    &OBJ_DEAL, &OBJ_ACTIVITY, &OBJ_CAMPAIGN, NULL};

const struct object *const *object_all(void)
{
    return OBJECTS;
}

const struct object *object_by_plural(const char *name)
{
    for (int i = 0; OBJECTS[i]; i++)
        if (!strcmp(OBJECTS[i]->plural, name))
            return OBJECTS[i];
    return NULL;
}

const struct object *object_by_name(const char *name)
{
    for (int i = 0; OBJECTS[i]; i++)
        if (!strcmp(OBJECTS[i]->name, name))
            return OBJECTS[i];
    return NULL;
}

int object_may_write(const struct object *o, const struct principal *who,
                     struct err *err)
{
    if (!who || !o->may_write || o->may_write(who))
        return 0;
    return err_set(err, E_FORBIDDEN, NULL, "your role cannot change %s",
                   o->plural);
}

int object_field(const struct object *o, const char *name)
{
    /* the first byte rules out most fields without a call (this lookup
     * runs a dozen times per imported row) */
    for (int i = 0; i < o->nfields; i++)
        if (o->fields[i].name[0] == name[0] &&
            !strcmp(o->fields[i].name, name))
            return i;
    return -1;
}

void rec_init(struct rec *r, const struct object *o)
{
    memset(r, 0, sizeof(*r));
    r->o = o;
}

void rec_release(struct rec *r)
{
    for (int i = 0; i < REC_MAX; i++) {
        json_decref(r->v[i].j);
        r->v[i].j = NULL;
    }
}

/* The index of field name, which the code knows exists. */
static int must_field(const struct object *o, const char *name)
{
    int i = object_field(o, name);
    if (i < 0)
        BUG("no such field");
    return i < 0 ? 0 : i;
}

void rec_set_text(struct rec *r, const char *name, const char *s)
{
    int i = must_field(r->o, name);
    r->v[i].set = 1;
    r->v[i].null = s == NULL;
    r->v[i].s = s;
}

void rec_set_int(struct rec *r, const char *name, int64_t v)
{
    int i = must_field(r->o, name);
    r->v[i].set = 1;
    r->v[i].null = v == 0 && r->o->fields[i].type == FT_REF;
    r->v[i].i = v;
}

const struct val *rec_get(const struct rec *r, const char *name)
{
    int i = object_field(r->o, name);
    return i < 0 ? NULL : &r->v[i];
}

const char *rec_text(const struct rec *r, const char *name)
{
    const struct val *v = rec_get(r, name);
    return v && v->set && !v->null ? v->s : NULL;
}

int64_t rec_int(const struct rec *r, const char *name)
{
    const struct val *v = rec_get(r, name);
    return v && v->set && !v->null ? v->i : 0;
}

/* ---- JSON input ---- */

/* Whether s is one of the NULL-ended list. */
static int in_list(const char *s, const char *const *list)
{
    for (int i = 0; list && list[i]; i++)
        if (!strcmp(s, list[i]))
            return 1;
    return 0;
}

/* Reads a string value of field f into *out (NFC); "" gives NULL. */
static int read_text(const struct field *f, json_t *j, const char **out,
                     struct arena *a, struct err *err)
{
    if (!json_is_string(j))
        return err_set(err, E_INVALID, f->name, "must be a string");
    const char *s;
    int rc = text_normalize(json_string_value(j), json_string_length(j),
                            (size_t)(f->max ? f->max : 1000), f->name, &s,
                            a, err);
    if (rc)
        return rc;
    while (*s == ' ')
        s++;
    size_t n = strlen(s);
    while (n && s[n - 1] == ' ')
        n--;
    *out = n ? arena_strndup(a, s, n) : NULL;
    return 0;
}

/* Checks and lower-cases an email. */
static int read_email(const struct field *f, json_t *j, struct val *v,
                      struct arena *a, struct err *err)
{
    int rc = read_text(f, j, &v->s, a, err);
    if (rc || !v->s) {
        v->null = !rc;
        return rc;
    }
    char *e = arena_strdup(a, v->s);
    for (char *p = e; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    v->s = e;
    return text_check_email(e, f->name, err);
}

/* Normalises a phone to E.164; text that is not a phone number but has
 * enough digits to be one written oddly is kept as given. */
static int read_phone(const struct field *f, json_t *j, struct val *v,
                      struct arena *a, struct err *err)
{
    int rc = read_text(f, j, &v->s, a, err);
    if (rc || !v->s) {
        v->null = !rc;
        return rc;
    }
    char e164[32];
    if (!phone_e164(v->s, e164, sizeof(e164))) {
        v->s = arena_strdup(a, e164);
        return 0;
    }
    int digits = 0;
    for (const char *p = v->s; *p; p++)
        digits += *p >= '0' && *p <= '9';
    return digits >= 6 ? 0 : err_set(err, E_RULE, f->name, "is not a "
                                     "phone number");
}

/* Reads the custom object: declared keys only, checked values; null
 * values mean "remove" and are kept for the update to apply. */
static int read_custom(struct db_conn *c, const struct object *o, json_t *j,
                       struct val *v, struct arena *a, struct err *err)
{
    if (!json_is_object(j))
        return err_set(err, E_INVALID, "custom", "must be an object");
    struct cf_set defs;
    int rc = cf_load(c, o->name, &defs, a, err);
    if (rc)
        return rc;
    const char *k;
    json_t *x;
    json_object_foreach(j, k, x) {
        const struct cf_def *d = cf_find(&defs, k);
        if (!d) {
            rc = err_set(err, E_INVALID, arena_printf(a, "custom.%s", k),
                         "no such custom field");
            break;
        }
        if (!json_is_null(x) && (rc = cf_check_value(d, x, a, err)))
            break;
    }
    cf_set_release(&defs);
    if (!rc)
        v->j = json_incref(j);
    return rc;
}

/* Reads a list of distinct positive ids (at most 100). */
static int read_ids(const struct field *f, json_t *j, struct val *v,
                    struct err *err)
{
    if (!json_is_array(j) || json_array_size(j) > 100)
        return err_set(err, E_INVALID, f->name, "must be an array of at "
                       "most 100 ids");
    size_t i, k;
    json_t *x, *y;
    json_array_foreach(j, i, x) {
        if (!json_is_integer(x) || json_integer_value(x) <= 0)
            return err_set(err, E_INVALID, f->name, "must hold positive "
                           "integer ids");
        json_array_foreach(j, k, y)
            if (k < i && json_equal(x, y))
                return err_set(err, E_RULE, f->name, "lists an id twice");
    }
    v->j = json_incref(j);
    return 0;
}

/* Reads a JSON object of counts: only the keys of f->values, each a
 * non-negative integer or null; every key is kept, absent ones as null,
 * so the stored object always has the same shape. */
static int read_counts(const struct field *f, json_t *j, struct val *v,
                       struct arena *a, struct err *err)
{
    if (!json_is_object(j))
        return err_set(err, E_INVALID, f->name, "must be an object");
    const char *k;
    json_t *x;
    json_object_foreach(j, k, x) {
        const char *name = arena_printf(a, "%s.%.40s", f->name, k);
        if (!in_list(k, f->values))
            return err_set(err, E_INVALID, name, "unknown key");
        if (!json_is_null(x) && !json_is_integer(x))
            return err_set(err, E_INVALID, name, "must be an integer or "
                           "null");
        if (json_is_integer(x) && json_integer_value(x) < 0)
            return err_set(err, E_RULE, name, "must not be negative");
    }
    json_t *out = json_object();
    for (int i = 0; f->values[i]; i++) {
        x = json_object_get(j, f->values[i]);
        json_object_set_new(out, f->values[i], x ? json_incref(x)
                            : json_null());
    }
    v->j = out;
    return 0;
}

/* Reads value j of field f (not JSON null) into v. */
static int read_value(struct db_conn *c, const struct object *o,
                      const struct field *f, json_t *j, struct val *v,
                      struct arena *a, struct err *err)
{
    switch (f->type) {
    case FT_TEXT:
        v->s = NULL;
        if (read_text(f, j, &v->s, a, err))
            return err->code;
        v->null = v->s == NULL;
        if (v->null && (f->flags & (FF_REQ | FF_NOTNULL)))
            return err_set(err, E_INVALID, f->name, "must not be empty");
        return 0;
    case FT_EMAIL:
        return read_email(f, j, v, a, err);
    case FT_PHONE:
        return read_phone(f, j, v, a, err);
    case FT_INT:
    case FT_MONEY:
    case FT_REF:
        if (!json_is_integer(j))
            return err_set(err, E_INVALID, f->name, "must be an integer");
        v->i = json_integer_value(j);
        if (f->type == FT_REF && v->i <= 0)
            return err_set(err, E_INVALID, f->name, "must be an id");
        if (f->type == FT_MONEY && v->i < 0)
            return err_set(err, E_RULE, f->name, "must not be negative");
        return 0;
    case FT_ENUM:
        if (!json_is_string(j))
            return err_set(err, E_INVALID, f->name, "must be a string");
        v->s = arena_strdup(a, json_string_value(j));
        return in_list(v->s, f->values) ? 0
            : err_set(err, E_RULE, f->name, "\"%.40s\" is not an allowed "
                      "value", v->s);
    case FT_TIME:
        if (!json_is_string(j) || clock_parse_iso(json_string_value(j),
                                                  &v->i))
            return err_set(err, E_INVALID, f->name, "must be an ISO 8601 "
                           "time such as 2026-03-01T08:30:00Z");
        return 0;
    case FT_DATE:
        if (!json_is_string(j) || !clock_valid_date(json_string_value(j)))
            return err_set(err, E_INVALID, f->name, "must be a date such as "
                           "2026-03-01");
        v->s = arena_strdup(a, json_string_value(j));
        return 0;
    case FT_CURRENCY: {
        const char *s = json_is_string(j) ? json_string_value(j) : "";
        if (strlen(s) != 3 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' ||
            s[1] > 'Z' || s[2] < 'A' || s[2] > 'Z')
            return err_set(err, E_INVALID, f->name, "must be an ISO 4217 "
                           "code such as VND");
        v->s = arena_strdup(a, s);
        return 0;
    }
    case FT_CUSTOM:
        return read_custom(c, o, j, v, a, err);
    case FT_IDS:
        return read_ids(f, j, v, err);
    case FT_COUNTS:
        return read_counts(f, j, v, a, err);
    case FT_ID:
        break;
    }
    return err_set(err, E_RULE, f->name, "is read-only");
}

int rec_from_json(struct db_conn *c, const struct object *o, json_t *body,
                  int creating, int privileged, struct rec *r,
                  struct arena *a, struct err *err)
{
    rec_init(r, o);
    const char *k;
    json_t *j;
    json_object_foreach(body, k, j) {
        int i = object_field(o, k);
        const struct field *f = i < 0 ? NULL : &o->fields[i];
        if (!f || (f->flags & FF_HIDDEN))
            return err_set(err, E_INVALID, arena_strdup(a, k), "unknown "
                           "field");
        if (f->flags & FF_RO || f->type == FT_ID)
            return err_set(err, E_RULE, f->name, "is read-only");
        if ((f->flags & FF_ADMIN) && !privileged)
            return err_set(err, E_RULE, f->name, "only admins and imports "
                           "can set this");
        struct val *v = &r->v[i];
        v->set = 1;
        if (json_is_null(j)) {
            if (f->flags & (FF_REQ | FF_NOTNULL))
                return err_set(err, E_INVALID, f->name, "must not be null");
            v->null = 1;
            continue;
        }
        if (read_value(c, o, f, j, v, a, err))
            return err->code;
    }
    for (int i = 0; creating && i < o->nfields; i++)
        if ((o->fields[i].flags & FF_REQ) && (!r->v[i].set || r->v[i].null))
            return err_set(err, E_INVALID, o->fields[i].name, "is "
                           "required");
    return 0;
}

/* ---- JSON output ---- */

json_t *rec_to_json(const struct rec *r)
{
    json_t *out = json_object();
    for (int i = 0; i < r->o->nfields; i++) {
        const struct field *f = &r->o->fields[i];
        const struct val *v = &r->v[i];
        if (f->flags & (FF_HIDDEN | FF_WRITEONLY))
            continue;
        json_t *x;
        char iso[40];
        if (f->type == FT_CUSTOM || (f->type == FT_COUNTS && !v->null))
            x = v->j ? json_incref(v->j) : json_object();
        else if (f->type == FT_IDS)
            x = v->j ? json_incref(v->j) : json_array();
        else if (!v->set || v->null)
            x = json_null();
        else if (f->type == FT_TIME) {
            clock_iso(v->i, iso, sizeof(iso));
            x = json_string(iso);
        } else if (f->type == FT_ID || f->type == FT_INT ||
                   f->type == FT_MONEY || f->type == FT_REF)
            x = json_integer(v->i);
        else
            x = json_string(v->s);
        json_object_set_new(out, f->name, x);
    }
    return out;
}

/* json_dump_callback sink appending to a buf. */
static int to_buf(const char *p, size_t n, void *b)
{
    return buf_add(b, p, n);
}

/* Whether s can go into JSON between quotes as it is: no quote,
 * backslash or control character (stored text is valid UTF-8, and
 * jansson escapes nothing else by default). */
static int plain(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == '"' || *p == '\\')
            return 0;
    return 1;
}

/* Appends a JSON value encoded by jansson (strings, custom objects);
 * flags adds JSON_SORT_KEYS for the sorted form. */
static void add_json(struct buf *b, json_t *j, size_t flags)
{
    json_dump_callback(j, to_buf, b, JSON_COMPACT | JSON_ENCODE_ANY | flags);
}

/* Appends "name":value of field i of r, as rec_to_json would encode it. */
static void dump_field(const struct rec *r, int i, size_t flags,
                       struct buf *b)
{
    const struct field *f = &r->o->fields[i];
    const struct val *v = &r->v[i];
    buf_add(b, "\"", 1);
    buf_adds(b, f->name);
    buf_add(b, "\":", 2);
    if (f->type == FT_CUSTOM || f->type == FT_IDS ||
        (f->type == FT_COUNTS && !v->null)) {
        if (v->j)
            add_json(b, v->j, flags);
        else
            buf_adds(b, f->type == FT_IDS ? "[]" : "{}");
    } else if (!v->set || v->null) {
        buf_add(b, "null", 4);
    } else if (f->type == FT_TIME) {
        char iso[40];
        clock_iso(v->i, iso, sizeof(iso));
        buf_add(b, "\"", 1);
        buf_adds(b, iso);
        buf_add(b, "\"", 1);
    } else if (f->type == FT_ID || f->type == FT_INT ||
               f->type == FT_MONEY || f->type == FT_REF) {
        buf_add_int(b, v->i);
    } else if (plain(v->s)) {
        buf_add(b, "\"", 1);
        buf_adds(b, v->s);
        buf_add(b, "\"", 1);
    } else {
        json_t *s = json_string_nocheck(v->s);
        add_json(b, s, flags);
        json_decref(s);
    }
}

/* Whether field f is left out of the API representation. */
static int not_shown(const struct field *f)
{
    return (f->flags & (FF_HIDDEN | FF_WRITEONLY)) != 0;
}

void rec_dump(const struct rec *r, struct buf *b)
{
    int n = 0;
    buf_reserve(b, 1024);
    buf_add(b, "{", 1);
    for (int i = 0; i < r->o->nfields; i++) {
        if (not_shown(&r->o->fields[i]))
            continue;
        if (n++)
            buf_add(b, ",", 1);
        dump_field(r, i, 0, b);
    }
    buf_add(b, "}", 1);
}

/* The shown fields of o in name order (jansson's JSON_SORT_KEYS): n
 * indexes into order. */
static int sorted_fields(const struct object *o, int order[REC_MAX])
{
    int n = 0;
    for (int i = 0; i < o->nfields; i++) {        /* insertion by name */
        if (not_shown(&o->fields[i]))
            continue;
        int j = n++;
        while (j > 0 && strcmp(o->fields[order[j - 1]].name,
                               o->fields[i].name) > 0) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
    return n;
}

void rec_dump_sorted(const struct rec *r, struct buf *b)
{
    /* the order of the last object dumped on this thread (an import
     * dumps one object a million times) */
    static _Thread_local const struct object *last;
    static _Thread_local int order[REC_MAX], n;
    if (last != r->o) {
        n = sorted_fields(r->o, order);
        last = r->o;
    }
    buf_reserve(b, 1024);
    buf_add(b, "{", 1);
    for (int k = 0; k < n; k++) {
        if (k)
            buf_add(b, ",", 1);
        dump_field(r, order[k], JSON_SORT_KEYS, b);
    }
    buf_add(b, "}", 1);
}

/* ---- writes ---- */

int rec_read(struct db_conn *c, const struct object *o, const struct vis *v,
             int64_t id, struct rec *r, struct arena *a, struct err *err)
{
    rec_init(r, o);
    int rc = q_rec_get(c, o, id, r, a, err);
    if (!rc && v) {
        rc = vis_check(c, v, o->vis, id, rec_int(r, "owner_id"), err);
        if (rc == E_NOTFOUND)
            err_set(err, E_NOTFOUND, NULL, "no such %s", o->name);
    }
    if (!rc && o->load)
        rc = o->load(c, r, a, err);
    if (rc)
        rec_release(r);
    return rc;
}

/* Checks a user reference: an active user the caller may see. */
static int check_user_ref(struct wctx *w, const struct field *f, int64_t id,
                          struct err *err)
{
    int64_t n = 0;
    if (w->who && !vis_can_see(&w->who->vis, VIS_USER, id))
        return err_set(err, E_RULE, f->name, "no such user you can "
                       "assign");
    int rc = db_int(w->c, err, &n, "SELECT COUNT(*) FROM users WHERE id = ? "
                    "AND active = 1", "i", id);
    if (rc)
        return rc;
    return n ? 0 : err_set(err, E_RULE, f->name, "no such user you can "
                           "assign");
}

int rec_check_refs(struct wctx *w, const struct rec *in, struct err *err)
{
    const struct object *o = in->o;
    for (int i = 0; i < o->nfields; i++) {
        const struct field *f = &o->fields[i];
        const struct val *v = &in->v[i];
        if (f->type != FT_REF || !v->set || v->null || !f->ref)
            continue;
        int rc;
        const struct object *to = object_by_plural(f->ref);
        if (!strcmp(f->ref, "users")) {
            rc = check_user_ref(w, f, v->i, err);
        } else if (to) {
            struct rec r;
            rc = rec_read(w->c, to, w->who ? &w->who->vis : NULL, v->i, &r,
                          w->a, err);
            rec_release(&r);
            if (rc == E_NOTFOUND)
                rc = err_set(err, E_RULE, f->name, "no such %s", to->name);
        } else {
            int64_t n = 0;
            const char *sql = arena_printf(w->a, "SELECT COUNT(*) FROM %s "
                                           "WHERE id = ?", f->ref);
            rc = db_int(w->c, err, &n, sql, "i", v->i);
            if (!rc && !n)
                rc = err_set(err, E_RULE, f->name, "does not exist");
        }
        if (rc)
            return rc;
    }
    return 0;
}

void rec_defaults(struct wctx *w, struct rec *in)
{
    int64_t now = clock_now_ms();
    int i = object_field(in->o, "owner_id");
    if (i >= 0 && !in->v[i].set && w->who)
        rec_set_int(in, "owner_id", w->who->user.id);
    i = object_field(in->o, "created_at");
    if (!in->v[i].set || in->v[i].null)
        rec_set_int(in, "created_at", now);
    rec_set_int(in, "updated_at", now);
    i = object_field(in->o, "custom");
    if (i >= 0) {
        struct val *v = &in->v[i];
        json_t *clean = json_object();
        const char *k;
        json_t *x;
        if (v->j)
            json_object_foreach(v->j, k, x)
                if (!json_is_null(x))
                    json_object_set(clean, k, x);
        json_decref(v->j);
        v->j = clean;
        v->set = 1;
        v->null = 0;
    }
}

/* The actor id for audit rows (0 for the CLI and imports). */
static int64_t actor_id(const struct wctx *w)
{
    return w->who ? w->who->user.id : 0;
}

/* Writes the audit row of a change made through w. */
static int audit(const struct wctx *w, const char *action,
                 const char *object, int64_t id, json_t *old_v,
                 json_t *new_v, struct err *err)
{
    return audit_write_via(w->c, actor_id(w), w->via, action, object, id,
                           old_v, new_v, err);
}

/* Hands the read-back record to the caller when it asked (w->back) and
 * the write succeeded; releases it otherwise. */
static void keep_back(struct wctx *w, struct rec *out, int rc)
{
    if (!rc && w->back) {
        rec_release(w->back);
        *w->back = *out;
        return;
    }
    rec_release(out);
}

int rec_create(struct wctx *w, struct rec *in, int64_t *id, struct err *err)
{
    struct rec out;
    int rc = object_may_write(in->o, w->who, err);
    if (rc)
        return rc;
    rec_defaults(w, in);
    rc = rec_check_refs(w, in, err);
    if (!rc && in->o->prepare)
        rc = in->o->prepare(w, in, NULL, err);
    if (!rc)
        rc = q_rec_insert(w->c, in, id, err);
    if (!rc && in->o->after)
        rc = in->o->after(w, in, NULL, *id, err);
    if (!rc && w->bulk) {       /* imports: audit what was written */
        in->v[0].set = 1;
        in->v[0].i = *id;
        json_t *nv = rec_to_json(in);
        rc = audit(w, "create", in->o->name, *id, NULL, nv, err);
        json_decref(nv);
        return rc;
    }
    if (!rc)
        rc = rec_read(w->c, in->o, NULL, *id, &out, w->a, err);
    if (!rc) {
        json_t *nv = rec_to_json(&out);
        rc = audit(w, "create", in->o->name, *id, NULL, nv, err);
        json_decref(nv);
        keep_back(w, &out, rc);
    }
    return rc;
}

/* Applies the custom patch of in to old's custom object. */
static void merge_custom(struct rec *in, const struct rec *old)
{
    int i = object_field(in->o, "custom");
    if (i < 0 || !in->v[i].set)
        return;
    json_t *merged = old->v[i].j ? json_deep_copy(old->v[i].j)
                                 : json_object();
    const char *k;
    json_t *x;
    if (in->v[i].j)
        json_object_foreach(in->v[i].j, k, x) {
            if (json_is_null(x))
                json_object_del(merged, k);
            else
                json_object_set(merged, k, x);
        }
    json_decref(in->v[i].j);
    in->v[i].j = merged;
    in->v[i].null = 0;
}

/* Keeps in a and b only the keys whose values differ, leaving out the
 * fields derived from other records (their own history tells them). */
static void keep_changes(const struct object *o, json_t *a, json_t *b)
{
    const char *k;
    json_t *x;
    void *tmp;
    json_object_foreach_safe(a, tmp, k, x) {
        if (json_equal(x, json_object_get(b, k))) {
            json_object_del(b, k);  /* first: deleting from a frees k */
            json_object_del(a, k);
        }
    }
    json_object_del(a, "updated_at");
    json_object_del(b, "updated_at");
    for (int i = 0; i < o->nfields; i++)
        if (o->fields[i].flags & FF_DERIVED) {
            json_object_del(a, o->fields[i].name);
            json_object_del(b, o->fields[i].name);
        }
}

int rec_update(struct wctx *w, int64_t id, struct rec *in, struct err *err)
{
    struct rec old, out;
    const struct vis *v = w->who ? &w->who->vis : NULL;
    int rc = object_may_write(in->o, w->who, err);
    if (!rc)
        rc = rec_read(w->c, in->o, v, id, &old, w->a, err);
    if (rc)
        return rc;
    rec_set_int(in, "updated_at", clock_now_ms());
    merge_custom(in, &old);
    rc = rec_check_refs(w, in, err);
    if (!rc && in->o->prepare)
        rc = in->o->prepare(w, in, &old, err);
    if (!rc)
        rc = q_rec_update(w->c, in, id, err);
    if (!rc && in->o->after)
        rc = in->o->after(w, in, &old, id, err);
    if (!rc)
        rc = rec_read(w->c, in->o, NULL, id, &out, w->a, err);
    if (!rc) {
        json_t *ov = rec_to_json(&old), *nv = rec_to_json(&out);
        keep_changes(in->o, ov, nv);
        if (json_object_size(nv) || json_object_size(ov))
            rc = audit(w, "update", in->o->name, id, ov, nv, err);
        json_decref(ov);
        json_decref(nv);
        keep_back(w, &out, rc);
    }
    rec_release(&old);
    return rc;
}

int rec_delete(struct wctx *w, const struct object *o, int64_t id,
               struct err *err)
{
    struct rec old;
    const struct vis *v = w->who ? &w->who->vis : NULL;
    int rc = object_may_write(o, w->who, err);
    if (!rc)
        rc = rec_read(w->c, o, v, id, &old, w->a, err);
    if (rc)
        return rc;
    if (o->unlink)
        rc = o->unlink(w, id, err);
    if (!rc)
        rc = q_rec_delete(w->c, o, id, err);
    if (!rc) {
        json_t *ov = rec_to_json(&old);
        rc = audit(w, "delete", o->name, id, ov, NULL, err);
        json_decref(ov);
    }
    rec_release(&old);
    return rc;
}
