/* A temporary, migrated SQLite database for unit tests that need storage:
 * testdb_open makes one under /tmp, testdb_close closes it and removes
 * its files (the WAL companions too). Header-only, as Criterion links
 * every test file into one binary. */
#ifndef PHEU_TESTS_TESTDB_H
#define PHEU_TESTS_TESTDB_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <unistd.h>

#include "store/db.h"
#include "store/migrate.h"

struct testdb {
    char path[64];
    struct db *db;
    struct db_conn *c;
};

/* Creates, opens and migrates a new database named after tag. */
static inline void testdb_open(struct testdb *t, const char *tag)
{
    struct err err = {0};
    int applied = -1;
    snprintf(t->path, sizeof(t->path), "/tmp/pheu-test-%s-XXXXXX", tag);
    int fd = mkstemp(t->path);
    cr_assert_geq(fd, 0);
    close(fd);
    cr_assert_eq(db_open(t->path, &t->db, &err), 0, "%s", err.msg);
    cr_assert_eq(migrate_run(t->db, &applied, &err), 0, "%s", err.msg);
    cr_assert_gt(applied, 0);
    cr_assert_eq(db_conn_get(t->db, &t->c, &err), 0, "%s", err.msg);
}

/* Closes the database and removes its files. */
static inline void testdb_close(struct testdb *t)
{
    char side[80];
    if (t->db)
        db_close(t->db);
    t->db = NULL;
    t->c = NULL;
    unlink(t->path);
    snprintf(side, sizeof(side), "%s-wal", t->path);
    unlink(side);
    snprintf(side, sizeof(side), "%s-shm", t->path);
    unlink(side);
}

#endif
