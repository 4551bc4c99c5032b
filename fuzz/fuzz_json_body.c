/* libFuzzer target for util/json.c json_parse_body (SPEC App. C JSON
 * rules). Any accepted document must: be UTF-8, nest at most
 * JSON_MAX_DEPTH deep, hold no NUL in a string, dump back to text, and
 * reparse to an equal value. A refused one must
 * answer E_INVALID and leave the output alone. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Whether the n bytes at s are well-formed UTF-8 (RFC 3629: no
 * overlongs, no surrogates, nothing past U+10FFFF). */
static int utf8_ok(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i], need, cp;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf) {
            need = 1;
            cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            need = 2;
            cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            need = 3;
            cp = c & 0x07;
        } else {
            return 0;
        }
        if (n - i <= need)
            return 0;
        for (unsigned k = 1; k <= need; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if ((need == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
            (need == 3 && (cp < 0x10000 || cp > 0x10ffff)))
            return 0;
        i += need + 1;
    }
    return 1;
}

/* Whether a string value is free of NUL (json_string_length counts past
 * an embedded one) and well-formed. */
static int string_ok(json_t *v)
{
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (strlen(s) != n)
        return 0;
    return utf8_ok((const unsigned char *)s, n);
}

/* The nesting depth of v: 1 for an empty array or object, 0 for scalars;
 * -1 when a string or key breaks the rules. */
static int depth(json_t *v)
{
    int deepest = 0;
    if (json_is_string(v))
        return string_ok(v) ? 0 : -1;
    if (json_is_array(v)) {
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x)
        {
            int d = depth(x);
            if (d < 0)
                return -1;
            if (d > deepest)
                deepest = d;
        }
        return deepest + 1;
    }
    if (json_is_object(v)) {
        const char *k;
        json_t *x;
        json_object_foreach(v, k, x)
        {
            int d = depth(x);
            if (d < 0 || !utf8_ok((const unsigned char *)k, strlen(k)))
                return -1;
            if (d > deepest)
                deepest = d;
        }
        return deepest + 1;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *v = (json_t *)&v; /* a sentinel: must stay as is on error */
    struct err err;
    memset(&err, 0, sizeof(err));
    int rc = json_parse_body((const char *)data, size, &v, &err);
    if (rc) {
        if (rc != E_INVALID || err.code != E_INVALID)
            abort();
        if (v != (json_t *)&v)
            abort();
        return 0;
    }
    int d = v ? depth(v) : -1;
    if (d < 1 || d > JSON_MAX_DEPTH)
        abort();
    /* what was accepted was UTF-8 throughout (App. C) */
    if (!utf8_ok(data, size))
        abort();
    char *text = json_dumps(v, JSON_COMPACT);
    if (!text)
        abort();
    json_t *again = NULL;
    memset(&err, 0, sizeof(err));
    if (json_parse_body(text, strlen(text), &again, &err))
        abort(); /* what we print, we must accept */
    if (!json_equal(v, again))
        abort();
    json_decref(again);
    free(text);
    json_decref(v);
    return 0;
}
