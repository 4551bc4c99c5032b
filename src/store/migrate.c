/* Applies the embedded migrations in file-name order. */
#include "store/migrate.h"
#include "util/clock.h"
#include "util/embed.h"
#include "util/log.h"

/* Creates the bookkeeping table under the writer lock, so two processes
 * starting on an empty database at once do not race on it. */
static int ensure_table(struct db_conn *c, struct err *err)
{
    int rc = db_begin_write(c, err);
    if (rc)
        return rc;
    rc = db_exec(c, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                 "version TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)",
                 err);
    if (!rc)
        rc = db_commit(c, err);
    if (rc)
        db_rollback(c);
    return rc;
}

/* Whether version is recorded as applied. */
static int applied_already(struct db_conn *c, const char *version, int *yes,
                           struct err *err)
{
    int64_t n = 0;
    int rc = db_int(c, err, &n, "SELECT COUNT(*) FROM schema_migrations "
                    "WHERE version = ?", "t", version);
    *yes = n > 0;
    return rc;
}

/* Runs one migration and records it, atomically, unless another process
 * did so first: the check is made under the writer lock. Adds 1 to
 * *applied when it ran. */
static int apply_one(struct db_conn *c, const struct embed_file *m,
                     int *applied, struct err *err)
{
    int yes = 0;
    int rc = db_begin_write(c, err);
    if (rc)
        return rc;
    rc = applied_already(c, m->path, &yes, err);
    if (rc || yes)
        goto out;
    rc = db_exec_schema(c, (const char *)m->data, err);
    if (rc)
        goto out;
    rc = db_run(c, err, "INSERT INTO schema_migrations (version, "
                "applied_at) VALUES (?, ?)", "ti", m->path, clock_now_ms());
    if (rc)
        goto out;
    (*applied)++;
out:
    if (!rc)
        rc = db_commit(c, err);
    if (rc) {
        db_rollback(c);
        log_error("migration %s failed: %s", m->path, err->msg);
    }
    return rc;
}

int migrate_run(struct db *db, int *applied, struct err *err)
{
    struct db_conn *c;
    int rc = db_conn_get(db, &c, err);
    if (rc)
        return rc;
    rc = ensure_table(c, err);
    if (rc)
        return rc;
    *applied = 0;
    for (const struct embed_file *m = sql_migrations; m->path; m++) {
        rc = apply_one(c, m, applied, err);
        if (rc)
            return rc;
    }
    return 0;
}
