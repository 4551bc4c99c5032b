/* Unit tests for the pure parts of web forms: field definitions and
 * their mapping rules (model/form.c), reading a submission against its
 * form and what it gives the contact (model/form_entry.c), the snippet
 * and answer pages and their escaping (model/form_html.c, util/html.c),
 * and urlencoded bodies (http/formbody.c). */
#include <criterion/criterion.h>
#include <string.h>

#include "http/formbody.h"
#include "model/form.h"
#include "util/html.h"

static struct arena A;

static void setup(void)
{
    arena_init(&A);
}

static void teardown(void)
{
    arena_release(&A);
}

TestSuite(form, .init = setup, .fini = teardown);

/* Reads a fields array given as JSON text; returns the error code. */
static int fields(const char *text, const struct cf_set *defs,
                  struct form_field **out, int *n, struct err *err)
{
    json_t *j = json_loads(text, 0, NULL);
    cr_assert_not_null(j, "bad test JSON: %s", text);
    int rc = form_fields_read(j, defs, "fax_number", out, n, &A, err);
    json_decref(j);
    return rc;
}

/* A form of the given fields (JSON text), key "KEY", locale vi. */
static struct form form_of(const char *text)
{
    struct form f = {.id = 7, .key = "KEY", .name = "Liên hệ",
                     .consent_purpose = "email_marketing",
                     .honeypot_field = "fax_number", .locale = "vi",
                     .target_stage = "lead"};
    struct err err = {0};
    cr_assert_eq(fields(text, NULL, &f.fields, &f.nfields, &err), 0, "%s %s",
                 err.field, err.msg);
    return f;
}

static const char *BASIC = "[{\"name\":\"ten\",\"label\":\"Tên\",\"type\":"
    "\"text\",\"required\":true,\"maps_to\":\"first_name\"},{\"name\":"
    "\"email\",\"type\":\"email\",\"maps_to\":\"email\"},{\"name\":\"sdt\","
    "\"type\":\"phone\",\"maps_to\":\"phone\"},{\"name\":\"goi\",\"type\":"
    "\"select\",\"options\":[\"Cơ bản\",\"Nâng cao\"]},{\"name\":\"dong_y\","
    "\"type\":\"checkbox\"},{\"name\":\"nguon\",\"type\":\"hidden\","
    "\"value\":\"hoi-cho\"},{\"name\":\"loi_nhan\",\"type\":\"textarea\"}]";

/* ---- definitions ---- */

Test(form, fields_read_with_defaults)
{
    struct form f = form_of(BASIC);
    cr_assert_eq(f.nfields, 7);
    cr_assert_str_eq(f.fields[0].label, "Tên");
    cr_assert_str_eq(f.fields[1].label, "email");     /* label defaults */
    cr_assert_eq(f.fields[1].type, FORM_EMAIL);
    cr_assert_eq(f.fields[0].required, 1);
    cr_assert_eq(f.fields[1].required, 0);
    cr_assert_eq(f.fields[3].noptions, 2);
    cr_assert_str_eq(f.fields[5].value, "hoi-cho");
    cr_assert_null(f.fields[6].maps_to);
    json_t *back = form_fields_json(f.fields, f.nfields);
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(
        back, 1), "label")), "email");
    cr_assert(json_is_null(json_object_get(json_array_get(back, 6),
                                           "maps_to")));
    json_decref(back);
}

/* Each bad definition and the field its error names. */
Test(form, fields_refused_naming_the_field)
{
    static const struct {
        const char *json, *field;
        int code;
    } C[] = {
        {"[]", "fields", E_RULE},
        {"{}", "fields", E_INVALID},
        {"[{\"name\":\"a\",\"type\":\"text\"}]", "fields", E_RULE},
        {"[{\"type\":\"email\",\"maps_to\":\"email\"}]", "fields[0].name",
         E_INVALID},
        {"[{\"name\":\"Email\",\"type\":\"email\",\"maps_to\":\"email\"}]",
         "fields[0].name", E_RULE},
        {"[{\"name\":\"utm_source\",\"type\":\"email\",\"maps_to\":"
         "\"email\"}]", "fields[0].name", E_RULE},
        {"[{\"name\":\"fax_number\",\"type\":\"email\",\"maps_to\":"
         "\"email\"}]", "fields[0].name", E_RULE},
        {"[{\"name\":\"e\",\"type\":\"radio\",\"maps_to\":\"email\"}]",
         "fields[0].type", E_RULE},
        {"[{\"name\":\"e\",\"type\":\"email\",\"maps_to\":\"email\","
         "\"colour\":1}]", "fields[0].colour", E_INVALID},
        {"[{\"name\":\"e\",\"type\":\"email\",\"maps_to\":\"email\","
         "\"required\":\"yes\"}]", "fields[0].required", E_INVALID},
        {"[{\"name\":\"e\",\"type\":\"text\",\"maps_to\":\"email\"}]",
         "fields[0].maps_to", E_RULE},
        {"[{\"name\":\"e\",\"type\":\"email\",\"maps_to\":\"email\"},"
         "{\"name\":\"p\",\"type\":\"email\",\"maps_to\":\"email\"}]",
         "fields[1].maps_to", E_RULE},
        {"[{\"name\":\"e\",\"type\":\"email\",\"maps_to\":\"email\"},"
         "{\"name\":\"e\",\"type\":\"text\"}]", "fields[1].name", E_RULE},
        {"[{\"name\":\"e\",\"type\":\"email\",\"maps_to\":\"email\"},"
         "{\"name\":\"s\",\"type\":\"select\"}]", "fields[1].options",
         E_RULE},
        {"[{\"name\":\"e\",\"type\":\"email\",\"maps_to\":\"email\"},"
         "{\"name\":\"s\",\"type\":\"select\",\"options\":[\"a\",\"a\"]}]",
         "fields[1].options", E_RULE},
        {"[{\"name\":\"e\",\"type\":\"email\",\"maps_to\":\"email\"},"
         "{\"name\":\"t\",\"type\":\"text\",\"options\":[\"a\"]}]",
         "fields[1].options", E_RULE},
        {"[{\"name\":\"e\",\"type\":\"email\",\"maps_to\":\"email\"},"
         "{\"name\":\"t\",\"type\":\"text\",\"value\":\"x\"}]",
         "fields[1].value", E_RULE},
        {"[{\"name\":\"e\",\"type\":\"email\",\"maps_to\":\"email\"},"
         "{\"name\":\"c\",\"type\":\"checkbox\",\"maps_to\":\"title\"}]",
         "fields[1].maps_to", E_RULE},
        {"[{\"name\":\"e\",\"type\":\"email\",\"maps_to\":\"email\"},"
         "{\"name\":\"c\",\"type\":\"text\",\"maps_to\":\"owner_id\"}]",
         "fields[1].maps_to", E_RULE},
    };
    for (size_t i = 0; i < sizeof(C) / sizeof(C[0]); i++) {
        struct form_field *f;
        int n;
        struct err err = {0};
        int rc = fields(C[i].json, NULL, &f, &n, &err);
        cr_assert_eq(rc, C[i].code, "case %zu: %d %s", i, rc, err.msg);
        cr_assert_str_eq(err.field, C[i].field, "case %zu", i);
    }
}

/* A custom-field declaration of the given type (and options). */
static struct cf_def def(const char *name, const char *type,
                         const char *options)
{
    struct cf_def d = {.object = "contact", .name = name, .label = name,
                       .type = type};
    d.options = options ? json_loads(options, 0, NULL) : NULL;
    return d;
}

Test(form, custom_mapping_checks_the_declared_type)
{
    struct cf_def defs[] = {def("size", "select", "[\"S\",\"M\"]"),
                            def("vip", "bool", NULL),
                            def("budget", "money", NULL),
                            def("tags", "multiselect", "[\"a\"]")};
    struct cf_set set = {defs, 4};
    struct form_field *f;
    int n;
    struct err err = {0};
    const char *head = "[{\"name\":\"e\",\"type\":\"email\",\"maps_to\":"
                       "\"email\"},";
    static const struct {
        const char *field;
        int ok;
    } C[] = {
        {"{\"name\":\"s\",\"type\":\"select\",\"options\":[\"S\"],"
         "\"maps_to\":\"custom.size\"}", 1},
        {"{\"name\":\"s\",\"type\":\"select\",\"options\":[\"XL\"],"
         "\"maps_to\":\"custom.size\"}", 0},
        {"{\"name\":\"s\",\"type\":\"text\",\"maps_to\":\"custom.size\"}", 0},
        {"{\"name\":\"v\",\"type\":\"checkbox\",\"maps_to\":\"custom.vip\"}",
         1},
        {"{\"name\":\"v\",\"type\":\"text\",\"maps_to\":\"custom.vip\"}", 0},
        {"{\"name\":\"b\",\"type\":\"text\",\"maps_to\":\"custom.budget\"}",
         1},
        {"{\"name\":\"b\",\"type\":\"textarea\",\"maps_to\":"
         "\"custom.budget\"}", 0},
        {"{\"name\":\"t\",\"type\":\"hidden\",\"maps_to\":\"custom.tags\"}",
         0},
        {"{\"name\":\"x\",\"type\":\"text\",\"maps_to\":\"custom.nope\"}", 0},
    };
    for (size_t i = 0; i < sizeof(C) / sizeof(C[0]); i++) {
        char *text = arena_printf(&A, "%s%s]", head, C[i].field);
        int rc = fields(text, &set, &f, &n, &err);
        cr_assert_eq(rc == 0, C[i].ok, "case %zu: %s", i, err.msg);
        if (!C[i].ok)
            cr_assert_str_eq(err.field, "fields[1].maps_to", "case %zu", i);
    }
    /* without declarations (stored forms) only the shape is checked */
    cr_assert_eq(fields("[{\"name\":\"e\",\"type\":\"email\",\"maps_to\":"
                        "\"email\"},{\"name\":\"x\",\"type\":\"text\","
                        "\"maps_to\":\"custom.nope\"}]", NULL, &f, &n, &err),
                 0);
    for (int i = 0; i < 4; i++)
        json_decref(defs[i].options);
}

Test(form, names)
{
    cr_assert(form_name_valid("ho_ten2"));
    cr_assert(!form_name_valid("2ten"));
    cr_assert(!form_name_valid("Ten"));
    cr_assert(!form_name_valid("ho-ten"));
    cr_assert(!form_name_valid(""));
    cr_assert(!form_name_valid("a23456789012345678901234567890123456789012"));
    cr_assert(!form_name_valid("consent"));
    cr_assert(!form_name_valid("visitor_id"));
}

/* ---- reading a submission ---- */

/* Reads body (JSON text) against f; returns the errors array. */
static json_t *entry(const struct form *f, const char *body,
                     struct form_entry *e)
{
    json_t *b = json_loads(body, 0, NULL);
    json_t *errors = json_array();
    cr_assert_not_null(b, "bad test JSON: %s", body);
    int n = form_entry_read(f, b, e, errors, &A);
    cr_assert_eq((size_t)n, json_array_size(errors));
    json_decref(b);
    return errors;
}

/* The code of the error naming field, or NULL. */
static const char *code_of(json_t *errors, const char *field)
{
    size_t i;
    json_t *x;
    json_array_foreach(errors, i, x)
        if (!strcmp(json_string_value(json_object_get(x, "field")), field))
            return json_string_value(json_object_get(x, "code"));
    return NULL;
}

Test(form, entry_normalises_values)
{
    struct form f = form_of(BASIC);
    struct form_entry e;
    json_t *errors = entry(&f, "{\"ten\":\"  Nguyễn An \",\"email\":"
                           "\"An@Example.COM\",\"sdt\":\"0912 345 678\","
                           "\"goi\":\"Nâng cao\",\"dong_y\":\"on\","
                           "\"loi_nhan\":\"dòng 1\\r\\ndòng 2\\r\\n\","
                           "\"submit\":\"Gửi\",\"utm_source\":\"facebook\","
                           "\"utm_medium\":\"paid_social\",\"visitor_id\":"
                           "\"0123456789abcdef0123456789abcdef\",\"page_url\":"
                           "\"https://shop.vn/\"}",
                           &e);
    cr_assert_eq(json_array_size(errors), 0, "%s",
                 json_dumps(errors, 0));
    cr_assert_str_eq(e.v[0].s, "Nguyễn An");
    cr_assert_str_eq(e.v[1].s, "an@example.com");
    cr_assert_str_eq(e.v[2].s, "+84912345678");
    cr_assert_str_eq(e.v[3].s, "Nâng cao");
    cr_assert_eq(e.v[4].checked, 1);
    cr_assert_str_eq(e.v[5].s, "hoi-cho");  /* hidden: its fixed value */
    cr_assert_str_eq(e.v[6].s, "dòng 1\ndòng 2");
    cr_assert_str_eq(e.utm[0], "facebook");
    cr_assert_str_eq(e.utm[1], "paid_social");
    cr_assert_null(e.utm[2]);
    cr_assert_str_eq(e.visitor_id, "0123456789abcdef0123456789abcdef");
    cr_assert_str_eq(e.page_url, "https://shop.vn/");
    json_decref(errors);
}

Test(form, entry_errors_per_field)
{
    struct form f = form_of(BASIC);
    struct form_entry e;
    json_t *errors = entry(&f, "{\"ten\":\"\",\"email\":\"an@\",\"sdt\":"
                           "\"12\",\"goi\":\"Vàng\",\"dong_y\":\"maybe\"}",
                           &e);
    cr_assert_eq(json_array_size(errors), 5, "%s", json_dumps(errors, 0));
    cr_assert_str_eq(code_of(errors, "ten"), "required");
    cr_assert_str_eq(code_of(errors, "email"), "invalid_email");
    cr_assert_str_eq(code_of(errors, "sdt"), "invalid_phone");
    cr_assert_str_eq(code_of(errors, "goi"), "invalid_option");
    cr_assert_str_eq(code_of(errors, "dong_y"), "invalid");
    json_decref(errors);
}

Test(form, entry_lengths_lines_and_types)
{
    struct form f = form_of(BASIC);
    struct form_entry e;
    char big[400];
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    /* first_name holds 200 bytes: the property's limit wins */
    json_t *errors = entry(&f, arena_printf(&A, "{\"ten\":\"%s\",\"email\":"
                                            "\"a@b.vn\"}", big), &e);
    cr_assert_str_eq(code_of(errors, "ten"), "too_long");
    json_decref(errors);
    errors = entry(&f, "{\"ten\":\"a\\nb\",\"email\":\"a@b.vn\"}", &e);
    cr_assert_str_eq(code_of(errors, "ten"), "invalid");
    json_decref(errors);
    errors = entry(&f, "{\"ten\":12,\"email\":\"a@b.vn\"}", &e);
    cr_assert_str_eq(code_of(errors, "ten"), "invalid");
    json_decref(errors);
    errors = entry(&f, "{\"ten\":\"a\\u0007\",\"email\":\"a@b.vn\"}", &e);
    cr_assert_str_eq(code_of(errors, "ten"), "invalid");
    json_decref(errors);
    /* JSON true ticks a checkbox; false and "" do not */
    errors = entry(&f, "{\"ten\":\"a\",\"email\":\"a@b.vn\",\"dong_y\":true}",
                   &e);
    cr_assert_eq(json_array_size(errors), 0);
    cr_assert_eq(e.v[4].checked, 1);
    json_decref(errors);
    errors = entry(&f, "{\"ten\":\"a\",\"email\":\"a@b.vn\",\"dong_y\":\"\"}",
                   &e);
    cr_assert_eq(e.v[4].checked, 0);
    json_decref(errors);
}

Test(form, entry_needs_email_or_phone)
{
    struct form f = form_of(BASIC);
    struct form_entry e;
    json_t *errors = entry(&f, "{\"ten\":\"An\"}", &e);
    cr_assert_eq(json_array_size(errors), 1);
    cr_assert_str_eq(code_of(errors, "email"), "required");
    json_decref(errors);
    errors = entry(&f, "{\"ten\":\"An\",\"sdt\":\"+84 912 000 111\"}", &e);
    cr_assert_eq(json_array_size(errors), 0);
    json_decref(errors);
    /* a refused email is the only error, not also "required" */
    errors = entry(&f, "{\"ten\":\"An\",\"email\":\"x\"}", &e);
    cr_assert_eq(json_array_size(errors), 1);
    cr_assert_str_eq(code_of(errors, "email"), "invalid_email");
    json_decref(errors);
}

Test(form, entry_consent_and_bad_tracking_values)
{
    struct form f = form_of(BASIC);
    struct form_entry e;
    f.consent_text = "Tôi đồng ý";
    f.consent_required = 1;
    json_t *errors = entry(&f, "{\"ten\":\"An\",\"email\":\"a@b.vn\"}", &e);
    cr_assert_str_eq(code_of(errors, "consent"), "required");
    json_decref(errors);
    char longurl[2100];
    memset(longurl, 'u', sizeof(longurl) - 1);
    longurl[sizeof(longurl) - 1] = '\0';
    errors = entry(&f, arena_printf(&A, "{\"ten\":\"An\",\"email\":\"a@b.vn"
                                    "\",\"consent\":\"yes\",\"page_url\":"
                                    "\"%s\",\"utm_source\":7,\"visitor_id\":"
                                    "\"a\\tb\"}", longurl), &e);
    cr_assert_eq(json_array_size(errors), 0, "%s", json_dumps(errors, 0));
    cr_assert_eq(e.consent, 1);
    cr_assert_null(e.page_url);      /* over 2000 bytes: dropped */
    cr_assert_null(e.utm[0]);        /* not a string: dropped */
    cr_assert_null(e.visitor_id);    /* a tab: dropped */
    json_decref(errors);
    errors = entry(&f, "{\"email\":\"a@b.vn\",\"ten\":\"An\",\"consent\":"
                   "\"yes\",\"visitor_id\":\"short\"}", &e);
    cr_assert_null(e.visitor_id);    /* not a tracking id */
    json_decref(errors);
    errors = entry(&f, "{\"email\":\"a@b.vn\",\"ten\":\"An\",\"consent\":"
                   "\"yes\",\"visitor_id\":"
                   "\"0123456789abcdef0123456789abcdef;x\"}", &e);
    cr_assert_null(e.visitor_id);
    cr_assert_eq(json_array_size(errors), 0);
    json_decref(errors);
}

Test(form, honeypot)
{
    struct form f = form_of(BASIC);
    json_t *b = json_pack("{ss}", "fax_number", "");
    cr_assert(!form_honeypot_filled(&f, b));
    json_object_set_new(b, "fax_number", json_string("  \n"));
    cr_assert(!form_honeypot_filled(&f, b));
    json_object_set_new(b, "fax_number", json_string("0281234567"));
    cr_assert(form_honeypot_filled(&f, b));
    json_object_set_new(b, "fax_number", json_integer(1));
    cr_assert(form_honeypot_filled(&f, b));
    json_decref(b);
}

/* ---- what an entry gives ---- */

Test(form, contact_properties_and_custom_conversion)
{
    struct cf_def defs[] = {def("budget", "money", NULL),
                            def("seats", "number", NULL),
                            def("vip", "bool", NULL),
                            def("since", "date", NULL)};
    struct cf_set set = {defs, 4};
    struct form f = {.consent_purpose = "email_marketing",
                     .honeypot_field = "fax_number", .locale = "vi"};
    struct err err = {0};
    static const char CUSTOM[] = "[{\"name\":\"e\",\"type\":\"email\","
        "\"maps_to\":\"email\"},{\"name\":\"b\",\"type\":\"text\","
        "\"maps_to\":\"custom.budget\"},{\"name\":\"s\",\"type\":\"text\","
        "\"maps_to\":\"custom.seats\"},{\"name\":\"v\",\"type\":"
        "\"checkbox\",\"maps_to\":\"custom.vip\"},{\"name\":\"d\","
        "\"type\":\"text\",\"maps_to\":\"custom.since\"},{\"name\":\"g\","
        "\"type\":\"text\",\"maps_to\":\"custom.gone\"},{\"name\":\"m\","
        "\"type\":\"textarea\"}]";
    cr_assert_eq(fields(CUSTOM, &set, &f.fields, &f.nfields, &err), E_RULE);
    /* custom.gone is not declared: read as a stored form is */
    cr_assert_eq(fields(CUSTOM, NULL, &f.fields, &f.nfields, &err), 0);
    struct form_entry e;
    json_t *errors = entry(&f, "{\"e\":\"a@b.vn\",\"b\":\"1500000\",\"s\":"
                           "\"2.5\",\"d\":\"2026-02-30\",\"g\":\"x\",\"m\":"
                           "\"hi\"}", &e);
    cr_assert_eq(json_array_size(errors), 0);
    json_t *props = form_entry_contact(&f, &e, &set, errors, &A);
    cr_assert_eq(json_array_size(errors), 1, "%s", json_dumps(errors, 0));
    cr_assert_str_eq(code_of(errors, "d"), "invalid");      /* no 30 Feb */
    json_t *custom = json_object_get(props, "custom");
    cr_assert_eq(json_integer_value(json_object_get(custom, "budget")),
                 1500000);
    cr_assert_float_eq(json_real_value(json_object_get(custom, "seats")),
                       2.5, 1e-9);
    cr_assert(json_is_false(json_object_get(custom, "vip")));
    cr_assert_null(json_object_get(custom, "gone"));
    cr_assert_str_eq(json_string_value(json_object_get(props, "email")),
                     "a@b.vn");
    cr_assert_eq(json_object_size(props), 2);  /* email, custom */
    json_t *data = form_entry_data(&f, &e);
    cr_assert_str_eq(json_string_value(json_object_get(data, "m")), "hi");
    cr_assert(json_is_false(json_object_get(data, "v")));
    cr_assert_null(json_object_get(data, "fax_number"));
    json_decref(data);
    json_decref(props);
    json_decref(errors);
    errors = entry(&f, "{\"e\":\"a@b.vn\",\"b\":\"-5\",\"s\":\"nhiều\"}", &e);
    props = form_entry_contact(&f, &e, &set, errors, &A);
    cr_assert_str_eq(code_of(errors, "b"), "invalid");
    cr_assert_str_eq(code_of(errors, "s"), "invalid");
    json_decref(props);
    json_decref(errors);
    for (int i = 0; i < 4; i++)
        json_decref(defs[i].options);
}

/* ---- HTML ---- */

Test(form, html_escape)
{
    struct buf b;
    buf_init(&b, 1024);
    html_escape(&b, "<a href=\"x\">Tôm & 'cua'</a>");
    cr_assert_str_eq(buf_cstr(&b), "&lt;a href=&quot;x&quot;&gt;Tôm &amp; "
                     "&#39;cua&#39;&lt;/a&gt;");
    buf_release(&b);
}

Test(form, snippet_escapes_every_text)
{
    struct form f = form_of("[{\"name\":\"ten\",\"label\":\"<script>x"
                            "</script>\",\"type\":\"text\",\"maps_to\":"
                            "\"first_name\"},{\"name\":\"email\",\"type\":"
                            "\"email\",\"required\":true,\"maps_to\":"
                            "\"email\"},{\"name\":\"g\",\"type\":\"select\","
                            "\"options\":[\"\\\"><img src=x>\"]},{\"name\":"
                            "\"h\",\"type\":\"hidden\",\"value\":\"a\\\" "
                            "onfocus=\\\"x\"}]");
    f.consent_text = "Tôi đồng ý <b>nhận</b>\nemail";
    f.submit_label = "Gửi & nhận";
    struct buf b;
    buf_init(&b, (size_t)-1);
    form_embed_html(&f, "https://crm.vn/f/KEY", &b);
    const char *s = buf_cstr(&b);
    cr_assert_not_null(strstr(s, "action=\"https://crm.vn/f/KEY\""));
    cr_assert_not_null(strstr(s, "&lt;script&gt;x&lt;/script&gt;"));
    cr_assert_null(strstr(s, "<script>x"));
    cr_assert_not_null(strstr(s, "value=\"&quot;&gt;&lt;img src=x&gt;\""));
    cr_assert_not_null(strstr(s, "value=\"a&quot; onfocus=&quot;x\""));
    cr_assert_not_null(strstr(s, "Tôi đồng ý &lt;b&gt;nhận&lt;/b&gt;<br>"
                              "email"));
    cr_assert_not_null(strstr(s, "Gửi &amp; nhận</button>"));
    /* the honeypot: off-screen, out of tab order and autofill */
    cr_assert_not_null(strstr(s, "name=\"fax_number\" id=\"pheu-KEY-hp\" "
                              "value=\"\" tabindex=\"-1\" "
                              "autocomplete=\"off\""));
    cr_assert_not_null(strstr(s, "<input type=\"hidden\" name=\"visitor_id\""
                              " value=\"\">"));
    cr_assert_not_null(strstr(s, "<input type=\"email\" name=\"email\" "
                              "id=\"pheu-KEY-email\" autocomplete=\"email\" "
                              "required>"));
    /* exactly one script: the filler */
    const char *sc = strstr(s, "<script>");
    cr_assert_not_null(sc);
    cr_assert_null(strstr(sc + 1, "<script>"));
    buf_release(&b);
}

Test(form, answer_pages)
{
    struct form f = form_of(BASIC);
    struct buf b;
    f.thank_you_message = "Cảm ơn <bạn>!";
    buf_init(&b, (size_t)-1);
    form_page_html(&f, NULL, 0, "javascript:alert(1)", &b);
    cr_assert_not_null(strstr(buf_cstr(&b), "Cảm ơn &lt;bạn&gt;!"));
    cr_assert_null(strstr(buf_cstr(&b), "javascript"));
    buf_release(&b);
    json_t *errors = json_array();
    form_error_add(errors, "ten", "required", "is required");
    form_error_add(errors, "consent", "required", "must be ticked");
    buf_init(&b, (size_t)-1);
    form_page_html(&f, errors, 0, "https://shop.vn/a?b=1&c=\"2\"", &b);
    cr_assert_not_null(strstr(buf_cstr(&b), "<li><strong>Tên</strong>: cần "
                              "được điền</li>"));
    cr_assert_not_null(strstr(buf_cstr(&b), "<li><strong>Đồng ý</strong>"));
    cr_assert_not_null(strstr(buf_cstr(&b), "href=\"https://shop.vn/a?b=1&amp;"
                              "c=&quot;2&quot;\""));
    buf_release(&b);
    json_decref(errors);
    f.locale = "en";
    buf_init(&b, (size_t)-1);
    form_page_html(&f, NULL, 1, NULL, &b);
    cr_assert_not_null(strstr(buf_cstr(&b), "This form no longer accepts"));
    cr_assert_not_null(strstr(buf_cstr(&b), "<html lang=\"en\">"));
    buf_release(&b);
}

/* ---- urlencoded bodies ---- */

/* Parses text; returns the code, the object in *out. */
static int body(const char *text, json_t **out, struct err *err)
{
    return formbody_parse(text, strlen(text), out, &A, err);
}

Test(form, formbody_decodes)
{
    json_t *o;
    struct err err = {0};
    cr_assert_eq(body("ten=Nguy%E1%BB%85n+An&email=a%40b.vn&&empty=&flag"
                      "&x=1%2B1%3D2", &o, &err), 0, "%s", err.msg);
    cr_assert_str_eq(json_string_value(json_object_get(o, "ten")),
                     "Nguyễn An");
    cr_assert_str_eq(json_string_value(json_object_get(o, "email")),
                     "a@b.vn");
    cr_assert_str_eq(json_string_value(json_object_get(o, "empty")), "");
    cr_assert_str_eq(json_string_value(json_object_get(o, "flag")), "");
    cr_assert_str_eq(json_string_value(json_object_get(o, "x")), "1+1=2");
    cr_assert_eq(json_object_size(o), 5);
    json_decref(o);
    cr_assert_eq(body("", &o, &err), 0);
    cr_assert_eq(json_object_size(o), 0);
    json_decref(o);
}

Test(form, formbody_refuses)
{
    static const struct {
        const char *text, *field;
    } C[] = {
        {"a=1&a=2", "a"},
        {"=1", NULL},
        {"a=%00", NULL},
        {"a%00b=1", NULL},
        {"a=%FF%FE", NULL},
        {"%C3=1", NULL},
    };
    for (size_t i = 0; i < sizeof(C) / sizeof(C[0]); i++) {
        json_t *o = NULL;
        struct err err = {0};
        cr_assert_eq(body(C[i].text, &o, &err), E_INVALID, "case %zu", i);
        cr_assert_null(o);
        if (C[i].field)
            cr_assert_str_eq(err.field, C[i].field, "case %zu", i);
        else
            cr_assert_null(err.field, "case %zu", i);
    }
    char raw[] = "a=1\0b=2";
    json_t *o = NULL;
    struct err err = {0};
    cr_assert_eq(formbody_parse(raw, sizeof(raw) - 1, &o, &A, &err),
                 E_INVALID);
    struct buf many;
    buf_init(&many, (size_t)-1);
    for (int i = 0; i <= FORMBODY_MAX_PAIRS; i++)
        buf_addf(&many, "k%d=v&", i);
    cr_assert_eq(body(buf_cstr(&many), &o, &err), E_INVALID);
    buf_release(&many);
}
