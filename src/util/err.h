/* The project's error model: functions return 0 or an enum err_code value and
 * fill a caller-provided struct err with the field and a message. Only
 * http/resp.c maps codes to HTTP statuses. */
#ifndef PHEU_UTIL_ERR_H
#define PHEU_UTIL_ERR_H

enum err_code {
    E_OK = 0,
    E_INVALID,      /* bad input: 400 */
    E_UNAUTH,       /* not authenticated: 401 */
    E_FORBIDDEN,    /* authenticated, not allowed (never for records): 403 */
    E_NOTFOUND,     /* absent or not visible: 404 */
    E_CONFLICT,     /* unique key taken: 409 */
    E_TOOLARGE,     /* body over the limit: 413 */
    E_MEDIATYPE,    /* wrong content type: 415 */
    E_METHOD,       /* path exists, method does not: 405 */
    E_RULE,         /* well-formed but breaks a rule: 422 */
    E_RATE,         /* rate limited: 429 */
    E_DB,           /* storage failure: 500 */
    E_UNAVAILABLE,  /* storage unreachable: 503 */
    E_INTERNAL      /* anything else: 500 */
};

/* Details of the last failure; field may be NULL. */
struct err {
    int code;
    const char *field;
    char msg[160];
    long long id;   /* the existing record's id on E_CONFLICT, else 0 */
};

/* Records code, field and a printf-style message; returns code. */
int err_set(struct err *e, int code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The stable machine-readable code for an enum err_code ("invalid", ...). */
const char *err_name(int code);

#endif
