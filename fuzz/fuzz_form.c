/* libFuzzer target for the form submission parser: a body read as
 * urlencoded (http/formbody.c) or, when it starts with '{', as JSON
 * (util/json.c), then checked against a form with every field type
 * (model/form_entry.c) and answered as HTML (model/form_html.c). An
 * accepted body must give an object of strings; every reported error
 * must name a field of the form (or "consent") with a known code; every
 * value kept must obey its type's rule; the answer page must carry no
 * markup from the input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/formbody.h"
#include "model/form.h"
#include "util/json.h"
#include "util/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char FIELDS[] =
    "[{\"name\":\"ten\",\"label\":\"Tên\",\"type\":\"text\",\"required\":true,"
    "\"maps_to\":\"first_name\"},{\"name\":\"email\",\"type\":\"email\","
    "\"maps_to\":\"email\"},{\"name\":\"sdt\",\"type\":\"phone\",\"maps_to\":"
    "\"phone\"},{\"name\":\"goi\",\"type\":\"select\",\"options\":[\"A\","
    "\"B\"],\"maps_to\":\"custom.goi\"},{\"name\":\"vip\",\"type\":"
    "\"checkbox\",\"maps_to\":\"custom.vip\"},{\"name\":\"so\",\"type\":"
    "\"text\",\"maps_to\":\"custom.so\"},{\"name\":\"ngay\",\"type\":"
    "\"hidden\",\"maps_to\":\"custom.ngay\"},{\"name\":\"msg\",\"type\":"
    "\"textarea\"}]";

static const char *const CODES[] = {"required", "invalid_email",
    "invalid_phone", "invalid_option", "too_long", "invalid", NULL};

static void check(int ok)
{
    if (!ok)
        abort();
}

/* Whether s is one of the NULL-ended list. */
static int one_of(const char *s, const char *const *list)
{
    for (int i = 0; s && list[i]; i++)
        if (!strcmp(s, list[i]))
            return 1;
    return 0;
}

/* Each error names a field of f (or "consent") with a known code. */
static void check_errors(const struct form *f, json_t *errors)
{
    size_t i;
    json_t *e;
    json_array_foreach(errors, i, e) {
        const char *field = json_string_value(json_object_get(e, "field"));
        int known = field && !strcmp(field, "consent");
        for (int k = 0; field && k < f->nfields; k++)
            known |= !strcmp(field, f->fields[k].name);
        check(known);
        check(one_of(json_string_value(json_object_get(e, "code")), CODES));
    }
}

/* Kept values obey their field's rule. */
static void check_values(const struct form *f, const struct form_entry *e)
{
    struct err err = {0};
    for (int i = 0; i < f->nfields; i++) {
        const char *s = e->v[i].s;
        if (!s)
            continue;
        check(*s != '\0');
        for (const unsigned char *p = (const unsigned char *)s; *p; p++)
            check(*p >= 0x20 || *p == '\n' || *p == '\t');
        switch (f->fields[i].type) {
        case FORM_EMAIL:
            check(!text_check_email(s, "x", &err));
            break;
        case FORM_PHONE:
            check(s[0] == '+');
            break;
        case FORM_SELECT:
            check(!strcmp(s, "A") || !strcmp(s, "B"));
            break;
        case FORM_TEXT:
            check(!strchr(s, '\n') && !strchr(s, '\r'));
            break;
        default:
            break;
        }
    }
}

/* The declared custom fields the form maps to. */
static struct cf_def DEFS[4];
static struct cf_set SET = {DEFS, 4};

static void init_defs(void)
{
    static int done;
    if (done)
        return;
    done = 1;
    DEFS[0] = (struct cf_def){.name = "goi", .type = "select",
                              .options = json_pack("[ss]", "A", "B")};
    DEFS[1] = (struct cf_def){.name = "vip", .type = "bool"};
    DEFS[2] = (struct cf_def){.name = "so", .type = "number"};
    DEFS[3] = (struct cf_def){.name = "ngay", .type = "date"};
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena a;
    struct err err = {0};
    json_t *body = NULL;
    init_defs();
    arena_init(&a);
    int rc = size && data[0] == '{'
        ? json_parse_body((const char *)data, size, &body, &err)
        : formbody_parse((const char *)data, size, &body, &a, &err);
    if (rc || !json_is_object(body))
        goto out;
    if (!(size && data[0] == '{')) {
        const char *k;
        json_t *v;
        json_object_foreach(body, k, v) {
            check(*k != '\0');
            check(json_is_string(v));
            check(strlen(json_string_value(v)) == json_string_length(v));
        }
    }
    struct form f = {.id = 1, .key = "KEY", .name = "F",
                     .consent_text = "Đồng ý", .consent_purpose =
                     "email_marketing", .honeypot_field = "fax_number",
                     .locale = size % 2 ? "vi" : "en"};
    json_t *arr = json_loads(FIELDS, 0, NULL);
    check(!form_fields_read(arr, &SET, "fax_number", &f.fields, &f.nfields,
                            &a, &err));
    json_decref(arr);
    (void)form_honeypot_filled(&f, body);
    struct form_entry e;
    json_t *errors = json_array();
    int n = form_entry_read(&f, body, &e, errors, &a);
    check((size_t)n == json_array_size(errors));
    check_errors(&f, errors);
    if (!n)
        check_values(&f, &e);
    json_t *props = form_entry_contact(&f, &e, &SET, errors, &a);
    check_errors(&f, errors);
    json_t *d = form_entry_data(&f, &e);
    struct buf b;
    buf_init(&b, (size_t)-1);
    form_page_html(&f, errors, 0, e.page_url, &b);
    check(!strstr(buf_cstr(&b), "<script") && !strstr(buf_cstr(&b),
                                                      "<img"));
    buf_release(&b);
    json_decref(d);
    json_decref(props);
    json_decref(errors);
out:
    json_decref(body);
    arena_release(&a);
    return 0;
}
