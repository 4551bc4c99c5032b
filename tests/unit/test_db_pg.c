/* Unit tests for the PostgreSQL engine (store/db_pg.c) on a real server:
 * tests/with-pg.sh starts one and sets PHEU_TEST_PG_URL; without it these
 * tests are skipped. Each test works in a database of its own. */
#include <criterion/criterion.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/bulk.h"
#include "store/db.h"
#include "store/migrate.h"
#include "util/buf.h"

static struct db *db;
static struct db_conn *c;
static char url[512];

/* Runs one statement on the maintenance database. */
static void admin(const char *sql)
{
    char u[512];
    snprintf(u, sizeof(u), "%s/postgres", getenv("PHEU_TEST_PG_URL"));
    PGconn *h = PQconnectdb(u);
    cr_assert_eq(PQstatus(h), CONNECTION_OK, "%s", PQerrorMessage(h));
    PGresult *r = PQexec(h, sql);
    cr_assert_eq(PQresultStatus(r), PGRES_COMMAND_OK, "%s: %s", sql,
                 PQerrorMessage(h));
    PQclear(r);
    PQfinish(h);
}

static void setup(void)
{
    const char *base = getenv("PHEU_TEST_PG_URL");
    struct err err = {0};
    int applied;
    if (!base || !*base)
        cr_skip_test("PHEU_TEST_PG_URL is not set (run via tests/with-pg.sh)");
    char sql[128];
    snprintf(sql, sizeof(sql), "CREATE DATABASE u_%d", (int)getpid());
    admin(sql);
    snprintf(url, sizeof(url), "%s/u_%d", base, (int)getpid());
    cr_assert_eq(db_open(url, &db, &err), 0, "%s", err.msg);
    cr_assert_str_eq(db_engine(db), "postgres");
    cr_assert_eq(migrate_run(db, &applied, &err), 0, "%s", err.msg);
    cr_assert_gt(applied, 0);
    cr_assert_eq(db_conn_get(db, &c, &err), 0);
}

static void teardown(void)
{
    if (db)
        db_close(db);
    db = NULL;
}

TestSuite(pg, .init = setup, .fini = teardown, .timeout = 60);

/* PostgreSQL is a server: no index hints, CHECKs always kept. */
Test(pg, a_server_takes_no_index_hint_and_keeps_its_checks)
{
    struct err err = {0};
    struct buf b;
    cr_assert_eq(db_embedded(db), 0);
    buf_init(&b, 1 << 12);
    buf_adds(&b, "SELECT count(*) FROM contacts t");
    db_add_indexed_by(db, &b, "contacts_funnel");
    cr_assert_str_eq(buf_cstr(&b), "SELECT count(*) FROM contacts t");
    buf_release(&b);
    cr_assert_eq(db_exec(c, "CREATE TABLE checked (x INTEGER CHECK "
                         "(x > 0))", &err), 0, "%s", err.msg);
    cr_assert_eq(db_skip_checks(c, &err), 0, "%s", err.msg);
    cr_assert_neq(db_run(c, &err, "INSERT INTO checked VALUES (?)", "i",
                         (int64_t)-1), 0);
}

/* A migration for SQLite alone is comments only here: it runs as
 * nothing, and the next statement runs as usual. */
Test(pg, a_schema_of_another_engines_lines_runs_as_nothing)
{
    struct err err = {0};
    int64_t n = -1;
    cr_assert_eq(db_exec_schema(c, "-- SQLite only\n@SQLITE@ CREATE TABLE "
                                "lite_only (x INTEGER);\n", &err), 0, "%s",
                 err.msg);
    cr_assert_eq(db_int(c, &err, &n, "SELECT count(*) FROM pg_tables WHERE "
                        "tablename = 'lite_only'", ""), 0, "%s", err.msg);
    cr_assert_eq(n, 0);
    cr_assert_eq(db_exec_schema(c, "@PG@ CREATE TABLE pg_only (x INTEGER);",
                                &err), 0, "%s", err.msg);
    cr_assert_eq(db_int(c, &err, &n, "SELECT count(*) FROM pg_tables WHERE "
                        "tablename = 'pg_only'", ""), 0, "%s", err.msg);
    cr_assert_eq(n, 1);
}

Test(pg, question_marks_in_literals_are_not_parameters)
{
    struct db_stmt *st;
    struct err err = {0};
    cr_assert_eq(db_query(c, &st, &err, "SELECT '?' || ? || '-- ?'", "t",
                          "x"), 0, "%s", err.msg);
    cr_assert_eq(db_step(st, &err), DB_ROW);
    cr_assert_str_eq(db_col_text(st, 0), "?x-- ?");
    db_done(st);
}

Test(pg, constraint_violations_map_to_error_codes)
{
    struct err err = {0};
    int64_t id;
    cr_assert_eq(db_int(c, &err, &id, "INSERT INTO users (email, name, role, "
                        "created_at, updated_at) VALUES ('a@b.vn', 'A', "
                        "'admin', 0, 0) RETURNING id", NULL), 0, "%s",
                 err.msg);
    cr_assert_eq(id, 1);
    cr_assert_eq(db_run(c, &err, "INSERT INTO users (email, name, role, "
                        "created_at, updated_at) VALUES ('a@b.vn', 'B', "
                        "'admin', 0, 0)", NULL), E_CONFLICT);
    cr_assert_eq(db_run(c, &err, "INSERT INTO users (email, name, role, "
                        "team_id, created_at, updated_at) VALUES ('c@b.vn', "
                        "'C', 'admin', 99, 0, 0)", NULL), E_RULE);
    cr_assert_eq(db_run(c, &err, "INSERT INTO users (email, name, role, "
                        "created_at, updated_at) VALUES ('d@b.vn', 'D', "
                        "'boss', 0, 0)", NULL), E_INVALID);
    cr_assert_eq(db_int(c, &err, &id, "SELECT id FROM users WHERE email = ?",
                        "t", "nobody@b.vn"), E_NOTFOUND);
}

Test(pg, rollback_undoes_and_the_connection_stays_usable)
{
    struct err err = {0};
    int64_t n = -1;
    cr_assert_eq(db_begin_write(c, &err), 0);
    cr_assert_eq(db_run(c, &err, "INSERT INTO settings (key, value) VALUES "
                        "('k', 'v')", NULL), 0);
    /* a failed statement aborts the PostgreSQL transaction ... */
    cr_assert_eq(db_run(c, &err, "INSERT INTO settings (key, value) VALUES "
                        "('k', 'w')", NULL), E_CONFLICT);
    db_rollback(c);
    /* ... and after the rollback nothing of it is left */
    cr_assert_eq(db_int(c, &err, &n, "SELECT COUNT(*) FROM settings WHERE "
                        "key = 'k'", NULL), 0, "%s", err.msg);
    cr_assert_eq(n, 0);
}

/* One parameterised insert for every pipelined row: prepared once, so
 * no prepare (a synchronous call) ends a pipeline early. */
#define INS "INSERT INTO settings (key, value) VALUES (?, ?)"

/* The number of settings rows whose key starts with prefix. */
static int64_t settings_like(const char *prefix)
{
    struct err err = {0};
    int64_t n = -1;
    cr_assert_eq(db_int(c, &err, &n, "SELECT COUNT(*) FROM settings WHERE "
                        "key LIKE ? || '%'", "t", prefix), 0, "%s", err.msg);
    return n;
}

Test(pg, pipelined_statements_commit_together)
{
    struct err err = {0};
    cr_assert_eq(db_begin_write(c, &err), 0, "%s", err.msg);
    for (int i = 0; i < 20; i++) {
        char key[16];
        snprintf(key, sizeof(key), "zp%02d", i);
        cr_assert_eq(db_run_nowait(c, &err, "INSERT INTO settings (key, "
                                   "value) VALUES (?, ?)", "tt", key, "v"), 0,
                     "%s", err.msg);
    }
    /* a synchronous read in the same transaction sees the queued rows */
    int64_t n = -1;
    cr_assert_eq(db_int(c, &err, &n, "SELECT COUNT(*) FROM settings WHERE "
                        "key LIKE 'zp%'", NULL), 0, "%s", err.msg);
    cr_assert_eq(n, 20);
    cr_assert_eq(db_run_nowait(c, &err, "UPDATE settings SET value = 'w' "
                               "WHERE key = 'zp00'", NULL), 0);
    cr_assert_eq(db_commit(c, &err), 0, "%s", err.msg);
    cr_assert_eq(settings_like("zp"), 20);
    cr_assert_eq(db_int(c, &err, &n, "SELECT COUNT(*) FROM settings WHERE "
                        "value = 'w'", NULL), 0);
    cr_assert_eq(n, 1);
}

Test(pg, a_failed_pipelined_statement_fails_the_next_read_and_rolls_back)
{
    struct err err = {0};
    int64_t n = -1;
    cr_assert_eq(db_run(c, &err, INS, "tt", "zdup", "v"), 0);
    cr_assert_eq(db_begin_write(c, &err), 0, "%s", err.msg);
    cr_assert_eq(db_run_nowait(c, &err, INS, "tt", "zq1", "v"), 0);
    /* queued: the unique violation is not known yet */
    cr_assert_eq(db_run_nowait(c, &err, INS, "tt", "zdup", "w"), 0);
    cr_assert_eq(db_run_nowait(c, &err, INS, "tt", "zq2", "v"), 0);
    /* the next synchronous statement reports it, mapped as usual */
    err = (struct err){0};
    cr_assert_eq(db_int(c, &err, &n, "SELECT COUNT(*) FROM settings", NULL),
                 E_CONFLICT);
    cr_assert_eq(err.code, E_CONFLICT);
    db_rollback(c);
    cr_assert_eq(settings_like("zq"), 0);
    cr_assert_eq(settings_like("zdup"), 1);
    /* the connection is usable afterwards, pipelining included */
    cr_assert_eq(db_begin_write(c, &err), 0, "%s", err.msg);
    cr_assert_eq(db_run_nowait(c, &err, INS, "tt", "zq3", "v"), 0);
    cr_assert_eq(db_commit(c, &err), 0, "%s", err.msg);
    cr_assert_eq(settings_like("zq"), 1);
}

Test(pg, a_failed_pipelined_statement_fails_the_commit)
{
    struct err err = {0};
    cr_assert_eq(db_run(c, &err, INS, "tt", "zdup", "v"), 0);
    cr_assert_eq(db_begin_write(c, &err), 0, "%s", err.msg);
    cr_assert_eq(db_run_nowait(c, &err, INS, "tt", "zc1", "v"), 0);
    cr_assert_eq(db_run_nowait(c, &err, INS, "tt", "zdup", "w"), 0);
    err = (struct err){0};
    cr_assert_eq(db_commit(c, &err), E_CONFLICT);
    cr_assert_eq(settings_like("zc"), 0);
    int64_t n = -1;
    cr_assert_eq(db_int(c, &err, &n, "SELECT COUNT(*) FROM settings WHERE "
                        "key = 'zdup' AND value = 'v'", NULL), 0);
    cr_assert_eq(n, 1);
    /* a rollback after a failed pipeline leaves no transaction open */
    cr_assert_eq(db_begin_write(c, &err), 0, "%s", err.msg);
    cr_assert_eq(db_run_nowait(c, &err, INS, "tt", "zdup", "x"), 0);
    db_rollback(c);
    cr_assert_eq(db_run(c, &err, INS, "tt", "zc2", "v"), 0, "%s", err.msg);
    cr_assert_eq(settings_like("zc"), 1);
}

Test(pg, copy_loads_rows_and_ids_continue_after_them)
{
    struct err err = {0};
    struct db_copy *cp;
    static const char *const cols[] = {"id", "name", "kind", "parent_id",
                                       "manager_id", "created_at",
                                       "updated_at"};
    const char *r1[] = {"7", "Kinh doanh\tHà Nội", "sales", NULL, NULL, "1",
                        "1"};
    const char *r2[] = {"3", "Con\\n", "sales", "7", NULL, "2", "2"};
    int64_t id, n;
    cr_assert_eq(db_begin_write(c, &err), 0);
    cr_assert_eq(db_defer_fks(c, &err), 0);
    cr_assert_eq(db_copy_begin(c, "teams", cols, 7, &cp, &err), 0, "%s",
                 err.msg);
    cr_assert_eq(db_copy_row(cp, r2, &err), 0);  /* child before parent */
    cr_assert_eq(db_copy_row(cp, r1, &err), 0);
    cr_assert_eq(db_copy_end(cp, &err), 0, "%s", err.msg);
    cr_assert_eq(db_sync_ids(c, "teams", &err), 0, "%s", err.msg);
    cr_assert_eq(db_commit(c, &err), 0, "%s", err.msg);
    cr_assert_eq(db_int(c, &err, &n, "SELECT COUNT(*) FROM teams WHERE "
                        "name = ?", "t", "Kinh doanh\tHà Nội"), 0);
    cr_assert_eq(n, 1);
    cr_assert_eq(db_int(c, &err, &n, "SELECT COUNT(*) FROM teams WHERE "
                        "name = ?", "t", "Con\\n"), 0);
    cr_assert_eq(n, 1);
    cr_assert_eq(db_int(c, &err, &id, "INSERT INTO teams (name, kind, "
                        "created_at, updated_at) VALUES ('x', 'sales', 0, 0) "
                        "RETURNING id", NULL), 0, "%s", err.msg);
    cr_assert_eq(id, 8);
}

Test(pg, copy_of_many_rows_keeps_every_escaped_byte)
{
    struct err err = {0};
    struct db_copy *cp;
    static const char *const cols[] = {"name", "kind", "created_at",
                                       "updated_at"};
    /* 3,000 rows of ~40 bytes: sent to the server in several batches */
    cr_assert_eq(db_begin_write(c, &err), 0);
    cr_assert_eq(db_copy_begin(c, "teams", cols, 4, &cp, &err), 0, "%s",
                 err.msg);
    for (int i = 0; i < 3000; i++) {
        char name[64], at[24];
        snprintf(name, sizeof(name), "t%d a\\b\tc\nd\re\\", i);
        snprintf(at, sizeof(at), "%d", -i);
        const char *row[] = {name, "sales", at, "0"};
        cr_assert_eq(db_copy_row(cp, row, &err), 0, "%s", err.msg);
    }
    cr_assert_eq(db_copy_end(cp, &err), 0, "%s", err.msg);
    cr_assert_eq(db_commit(c, &err), 0, "%s", err.msg);
    int64_t n;
    cr_assert_eq(db_int(c, &err, &n, "SELECT COUNT(*) FROM teams WHERE "
                        "name = 't' || (-created_at) || ? AND created_at "
                        "<= 0", "t", " a\\b\tc\nd\re\\"), 0, "%s",
                 err.msg);
    cr_assert_eq(n, 3000);
    cr_assert_eq(db_int(c, &err, &n, "SELECT MIN(created_at) FROM teams",
                        NULL), 0);
    cr_assert_eq(n, -2999);
}

/* Foreign keys of table. */
static int64_t fkeys(const char *table)
{
    struct err err = {0};
    int64_t n = -1;
    cr_assert_eq(db_int(c, &err, &n, "SELECT COUNT(*) FROM pg_constraint "
                        "WHERE conrelid = ?::regclass AND contype = 'f'",
                        "t", table), 0, "%s", err.msg);
    return n;
}

Test(pg, foreign_keys_dropped_for_a_load_come_back_and_check_every_row)
{
    struct err err = {0};
    struct bulk_indexes saved = {0};
    static const char *ins = "INSERT INTO stage_changes (contact_id, "
                             "to_stage, at) VALUES (?, 'lead', 1)";
    cr_assert_eq(fkeys("stage_changes"), 1);
    /* a clean load: the key is back, same definition */
    cr_assert_eq(db_begin_write(c, &err), 0);
    cr_assert_eq(bulk_fkeys_drop(c, "stage_changes", &saved, &err), 0, "%s",
                 err.msg);
    cr_assert_eq(fkeys("stage_changes"), 0);
    cr_assert_eq(bulk_indexes_restore(c, &saved, &err), 0, "%s", err.msg);
    cr_assert_eq(db_commit(c, &err), 0, "%s", err.msg);
    cr_assert_eq(fkeys("stage_changes"), 1);
    cr_assert_neq(db_run(c, &err, ins, "i", (int64_t)424242), 0);
    /* a row naming no contact: adding the key back refuses the load */
    err = (struct err){0};
    cr_assert_eq(db_begin_write(c, &err), 0);
    cr_assert_eq(bulk_fkeys_drop(c, "stage_changes", &saved, &err), 0, "%s",
                 err.msg);
    cr_assert_eq(db_run(c, &err, ins, "i", (int64_t)424242), 0, "%s",
                 err.msg);
    cr_assert_neq(bulk_indexes_restore(c, &saved, &err), 0);
    db_rollback(c);
    cr_assert_eq(fkeys("stage_changes"), 1);
}

Test(pg, column_names_are_known_before_the_first_step)
{
    struct db_stmt *st;
    struct err err = {0};
    cr_assert_eq(db_prepare(c, "SELECT * FROM settings WHERE 1 = 0", &st,
                            &err), 0);
    cr_assert_eq(db_col_count(st), 2);
    cr_assert_str_eq(db_col_name(st, 0), "key");
    cr_assert_str_eq(db_col_name(st, 1), "value");
    cr_assert_eq(db_step(st, &err), DB_DONE);
    db_done(st);
}

Test(pg, many_distinct_statements_cycle_through_the_cache)
{
    struct err err = {0};
    for (int i = 0; i < 600; i++) {
        char sql[64];
        int64_t v = -1;
        snprintf(sql, sizeof(sql), "SELECT %d + ?", i);
        cr_assert_eq(db_int(c, &err, &v, sql, "i", (int64_t)1), 0, "%s",
                     err.msg);
        cr_assert_eq(v, i + 1);
    }
}

Test(pg, a_dropped_connection_is_reopened)
{
    struct err err = {0};
    int64_t pid = 0, v = 0;
    cr_assert_eq(db_int(c, &err, &pid, "SELECT pg_backend_pid()", NULL), 0);
    char sql[128];
    snprintf(sql, sizeof(sql), "SELECT pg_terminate_backend(%lld)",
             (long long)pid);
    char u[512];
    snprintf(u, sizeof(u), "%s/postgres", getenv("PHEU_TEST_PG_URL"));
    PGconn *h = PQconnectdb(u);
    PQclear(PQexec(h, sql));
    PQfinish(h);
    /* the statement on the dead session fails as "unavailable" (503) */
    cr_assert_eq(db_int(c, &err, &v, "SELECT 1 + ?", "i", (int64_t)1),
                 E_UNAVAILABLE);
    /* the next use of the connection reconnects and prepares again */
    cr_assert_eq(db_conn_get(db, &c, &err), 0, "%s", err.msg);
    cr_assert_eq(db_int(c, &err, &v, "SELECT 1 + ?", "i", (int64_t)1), 0,
                 "%s", err.msg);
    cr_assert_eq(v, 2);
}

/* A streamed statement (db_want_stream): every row, in order, in binary;
 * stopped early or failing halfway, the connection's next statement
 * still answers. */
Test(pg, streamed_rows_arrive_in_order_and_the_connection_carries_on)
{
    struct err err = {0};
    struct db_stmt *st;
    const char *sql = "SELECT g, 'r' || g, NULLIF(g % 3, 0) FROM "
                      "generate_series(1, ?) g ORDER BY g";
    cr_assert_eq(db_prepare(c, sql, &st, &err), 0, "%s", err.msg);
    db_want_stream(st);
    cr_assert_eq(db_bind_int(st, 1, 5000, &err), 0);
    int64_t n = 0, sum = 0, nulls = 0;
    int s;
    while ((s = db_step(st, &err)) == DB_ROW) {
        n++;
        cr_assert_eq(db_col_int(st, 0), n);
        char want[24];
        snprintf(want, sizeof(want), "r%lld", (long long)n);
        cr_assert_str_eq(db_col_text(st, 1), want);
        nulls += db_col_null(st, 2);
        sum += db_col_int(st, 2);
    }
    cr_assert_eq(s, DB_DONE, "%s", err.msg);
    cr_assert_eq(db_step(st, &err), DB_DONE);   /* and stays done */
    db_done(st);
    cr_expect_eq(n, 5000);
    cr_expect_eq(nulls, 1666);
    cr_expect_eq(sum, 1667 * 1 + 1667 * 2);

    /* stopped after three rows of a million */
    cr_assert_eq(db_prepare(c, sql, &st, &err), 0);
    db_want_stream(st);
    cr_assert_eq(db_bind_int(st, 1, 1000000, &err), 0);
    for (int i = 1; i <= 3; i++) {
        cr_assert_eq(db_step(st, &err), DB_ROW);
        cr_assert_eq(db_col_int(st, 0), i);
    }
    db_done(st);
    int64_t v = 0;
    cr_assert_eq(db_int(c, &err, &v, "SELECT 41 + 1", ""), 0, "%s",
                 err.msg);
    cr_expect_eq(v, 42);

    /* a division by zero at the 500th row, after rows were handed over */
    cr_assert_eq(db_prepare(c, "SELECT 1000 / (500 - g) FROM "
                            "generate_series(1, 1000) g", &st, &err), 0);
    db_want_stream(st);
    n = 0;
    while ((s = db_step(st, &err)) == DB_ROW)
        n++;
    db_done(st);
    cr_expect_eq(s, -1);
    cr_expect_eq(n, 499);
    cr_expect_neq(err.code, 0);
    cr_assert_eq(db_int(c, &err, &v, "SELECT 7", ""), 0, "%s", err.msg);
    cr_expect_eq(v, 7);
}
