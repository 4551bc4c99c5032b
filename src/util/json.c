/* Strict JSON body parsing on top of jansson. */
#include "util/json.h"

/* Returns the deepest nesting of arrays/objects, scanning outside strings,
 * so a hostile document is refused before jansson allocates for it. */
static int max_depth(const char *s, size_t n)
{
    int depth = 0, deepest = 0, in_str = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = 0;
        } else if (c == '"') {
            in_str = 1;
        } else if (c == '[' || c == '{') {
            if (++depth > deepest)
                deepest = depth;
            if (deepest > JSON_MAX_DEPTH)
                return deepest;
        } else if (c == ']' || c == '}') {
            depth--;
        }
    }
    return deepest;
}

int json_parse_body(const char *data, size_t len, json_t **out,
                    struct err *err)
{
    if (max_depth(data, len) > JSON_MAX_DEPTH)
        return err_set(err, E_INVALID, NULL, "JSON nested deeper than %d",
                       JSON_MAX_DEPTH);
    json_error_t je;
    json_t *v = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
    if (!v)
        return err_set(err, E_INVALID, NULL, "malformed JSON at line %d "
                       "column %d: %s", je.line, je.column, je.text);
    *out = v;
    return 0;
}
