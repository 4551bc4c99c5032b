/* The write of one form submission (SPEC §4, issue 6 item 4): the
 * contact found by email then phone, created or filled, its stage moved
 * forward, the form_submit touchpoint joining the visitor's anonymous
 * touches, the submission row and the consent, all in the caller's one
 * transaction. Why these rules: docs/decisions/0017-forms.md. */
#include "model/consent.h"
#include "model/form.h"
#include "model/touchpoint.h"
#include "util/clock.h"

#include <string.h>

/* The form field filling contact property prop ("email", "custom.x"),
 * or NULL. */
static const char *field_for(const struct form *f, const char *prop)
{
    for (int i = 0; prop && i < f->nfields; i++)
        if (f->fields[i].maps_to && !strcmp(f->fields[i].maps_to, prop))
            return f->fields[i].name;
    return NULL;
}

/* Turns a refusal of the contact's rules into the per-field error of
 * the field that gave the value; returns E_RULE then, else err's code. */
static int field_error(const struct form *f, json_t *errors,
                       struct err *err)
{
    const char *name = field_for(f, err->field);
    if (!name || (err->code != E_RULE && err->code != E_INVALID))
        return err->code;
    form_error_add(errors, name, "invalid", err->msg);
    return err_set(err, E_RULE, name, "%s", err->msg);
}

/* The id of the contact whose col is v (0: none). */
static int find_by(struct db_conn *c, const char *col, const char *v,
                   int64_t *id, struct err *err)
{
    char sql[80];
    *id = 0;
    if (!v)
        return 0;
    snprintf(sql, sizeof(sql), "SELECT id FROM contacts WHERE %s = ?", col);
    int rc = db_int(c, err, id, sql, "t", v);
    return rc == E_NOTFOUND ? 0 : rc;
}

/* The owner of a contact the form creates: its contact owner, else its
 * owner, when still an active user; else none. */
static int new_owner(struct db_conn *c, const struct form *f, int64_t *id,
                     struct err *err)
{
    int64_t n = 0, who = f->contact_owner_id ? f->contact_owner_id
                                             : f->owner_id;
    *id = 0;
    if (!who)
        return 0;
    int rc = db_int(c, err, &n, "SELECT COUNT(*) FROM users WHERE id = ? AND "
                    "active = 1", "i", who);
    if (!rc && n)
        *id = who;
    return rc;
}

/* Whether a contact at stage from moves to the form's target: when it
 * has no stage or one behind the target, never from "other" (a person
 * put it outside the funnel). */
static int moves(const char *from, const char *target)
{
    if (!target)
        return 0;
    if (!from)
        return 1;
    return strcmp(from, "other") &&
           lifecycle_rank(from) < lifecycle_rank(target);
}

/* Creates the contact from props. */
static int create_contact(struct wctx *w, const struct form *f,
                          json_t *props, int64_t *id, json_t *errors,
                          struct err *err)
{
    struct rec in;
    int64_t owner;
    int rc = new_owner(w->c, f, &owner, err);
    if (rc)
        return rc;
    if (f->target_stage)
        json_object_set_new(props, "lifecycle_stage",
                            json_string(f->target_stage));
    json_object_set_new(props, "owner_id", owner ? json_integer(owner)
                                                 : json_null());
    rc = rec_from_json(w->c, &OBJ_CONTACT, props, 1, 0, &in, w->a, err);
    if (!rc)
        rc = rec_create(w, &in, id, err);
    rec_release(&in);
    return rc ? field_error(f, errors, err) : 0;
}

/* Whether contact property prop of old is empty. */
static int empty(const struct rec *old, const char *prop)
{
    return rec_text(old, prop) == NULL;
}

/* Keeps in props only what fills an empty property of old (an email or
 * phone another contact holds is not taken), merged custom fields
 * included, and adds the target stage when the contact moves. */
static int fill_only(struct db_conn *c, const struct form *f,
                     const struct rec *old, json_t *props, struct err *err)
{
    const char *k;
    json_t *x;
    void *tmp;
    int rc = 0;
    json_object_foreach_safe(props, tmp, k, x) {
        if (!strcmp(k, "custom"))
            continue;
        int keep = empty(old, k);
        if (keep && (!strcmp(k, "email") || !strcmp(k, "phone"))) {
            int64_t other;
            rc = find_by(c, strcmp(k, "email") ? "phone_key" : "email",
                         json_string_value(x), &other, err);
            if (rc)
                return rc;
            keep = !other || other == old->id;
        }
        if (!keep)
            json_object_del(props, k);
    }
    json_t *custom = json_object_get(props, "custom");
    const struct val *oc = rec_get(old, "custom");
    if (custom && oc->j) {
        json_object_foreach_safe(custom, tmp, k, x) {
            json_t *had = json_object_get(oc->j, k);
            if (had && !json_is_null(had))
                json_object_del(custom, k);
        }
    }
    if (custom && !json_object_size(custom))
        json_object_del(props, "custom");
    if (moves(rec_text(old, "lifecycle_stage"), f->target_stage))
        json_object_set_new(props, "lifecycle_stage",
                            json_string(f->target_stage));
    return 0;
}

/* Fills the found contact id from props and moves its stage. */
static int update_contact(struct wctx *w, const struct form *f,
                          json_t *props, int64_t id, json_t *errors,
                          struct err *err)
{
    struct rec old, in;
    int rc = rec_read(w->c, &OBJ_CONTACT, NULL, id, &old, w->a, err);
    if (rc)
        return rc;
    rc = fill_only(w->c, f, &old, props, err);
    rec_release(&old);
    if (rc || !json_object_size(props))
        return rc;
    rc = rec_from_json(w->c, &OBJ_CONTACT, props, 0, 0, &in, w->a, err);
    if (!rc)
        rc = rec_update(w, id, &in, err);
    rec_release(&in);
    return rc ? field_error(f, errors, err) : 0;
}

/* Sets key of j to s when s is set. */
static void set_opt(json_t *j, const char *key, const char *s)
{
    if (s)
        json_object_set_new(j, key, json_string(s));
}

/* Records the form_submit touchpoint of contact (joining the visitor's
 * earlier touches when the entry names one). */
static int touch(struct wctx *w, const struct form *f,
                 const struct form_entry *e, int64_t contact, int64_t *id,
                 struct err *err)
{
    static const char *const UTM[] = {"utm_source", "utm_medium",
        "utm_campaign", "utm_term", "utm_content"};
    json_t *b = json_pack("{sIss}", "contact_id", (json_int_t)contact,
                          "kind", "form_submit");
    if (f->campaign_id)
        json_object_set_new(b, "campaign_id", json_integer(f->campaign_id));
    for (int i = 0; i < 5; i++)
        set_opt(b, UTM[i], e->utm[i]);
    set_opt(b, "url", e->page_url);
    set_opt(b, "referrer", e->referrer);
    set_opt(b, "visitor_id", e->visitor_id);
    int rc = touchpoint_create(w, b, id, err);
    json_decref(b);
    return rc;
}

/* Inserts the submission row. */
static int add_submission(struct db_conn *c, const struct form *f,
                          const struct form_entry *e,
                          const struct form_origin *o,
                          struct form_outcome *out, int64_t now,
                          struct err *err)
{
    json_t *data = form_entry_data(f, e);
    char *text = json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(data);
    int rc = db_int(c, err, &out->submission_id, "INSERT INTO "
                    "form_submissions (form_id, contact_id, action, data, "
                    "page_url, ip, user_agent, at) VALUES (?, ?, ?, ?, ?, ?, "
                    "?, ?) RETURNING id", "iittttti", f->id,
                    out->contact_id, out->created ? "created" : "updated",
                    text, e->page_url, o->ip, o->user_agent, now);
    free(text);
    return rc;
}

int form_submit(struct db_conn *c, const struct form *f,
                const struct form_entry *e, const struct form_origin *o,
                json_t *errors, struct form_outcome *out, struct arena *a,
                struct err *err)
{
    struct wctx w = {.c = c, .reason = "form", .a = a,
                     .via = arena_printf(a, "form:%lld", (long long)f->id)};
    struct cf_set defs;
    int64_t id = 0, now = clock_now_ms();
    memset(out, 0, sizeof(*out));
    int rc = cf_load(c, "contact", &defs, a, err);
    if (rc)
        return rc;
    json_t *props = form_entry_contact(f, e, &defs, errors, a);
    cf_set_release(&defs);
    if (json_array_size(errors)) {
        json_decref(props);
        return err_set(err, E_RULE, NULL, "the submission has errors");
    }
    json_t *email = json_object_get(props, "email");
    json_t *phone = json_object_get(props, "phone");
    rc = find_by(c, "email", json_string_value(email), &id, err);
    if (!rc && !id)
        rc = find_by(c, "phone_key", json_string_value(phone), &id, err);
    out->created = !id;
    if (!rc)
        rc = id ? update_contact(&w, f, props, id, errors, err)
                : create_contact(&w, f, props, &id, errors, err);
    json_decref(props);
    out->contact_id = id;
    if (!rc)
        rc = touch(&w, f, e, id, &out->touchpoint_id, err);
    if (!rc)
        rc = add_submission(c, f, e, o, out, now, err);
    if (!rc && f->consent_text && e->consent) {
        struct consent_in ci = {.contact_id = id,
            .purpose = f->consent_purpose, .granted = 1,
            .text = f->consent_text, .source = "form", .form_id = f->id,
            .submission_id = out->submission_id, .ip = o->ip,
            .user_agent = o->user_agent, .at = now};
        int64_t cid;
        rc = consent_record(c, &ci, &cid, err);
    }
    return rc;
}
