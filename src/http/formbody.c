/* urlencoded form bodies (see formbody.h). The decoding of one name or
 * value is libmicrohttpd's; this file only splits the pairs. */
#include "http/formbody.h"
#include "util/xalloc.h"

#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

/* Decodes n bytes at s ('+' and %XX) into a new string; -1 when the
 * result holds a NUL. */
static int decode(const char *s, size_t n, char **out)
{
    char *d = xmalloc(n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    for (char *p = d; *p; p++)
        if (*p == '+')
            *p = ' ';
    size_t len = MHD_http_unescape(d);
    if (strlen(d) != len) {
        free(d);
        return -1;
    }
    *out = d;
    return 0;
}

/* Reads one "name=value" piece into obj. */
static int add_pair(json_t *obj, const char *p, size_t n, struct arena *a,
                    struct err *err)
{
    const char *eq = memchr(p, '=', n);
    size_t kn = eq ? (size_t)(eq - p) : n;
    char *k = NULL, *v = NULL;
    int rc = 0;
    if (decode(p, kn, &k) || (eq && decode(eq + 1, n - kn - 1, &v))) {
        rc = err_set(err, E_INVALID, NULL, "the form body holds a NUL "
                     "character");
        goto out;
    }
    json_t *key = json_string(k);
    if (!key) {
        rc = err_set(err, E_INVALID, NULL, "a field name is not UTF-8");
        goto out;
    }
    json_decref(key);
    if (!*k) {
        rc = err_set(err, E_INVALID, NULL, "a field has no name");
        goto out;
    }
    if (json_object_get(obj, k)) {
        rc = err_set(err, E_INVALID, strlen(k) <= 100 ? arena_strdup(a, k)
                     : NULL, "field given more than once");
        goto out;
    }
    json_t *val = json_string(v ? v : "");
    if (!val) {
        rc = err_set(err, E_INVALID, NULL, "the value of a field is not "
                     "UTF-8");
        goto out;
    }
    json_object_set_new(obj, k, val);
out:
    free(k);
    free(v);
    return rc;
}

int formbody_parse(const char *data, size_t len, json_t **out,
                   struct arena *a, struct err *err)
{
    json_t *obj = json_object();
    int rc = 0, pairs = 0;
    *out = NULL;
    if (memchr(data, '\0', len))
        rc = err_set(err, E_INVALID, NULL, "the form body holds a NUL "
                     "character");
    for (size_t i = 0; !rc && i < len;) {
        const char *amp = memchr(data + i, '&', len - i);
        size_t n = amp ? (size_t)(amp - (data + i)) : len - i;
        if (n && ++pairs > FORMBODY_MAX_PAIRS)
            rc = err_set(err, E_INVALID, NULL, "more than %d form fields",
                         FORMBODY_MAX_PAIRS);
        else if (n)
            rc = add_pair(obj, data + i, n, a, err);
        i += n + 1;
    }
    if (rc) {
        json_decref(obj);
        return rc;
    }
    *out = obj;
    return 0;
}
