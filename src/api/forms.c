/* /api/v1/forms (SPEC §4, App. A): web forms, their embeddable snippet
 * and submissions, a contact's consent records; and the public
 * POST /f/{key} that web pages send submissions to (urlencoded or
 * JSON). The rules live in model/form*.c
 * (docs/decisions/0017-forms.md). */
#include "api/api.h"
#include "api/records.h"
#include "api/forms.h"
#include "http/ratelimit.h"
#include "model/consent.h"
#include "model/form.h"
#include "model/settings.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/origin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const QUERY_FORMS[] = {"limit", "cursor", "archived",
                                          NULL};

/* Reads form {id} of the path. */
static int path_form(struct req *rq, struct form *f, struct err *err)
{
    int64_t id;
    int rc = req_param_id(rq, "id", &id, err);
    return rc ? rc : form_load(rq->dbc, id, f, &rq->arena, err);
}

/* Answers form id as stored, with status. */
static int answer_form(struct req *rq, struct resp *rs, int64_t id,
                       int status)
{
    struct err err = {0};
    struct form f;
    json_t *out;
    int rc = form_load(rq->dbc, id, &f, &rq->arena, &err);
    if (!rc)
        rc = form_to_json(rq->dbc, &f, &out, &err);
    if (rc)
        return resp_fail(rs, &err);
    return resp_json(rs, status, out);
}

/* The 403 of roles that may not change forms, before the body is read. */
static int refuse_role(struct req *rq, struct resp *rs)
{
    if (form_may_write(rq->who))
        return 0;
    resp_error(rs, E_FORBIDDEN, NULL, "only admins and marketing roles "
               "change forms");
    return 1;
}

/* POST /api/v1/forms: 201 with the form and its new key. */
static int forms_post(struct req *rq, struct resp *rs)
{
    struct err err = {0};
    struct wctx w = api_wctx(rq);
    json_t *body;
    int64_t id = 0;
    if (refuse_role(rq, rs))
        return 0;
    int rc = req_json_object(rq, &body, &err);
    if (rc)
        return resp_fail(rs, &err);
    rc = db_begin_write(rq->dbc, &err);
    if (!rc)
        rc = form_create(&w, body, &id, &err);
    if (api_finish(rq, rs, rc, &err))
        return 0;
    resp_header(rs, "Location", arena_printf(&rq->arena, "/api/v1/forms/"
                                             "%lld", (long long)id));
    return answer_form(rq, rs, id, 201);
}

/* GET /api/v1/forms[?archived=true|false&limit&cursor]: every signed-in
 * user reads forms (as campaigns), newest first. */
static int forms_list(struct req *rq, struct resp *rs)
{
    struct err err = {0};
    int limit;
    int64_t after, next;
    json_t *data;
    const char *arch = req_query(rq, "archived");
    int rc = req_page(rq, &limit, &after, &err);
    if (rc)
        return resp_fail(rs, &err);
    if (arch && strcmp(arch, "true") && strcmp(arch, "false"))
        return resp_error(rs, E_INVALID, "archived", "must be true or false");
    rc = form_list(rq->dbc, arch && !strcmp(arch, "true"), limit, after,
                   &data, &next, &rq->arena, &err);
    if (rc)
        return resp_fail(rs, &err);
    return resp_list(rs, data, next);
}

/* GET /api/v1/forms/{id}: 404 when there is no such form. */
static int forms_get(struct req *rq, struct resp *rs)
{
    struct err err = {0};
    int64_t id;
    if (req_param_id(rq, "id", &id, &err))
        return resp_fail(rs, &err);
    return answer_form(rq, rs, id, 200);
}

/* PATCH /api/v1/forms/{id}: the fields given; "fields" replaces the
 * list, "archived" archives or restores. */
static int forms_patch(struct req *rq, struct resp *rs)
{
    struct err err = {0};
    struct wctx w = api_wctx(rq);
    json_t *body;
    int64_t id;
    if (refuse_role(rq, rs))
        return 0;
    int rc = req_param_id(rq, "id", &id, &err);
    if (!rc)
        rc = req_json_object(rq, &body, &err);
    if (rc)
        return resp_fail(rs, &err);
    rc = db_begin_write(rq->dbc, &err);
    if (!rc)
        rc = form_update(&w, id, body, &err);
    if (api_finish(rq, rs, rc, &err))
        return 0;
    return answer_form(rq, rs, id, 200);
}

/* DELETE /api/v1/forms/{id}: 204 when deleted; 200 with the form when it
 * has submissions and was archived instead. */
static int forms_delete(struct req *rq, struct resp *rs)
{
    struct err err = {0};
    struct wctx w = api_wctx(rq);
    int64_t id;
    int archived = 0;
    if (refuse_role(rq, rs))
        return 0;
    int rc = req_param_id(rq, "id", &id, &err);
    if (rc)
        return resp_fail(rs, &err);
    rc = db_begin_write(rq->dbc, &err);
    if (!rc)
        rc = form_delete(&w, id, &archived, &err);
    if (api_finish(rq, rs, rc, &err))
        return 0;
    return archived ? answer_form(rq, rs, id, 200) : resp_empty(rs, 204);
}

/* Whether host is a Host header value safe to put in a URL: letters,
 * digits, '.', '-', ':' and IPv6 brackets. */
static int host_ok(const char *host)
{
    if (!*host || strlen(host) > 255)
        return 0;
    for (const char *p = host; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9') || strchr(".-:[]", *p)))
            return 0;
    return 1;
}

/* The address web pages reach this server at: the scheme (https behind
 * a TLS proxy, X-Forwarded-Proto) and Host of this request, the address
 * the UI is used at. */
static const char *public_base(struct req *rq)
{
    const char *host = req_header(rq, "Host");
    return arena_printf(&rq->arena, "%s://%s", req_secure(rq) ? "https"
                        : "http", host && host_ok(host) ? host
                        : "localhost");
}

/* GET /api/v1/forms/{id}/embed: {"action_url","html"}, the snippet a
 * site pastes into its pages. */
static int forms_embed(struct req *rq, struct resp *rs)
{
    struct err err = {0};
    struct form f;
    struct buf b;
    int rc = path_form(rq, &f, &err);
    if (rc)
        return resp_fail(rs, &err);
    const char *action = arena_printf(&rq->arena, "%s/f/%s",
                                      public_base(rq), f.key);
    buf_init(&b, (size_t)-1);
    form_embed_html(&f, action, &b);
    json_t *out = json_pack("{ss}", "action_url", action);
    json_object_set_new(out, "html", json_stringn(b.data ? b.data : "",
                                                  b.len));
    buf_release(&b);
    return resp_json(rs, 200, out);
}

/* GET /api/v1/forms/{id}/submissions[?limit&cursor]: newest first, only
 * those whose contact the caller sees. */
static int forms_submissions(struct req *rq, struct resp *rs)
{
    struct err err = {0};
    struct form f;
    int limit;
    int64_t after, next;
    json_t *data;
    int rc = path_form(rq, &f, &err);
    if (!rc)
        rc = req_page(rq, &limit, &after, &err);
    if (!rc)
        rc = form_submissions(rq->dbc, &rq->who->vis, f.id, limit, after,
                              &data, &next, &rq->arena, &err);
    if (rc)
        return resp_fail(rs, &err);
    return resp_list(rs, data, next);
}

/* GET /api/v1/contacts/{id}/consents: the contact's consent records,
 * newest first; 404 when the contact is not visible. */
static int contact_consents(struct req *rq, struct resp *rs)
{
    struct err err = {0};
    struct rec r;
    int64_t id;
    json_t *data;
    int rc = req_param_id(rq, "id", &id, &err);
    if (!rc)
        rc = rec_read(rq->dbc, &OBJ_CONTACT, &rq->who->vis, id, &r,
                      &rq->arena, &err);
    if (rc)
        return resp_fail(rs, &err);
    rec_release(&r);
    rc = consent_list(rq->dbc, id, &data, &err);
    if (rc)
        return resp_fail(rs, &err);
    return resp_list_cursor(rs, data, NULL);
}

/* ---- the public endpoint ---- */

static struct ratelimit *limiter;

int forms_start(int rate, int burst, struct err *err)
{
    limiter = ratelimit_new(rate > 0 ? rate : FORMS_RATE,
                            burst > 0 ? burst : FORMS_BURST);
    return limiter ? 0 : err_set(err, E_INTERNAL, NULL, "cannot make the "
                                 "form rate limit");
}

void forms_stop(void)
{
    ratelimit_free(limiter);
    limiter = NULL;
}

/* Whether the sender's address is within its limit. */
static int within_limit(struct req *rq)
{
    return !limiter || ratelimit_take(limiter, req_ip(rq),
                                      clock_mono_us() / 1000);
}

/* CORS for a site's own scripts sending JSON: the Origin is echoed
 * back when it is one of the setting tracking_origins (decision 0016's
 * list, shared with the tracking). */
static void cors(struct req *rq, struct resp *rs)
{
    const char *origin = req_header(rq, "Origin");
    char site[320];
    size_t len = origin ? origin_of(origin, site, sizeof(site), NULL) : 0;
    resp_header(rs, "Vary", "Origin");
    if (len && settings_origin_allowed(site, len, NULL) == 1)
        resp_header(rs, "Access-Control-Allow-Origin", origin);
}

/* OPTIONS /f/{key}: the preflight of a JSON submission from a page. */
static int f_options(struct req *rq, struct resp *rs)
{
    cors(rq, rs);
    resp_header(rs, "Access-Control-Allow-Methods", "POST");
    resp_header(rs, "Access-Control-Allow-Headers", "Content-Type");
    resp_header(rs, "Access-Control-Max-Age", "600");
    return resp_empty(rs, 204);
}

/* Sends an HTML page. */
static int html(struct resp *rs, int status, struct buf *b)
{
    resp_text(rs, status, "text/html; charset=utf-8", b->data ? b->data : "",
              b->len);
    buf_release(b);
    return 0;
}

/* The answer to an accepted submission, and the same to a filled
 * honeypot or an over-limit sender: nothing tells them apart. */
static int accepted(struct req *rq, struct resp *rs, const struct form *f)
{
    if (!rq->form_body) {
        json_t *out = json_pack("{sbss}", "ok", 1, "message",
                                form_thank_you(f));
        json_object_set_new(out, "redirect_url", f->redirect_url
                            ? json_string(f->redirect_url) : json_null());
        return resp_json(rs, 200, out);
    }
    if (f->redirect_url) {
        resp_header(rs, "Location", f->redirect_url);
        return resp_empty(rs, 303);
    }
    struct buf b;
    buf_init(&b, (size_t)-1);
    form_page_html(f, NULL, 0, NULL, &b);
    return html(rs, 200, &b);
}

/* The answer to a submission with field errors: 422 with the list. */
static int refused(struct req *rq, struct resp *rs, const struct form *f,
                   json_t *errors, const char *back)
{
    if (rq->form_body) {
        struct buf b;
        buf_init(&b, (size_t)-1);
        form_page_html(f, errors, 0, back, &b);
        json_decref(errors);
        return html(rs, 422, &b);
    }
    json_t *first = json_array_get(errors, 0);
    json_t *e = json_pack("{sssssO}", "code", err_name(E_RULE), "message",
                          "some fields need a correction", "field",
                          json_object_get(first, "field"));
    return resp_json(rs, 422, json_pack("{soso}", "error", e, "errors",
                                        errors));
}

/* The answer for an archived form: 410. */
static int gone(struct req *rq, struct resp *rs, const struct form *f)
{
    if (rq->form_body) {
        struct buf b;
        buf_init(&b, (size_t)-1);
        form_page_html(f, NULL, 1, NULL, &b);
        return html(rs, 410, &b);
    }
    return resp_json(rs, 410, json_pack("{s{ssss}}", "error", "code", "gone",
                                        "message", "this form no longer "
                                        "accepts submissions"));
}

/* The User-Agent kept with a submission: at most 500 bytes of it. */
static const char *user_agent(struct req *rq)
{
    const char *ua = req_header(rq, "User-Agent");
    json_t *j = ua ? json_stringn(ua, strnlen(ua, 500)) : NULL;
    const char *out = j ? arena_strdup(&rq->arena, json_string_value(j))
                        : NULL;
    json_decref(j);
    return out;
}

/* Writes an entry without errors in one transaction: 0, E_RULE with
 * errors filled, or another error (err) after the rollback. */
static int write_entry(struct req *rq, const struct form *f,
                       const struct form_entry *e, json_t *errors,
                       struct err *err)
{
    struct form_origin o = {req_ip(rq), user_agent(rq)};
    struct form_outcome out;
    int rc = db_begin_write(rq->dbc, err);
    if (!rc)
        rc = form_submit(rq->dbc, f, e, &o, errors, &out, &rq->arena, err);
    if (!rc)
        rc = db_commit(rq->dbc, err);
    if (rc)
        db_rollback(rq->dbc);
    else
        log_info("form submission form=%lld contact=%lld %s",
                 (long long)f->id, (long long)out.contact_id,
                 out.created ? "created" : "updated");
    return rc;
}

/* GET /f/{key} (public): the form's hosted page, for a link shared
 * where no site embeds it (a social post, a chat, a QR code); its one
 * inline script is allowed by its hash. 404 for an unknown key, 410
 * (the archived page) for an archived form. */
static int f_get(struct req *rq, struct resp *rs)
{
    struct err err = {0};
    struct form f;
    const char *key = req_param(rq, "key");
    int rc = strlen(key) > 64 ? err_set(&err, E_NOTFOUND, NULL, "no such "
                                        "form")
        : form_load_key(rq->dbc, key, &f, &rq->arena, &err);
    struct buf b;
    if (rc && err.code == E_NOTFOUND) {
        buf_init(&b, (size_t)-1);
        form_missing_html(&b);
        return html(rs, 404, &b);
    }
    if (rc)
        return resp_fail(rs, &err);
    buf_init(&b, (size_t)-1);
    if (f.archived_at) {
        form_page_html(&f, NULL, 1, NULL, &b);
        return html(rs, 410, &b);
    }
    char hash[64];
    form_script_csp(&f, hash, sizeof(hash));
    resp_header(rs, "Content-Security-Policy", arena_printf(&rq->arena,
                "default-src 'none'; script-src %s; style-src "
                "'unsafe-inline'; img-src 'self' data:; base-uri 'none'; "
                "frame-ancestors 'none'", hash));
    resp_header(rs, "Cache-Control", "no-cache");
    form_hosted_html(&f, arena_printf(&rq->arena, "/f/%s", f.key), &b);
    return html(rs, 200, &b);
}

/* POST /f/{key} (public; urlencoded or JSON): validates the fields,
 * creates or updates the contact, records the touchpoint, submission
 * and consent; 404 for an unknown key, 410 for an archived form, 422
 * with the field errors. */
static int f_post(struct req *rq, struct resp *rs)
{
    struct err err = {0};
    struct form f;
    struct form_entry e;
    const char *key = req_param(rq, "key");
    json_t *body = rq->json;
    int rc = strlen(key) > 64 ? err_set(&err, E_NOTFOUND, NULL, "no such "
                                        "form")
        : form_load_key(rq->dbc, key, &f, &rq->arena, &err);
    if (rc)
        return resp_fail(rs, &err);
    cors(rq, rs);
    if (f.archived_at)
        return gone(rq, rs, &f);
    if (body && !json_is_object(body))
        return resp_error(rs, E_INVALID, NULL, "the body must be a JSON "
                          "object");
    json_t *empty = body ? NULL : json_object();
    if (!body)
        body = empty;
    if (form_honeypot_filled(&f, body) || !within_limit(rq)) {
        log_info("form submission form=%lld dropped (%s)", (long long)f.id,
                 form_honeypot_filled(&f, body) ? "honeypot" : "rate");
        json_decref(empty);
        return accepted(rq, rs, &f);
    }
    json_t *errors = json_array();
    if (!form_entry_read(&f, body, &e, errors, &rq->arena))
        rc = write_entry(rq, &f, &e, errors, &err);
    json_decref(empty);
    if (json_array_size(errors))
        return refused(rq, rs, &f, errors, e.page_url);
    json_decref(errors);
    if (rc)
        return resp_fail(rs, &err);
    return accepted(rq, rs, &f);
}

const struct route forms_routes[] = {
    {"GET", "/api/v1/forms", forms_list, R_AUTH, QUERY_FORMS},
    {"POST", "/api/v1/forms", forms_post, R_AUTH, NULL},
    {"GET", "/api/v1/forms/{id}", forms_get, R_AUTH, NULL},
    {"PATCH", "/api/v1/forms/{id}", forms_patch, R_AUTH, NULL},
    {"DELETE", "/api/v1/forms/{id}", forms_delete, R_AUTH, NULL},
    {"GET", "/api/v1/forms/{id}/embed", forms_embed, R_AUTH, NULL},
    {"GET", "/api/v1/forms/{id}/submissions", forms_submissions, R_AUTH,
     QUERY_PAGE},
    {"GET", "/api/v1/contacts/{id}/consents", contact_consents, R_AUTH,
     NULL},
    /* any query: the UTM tags and click ids of the links it is shared
     * with, which its script reads */
    {"GET", "/f/{key}", f_get, R_PUBLIC, QUERY_ANY},
    {"POST", "/f/{key}", f_post, R_PUBLIC | R_FORM, NULL},
    {"OPTIONS", "/f/{key}", f_options, R_PUBLIC, NULL},
    {0},
};
