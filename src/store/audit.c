/* Audit log writer: rows are sent without waiting (db_run_nowait); an
 * error surfaces at the next statement or the commit. */
#include "store/audit.h"
#include "util/clock.h"

#include <stdlib.h>

int audit_write(struct db_conn *c, int64_t actor, const char *action,
                const char *object, int64_t object_id, json_t *old_v,
                json_t *new_v, struct err *err)
{
    return audit_write_via(c, actor, NULL, action, object, object_id, old_v,
                           new_v, err);
}

int audit_write_via(struct db_conn *c, int64_t actor, const char *via,
                    const char *action, const char *object,
                    int64_t object_id, json_t *old_v, json_t *new_v,
                    struct err *err)
{
    int flags = JSON_COMPACT | JSON_SORT_KEYS;
    char *o = old_v ? json_dumps(old_v, flags) : NULL;
    char *n = new_v ? json_dumps(new_v, flags) : NULL;
    int rc = db_run_nowait(c, err, "INSERT INTO audit_log (at, user_id, "
                           "action, object, object_id, old_values, "
                           "new_values, via) VALUES (?, ?, ?, ?, ?, ?, ?, "
                           "?)", "iittittt", clock_now_ms(), actor, action,
                           object, object_id, o, n, via);
    free(o);
    free(n);
    return rc;
}
