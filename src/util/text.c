/* Text normalisation with utf8proc. */
#include "util/text.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* Whether s (len bytes) holds a control character other than tab and
 * newline: C0, DEL, or C1 (U+0080..U+009F, "\xc2\x80".."\xc2\x9f"). */
static int has_control(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
            return 1;
        if (c == 0xc2 && i + 1 < len && (unsigned char)s[i + 1] >= 0x80 &&
            (unsigned char)s[i + 1] <= 0x9f)
            return 1;
    }
    return 0;
}

/* Whether s (len bytes) is all ASCII: valid UTF-8 and already NFC, so
 * text_normalize need not ask utf8proc (most cells of an import). */
static int ascii_only(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] >= 0x80)
            return 0;
    return 1;
}

int text_normalize(const char *s, size_t len, size_t max, const char *field,
                   const char **out, struct arena *a, struct err *err)
{
    if (has_control(s, len))
        return err_set(err, E_INVALID, field, "contains a control "
                       "character");
    if (ascii_only(s, len)) {   /* ASCII is valid UTF-8 and its own NFC */
        if (len > max)
            return err_set(err, E_INVALID, field, "is longer than %zu "
                           "bytes", max);
        *out = arena_strndup(a, s, len);
        return 0;
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

/* Whether a non-ASCII code point may stand in a domain label: letters,
 * marks and digits, never whitespace, controls or invisible formatting
 * characters (zero-width space, soft hyphen, word joiner, ...). */
static int idn_char_ok(utf8proc_int32_t cp)
{
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ND:
        return 1;
    default:
        return 0;
    }
}

/* Whether the domain part is dotted labels of 1..63 bytes, none starting
 * or ending with '-', made of ASCII letters, digits, '-' or valid UTF-8
 * letters (internationalised names such as "công-ty.vn"). */
static int domain_ok(const char *d)
{
    size_t n = strlen(d), label = 0;
    int dots = 0;
    if (n == 0 || n > 253 || d[0] == '.' || d[n - 1] == '.')
        return 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)d[i];
        if (c == '.') {
            if (label == 0 || d[i - 1] == '-')
                return 0;
            label = 0;
            dots++;
            i++;
            continue;
        }
        if (c == '-' && label == 0)
            return 0;
        size_t step = 1;
        if (c >= 0x80) {
            utf8proc_int32_t cp;
            utf8proc_ssize_t k = utf8proc_iterate(
                (const utf8proc_uint8_t *)d + i, (utf8proc_ssize_t)(n - i),
                &cp);
            if (k <= 0 || !idn_char_ok(cp))
                return 0;
            step = (size_t)k;
        } else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                     (c >= '0' && c <= '9') || c == '-')) {
            return 0;
        }
        label += step;
        if (label > 63)
            return 0;
        i += step;
    }
    return dots > 0 && d[n - 1] != '-';
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
    if (!domain_ok(at + 1))
        return err_set(err, E_RULE, field, "is not a valid email address");
    return 0;
}
