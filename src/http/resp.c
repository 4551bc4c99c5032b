/* Response helpers: JSON bodies, the error shape of SPEC §12 and the one
 * place where enum err becomes an HTTP status. */
#include "http/http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int resp_status(int code)
{
    switch (code) {
    case E_OK: return 200;
    case E_INVALID: return 400;
    case E_UNAUTH: return 401;
    case E_FORBIDDEN: return 403;
    case E_NOTFOUND: return 404;
    case E_CONFLICT: return 409;
    case E_TOOLARGE: return 413;
    case E_MEDIATYPE: return 415;
    case E_METHOD: return 405;
    case E_RULE: return 422;
    case E_RATE: return 429;
    case E_UNAVAILABLE: return 503;
    default: return 500;
    }
}

/* Replaces any body with a malloc'd one. */
static void set_body(struct resp *rs, char *body, size_t len)
{
    if (rs->body && !rs->body_static)
        free(rs->body);
    if (rs->fill && rs->fill_free)
        rs->fill_free(rs->fill_ctx);
    rs->fill = NULL;
    rs->fill_free = NULL;
    rs->fill_ctx = NULL;
    rs->body = body;
    rs->len = len;
    rs->body_static = 0;
}

int resp_json(struct resp *rs, int status, json_t *v)
{
    char *s = json_dumps(v, JSON_COMPACT);
    json_decref(v);
    if (!s)
        return resp_error(rs, E_INTERNAL, NULL, "cannot encode response");
    rs->status = status;
    rs->content_type = "application/json";
    set_body(rs, s, strlen(s));
    return 0;
}

int resp_stream(struct resp *rs, int status, const char *content_type,
                resp_fill_fn fill, void (*fill_free)(void *ctx), void *ctx)
{
    set_body(rs, NULL, 0);
    rs->status = status;
    rs->content_type = content_type;
    rs->fill = fill;
    rs->fill_free = fill_free;
    rs->fill_ctx = ctx;
    return 0;
}

int resp_raw_json(struct resp *rs, int status, char *body, size_t len)
{
    rs->status = status;
    rs->content_type = "application/json";
    set_body(rs, body, len);
    return 0;
}

int resp_list(struct resp *rs, json_t *list, int64_t next_after)
{
    json_t *o = json_object();
    json_object_set_new(o, "data", list);
    if (next_after > 0) {
        char cur[32];
        snprintf(cur, sizeof(cur), "%lld", (long long)next_after);
        json_object_set_new(o, "next_cursor", json_string(cur));
    } else {
        json_object_set_new(o, "next_cursor", json_null());
    }
    return resp_json(rs, 200, o);
}

int resp_list_cursor(struct resp *rs, json_t *list, const char *next)
{
    json_t *o = json_object();
    json_object_set_new(o, "data", list);
    json_object_set_new(o, "next_cursor", next ? json_string(next)
                                               : json_null());
    return resp_json(rs, 200, o);
}

/* Writes the error body; existing_id > 0 names the record a conflict
 * is with. */
static int error_body(struct resp *rs, int code, const char *field,
                      const char *msg, long long existing_id)
{
    json_t *e = json_object();
    json_object_set_new(e, "code", json_string(err_name(code)));
    json_object_set_new(e, "message", json_string(msg && *msg ? msg
                                                  : err_name(code)));
    if (field)
        json_object_set_new(e, "field", json_string(field));
    if (existing_id > 0)
        json_object_set_new(e, "existing_id", json_integer(existing_id));
    json_t *o = json_object();
    json_object_set_new(o, "error", e);
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    rs->status = resp_status(code);
    rs->content_type = "application/json";
    set_body(rs, s, s ? strlen(s) : 0);
    return 0;
}

int resp_error(struct resp *rs, int code, const char *field,
               const char *msg)
{
    return error_body(rs, code, field, msg, 0);
}

int resp_fail(struct resp *rs, const struct err *err)
{
    int code = err->code ? err->code : E_INTERNAL;
    /* Storage details never reach the client; the log has them. */
    if (code == E_DB || code == E_INTERNAL)
        return resp_error(rs, code, NULL, "internal error");
    return error_body(rs, code, err->field, err->msg,
                      code == E_CONFLICT ? err->id : 0);
}

int resp_text(struct resp *rs, int status, const char *content_type,
              const char *body, size_t len)
{
    char *copy = malloc(len + 1);
    if (!copy)
        return resp_error(rs, E_INTERNAL, NULL, "out of memory");
    memcpy(copy, body, len);
    copy[len] = '\0';
    rs->status = status;
    rs->content_type = content_type;
    set_body(rs, copy, len);
    return 0;
}

int resp_empty(struct resp *rs, int status)
{
    set_body(rs, NULL, 0);
    rs->status = status;
    rs->content_type = NULL;
    return 0;
}

void resp_header(struct resp *rs, const char *name, const char *value)
{
    if (rs->nheaders < 8) {
        rs->headers[rs->nheaders][0] = name;
        rs->headers[rs->nheaders][1] = value;
        rs->nheaders++;
    }
}
