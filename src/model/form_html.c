/* The HTML of web forms (pure): the snippet a site embeds, and the page
 * that answers a browser's form post (thank you, or the fields to
 * correct). Every text that comes from a form or a submission goes
 * through html_escape. */
#include "model/form.h"
#include "util/html.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* The built-in texts of a locale. */
struct texts {
    const char *submit, *thanks, *thanks_title, *errors_title, *errors_intro,
        *back, *gone, *hp_label, *choose, *consent;
    const char *codes[6][2];    /* error code -> phrase */
};

static const struct texts VI = {
    "Gửi", "Cảm ơn bạn! Chúng tôi đã nhận được thông tin của bạn.",
    "Cảm ơn bạn", "Vui lòng kiểm tra lại thông tin",
    "Một số ô chưa đúng. Hãy quay lại trang trước (nút Quay lại của trình "
    "duyệt) để sửa:", "Quay lại trang trước",
    "Biểu mẫu này không còn nhận thông tin.", "Để trống ô này",
    "— Chọn —", "Đồng ý",
    {{"required", "cần được điền"},
     {"invalid_email", "không phải địa chỉ email hợp lệ"},
     {"invalid_phone", "không phải số điện thoại hợp lệ"},
     {"invalid_option", "không phải một lựa chọn của biểu mẫu"},
     {"too_long", "quá dài"},
     {"invalid", "không hợp lệ"}},
};

static const struct texts EN = {
    "Submit", "Thank you! We have received your details.", "Thank you",
    "Please check your details",
    "Some fields need a correction. Go back to the previous page (your "
    "browser's Back button) to fix them:", "Back to the previous page",
    "This form no longer accepts submissions.", "Leave this field empty",
    "— Choose —", "Consent",
    {{"required", "is required"},
     {"invalid_email", "is not a valid email address"},
     {"invalid_phone", "is not a valid phone number"},
     {"invalid_option", "is not one of the choices"},
     {"too_long", "is too long"},
     {"invalid", "is not valid"}},
};

static const struct texts *texts_of(const struct form *f)
{
    return f->locale && !strcmp(f->locale, "en") ? &EN : &VI;
}

const char *form_thank_you(const struct form *f)
{
    return f->thank_you_message ? f->thank_you_message
                                : texts_of(f)->thanks;
}

/* Appends escaped text with its newlines as <br>. */
static void escape_lines(struct buf *b, const char *s)
{
    const char *p = s;
    while (p && *p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        html_escape_n(b, p, n);
        if (!nl)
            break;
        buf_adds(b, "<br>");
        p = nl + 1;
    }
}

/* The autocomplete token of a contact property, or NULL. */
static const char *autocomplete(const char *maps_to)
{
    static const char *const A[][2] = {{"first_name", "given-name"},
        {"last_name", "family-name"}, {"email", "email"}, {"phone", "tel"},
        {"title", "organization-title"}, {"city", "address-level2"},
        {"country", "country-name"}};
    for (size_t i = 0; maps_to && i < sizeof(A) / sizeof(A[0]); i++)
        if (!strcmp(maps_to, A[i][0]))
            return A[i][1];
    return NULL;
}

/* Appends ' attr="pheu-KEY-NAME"' (attr: id, or a label's for). */
static void key_attr(struct buf *b, const char *attr, const struct form *f,
                     const char *name)
{
    buf_addf(b, " %s=\"pheu-", attr);
    html_escape(b, f->key);
    buf_adds(b, "-");
    html_escape(b, name);
    buf_adds(b, "\"");
}

static void id_attr(struct buf *b, const struct form *f, const char *name)
{
    key_attr(b, "id", f, name);
}

/* Appends the label of field fd (for its control's id). */
static void label(struct buf *b, const struct form *f,
                  const struct form_field *fd)
{
    buf_adds(b, "<label");
    key_attr(b, "for", f, fd->name);
    buf_adds(b, ">");
    html_escape(b, fd->label);
    if (fd->required)
        buf_adds(b, "<span class=\"pheu-required\" aria-hidden=\"true\"> *"
                 "</span>");
    buf_adds(b, "</label><br>\n");
}

/* Appends the control of a select field. */
static void select_html(struct buf *b, const struct form *f,
                        const struct form_field *fd)
{
    buf_adds(b, "<select name=\"");
    html_escape(b, fd->name);
    buf_adds(b, "\"");
    id_attr(b, f, fd->name);
    buf_adds(b, fd->required ? " required>\n" : ">\n");
    buf_adds(b, "<option value=\"\">");
    html_escape(b, texts_of(f)->choose);
    buf_adds(b, "</option>\n");
    for (int i = 0; i < fd->noptions; i++) {
        buf_adds(b, "<option value=\"");
        html_escape(b, fd->options[i]);
        buf_adds(b, "\">");
        html_escape(b, fd->options[i]);
        buf_adds(b, "</option>\n");
    }
    buf_adds(b, "</select>");
}

/* Appends one field: hidden input, checkbox in its label, or label and
 * control in a paragraph. */
static void field_html(struct buf *b, const struct form *f,
                       const struct form_field *fd)
{
    static const char *const INPUT[] = {"text", "email", "tel"};
    if (fd->type == FORM_HIDDEN) {
        buf_adds(b, "<input type=\"hidden\" name=\"");
        html_escape(b, fd->name);
        buf_adds(b, "\" value=\"");
        html_escape(b, fd->value ? fd->value : "");
        buf_adds(b, "\">\n");
        return;
    }
    buf_adds(b, "<p class=\"pheu-field\">");
    if (fd->type == FORM_CHECKBOX) {
        buf_adds(b, "<label><input type=\"checkbox\" name=\"");
        html_escape(b, fd->name);
        buf_adds(b, "\" value=\"yes\"");
        buf_adds(b, fd->required ? " required> " : "> ");
        html_escape(b, fd->label);
        buf_adds(b, "</label></p>\n");
        return;
    }
    label(b, f, fd);
    if (fd->type == FORM_SELECT) {
        select_html(b, f, fd);
    } else {
        const char *ac = autocomplete(fd->maps_to);
        buf_addf(b, "<%s", fd->type == FORM_TEXTAREA ? "textarea rows=\"4\""
                 : "input type=\"");
        if (fd->type != FORM_TEXTAREA)
            buf_addf(b, "%s\"", INPUT[fd->type]);
        buf_adds(b, " name=\"");
        html_escape(b, fd->name);
        buf_adds(b, "\"");
        id_attr(b, f, fd->name);
        if (ac)
            buf_addf(b, " autocomplete=\"%s\"", ac);
        buf_adds(b, fd->required ? " required" : "");
        buf_adds(b, fd->type == FORM_TEXTAREA ? "></textarea>" : ">");
    }
    buf_adds(b, "</p>\n");
}

/* The script after the form: fills the hidden tracking inputs from the
 * page's address, its referrer and the tracking's visitor id
 * (window.pheu.vid() of /t.js, else its cookie _pheu_vid), again just
 * before the form is sent (/t.js may load after the form). */
static const char SCRIPT_HEAD[] =
    "<script>(function(){var f=document.querySelector("
    "'form[data-pheu-form=\"";
static const char SCRIPT_TAIL[] =
    "\"]');if(!f)return;"
    "function s(n,v){var e=f.elements[n];if(e&&v)e.value=v}"
    "function vid(){var p=window.pheu;if(p&&p.vid)return p.vid();"
    "var m=document.cookie.match(/(?:^|;\\s*)_pheu_vid=([A-Za-z0-9_-]+)/);"
    "return m?m[1]:''}"
    "function fill(){var q=new URLSearchParams(location.search);"
    "['utm_source','utm_medium','utm_campaign','utm_term','utm_content']"
    ".forEach(function(k){s(k,q.get(k))});s('page_url',location.href);"
    "s('page_referrer',document.referrer);s('visitor_id',vid())}"
    "fill();f.addEventListener('submit',fill)})();</script>\n";

void form_embed_html(const struct form *f, const char *action,
                     struct buf *b)
{
    static const char *const META[] = {"utm_source", "utm_medium",
        "utm_campaign", "utm_term", "utm_content", "visitor_id", "page_url",
        "page_referrer"};
    const struct texts *t = texts_of(f);
    buf_adds(b, "<form class=\"pheu-form\" method=\"post\" action=\"");
    html_escape(b, action);
    buf_adds(b, "\" accept-charset=\"UTF-8\" data-pheu-form=\"");
    html_escape(b, f->key);
    buf_adds(b, "\" lang=\"");
    html_escape(b, f->locale);
    buf_adds(b, "\">\n");
    for (int i = 0; i < f->nfields; i++)
        field_html(b, f, &f->fields[i]);
    if (f->consent_text) {
        buf_adds(b, "<p class=\"pheu-consent\"><label><input type=\"checkbox"
                 "\" name=\"consent\" value=\"yes\"");
        buf_adds(b, f->consent_required ? " required> " : "> ");
        escape_lines(b, f->consent_text);
        buf_adds(b, "</label></p>\n");
    }
    /* the honeypot: off-screen rather than display:none, which some
     * bots skip; out of the tab order and of autofill */
    buf_adds(b, "<div class=\"pheu-hp\" aria-hidden=\"true\" style=\""
             "position:absolute;left:-10000px;top:auto;width:1px;height:1px;"
             "overflow:hidden\"><label");
    key_attr(b, "for", f, "hp");
    buf_adds(b, ">");
    html_escape(b, t->hp_label);
    buf_adds(b, "</label><input type=\"text\" name=\"");
    html_escape(b, f->honeypot_field);
    buf_adds(b, "\"");
    id_attr(b, f, "hp");
    buf_adds(b, " value=\"\" tabindex=\"-1\" autocomplete=\"off\"></div>\n");
    for (size_t i = 0; i < sizeof(META) / sizeof(META[0]); i++)
        buf_addf(b, "<input type=\"hidden\" name=\"%s\" value=\"\">\n",
                 META[i]);
    buf_adds(b, "<p><button type=\"submit\">");
    html_escape(b, f->submit_label ? f->submit_label : t->submit);
    buf_adds(b, "</button></p>\n</form>\n");
    buf_adds(b, SCRIPT_HEAD);
    buf_adds(b, f->key);        /* base64url: nothing to escape in JS */
    buf_adds(b, SCRIPT_TAIL);
}

/* The hosted page's style: a readable column, fields one per line. */
static const char HOSTED_CSS[] =
    "body{margin:0;background:#f4f6f8;color:#1c2430;font:16px/1.5 "
    "system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}"
    "main{max-width:34rem;margin:2rem auto;padding:1.5rem 2rem;"
    "background:#fff;border-radius:8px;box-shadow:0 1px 4px #0002}"
    "h1{font-size:1.5rem;margin:0 0 1rem}label{display:block;"
    "font-weight:600;margin-bottom:.25rem}label+br{display:none}"
    ".pheu-required{color:#b42318}"
    ".pheu-consent label{font-weight:400}"
    "input,select,textarea{box-sizing:border-box;width:100%;padding:.5rem;"
    "font:inherit;border:1px solid #b8c1cc;border-radius:4px}"
    "input[type=checkbox]{width:auto;margin-right:.5rem}"
    "button{padding:.6rem 1.4rem;font:inherit;font-weight:600;color:#fff;"
    "background:#0b5cad;border:0;border-radius:4px;cursor:pointer}";

void form_hosted_html(const struct form *f, const char *action,
                      struct buf *b)
{
    buf_adds(b, "<!doctype html>\n<html lang=\"");
    html_escape(b, f->locale);
    buf_adds(b, "\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
             "content=\"width=device-width, initial-scale=1\">"
             "<meta name=\"robots\" content=\"noindex\">"
             "<link rel=\"icon\" href=\"data:,\"><title>");
    html_escape(b, f->name);
    buf_adds(b, "</title><style>");
    buf_adds(b, HOSTED_CSS);
    buf_adds(b, "</style></head>\n<body><main class=\"pheu-hosted\"><h1>");
    html_escape(b, f->name);
    buf_adds(b, "</h1>\n");
    form_embed_html(f, action, b);
    buf_adds(b, "</main></body></html>\n");
}

void form_script_csp(const struct form *f, char *out, size_t size)
{
    static const size_t open = sizeof("<script>") - 1,
                        close = sizeof("</script>\n") - 1;
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const unsigned char *)SCRIPT_HEAD + open,
                              sizeof(SCRIPT_HEAD) - 1 - open);
    crypto_hash_sha256_update(&st, (const unsigned char *)f->key,
                              strlen(f->key));
    crypto_hash_sha256_update(&st, (const unsigned char *)SCRIPT_TAIL,
                              sizeof(SCRIPT_TAIL) - 1 - close);
    crypto_hash_sha256_final(&st, h);
    char b64[sodium_base64_ENCODED_LEN(sizeof(h),
                                       sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(b64, sizeof(b64), h, sizeof(h),
                      sodium_base64_VARIANT_ORIGINAL);
    snprintf(out, size, "'sha256-%s'", b64);
}

/* The label of the field named name, or name itself ("consent": the
 * consent text's start). */
static const char *label_of(const struct form *f, const char *name)
{
    for (int i = 0; i < f->nfields; i++)
        if (!strcmp(f->fields[i].name, name))
            return f->fields[i].label;
    return name;
}

/* The phrase of an error code in the form's locale. */
static const char *phrase(const struct texts *t, const char *code)
{
    for (int i = 0; i < 6; i++)
        if (!strcmp(t->codes[i][0], code))
            return t->codes[i][1];
    return t->codes[5][1];
}

/* Appends the list of errors: each field's label and the phrase of its
 * error's code. */
static void errors_html(struct buf *b, const struct form *f,
                        const struct texts *t, json_t *errors)
{
    size_t i;
    json_t *e;
    buf_adds(b, "<ul>\n");
    json_array_foreach(errors, i, e) {
        const char *field = json_string_value(json_object_get(e, "field"));
        buf_adds(b, "<li><strong>");
        html_escape(b, field && !strcmp(field, "consent") ? t->consent
                    : label_of(f, field ? field : ""));
        buf_adds(b, "</strong>: ");
        html_escape(b, phrase(t, json_string_value(json_object_get(e,
                                                                   "code"))));
        buf_adds(b, "</li>\n");
    }
    buf_adds(b, "</ul>\n");
}

void form_page_html(const struct form *f, json_t *errors, int gone,
                    const char *back, struct buf *b)
{
    const struct texts *t = texts_of(f);
    int failed = errors && json_array_size(errors);
    const char *title = gone ? f->name : failed ? t->errors_title
                                                : t->thanks_title;
    buf_adds(b, "<!doctype html>\n<html lang=\"");
    html_escape(b, f->locale);
    buf_adds(b, "\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
             "content=\"width=device-width, initial-scale=1\"><title>");
    html_escape(b, title);
    buf_adds(b, "</title></head>\n<body><main class=\"pheu-answer\"><h1>");
    html_escape(b, title);
    buf_adds(b, "</h1>\n<p>");
    if (gone)
        html_escape(b, t->gone);
    else if (!failed)
        escape_lines(b, form_thank_you(f));
    else
        html_escape(b, t->errors_intro);
    buf_adds(b, "</p>\n");
    if (failed)
        errors_html(b, f, t, errors);
    if (back && (!strncmp(back, "https://", 8) ||
                 !strncmp(back, "http://", 7))) {
        buf_adds(b, "<p><a href=\"");
        html_escape(b, back);
        buf_adds(b, "\">");
        html_escape(b, t->back);
        buf_adds(b, "</a></p>\n");
    }
    buf_adds(b, "</main></body></html>\n");
}

void form_missing_html(struct buf *b)
{
    buf_adds(b, "<!doctype html>\n<html lang=\"vi\"><head><meta "
             "charset=\"utf-8\"><meta name=\"viewport\" content=\"width="
             "device-width, initial-scale=1\"><title>Không tìm thấy biểu "
             "mẫu</title></head>\n<body><main class=\"pheu-answer\"><h1>"
             "Không tìm thấy biểu mẫu</h1>\n<p>Liên kết này không dẫn tới "
             "biểu mẫu nào. Hãy kiểm tra lại địa chỉ, hoặc hỏi người đã gửi "
             "liên kết.</p>\n<p lang=\"en\">Form not found: this link leads "
             "to no form. Check the address, or ask whoever sent it.</p>\n"
             "</main></body></html>\n");
}
