/* libFuzzer target for the list query parser and its SQL (store/listq.c,
 * store/search.c). The input is a query string "k=v&k=v" (not
 * percent-decoded: any byte goes); the first byte picks the object. Every
 * argument goes through listq_arg; when all are accepted the list runs on
 * a migrated SQLite database with a few rows and a custom field, and must
 * not fail with anything but E_INVALID: what the parser accepts, the
 * database must accept. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/custom_field.h"
#include "model/object.h"
#include "store/listq.h"
#include "store/migrate.h"
#include "util/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static struct db *db;
static struct db_conn *conn;

/* Runs sql or aborts (set-up only). */
static void must(int rc, const struct err *err)
{
    if (rc) {
        fprintf(stderr, "fuzz set-up: %s\n", err->msg);
        abort();
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    struct err err = {0};
    char path[] = "/tmp/pheu-fuzz-listq-XXXXXX";
    int fd = mkstemp(path), applied;
    if (fd < 0)
        abort();
    close(fd);
    log_set_level(LOG_OFF);
    must(db_open(path, &db, &err), &err);
    must(migrate_run(db, &applied, &err), &err);
    must(db_conn_get(db, &conn, &err), &err);
    unlink(path);
    must(db_exec(conn, "INSERT INTO custom_fields (object, name, label, "
                 "type, options, created_at, updated_at) VALUES "
                 "('contact', 'n', 'n', 'number', NULL, 0, 0), "
                 "('contact', 'b', 'b', 'bool', NULL, 0, 0), "
                 "('contact', 'm', 'm', 'multiselect', '[\"a\",\"b\"]', 0, "
                 "0), ('contact', 'd', 'd', 'date', NULL, 0, 0); "
                 "INSERT INTO contacts (first_name, email, lifecycle_stage, "
                 "custom, created_at, updated_at) VALUES ('Nguyễn', "
                 "'a@b.vn', 'lead', '{\"n\":3,\"b\":true,\"m\":[\"a\"]}', "
                 "1, 1), ('Đặng', NULL, NULL, '{}', 2, 2);", &err), &err);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct object *const objs[] = {&OBJ_CONTACT, &OBJ_COMPANY,
                                                &OBJ_DEAL, &OBJ_ACTIVITY,
                                                &OBJ_CAMPAIGN};
    if (size < 1 || size > 4096)
        return 0;
    const struct object *o = objs[data[0] % 5];
    char *q = malloc(size);
    memcpy(q, data + 1, size - 1);
    q[size - 1] = '\0';
    struct arena a;
    struct err err = {0};
    struct listq lq;
    arena_init(&a);
    listq_init(&lq, o);
    int rc = 0;
    char *save = NULL;
    for (char *kv = strtok_r(q, "&", &save); kv && !rc;
         kv = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(kv, '=');
        if (!eq)
            continue;
        *eq = '\0';
        rc = listq_arg(&lq, conn, kv, eq + 1, &a, &err);
        if (rc && rc != E_INVALID)
            abort();
    }
    if (!rc) {
        struct rec out[501];
        int n = 0;
        const char *next;
        rc = listq_run(conn, &lq, NULL, out, &n, &next, &a, &err);
        if (rc && rc != E_INVALID) {
            fprintf(stderr, "list failed: %s\n", err.msg);
            abort();
        }
        for (int i = 0; i < n; i++)
            rec_release(&out[i]);
    }
    listq_release(&lq);
    arena_release(&a);
    free(q);
    return 0;
}
