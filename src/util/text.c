/* Text normalisation with utf8proc. */
#include "util/text.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

int text_normalize(const char *s, size_t len, size_t max, const char *field,
                   const char **out, struct arena *a, struct err *err)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
            return err_set(err, E_INVALID, field, "contains a control "
                           "character");
    }
    utf8proc_uint8_t *nfc = NULL;
    utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)s,
                                      (utf8proc_ssize_t)len, &nfc,
                                      UTF8PROC_COMPOSE | UTF8PROC_STABLE);
    if (n < 0)
        return err_set(err, E_INVALID, field, "is not valid UTF-8");
    if ((size_t)n > max) {
        free(nfc);
        return err_set(err, E_INVALID, field, "is longer than %zu bytes",
                       max);
    }
    *out = arena_strndup(a, (const char *)nfc, (size_t)n);
    free(nfc);
    return 0;
}

/* Whether the domain part looks like a.b with sane labels. */
static int domain_ok(const char *d)
{
    size_t n = strlen(d), label = 0;
    int dots = 0;
    if (n == 0 || n > 253 || d[0] == '.' || d[n - 1] == '.')
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)d[i];
        if (c == '.') {
            if (label == 0)
                return 0;
            label = 0;
            dots++;
        } else if (c >= 0x80 || (c >= 'a' && c <= 'z') ||
                   (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   c == '-') {
            label++;
        } else {
            return 0;
        }
    }
    return dots > 0;
}

int text_check_email(const char *email, const char *field, struct err *err)
{
    const char *at = strrchr(email, '@');
    size_t n = strlen(email);
    if (!at || at == email || n > 254)
        return err_set(err, E_RULE, field, "is not a valid email address");
    if ((size_t)(at - email) > 64)
        return err_set(err, E_RULE, field, "local part is over 64 "
                       "characters");
    for (const char *p = email; p < at; p++) {
        unsigned char c = (unsigned char)*p;
        if (c >= 0x80 || c <= 0x20 || c == '@' || c == '"' || c == '(' ||
            c == ')' || c == ',' || c == ':' || c == ';' || c == '<' ||
            c == '>' || c == '[' || c == ']' || c == '\\')
            return err_set(err, E_RULE, field, "is not a valid email "
                           "address");
    }
    if (email[0] == '.' || at[-1] == '.' || strstr(email, ".."))
        return err_set(err, E_RULE, field, "is not a valid email address");
    /* Zero-width and other invisible characters in the domain. */
    if (strstr(at, "\xe2\x80\x8b") || strstr(at, "\xe2\x80\x8c") ||
        strstr(at, "\xe2\x80\x8d") || strstr(at, "\xef\xbb\xbf") ||
        strstr(at, "\xc2\xa0") || !domain_ok(at + 1))
        return err_set(err, E_RULE, field, "is not a valid email address");
    return 0;
}
