/* Reading a form submission against its form (pure: no database): each
 * field's value checked by its type (required, email shape, phone
 * number, select option, length), the hidden tracking values kept when
 * well-formed, and the contact properties and submission data the
 * checked values give. Errors are per field (SPEC §4, issue 6 item 4). */
#include "model/form.h"
#include "util/clock.h"
#include "util/phone.h"
#include "util/text.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void form_error_add(json_t *errors, const char *field, const char *code,
                    const char *message)
{
    json_array_append_new(errors, json_pack("{ssssss}", "field", field,
                                            "code", code, "message",
                                            message));
}

/* The byte limit of a value of field f: its type's, or the smaller
 * limit of the contact property it fills. */
static size_t value_max(const struct form_field *f)
{
    static const struct {
        const char *prop;
        size_t max;
    } P[] = {{"first_name", 200}, {"last_name", 200}, {"title", 200},
             {"city", 200}, {"country", 100}, {"email", 254},
             {"phone", 64}};
    size_t max = f->type == FORM_TEXTAREA ? 10000 : 1000;
    for (size_t i = 0; f->maps_to && i < sizeof(P) / sizeof(P[0]); i++)
        if (!strcmp(f->maps_to, P[i].prop) && P[i].max < max)
            max = P[i].max;
    return max;
}

/* Whether x is a ticked checkbox: JSON true, or a string a browser or
 * script sends for one ("yes", "on", "true", "1"); *bad when x is none
 * of those nor an unticked value (absent, null, false, "", "no", "off",
 * "false", "0"). */
static int ticked(json_t *x, int *bad)
{
    static const char *const YES[] = {"yes", "on", "true", "1", NULL};
    static const char *const NO[] = {"", "no", "off", "false", "0", NULL};
    *bad = 0;
    if (!x || json_is_null(x) || json_is_false(x))
        return 0;
    if (json_is_true(x))
        return 1;
    if (json_is_string(x)) {
        const char *s = json_string_value(x);
        for (int i = 0; YES[i]; i++)
            if (!strcasecmp(s, YES[i]))
                return 1;
        for (int i = 0; NO[i]; i++)
            if (!strcasecmp(s, NO[i]))
                return 0;
    }
    *bad = 1;
    return 0;
}

/* s without CR (CRLF and lone CR are LF) and trimmed of spaces, tabs
 * and newlines at both ends; "" when nothing is left. */
static const char *tidy(const char *s, size_t len, struct arena *a)
{
    char *out = arena_alloc(a, len + 1), *w = out;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\r') {
            if (i + 1 < len && s[i + 1] == '\n')
                continue;
            *w++ = '\n';
        } else {
            *w++ = s[i];
        }
    }
    *w = '\0';
    char *p = out;
    while (*p == ' ' || *p == '\t' || *p == '\n')
        p++;
    while (w > p && (w[-1] == ' ' || w[-1] == '\t' || w[-1] == '\n'))
        *--w = '\0';
    return p;
}

/* Checks one text value of field f; returns the error code, or NULL
 * with the normalised value in *out (NULL when empty). */
static const char *read_text(const struct form_field *f, json_t *x,
                             const char **out, const char **msg,
                             struct arena *a)
{
    struct err err = {0};
    const char *s;
    *out = NULL;
    if (!json_is_string(x)) {
        *msg = "must be a string";
        return "invalid";
    }
    s = tidy(json_string_value(x), json_string_length(x), a);
    if (f->type != FORM_TEXTAREA && strchr(s, '\n')) {
        *msg = "must be one line";
        return "invalid";
    }
    if (text_normalize(s, strlen(s), (size_t)-1, f->name, &s, a, &err)) {
        *msg = "holds a control character or is not UTF-8";
        return "invalid";
    }
    if (strlen(s) > value_max(f)) {
        *msg = arena_printf(a, "is longer than %zu bytes", value_max(f));
        return "too_long";
    }
    *out = *s ? s : NULL;
    return NULL;
}

/* Applies the type's rule to a non-empty value; returns the error code
 * or NULL (with *s rewritten: emails lower-cased, phones E.164). */
static const char *check_typed(const struct form_field *f, const char **s,
                               const char **msg, struct arena *a)
{
    struct err err = {0};
    if (f->type == FORM_EMAIL || (f->maps_to && !strcmp(f->maps_to,
                                                        "email"))) {
        char *e = arena_strdup(a, *s);
        for (char *p = e; *p; p++)
            if (*p >= 'A' && *p <= 'Z')
                *p = (char)(*p - 'A' + 'a');
        *s = e;
        *msg = "is not a valid email address";
        return text_check_email(e, f->name, &err) ? "invalid_email" : NULL;
    }
    if (f->type == FORM_PHONE || (f->maps_to && !strcmp(f->maps_to,
                                                        "phone"))) {
        char e164[PHONE_E164_SIZE];
        *msg = "is not a phone number";
        if (phone_e164(*s, e164, sizeof(e164)))
            return "invalid_phone";
        *s = arena_strdup(a, e164);
        return NULL;
    }
    if (f->type == FORM_SELECT) {
        for (int i = 0; i < f->noptions; i++)
            if (!strcmp(f->options[i], *s))
                return NULL;
        *msg = "is not one of the choices";
        return "invalid_option";
    }
    return NULL;
}

/* Reads field f's value from x into v; returns the error code or NULL. */
static const char *read_value(const struct form_field *f, json_t *x,
                              struct form_value *v, const char **msg,
                              struct arena *a)
{
    int bad;
    if (f->type == FORM_CHECKBOX) {
        v->checked = ticked(x, &bad);
        *msg = "must be ticked or not (yes / no)";
        if (bad)
            return "invalid";
        *msg = "must be ticked";
        return f->required && !v->checked ? "required" : NULL;
    }
    const char *code = NULL;
    if (x && !json_is_null(x))
        code = read_text(f, x, &v->s, msg, a);
    if (!code && !v->s && f->type == FORM_HIDDEN)
        v->s = f->value;
    if (!code && v->s)
        code = check_typed(f, &v->s, msg, a);
    if (code)
        v->s = NULL;
    else if (!v->s && f->required) {
        *msg = "is required";
        code = "required";
    }
    return code;
}

/* A tracking value: kept when a string of 1..max bytes of UTF-8 text
 * without control characters, else dropped (NULL). */
static const char *meta(json_t *body, const char *key, size_t max,
                        struct arena *a)
{
    struct err err = {0};
    json_t *x = json_object_get(body, key);
    const char *s;
    if (!json_is_string(x) || !json_string_length(x) ||
        json_string_length(x) > max ||
        text_normalize(json_string_value(x), json_string_length(x), max,
                       key, &s, a, &err) || strchr(s, '\n') ||
        strchr(s, '\t'))
        return NULL;
    return *s ? s : NULL;
}

/* A visitor id as the tracking makes and accepts them (decision 0016):
 * [A-Za-z0-9_-]{16,64}; anything else is dropped (NULL). */
static const char *visitor(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 16 || n > 64)
        return NULL;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
            return NULL;
    return s;
}

int form_honeypot_filled(const struct form *f, json_t *body)
{
    json_t *x = json_object_get(body, f->honeypot_field);
    if (!x || json_is_null(x) || json_is_false(x))
        return 0;
    if (!json_is_string(x))
        return 1;
    for (const char *p = json_string_value(x); *p; p++)
        if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
            return 1;
    return 0;
}

/* Whether field f fills email or phone. */
static int identity(const struct form_field *f)
{
    return f->maps_to && (!strcmp(f->maps_to, "email") ||
                          !strcmp(f->maps_to, "phone"));
}

/* A submission must name its person by email or phone: when none of
 * the fields filling them has a value and none was refused already,
 * the first of them gets a "required" error. */
static void need_identity(const struct form *f, const struct form_entry *e,
                          json_t *errors, size_t first_error)
{
    int first = -1;
    for (int i = 0; i < f->nfields; i++) {
        if (!identity(&f->fields[i]))
            continue;
        if (e->v[i].s)
            return;
        for (size_t k = first_error; k < json_array_size(errors); k++)
            if (!strcmp(json_string_value(json_object_get(
                    json_array_get(errors, k), "field")), f->fields[i].name))
                return;
        if (first < 0)
            first = i;
    }
    if (first >= 0)
        form_error_add(errors, f->fields[first].name, "required",
                       "give an email address or a phone number");
}

int form_entry_read(const struct form *f, json_t *body, struct form_entry *e,
                    json_t *errors, struct arena *a)
{
    static const char *const UTM[] = {"utm_source", "utm_medium",
        "utm_campaign", "utm_term", "utm_content"};
    size_t before = json_array_size(errors);
    memset(e, 0, sizeof(*e));
    e->v = arena_alloc(a, sizeof(*e->v) * (size_t)(f->nfields + 1));
    memset(e->v, 0, sizeof(*e->v) * (size_t)(f->nfields + 1));
    for (int i = 0; i < f->nfields; i++) {
        const char *msg = NULL;
        const char *code = read_value(&f->fields[i], json_object_get(
                                          body, f->fields[i].name),
                                      &e->v[i], &msg, a);
        if (code)
            form_error_add(errors, f->fields[i].name, code, msg);
    }
    need_identity(f, e, errors, before);
    int bad;
    e->consent = f->consent_text ? ticked(json_object_get(body, "consent"),
                                          &bad) : 0;
    if (f->consent_text && bad)
        form_error_add(errors, "consent", "invalid", "must be ticked or not "
                       "(yes / no)");
    else if (f->consent_required && !e->consent)
        form_error_add(errors, "consent", "required", "must be ticked");
    for (int i = 0; i < 5; i++)
        e->utm[i] = meta(body, UTM[i], 200, a);
    e->visitor_id = visitor(meta(body, "visitor_id", 64, a));
    e->page_url = meta(body, "page_url", 2000, a);
    e->referrer = meta(body, "page_referrer", 2000, a);
    return (int)(json_array_size(errors) - before);
}

/* ---- what the values give ---- */

/* A custom value of declared type d->type from a field's value (text
 * s, or a checkbox's tick); NULL with *code and *msg when it does not
 * convert. */
static json_t *custom_value(const struct cf_def *d,
                            const struct form_field *f,
                            const struct form_value *v, const char **code,
                            const char **msg, struct arena *a)
{
    struct err err = {0};
    const char *t = d->type;
    json_t *out = NULL;
    char *end;
    *code = "invalid";
    if (!strcmp(t, "bool")) {
        out = json_boolean(v->checked);
    } else if (!strcmp(t, "number")) {
        errno = 0;
        long long i = strtoll(v->s, &end, 10);
        if (*end == '\0' && errno == 0) {
            out = json_integer(i);
        } else {
            errno = 0;
            double x = strtod(v->s, &end);
            if (*end == '\0' && errno == 0 && isfinite(x))
                out = json_real(x);
        }
        *msg = "must be a number";
    } else if (!strcmp(t, "money")) {
        errno = 0;
        long long i = strtoll(v->s, &end, 10);
        if (*end == '\0' && errno == 0 && i >= 0 && v->s[0] != '-' &&
            v->s[0] != '+')
            out = json_integer(i);
        *msg = "must be a whole amount";
    } else if (!strcmp(t, "date")) {
        if (clock_valid_date(v->s))
            out = json_string(v->s);
        *msg = "must be a date such as 2026-03-01";
    } else if (f->type != FORM_CHECKBOX) {
        out = json_string(v->s);    /* text, select */
        *msg = "is not accepted by the contact's custom field";
    }
    if (out && cf_check_value(d, out, a, &err)) {
        *code = err.code == E_RULE && !strcmp(t, "select")
                ? "invalid_option" : "invalid";
        if (!strcmp(*code, "invalid_option"))
            *msg = "is not one of the choices";
        else if (strlen(err.msg))
            *msg = arena_printf(a, "%s", err.msg);
        json_decref(out);
        out = NULL;
    }
    return out;
}

json_t *form_entry_contact(const struct form *f, const struct form_entry *e,
                           const struct cf_set *defs, json_t *errors,
                           struct arena *a)
{
    json_t *props = json_object(), *custom = json_object();
    for (int i = 0; i < f->nfields; i++) {
        const struct form_field *fd = &f->fields[i];
        const struct form_value *v = &e->v[i];
        if (!fd->maps_to || (!v->s && fd->type != FORM_CHECKBOX))
            continue;
        if (strncmp(fd->maps_to, "custom.", 7)) {
            json_object_set_new(props, fd->maps_to, json_string(v->s));
            continue;
        }
        const struct cf_def *d = defs ? cf_find(defs, fd->maps_to + 7)
                                      : NULL;
        const char *code = "invalid", *msg = "is not valid";
        if (!d)
            continue;           /* no longer declared: data only */
        json_t *x = custom_value(d, fd, v, &code, &msg, a);
        if (x)
            json_object_set_new(custom, fd->maps_to + 7, x);
        else
            form_error_add(errors, fd->name, code, msg);
    }
    if (json_object_size(custom))
        json_object_set(props, "custom", custom);
    json_decref(custom);
    return props;
}

json_t *form_entry_data(const struct form *f, const struct form_entry *e)
{
    json_t *data = json_object();
    for (int i = 0; i < f->nfields; i++) {
        const struct form_field *fd = &f->fields[i];
        if (fd->type == FORM_CHECKBOX)
            json_object_set_new(data, fd->name, json_boolean(e->v[i].checked));
        else if (e->v[i].s)
            json_object_set_new(data, fd->name, json_string(e->v[i].s));
    }
    return data;
}
