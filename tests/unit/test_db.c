/* Unit tests of what store/db.h says about the engine on SQLite (the
 * PostgreSQL side is in test_db_pg.c): code outside src/store asks these
 * instead of comparing engine names. */
#include <criterion/criterion.h>
#include <string.h>

#include "testdb.h"
#include "util/buf.h"

static struct testdb t;

static void setup(void)
{
    testdb_open(&t, "db");
}

static void teardown(void)
{
    testdb_close(&t);
}

TestSuite(engine, .init = setup, .fini = teardown);

Test(engine, sqlite_runs_in_this_process)
{
    cr_assert_eq(db_embedded(t.db), 1);
}

/* The index named is the one the statement reads. */
Test(engine, indexed_by_names_the_index_sqlite_reads)
{
    struct buf b;
    struct err err = {0};
    struct db_stmt *st;
    buf_init(&b, 1 << 12);
    buf_adds(&b, "EXPLAIN QUERY PLAN SELECT created_at FROM contacts t");
    db_add_indexed_by(t.db, &b, "contacts_funnel");
    cr_assert(strstr(buf_cstr(&b), " INDEXED BY contacts_funnel"));
    cr_assert_eq(db_query(t.c, &st, &err, buf_cstr(&b), ""), 0, "%s",
                 err.msg);
    cr_assert_eq(db_step(st, &err), DB_ROW);
    cr_assert(strstr(db_col_text(st, 3), "contacts_funnel"), "%s",
              db_col_text(st, 3));
    db_done(st);
    buf_release(&b);
}

/* A CHECK refuses a row until the connection skips them. */
Test(engine, skipped_checks_let_a_row_through_on_that_connection)
{
    struct err err = {0};
    cr_assert_eq(db_exec(t.c, "CREATE TABLE checked (x INTEGER CHECK "
                         "(x > 0))", &err), 0, "%s", err.msg);
    cr_assert_neq(db_run(t.c, &err, "INSERT INTO checked VALUES (?)", "i",
                         (int64_t)-1), 0);
    cr_assert_eq(db_skip_checks(t.c, &err), 0, "%s", err.msg);
    cr_assert_eq(db_run(t.c, &err, "INSERT INTO checked VALUES (?)", "i",
                        (int64_t)-1), 0, "%s", err.msg);
    int64_t n = 0;
    cr_assert_eq(db_int(t.c, &err, &n, "SELECT count(*) FROM checked", ""),
                 0);
    cr_assert_eq(n, 1);
}
