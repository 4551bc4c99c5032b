/* Shared input rules for records. */
#include "model/record.h"

#include <string.h>

int record_check_readonly(json_t *body, struct err *err)
{
    static const char *const ro[] = {"id", "created_at", "updated_at", NULL};
    for (int i = 0; ro[i]; i++)
        if (json_object_get(body, ro[i]))
            return err_set(err, E_RULE, ro[i], "is set by the server");
    return 0;
}

int record_check_keys(json_t *body, const char *const *allowed,
                      struct err *err)
{
    const char *k;
    json_t *v;
    json_object_foreach(body, k, v) {
        int ok = 0;
        for (int i = 0; allowed[i] && !ok; i++)
            ok = !strcmp(k, allowed[i]);
        if (!ok)
            return err_set(err, E_INVALID, k, "unknown field");
    }
    return 0;
}
