/* Web forms (web-to-lead, SPEC §4, App. A): a form's definition (public
 * key, fields and their mapping to contact properties, target stage,
 * campaign, consent text, honeypot), its rules, the embeddable HTML
 * snippet, and the reading of a submission into checked values. The
 * write of a submission lives in model/form_submit.c; the HTTP side in
 * api/forms.c. Why these rules: docs/decisions/0017-forms.md. */
#ifndef PHEU_MODEL_FORM_H
#define PHEU_MODEL_FORM_H

#include <jansson.h>
#include <stdint.h>

#include "model/custom_field.h"
#include "model/object.h"
#include "util/buf.h"

#define FORM_MAX_FIELDS 50
#define FORM_MAX_OPTIONS 100
#define FORM_KEY_BYTES 16       /* random bytes of a key: 22 base64url */

enum form_type { FORM_TEXT, FORM_EMAIL, FORM_PHONE, FORM_TEXTAREA,
                 FORM_SELECT, FORM_CHECKBOX, FORM_HIDDEN };

/* The API names of enum form_type, in its order, NULL-ended. */
extern const char *const FORM_TYPES[];
/* The contact properties a field may map to besides "custom.<name>",
 * NULL-ended. */
extern const char *const FORM_PROPERTIES[];
/* The names the snippet's hidden inputs use (UTM tags, visitor id, the
 * page and its referrer) and "consent": no field may take them. */
extern const char *const FORM_RESERVED[];

struct form_field {
    const char *name, *label;
    enum form_type type;
    int required;
    const char *maps_to;        /* NULL: kept in the submission only */
    const char *value;          /* hidden fields: the value sent */
    const char **options;       /* select */
    int noptions;
};

struct form {
    int64_t id;
    const char *key, *name;
    struct form_field *fields;
    int nfields;
    const char *target_stage;   /* NULL: the stage is left alone */
    int64_t campaign_id;        /* 0: none */
    const char *consent_text, *consent_purpose;
    int consent_required;
    const char *redirect_url, *thank_you_message, *submit_label;
    const char *honeypot_field, *locale;
    int64_t owner_id, contact_owner_id, created_by;
    int64_t archived_at, created_at, updated_at;    /* archived_at 0: no */
};

/* Whether who may create, change and archive forms: admin,
 * marketing_manager, marketer (the campaign writers). */
int form_may_write(const struct principal *who);

/* ---- definitions (pure: no database) ---- */

/* Reads a "fields" array into *out (arena): 1..FORM_MAX_FIELDS objects
 * {"name","label","type","required","maps_to","options","value"}.
 * Unknown keys and wrong JSON types are E_INVALID, broken rules E_RULE,
 * both naming "fields[i].<key>". defs (may be NULL: custom mappings are
 * then only checked for their shape) are the contact's custom fields:
 * a custom.<name> mapping must name one whose type the field's type
 * can fill. honeypot is the form's honeypot name, which no field may
 * take. */
int form_fields_read(json_t *arr, const struct cf_set *defs,
                     const char *honeypot, struct form_field **out, int *n,
                     struct arena *a, struct err *err);
/* The JSON array of fields (a new reference). */
json_t *form_fields_json(const struct form_field *f, int n);
/* Whether name may name a field or the honeypot: [a-z][a-z0-9_]{0,39}
 * and not reserved. */
int form_name_valid(const char *name);

/* ---- submissions (pure) ---- */

/* One submitted field's value after the checks. */
struct form_value {
    const char *s;              /* normalised text; NULL when not given */
    int checked;                /* checkboxes (and "consent") */
};

/* A submission read against its form. */
struct form_entry {
    struct form_value *v;       /* one per form field */
    const char *utm[5];         /* source, medium, campaign, term, content */
    const char *visitor_id, *page_url, *referrer;
    int consent;                /* the consent checkbox was ticked */
};

/* Whether body fills the form's honeypot (any non-empty value). */
int form_honeypot_filled(const struct form *f, json_t *body);

/* Reads body (an object: a JSON body, or a urlencoded one read into
 * strings) against f into *e, appending one {"field","code","message"}
 * object per broken field to errors. Codes: required, invalid_email,
 * invalid_phone, invalid_option, too_long, invalid. Keys that name no
 * field are ignored (a page's own inputs, a submit button); the hidden
 * tracking values are kept only when well-formed, never refused.
 * Returns the number of errors appended. */
int form_entry_read(const struct form *f, json_t *body, struct form_entry *e,
                    json_t *errors, struct arena *a);

/* The contact properties an entry gives (a new object with the
 * FORM_PROPERTIES it fills and "custom"), converting custom values to
 * their declared types (defs); a value that does not convert appends an
 * error as form_entry_read does. Mappings to custom fields no longer
 * declared are skipped. */
json_t *form_entry_contact(const struct form *f, const struct form_entry *e,
                           const struct cf_set *defs, json_t *errors,
                           struct arena *a);
/* The submission's data: a new object of the given fields' values
 * (checkboxes true or false), without honeypot and tracking values. */
json_t *form_entry_data(const struct form *f, const struct form_entry *e);

/* Appends {"field","code","message"} to errors. */
void form_error_add(json_t *errors, const char *field, const char *code,
                    const char *message);

/* ---- HTML (pure) ---- */

/* Appends the embeddable snippet of f posting to action (the absolute
 * URL of /f/<key>): a plain <form> with the fields, the consent
 * checkbox, the hidden honeypot, hidden UTM / visitor / page inputs,
 * and a small script that fills them from the page's address and the
 * tracking cookie. Every text from the form is HTML-escaped. */
void form_embed_html(const struct form *f, const char *action,
                     struct buf *b);
/* Appends the page answering an HTML form post: the thank-you message
 * (errors NULL or empty), or the list of errors with the fields'
 * labels; back (may be NULL) is the page to return to, linked only when
 * it is an http(s) URL. gone: the form is archived. */
void form_page_html(const struct form *f, json_t *errors, int gone,
                    const char *back, struct buf *b);
/* Appends the hosted page of f (GET /f/<key>): a whole HTML document,
 * titled with the form's name, holding the snippet of form_embed_html
 * posting to action, with a small inline style sheet. Its one inline
 * script is allowed by the CSP hash form_script_csp gives. */
void form_hosted_html(const struct form *f, const char *action,
                      struct buf *b);
/* Appends the page of GET /f/<key> for a key that names no form (a
 * mistyped or deleted link opened in a browser): "form not found" in
 * Vietnamese and English. */
void form_missing_html(struct buf *b);
/* Writes into out (size >= 52) the CSP source of the snippet's inline
 * script, "'sha256-<base64>'". */
void form_script_csp(const struct form *f, char *out, size_t size);
/* The thank-you message shown after a submission: the form's, or the
 * default of its locale. */
const char *form_thank_you(const struct form *f);

/* ---- a submission's write (model/form_submit.c) ---- */

/* Where a submission came from. */
struct form_origin {
    const char *ip, *user_agent;    /* may be NULL */
};

/* What a submission did. */
struct form_outcome {
    int64_t contact_id, submission_id, touchpoint_id;
    int created;                /* 1: a new contact; 0: an update */
};

/* Writes an entry read by form_entry_read without errors, in the
 * caller's write transaction (rolled back by the caller on any error):
 * finds the contact by email, then by phone, and creates it (owned by
 * the form's contact owner, else its owner; at the target stage) or
 * fills its empty properties (never overwriting one) and moves it to
 * the target stage when that is ahead of its own; records the
 * form_submit touchpoint (the form's campaign, the entry's UTM tags,
 * page and visitor, joining the visitor's earlier anonymous touches),
 * the submission and, when the consent box was ticked, the consent.
 * Contact writes are audited as made via "form:<id>". A value the
 * contact's rules refuse appends a per-field error (as form_entry_read)
 * and returns E_RULE. */
int form_submit(struct db_conn *c, const struct form *f,
                const struct form_entry *e, const struct form_origin *o,
                json_t *errors, struct form_outcome *out, struct arena *a,
                struct err *err);

/* ---- storage (model/form.c) ---- */

/* Creates a form from body (App. A's fields and ours); a new random
 * key; owner_id defaults to the caller. E_FORBIDDEN for roles that may
 * not write; E_INVALID / E_RULE naming the field. Runs in the caller's
 * transaction, audited (object "form"). */
int form_create(struct wctx *w, json_t *body, int64_t *id, struct err *err);
/* Changes the fields given in body ("fields" replaces the whole list;
 * "archived": true / false archives or restores). */
int form_update(struct wctx *w, int64_t id, json_t *body, struct err *err);
/* Deletes form id, or archives it when it has submissions (they, and
 * the consents they gave, point at it): *archived says which. */
int form_delete(struct wctx *w, int64_t id, int *archived, struct err *err);
/* Reads form id (E_NOTFOUND) into *f (arena). */
int form_load(struct db_conn *c, int64_t id, struct form *f,
              struct arena *a, struct err *err);
/* Reads the form whose key is key (E_NOTFOUND), archived or not. */
int form_load_key(struct db_conn *c, const char *key, struct form *f,
                  struct arena *a, struct err *err);
/* The API JSON of f with its submission count and latest submission
 * time (a new reference). */
int form_to_json(struct db_conn *c, const struct form *f, json_t **out,
                 struct err *err);
/* One page of forms, newest first, after cursor (an id; 0: the first
 * page); archived: 0 active ones, 1 archived ones. */
int form_list(struct db_conn *c, int archived, int limit, int64_t after,
              json_t **out, int64_t *next, struct arena *a,
              struct err *err);
/* One page of form id's submissions that v may see (their contact),
 * newest first (recording order: ids), after submission id after (0:
 * the first page); *next is the next page's cursor or 0. */
int form_submissions(struct db_conn *c, const struct vis *v, int64_t id,
                     int limit, int64_t after, json_t **out, int64_t *next,
                     struct arena *a, struct err *err);

#endif
