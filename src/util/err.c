/* struct err helpers. */
#include "util/err.h"

#include <stdarg.h>
#include <stdio.h>

int err_set(struct err *e, int code, const char *field, const char *fmt, ...)
{
    va_list ap;
    if (!e)
        return code;
    e->code = code;
    e->field = field;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    va_end(ap);
    return code;
}

const char *err_name(int code)
{
    switch (code) {
    case E_OK: return "ok";
    case E_INVALID: return "invalid";
    case E_UNAUTH: return "unauthenticated";
    case E_FORBIDDEN: return "forbidden";
    case E_NOTFOUND: return "not_found";
    case E_CONFLICT: return "conflict";
    case E_TOOLARGE: return "too_large";
    case E_MEDIATYPE: return "unsupported_media_type";
    case E_METHOD: return "method_not_allowed";
    case E_RULE: return "rule_violation";
    case E_RATE: return "rate_limited";
    case E_DB: return "database_error";
    case E_UNAVAILABLE: return "unavailable";
    default: return "internal";
    }
}
