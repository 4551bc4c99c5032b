/* Web forms (SPEC §4): field definitions and their mapping rules, and
 * the forms table: create, change, archive or delete, read and list,
 * and a form's submissions. Why these rules:
 * docs/decisions/0017-forms.md. */
#include "model/form.h"
#include "model/campaign.h"
#include "model/consent.h"
#include "store/audit.h"
#include "util/clock.h"
#include "util/rand.h"
#include "util/text.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const FORM_TYPES[] = {"text", "email", "phone", "textarea",
    "select", "checkbox", "hidden", NULL};
const char *const FORM_PROPERTIES[] = {"first_name", "last_name", "email",
    "phone", "title", "city", "country", NULL};
const char *const FORM_RESERVED[] = {"utm_source", "utm_medium",
    "utm_campaign", "utm_term", "utm_content", "visitor_id", "page_url",
    "page_referrer", "consent", NULL};

/* The funnel stages a form may move a contact to ("other" is outside
 * the funnel: no form puts anyone there). */
static const char *const TARGET_STAGES[] = {"subscriber", "lead",
    "marketing_qualified_lead", "sales_qualified_lead", "opportunity",
    "customer", "evangelist", NULL};
static const char *const LOCALES[] = {"vi", "en", NULL};

#define DEFAULT_HONEYPOT "fax_number"

static int in_list(const char *s, const char *const *list)
{
    for (int i = 0; s && list[i]; i++)
        if (!strcmp(s, list[i]))
            return 1;
    return 0;
}

int form_may_write(const struct principal *who)
{
    return campaign_may_write(who);
}

int form_name_valid(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > 40 || name[0] < 'a' || name[0] > 'z')
        return 0;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '_'))
            return 0;
    return !in_list(name, FORM_RESERVED);
}

/* ---- field definitions ---- */

/* An optional string member key of j (NULL when absent or null) as
 * NFC text of at most max bytes, trimmed; "" gives NULL. field names
 * it in errors. */
static int opt_text(json_t *j, const char *key, size_t max,
                    const char *field, const char **out, struct arena *a,
                    struct err *err)
{
    json_t *x = json_object_get(j, key);
    *out = NULL;
    if (!x || json_is_null(x))
        return 0;
    if (!json_is_string(x))
        return err_set(err, E_INVALID, field, "must be a string");
    const char *s;
    int rc = text_normalize(json_string_value(x), json_string_length(x), max,
                            field, &s, a, err);
    if (rc)
        return rc;
    while (*s == ' ' || *s == '\n' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\n' || s[n - 1] == '\t'))
        n--;
    *out = n ? arena_strndup(a, s, n) : NULL;
    return 0;
}

/* The field's error name "fields[i].key". */
static const char *fname(struct arena *a, int i, const char *key)
{
    return arena_printf(a, "fields[%d].%s", i, key);
}

/* Whether a field of type t may fill custom field d, else why not. */
static const char *custom_fit(enum form_type t, const struct cf_def *d)
{
    const char *ty = d->type;
    if (!strcmp(ty, "bool"))
        return t == FORM_CHECKBOX ? NULL : "a yes/no custom field takes a "
               "checkbox";
    if (t == FORM_CHECKBOX)
        return "a checkbox fills only a yes/no custom field";
    if (!strcmp(ty, "multiselect"))
        return "multiple-choice custom fields cannot be filled by a form";
    if (!strcmp(ty, "select"))
        return t == FORM_SELECT || t == FORM_HIDDEN ? NULL
               : "a choice custom field takes a select or hidden field";
    if (!strcmp(ty, "text"))
        return NULL;
    /* number, money, date: typed as text, converted on submission */
    return t == FORM_TEXT || t == FORM_HIDDEN ? NULL
           : "a number, amount or date custom field takes a text or hidden "
             "field";
}

/* Checks that every option of a select field is one of d's. */
static int options_fit(const struct form_field *f, const struct cf_def *d,
                       const char *field, struct err *err)
{
    for (int k = 0; k < f->noptions; k++) {
        int ok = 0;
        size_t i;
        json_t *o;
        json_array_foreach(d->options, i, o)
            ok |= json_is_string(o) &&
                  !strcmp(json_string_value(o), f->options[k]);
        if (!ok)
            return err_set(err, E_RULE, field, "option \"%.60s\" is not one "
                           "of custom.%s's options", f->options[k], d->name);
    }
    return 0;
}

/* Checks maps_to of field f (index i) against its type. */
static int check_mapping(const struct form_field *f, int i,
                         const struct cf_set *defs, struct arena *a,
                         struct err *err)
{
    const char *m = f->maps_to, *field = fname(a, i, "maps_to");
    if (!m)
        return 0;
    if (!strncmp(m, "custom.", 7)) {
        if (!cf_valid_name(m + 7))
            return err_set(err, E_RULE, field, "is not a custom field name");
        if (!defs)
            return 0;
        const struct cf_def *d = cf_find(defs, m + 7);
        if (!d)
            return err_set(err, E_RULE, field, "no such contact custom "
                           "field");
        const char *why = custom_fit(f->type, d);
        if (why)
            return err_set(err, E_RULE, field, "%s", why);
        return f->type == FORM_SELECT && !strcmp(d->type, "select")
            ? options_fit(f, d, field, err) : 0;
    }
    if (!in_list(m, FORM_PROPERTIES))
        return err_set(err, E_RULE, field, "is not a contact property a "
                       "form fills");
    if (f->type == FORM_CHECKBOX)
        return err_set(err, E_RULE, field, "a checkbox fills only a yes/no "
                       "custom field");
    if (!strcmp(m, "email") && f->type != FORM_EMAIL &&
        f->type != FORM_HIDDEN)
        return err_set(err, E_RULE, field, "email takes an email or hidden "
                       "field");
    if (!strcmp(m, "phone") && f->type != FORM_PHONE &&
        f->type != FORM_HIDDEN)
        return err_set(err, E_RULE, field, "phone takes a phone or hidden "
                       "field");
    if (strcmp(m, "email") && strcmp(m, "phone") &&
        (f->type == FORM_EMAIL || f->type == FORM_PHONE))
        return err_set(err, E_RULE, field, "an %s field fills email or "
                       "phone", FORM_TYPES[f->type]);
    return 0;
}

/* Reads the options of a select field. */
static int read_options(json_t *opt, struct form_field *f, int i,
                        struct arena *a, struct err *err)
{
    const char *field = fname(a, i, "options");
    if (!json_is_array(opt))
        return err_set(err, E_INVALID, field, "must be an array of strings");
    size_t n = json_array_size(opt);
    if (n == 0 || n > FORM_MAX_OPTIONS)
        return err_set(err, E_RULE, field, "must hold 1 to %d options",
                       FORM_MAX_OPTIONS);
    f->options = arena_alloc(a, sizeof(char *) * n);
    for (size_t k = 0; k < n; k++) {
        json_t *wrap = json_pack("{sO}", "o", json_array_get(opt, k));
        const char *s;
        int rc = opt_text(wrap, "o", 200, field, &s, a, err);
        json_decref(wrap);
        if (rc)
            return rc;
        if (!s)
            return err_set(err, E_RULE, field, "an option is empty");
        for (int j = 0; j < f->noptions; j++)
            if (!strcmp(f->options[j], s))
                return err_set(err, E_RULE, field, "lists \"%.60s\" twice",
                               s);
        f->options[f->noptions++] = s;
    }
    return 0;
}

/* Reads field i of the "fields" array. */
static int read_field(json_t *j, int i, struct form_field *f,
                      struct arena *a, struct err *err)
{
    static const char *const KEYS[] = {"name", "label", "type", "required",
        "maps_to", "options", "value", NULL};
    const char *k, *type;
    json_t *x;
    memset(f, 0, sizeof(*f));
    if (!json_is_object(j))
        return err_set(err, E_INVALID, arena_printf(a, "fields[%d]", i),
                       "must be an object");
    json_object_foreach(j, k, x)
        if (!in_list(k, KEYS))
            return err_set(err, E_INVALID, fname(a, i, arena_printf(
                a, "%.40s", k)), "unknown key");
    int rc = opt_text(j, "name", 40, fname(a, i, "name"), &f->name, a, err);
    if (!rc)
        rc = opt_text(j, "label", 300, fname(a, i, "label"), &f->label, a,
                      err);
    if (!rc)
        rc = opt_text(j, "type", 20, fname(a, i, "type"), &type, a, err);
    if (!rc)
        rc = opt_text(j, "maps_to", 50, fname(a, i, "maps_to"), &f->maps_to,
                      a, err);
    if (!rc)
        rc = opt_text(j, "value", 1000, fname(a, i, "value"), &f->value, a,
                      err);
    if (rc)
        return rc;
    x = json_object_get(j, "required");
    if (x && !json_is_null(x) && !json_is_boolean(x))
        return err_set(err, E_INVALID, fname(a, i, "required"), "must be "
                       "true or false");
    f->required = json_is_true(x);
    if (!f->name)
        return err_set(err, E_INVALID, fname(a, i, "name"), "is required");
    if (!form_name_valid(f->name))
        return err_set(err, E_RULE, fname(a, i, "name"), "must be a-z, 0-9 "
                       "and _ (starting with a letter, at most 40) and not "
                       "one of the names the snippet uses");
    if (!type)
        return err_set(err, E_INVALID, fname(a, i, "type"), "is required");
    int t = -1;
    for (int n = 0; FORM_TYPES[n]; n++)
        if (!strcmp(type, FORM_TYPES[n]))
            t = n;
    if (t < 0)
        return err_set(err, E_RULE, fname(a, i, "type"), "must be text, "
                       "email, phone, textarea, select, checkbox or hidden");
    f->type = (enum form_type)t;
    if (!f->label)
        f->label = f->name;
    if (f->maps_to && !strcmp(f->maps_to, "none"))
        f->maps_to = NULL;
    x = json_object_get(j, "options");
    if (f->type == FORM_SELECT && (!x || json_is_null(x)))
        return err_set(err, E_RULE, fname(a, i, "options"), "a select field "
                       "needs options");
    if (f->type != FORM_SELECT && x && !json_is_null(x))
        return err_set(err, E_RULE, fname(a, i, "options"), "only select "
                       "fields have options");
    if (f->type == FORM_SELECT)
        rc = read_options(x, f, i, a, err);
    if (!rc && f->value && f->type != FORM_HIDDEN)
        rc = err_set(err, E_RULE, fname(a, i, "value"), "only hidden fields "
                     "have a fixed value");
    return rc;
}

int form_fields_read(json_t *arr, const struct cf_set *defs,
                     const char *honeypot, struct form_field **out, int *n,
                     struct arena *a, struct err *err)
{
    if (!json_is_array(arr))
        return err_set(err, E_INVALID, "fields", "must be an array");
    size_t count = json_array_size(arr);
    if (count == 0 || count > FORM_MAX_FIELDS)
        return err_set(err, E_RULE, "fields", "must hold 1 to %d fields",
                       FORM_MAX_FIELDS);
    struct form_field *f = arena_alloc(a, sizeof(*f) * count);
    int identity = 0;
    for (size_t i = 0; i < count; i++) {
        int rc = read_field(json_array_get(arr, i), (int)i, &f[i], a, err);
        if (!rc)
            rc = check_mapping(&f[i], (int)i, defs, a, err);
        if (rc)
            return rc;
        if (honeypot && !strcmp(f[i].name, honeypot))
            return err_set(err, E_RULE, fname(a, (int)i, "name"), "is the "
                           "honeypot's name");
        for (size_t j = 0; j < i; j++) {
            if (!strcmp(f[j].name, f[i].name))
                return err_set(err, E_RULE, fname(a, (int)i, "name"), "is "
                               "the name of fields[%zu] too", j);
            if (f[j].maps_to && f[i].maps_to &&
                !strcmp(f[j].maps_to, f[i].maps_to))
                return err_set(err, E_RULE, fname(a, (int)i, "maps_to"),
                               "fields[%zu] fills %s already", j,
                               f[i].maps_to);
        }
        identity |= f[i].maps_to && (!strcmp(f[i].maps_to, "email") ||
                                     !strcmp(f[i].maps_to, "phone"));
    }
    if (!identity)
        return err_set(err, E_RULE, "fields", "a field must fill email or "
                       "phone: they find the contact a submission updates");
    *out = f;
    *n = (int)count;
    return 0;
}

json_t *form_fields_json(const struct form_field *f, int n)
{
    json_t *arr = json_array();
    for (int i = 0; i < n; i++) {
        json_t *j = json_pack("{sssssssb}", "name", f[i].name, "label",
                              f[i].label, "type", FORM_TYPES[f[i].type],
                              "required", f[i].required);
        json_object_set_new(j, "maps_to", f[i].maps_to
                            ? json_string(f[i].maps_to) : json_null());
        if (f[i].type == FORM_SELECT) {
            json_t *o = json_array();
            for (int k = 0; k < f[i].noptions; k++)
                json_array_append_new(o, json_string(f[i].options[k]));
            json_object_set_new(j, "options", o);
        }
        if (f[i].type == FORM_HIDDEN)
            json_object_set_new(j, "value", f[i].value
                                ? json_string(f[i].value) : json_null());
        json_array_append_new(arr, j);
    }
    return arr;
}

/* ---- the form's own fields ---- */

/* The body keys of a form and whether a caller may send them. */
static const char *const WRITABLE[] = {"name", "fields", "target_stage",
    "campaign_id", "consent_text", "consent_purpose", "consent_required",
    "redirect_url", "thank_you_message", "submit_label", "honeypot_field",
    "locale", "owner_id", "contact_owner_id", "archived", NULL};
static const char *const READ_ONLY[] = {"id", "key", "created_by",
    "created_at", "updated_at", "archived_at", "submissions",
    "last_submission_at", NULL};

/* Checks an http(s) URL a browser is sent to after a submission. */
static int check_url(const char *u, struct err *err)
{
    if (strncmp(u, "https://", 8) && strncmp(u, "http://", 7))
        return err_set(err, E_RULE, "redirect_url", "must be an http or "
                       "https URL");
    const char *host = strstr(u, "://") + 3;
    if (!*host || *host == '/' || *host == '?' || *host == '#')
        return err_set(err, E_RULE, "redirect_url", "has no host");
    for (const unsigned char *p = (const unsigned char *)u; *p; p++)
        if (*p <= ' ' || *p == '"' || *p == '<' || *p == '>' || *p == '\\' ||
            *p == 0x7f)
            return err_set(err, E_RULE, "redirect_url", "must not hold "
                           "spaces, quotes or angle brackets");
    return 0;
}

/* Sets *slot from member key of body when the body has it: 0 for null,
 * else a positive integer id (E_INVALID for anything else). */
static int take_id(json_t *body, const char *key, int64_t *slot,
                   struct err *err)
{
    json_t *x = json_object_get(body, key);
    if (x && !json_is_null(x) &&
        (!json_is_integer(x) || json_integer_value(x) <= 0))
        return err_set(err, E_INVALID, key, "must be a positive integer id");
    if (x)
        *slot = json_is_null(x) ? 0 : json_integer_value(x);
    return 0;
}

/* Checks a user reference: an active user the caller may see. */
static int check_user(struct wctx *w, const char *key, int64_t id,
                      struct err *err)
{
    int64_t n = 0;
    if (w->who && !vis_can_see(&w->who->vis, VIS_USER, id))
        return err_set(err, E_RULE, key, "no such user you can assign");
    int rc = db_int(w->c, err, &n, "SELECT COUNT(*) FROM users WHERE id = ? "
                    "AND active = 1", "i", id);
    if (!rc && !n)
        rc = err_set(err, E_RULE, key, "no such user you can assign");
    return rc;
}

/* Reads the texts of body into f (only those given). */
static int read_texts(json_t *body, struct form *f, struct arena *a,
                      struct err *err)
{
    static const struct {
        const char *key;
        size_t max;
        size_t off;
    } T[] = {
        {"name", 300, offsetof(struct form, name)},
        {"consent_text", 2000, offsetof(struct form, consent_text)},
        {"redirect_url", 2000, offsetof(struct form, redirect_url)},
        {"thank_you_message", 2000, offsetof(struct form,
                                             thank_you_message)},
        {"submit_label", 100, offsetof(struct form, submit_label)},
        {"target_stage", 40, offsetof(struct form, target_stage)},
        {"consent_purpose", 40, offsetof(struct form, consent_purpose)},
        {"honeypot_field", 40, offsetof(struct form, honeypot_field)},
        {"locale", 10, offsetof(struct form, locale)},
    };
    for (size_t i = 0; i < sizeof(T) / sizeof(T[0]); i++) {
        if (!json_object_get(body, T[i].key))
            continue;
        const char **slot = (const char **)((char *)f + T[i].off);
        int rc = opt_text(body, T[i].key, T[i].max, T[i].key, slot, a, err);
        if (rc)
            return rc;
    }
    return 0;
}

/* Checks the rules of a form's own values (after defaults). */
static int check_form(const struct form *f, struct err *err)
{
    if (!f->name)
        return err_set(err, E_INVALID, "name", "is required");
    if (f->target_stage && !in_list(f->target_stage, TARGET_STAGES))
        return err_set(err, E_RULE, "target_stage", "must be a funnel stage "
                       "(subscriber … evangelist) or null");
    if (!consent_purpose_valid(f->consent_purpose))
        return err_set(err, E_RULE, "consent_purpose", "must be "
                       "email_marketing, sms_marketing or profiling");
    if (f->consent_required && !f->consent_text)
        return err_set(err, E_RULE, "consent_required", "needs a "
                       "consent_text to tick");
    if (!f->honeypot_field || !form_name_valid(f->honeypot_field))
        return err_set(err, E_RULE, "honeypot_field", "must be a-z, 0-9 and "
                       "_ (starting with a letter, at most 40) and not one "
                       "of the names the snippet uses");
    if (!in_list(f->locale, LOCALES))
        return err_set(err, E_RULE, "locale", "must be vi or en");
    if (f->redirect_url)
        return check_url(f->redirect_url, err);
    return 0;
}

/* Reads body over f (a new form's defaults, or the stored one): keys,
 * texts, flags, references and fields. */
static int read_form(struct wctx *w, json_t *body, struct form *f,
                     int creating, int *archive, struct err *err)
{
    const char *k;
    json_t *x;
    int rc = 0;
    *archive = -1;
    json_object_foreach(body, k, x) {
        if (in_list(k, READ_ONLY))
            return err_set(err, E_RULE, arena_strdup(w->a, k), "is set by "
                           "the server");
        if (!in_list(k, WRITABLE))
            return err_set(err, E_INVALID, arena_printf(w->a, "%.40s", k),
                           "unknown field");
    }
    rc = read_texts(body, f, w->a, err);
    if (rc)
        return rc;
    x = json_object_get(body, "consent_required");
    if (x && !json_is_boolean(x))
        return err_set(err, E_INVALID, "consent_required", "must be true or "
                       "false");
    if (x)
        f->consent_required = json_is_true(x);
    x = json_object_get(body, "archived");
    if (x && !json_is_boolean(x))
        return err_set(err, E_INVALID, "archived", "must be true or false");
    if (x && creating)
        return err_set(err, E_RULE, "archived", "a new form is not archived");
    if (x)
        *archive = json_is_true(x);
    if (json_is_null(json_object_get(body, "owner_id")))
        return err_set(err, E_RULE, "owner_id", "a form has an owner");
    rc = take_id(body, "campaign_id", &f->campaign_id, err);
    if (!rc)
        rc = take_id(body, "owner_id", &f->owner_id, err);
    if (!rc)
        rc = take_id(body, "contact_owner_id", &f->contact_owner_id, err);
    if (!rc && !f->honeypot_field)
        f->honeypot_field = DEFAULT_HONEYPOT;
    return rc;
}

/* Checks the references body names (campaign, users). */
static int check_refs(struct wctx *w, json_t *body, const struct form *f,
                      struct err *err)
{
    int rc = 0;
    if (f->campaign_id && json_object_get(body, "campaign_id")) {
        int64_t n = 0;
        rc = db_int(w->c, err, &n, "SELECT COUNT(*) FROM campaigns WHERE "
                    "id = ?", "i", f->campaign_id);
        if (!rc && !n)
            rc = err_set(err, E_RULE, "campaign_id", "names no campaign");
    }
    if (!rc && f->owner_id && json_object_get(body, "owner_id"))
        rc = check_user(w, "owner_id", f->owner_id, err);
    if (!rc && f->contact_owner_id && json_object_get(body,
                                                      "contact_owner_id"))
        rc = check_user(w, "contact_owner_id", f->contact_owner_id, err);
    return rc;
}

/* Reads the "fields" of body (when given, else keeps f's) against the
 * contact's custom fields; checks the honeypot against the field names
 * either way. */
static int read_fields(struct wctx *w, json_t *body, struct form *f,
                       struct err *err)
{
    json_t *arr = json_object_get(body, "fields");
    if (!arr) {
        for (int i = 0; i < f->nfields; i++)
            if (!strcmp(f->fields[i].name, f->honeypot_field))
                return err_set(err, E_RULE, "honeypot_field", "is the name "
                               "of a field");
        return 0;
    }
    struct cf_set defs;
    int rc = cf_load(w->c, "contact", &defs, w->a, err);
    if (rc)
        return rc;
    rc = form_fields_read(arr, &defs, f->honeypot_field, &f->fields,
                          &f->nfields, w->a, err);
    cf_set_release(&defs);
    return rc;
}

/* Checks a form read from body: its own values, its fields and the
 * records it names. */
static int check_all(struct wctx *w, json_t *body, struct form *f,
                     struct err *err)
{
    int rc = check_form(f, err);
    if (!rc)
        rc = read_fields(w, body, f, err);
    return rc ? rc : check_refs(w, body, f, err);
}

/* A new public key: 16 random bytes, base64url without padding. */
static const char *new_key(struct arena *a)
{
    unsigned char raw[FORM_KEY_BYTES];
    size_t n = sodium_base64_encoded_len(
        sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *out = arena_alloc(a, n);
    rand_secure(raw, sizeof(raw));
    sodium_bin2base64(out, n, raw, sizeof(raw),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return out;
}

/* The fields as stored (compact JSON text). */
static char *fields_text(const struct form *f)
{
    json_t *j = form_fields_json(f->fields, f->nfields);
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    return s;
}

/* Writes the audit row of a form change (old and new: the API JSON). */
static int audit_form(struct wctx *w, const char *action, int64_t id,
                      json_t *old_v, json_t *new_v, struct err *err)
{
    return audit_write(w->c, w->who ? w->who->user.id : 0, action, "form",
                       id, old_v, new_v, err);
}

/* The API JSON of form id as stored now (for audit rows). */
static int stored_json(struct wctx *w, int64_t id, json_t **out,
                       struct err *err)
{
    struct form f;
    int rc = form_load(w->c, id, &f, w->a, err);
    return rc ? rc : form_to_json(w->c, &f, out, err);
}

int form_create(struct wctx *w, json_t *body, int64_t *id, struct err *err)
{
    struct form f = {.target_stage = "lead",
                     .consent_purpose = "email_marketing", .locale = "vi"};
    int archive;
    json_t *nv = NULL;
    if (w->who && !form_may_write(w->who))
        return err_set(err, E_FORBIDDEN, NULL, "only admins and marketing "
                       "roles change forms");
    int rc = read_form(w, body, &f, 1, &archive, err);
    if (!rc && !f.owner_id && w->who)
        f.owner_id = w->who->user.id;
    if (!rc && !json_object_get(body, "fields"))
        rc = err_set(err, E_INVALID, "fields", "is required");
    if (!rc)
        rc = check_all(w, body, &f, err);
    if (rc)
        return rc;
    int64_t now = clock_now_ms();
    char *fields = fields_text(&f);
    rc = db_int(w->c, err, id, "INSERT INTO forms (key, name, fields, "
                "target_stage, campaign_id, consent_text, consent_purpose, "
                "consent_required, redirect_url, thank_you_message, "
                "submit_label, honeypot_field, locale, owner_id, "
                "contact_owner_id, created_by, created_at, updated_at) VALUES "
                "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "RETURNING id", "ttttIttitttttIIIii", new_key(w->a), f.name,
                fields, f.target_stage, f.campaign_id, f.consent_text,
                f.consent_purpose, (int64_t)f.consent_required,
                f.redirect_url, f.thank_you_message, f.submit_label,
                f.honeypot_field, f.locale, f.owner_id, f.contact_owner_id,
                w->who ? w->who->user.id : 0, now, now);
    free(fields);
    if (!rc)
        rc = stored_json(w, *id, &nv, err);
    if (!rc)
        rc = audit_form(w, "create", *id, NULL, nv, err);
    json_decref(nv);
    return rc;
}

/* Keeps in a and b only the keys whose values differ. */
static void keep_changes(json_t *a, json_t *b)
{
    const char *k;
    json_t *x;
    void *tmp;
    json_object_foreach_safe(a, tmp, k, x) {
        if (json_equal(x, json_object_get(b, k))) {
            json_object_del(b, k);
            json_object_del(a, k);
        }
    }
    json_object_del(a, "updated_at");
    json_object_del(b, "updated_at");
}

/* The first steps of a change to form id: the role, the form as stored
 * (*f) and its API JSON for the audit row (*ov, a new reference). */
static int load_for_write(struct wctx *w, int64_t id, struct form *f,
                          json_t **ov, struct err *err)
{
    *ov = NULL;
    if (w->who && !form_may_write(w->who))
        return err_set(err, E_FORBIDDEN, NULL, "only admins and marketing "
                       "roles change forms");
    int rc = form_load(w->c, id, f, w->a, err);
    return rc ? rc : form_to_json(w->c, f, ov, err);
}

int form_update(struct wctx *w, int64_t id, json_t *body, struct err *err)
{
    struct form f;
    int archive;
    json_t *ov, *nv = NULL;
    int rc = load_for_write(w, id, &f, &ov, err);
    if (!rc)
        rc = read_form(w, body, &f, 0, &archive, err);
    if (!rc)
        rc = check_all(w, body, &f, err);
    if (rc) {
        json_decref(ov);
        return rc;
    }
    int64_t now = clock_now_ms();
    if (archive >= 0)
        f.archived_at = archive ? (f.archived_at ? f.archived_at : now) : 0;
    char *fields = fields_text(&f);
    rc = db_run(w->c, err, "UPDATE forms SET name = ?, fields = ?, "
                "target_stage = ?, campaign_id = ?, consent_text = ?, "
                "consent_purpose = ?, consent_required = ?, redirect_url = ?, "
                "thank_you_message = ?, submit_label = ?, honeypot_field = ?, "
                "locale = ?, owner_id = ?, contact_owner_id = ?, "
                "archived_at = ?, updated_at = ? WHERE id = ?", "tttIttitttt"
                "tIIIii", f.name, fields, f.target_stage, f.campaign_id,
                f.consent_text, f.consent_purpose,
                (int64_t)f.consent_required, f.redirect_url,
                f.thank_you_message, f.submit_label, f.honeypot_field,
                f.locale, f.owner_id, f.contact_owner_id, f.archived_at, now,
                id);
    free(fields);
    if (!rc)
        rc = stored_json(w, id, &nv, err);
    if (!rc) {
        keep_changes(ov, nv);
        if (json_object_size(ov) || json_object_size(nv))
            rc = audit_form(w, "update", id, ov, nv, err);
    }
    json_decref(ov);
    json_decref(nv);
    return rc;
}

int form_delete(struct wctx *w, int64_t id, int *archived, struct err *err)
{
    struct form f;
    json_t *ov;
    int64_t n = 0;
    *archived = 0;
    int rc = load_for_write(w, id, &f, &ov, err);
    if (!rc)
        rc = db_int(w->c, err, &n, "SELECT COUNT(*) FROM (SELECT 1 FROM "
                    "form_submissions WHERE form_id = ? LIMIT 1) x", "i", id);
    if (!rc && n) {
        *archived = 1;
        json_decref(ov);
        if (f.archived_at)
            return 0;
        json_t *body = json_pack("{sb}", "archived", 1);
        rc = form_update(w, id, body, err);
        json_decref(body);
        return rc;
    }
    if (!rc)
        rc = db_run(w->c, err, "DELETE FROM forms WHERE id = ?", "i", id);
    if (!rc)
        rc = audit_form(w, "delete", id, ov, NULL, err);
    json_decref(ov);
    return rc;
}

/* ---- reading ---- */

#define FORM_COLS "id, key, name, fields, target_stage, campaign_id, " \
    "consent_text, consent_purpose, consent_required, redirect_url, " \
    "thank_you_message, submit_label, honeypot_field, locale, owner_id, " \
    "contact_owner_id, created_by, archived_at, created_at, updated_at"

/* Copies a text column into the arena (NULL for NULL). */
static const char *col_text(struct db_stmt *st, int i, struct arena *a)
{
    return db_col_null(st, i) ? NULL : arena_strdup(a, db_col_text(st, i));
}

/* Reads a row of FORM_COLS into f. The stored fields were checked when
 * written; they are read without the custom-field declarations, which
 * may have changed since (the submission skips what no longer fits). */
static int read_row(struct db_stmt *st, struct form *f, struct arena *a,
                    struct err *err)
{
    memset(f, 0, sizeof(*f));
    f->id = db_col_int(st, 0);
    f->key = col_text(st, 1, a);
    f->name = col_text(st, 2, a);
    f->target_stage = col_text(st, 4, a);
    f->campaign_id = db_col_null(st, 5) ? 0 : db_col_int(st, 5);
    f->consent_text = col_text(st, 6, a);
    f->consent_purpose = col_text(st, 7, a);
    f->consent_required = (int)db_col_int(st, 8);
    f->redirect_url = col_text(st, 9, a);
    f->thank_you_message = col_text(st, 10, a);
    f->submit_label = col_text(st, 11, a);
    f->honeypot_field = col_text(st, 12, a);
    f->locale = col_text(st, 13, a);
    f->owner_id = db_col_null(st, 14) ? 0 : db_col_int(st, 14);
    f->contact_owner_id = db_col_null(st, 15) ? 0 : db_col_int(st, 15);
    f->created_by = db_col_null(st, 16) ? 0 : db_col_int(st, 16);
    f->archived_at = db_col_null(st, 17) ? 0 : db_col_int(st, 17);
    f->created_at = db_col_int(st, 18);
    f->updated_at = db_col_int(st, 19);
    json_t *arr = json_loads(db_col_text(st, 3), 0, NULL);
    int rc = form_fields_read(arr, NULL, NULL, &f->fields, &f->nfields, a,
                              err);
    json_decref(arr);
    if (rc)
        return err_set(err, E_DB, NULL, "form %lld: stored fields unreadable",
                       (long long)f->id);
    return 0;
}

/* Reads the one row of a form query (the statement is done after). */
static int load_one(struct db_stmt *st, struct form *f, struct arena *a,
                    struct err *err)
{
    int rc = 0, r = db_step(st, err);
    if (r == DB_ROW)
        rc = read_row(st, f, a, err);
    db_done(st);
    if (r < 0)
        return err->code;
    if (r != DB_ROW)
        return err_set(err, E_NOTFOUND, NULL, "no such form");
    return rc;
}

int form_load(struct db_conn *c, int64_t id, struct form *f,
              struct arena *a, struct err *err)
{
    struct db_stmt *st;
    int rc = db_query(c, &st, err, "SELECT " FORM_COLS " FROM forms WHERE "
                      "id = ?", "i", id);
    return rc ? rc : load_one(st, f, a, err);
}

int form_load_key(struct db_conn *c, const char *key, struct form *f,
                  struct arena *a, struct err *err)
{
    struct db_stmt *st;
    int rc = db_query(c, &st, err, "SELECT " FORM_COLS " FROM forms WHERE "
                      "key = ?", "t", key);
    return rc ? rc : load_one(st, f, a, err);
}

/* A time as ISO 8601 JSON, or null for 0. */
static json_t *time_json(int64_t ms)
{
    char iso[40];
    if (!ms)
        return json_null();
    clock_iso(ms, iso, sizeof(iso));
    return json_string(iso);
}

/* A text as JSON, or null. */
static json_t *str_json(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* An id as JSON, or null for 0. */
static json_t *id_json(int64_t id)
{
    return id ? json_integer(id) : json_null();
}

int form_to_json(struct db_conn *c, const struct form *f, json_t **out,
                 struct err *err)
{
    struct db_stmt *st;
    int64_t count = 0, last = 0;
    int rc = db_query(c, &st, err, "SELECT COUNT(*), COALESCE((SELECT at "
                      "FROM form_submissions WHERE form_id = ? ORDER BY id "
                      "DESC LIMIT 1), 0) FROM form_submissions WHERE form_id "
                      "= ?", "ii", f->id, f->id);
    if (rc)
        return rc;
    if (db_step(st, err) == DB_ROW) {
        count = db_col_int(st, 0);
        last = db_col_int(st, 1);
    }
    db_done(st);
    json_t *j = json_object();
    json_object_set_new(j, "id", json_integer(f->id));
    json_object_set_new(j, "key", json_string(f->key));
    json_object_set_new(j, "name", json_string(f->name));
    json_object_set_new(j, "fields", form_fields_json(f->fields,
                                                      f->nfields));
    json_object_set_new(j, "target_stage", str_json(f->target_stage));
    json_object_set_new(j, "campaign_id", id_json(f->campaign_id));
    json_object_set_new(j, "consent_text", str_json(f->consent_text));
    json_object_set_new(j, "consent_purpose",
                        json_string(f->consent_purpose));
    json_object_set_new(j, "consent_required",
                        json_boolean(f->consent_required));
    json_object_set_new(j, "redirect_url", str_json(f->redirect_url));
    json_object_set_new(j, "thank_you_message",
                        str_json(f->thank_you_message));
    json_object_set_new(j, "submit_label", str_json(f->submit_label));
    json_object_set_new(j, "honeypot_field", json_string(f->honeypot_field));
    json_object_set_new(j, "locale", json_string(f->locale));
    json_object_set_new(j, "owner_id", id_json(f->owner_id));
    json_object_set_new(j, "contact_owner_id", id_json(f->contact_owner_id));
    json_object_set_new(j, "created_by", id_json(f->created_by));
    json_object_set_new(j, "archived", json_boolean(f->archived_at != 0));
    json_object_set_new(j, "archived_at", time_json(f->archived_at));
    json_object_set_new(j, "submissions", json_integer(count));
    json_object_set_new(j, "last_submission_at", time_json(last));
    json_object_set_new(j, "created_at", time_json(f->created_at));
    json_object_set_new(j, "updated_at", time_json(f->updated_at));
    *out = j;
    return 0;
}

int form_list(struct db_conn *c, int archived, int limit, int64_t after,
              json_t **out, int64_t *next, struct arena *a,
              struct err *err)
{
    struct db_stmt *st;
    struct form *f = arena_alloc(a, sizeof(*f) * (size_t)(limit + 1));
    int n = 0, r, rc;
    *out = NULL;
    *next = 0;
    rc = db_query(c, &st, err, archived
                  ? "SELECT " FORM_COLS " FROM forms WHERE archived_at IS "
                    "NOT NULL AND id < ? ORDER BY id DESC LIMIT ?"
                  : "SELECT " FORM_COLS " FROM forms WHERE archived_at IS "
                    "NULL AND id < ? ORDER BY id DESC LIMIT ?", "ii",
                  after ? after : INT64_MAX, (int64_t)limit + 1);
    if (rc)
        return rc;
    while (!rc && (r = db_step(st, err)) == DB_ROW)
        rc = read_row(st, &f[n++], a, err);
    db_done(st);
    if (!rc && r < 0)
        rc = err->code;
    if (rc)
        return rc;
    if (n > limit) {
        n = limit;
        *next = f[n - 1].id;
    }
    json_t *arr = json_array();
    for (int i = 0; !rc && i < n; i++) {
        json_t *j;
        rc = form_to_json(c, &f[i], &j, err);
        if (!rc)
            json_array_append_new(arr, j);
    }
    if (rc) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return 0;
}

/* The JSON of a submission row (columns of form_submissions()). */
static json_t *submission_json(struct db_stmt *st)
{
    json_t *data = json_loads(db_col_text(st, 3), 0, NULL);
    json_t *j = json_object();
    json_object_set_new(j, "id", json_integer(db_col_int(st, 0)));
    json_object_set_new(j, "contact_id", json_integer(db_col_int(st, 1)));
    json_object_set_new(j, "action", json_string(db_col_text(st, 2)));
    json_object_set_new(j, "data", data ? data : json_object());
    json_object_set_new(j, "page_url", db_col_null(st, 4) ? json_null()
                        : json_string(db_col_text(st, 4)));
    json_object_set_new(j, "at", time_json(db_col_int(st, 5)));
    json_t *who = json_object();
    for (int i = 0; i < 3; i++) {
        static const char *const K[] = {"first_name", "last_name", "email"};
        json_object_set_new(who, K[i], db_col_null(st, 6 + i) ? json_null()
                            : json_string(db_col_text(st, 6 + i)));
    }
    json_object_set_new(j, "contact", who);
    return j;
}

int form_submissions(struct db_conn *c, const struct vis *v, int64_t id,
                     int limit, int64_t after, json_t **out, int64_t *next,
                     struct arena *a, struct err *err)
{
    struct db_stmt *st;
    *out = NULL;
    *next = 0;
    const char *seen = v ? vis_where_rec(v, VIS_CONTACT, "k.owner_id",
                                         "k.id", a) : "1=1";
    const char *sql = arena_printf(
        a, "SELECT s.id, s.contact_id, s.action, s.data, s.page_url, s.at, "
        "k.first_name, k.last_name, k.email FROM form_submissions s JOIN "
        "contacts k ON k.id = s.contact_id WHERE s.form_id = ? AND %s AND "
        "s.id < ? ORDER BY s.id DESC LIMIT %d", seen, limit + 1);
    int rc = db_query(c, &st, err, sql, "ii", id, after ? after : INT64_MAX);
    if (rc)
        return rc;
    json_t *arr = json_array();
    int r, n = 0;
    int64_t last = 0;
    while ((r = db_step(st, err)) == DB_ROW) {
        if (n++ == limit) {
            *next = last;
            break;
        }
        last = db_col_int(st, 0);
        json_array_append_new(arr, submission_json(st));
    }
    db_done(st);
    if (r < 0) {
        json_decref(arr);
        *next = 0;
        return err->code;
    }
    *out = arr;
    return 0;
}
