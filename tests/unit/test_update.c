/* Unit tests for store/update.c on a temporary SQLite database: only the
 * given columns change, NULL through update_text(NULL) and update_ref(0),
 * an unknown id is E_NOTFOUND, constraint errors come through. */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "store/q_team.h"
#include "store/update.h"
#include "util/clock.h"
#include "util/log.h"

#include "testdb.h"

static struct testdb tdb;
static struct db *db;
static struct db_conn *c;
static struct err err;
static int64_t team_a, team_b, user_id;

static int64_t add_team(const char *name)
{
    struct team_in in = {.name = name, .kind = "sales"};
    int64_t id = 0;
    cr_assert_eq(q_team_insert(c, &in, &id, &err), 0, "%s", err.msg);
    return id;
}

static void setup(void)
{
    log_set_level(LOG_OFF);
    clock_set_fake(1772353800000LL);
    memset(&err, 0, sizeof(err));
    testdb_open(&tdb, "upd");
    db = tdb.db;
    c = tdb.c;
    team_a = add_team("A");
    team_b = add_team("B");
    cr_assert_eq(db_int(c, &err, &user_id,
                        "INSERT INTO users (email, name, "
                        "role, team_id, phone, locale, created_at, "
                        "updated_at) VALUES ('u@x.vn', 'Old Name', "
                        "'sales_rep', ?, '+84901234567', 'vi', 10, 20) "
                        "RETURNING id",
                        "i", team_a),
                 0, "%s", err.msg);
}

static void teardown(void)
{
    testdb_close(&tdb);
    clock_set_fake(0);
}

TestSuite(update, .init = setup, .fini = teardown);

/* Reads one text column of the user (NULL stays NULL); static copy. */
static const char *user_text(const char *col)
{
    static char out[128];
    char sql[128];
    snprintf(sql, sizeof(sql), "SELECT %s FROM users WHERE id = ?", col);
    struct db_stmt *st;
    cr_assert_eq(db_query(c, &st, &err, sql, "i", user_id), 0, "%s", err.msg);
    cr_assert_eq(db_step(st, &err), DB_ROW);
    const char *t = db_col_text(st, 0);
    if (t)
        snprintf(out, sizeof(out), "%s", t);
    db_done(st);
    return t ? out : NULL;
}

static int64_t user_int(const char *col, int *is_null)
{
    char sql[128];
    snprintf(sql, sizeof(sql), "SELECT %s FROM users WHERE id = ?", col);
    struct db_stmt *st;
    cr_assert_eq(db_query(c, &st, &err, sql, "i", user_id), 0, "%s", err.msg);
    cr_assert_eq(db_step(st, &err), DB_ROW);
    int64_t v = db_col_int(st, 0);
    if (is_null)
        *is_null = db_col_null(st, 0);
    db_done(st);
    return v;
}

Test(update, only_given_columns_change)
{
    struct update u;
    update_init(&u, "users");
    update_text(&u, "name", "New Name");
    cr_assert_eq(update_run(&u, c, user_id, &err), 0, "%s", err.msg);
    cr_assert_str_eq(user_text("name"), "New Name");
    cr_assert_str_eq(user_text("email"), "u@x.vn");
    cr_assert_str_eq(user_text("phone"), "+84901234567");
    cr_assert_str_eq(user_text("role"), "sales_rep");
    cr_assert_eq(user_int("team_id", NULL), team_a);
    cr_assert_eq(user_int("created_at", NULL), 10);
    cr_assert_eq(user_int("updated_at", NULL), 20);
}

Test(update, several_columns_of_each_kind)
{
    struct update u;
    update_init(&u, "users");
    update_text(&u, "locale", "en");
    update_int(&u, "active", 0);
    update_ref(&u, "team_id", team_b);
    update_int(&u, "updated_at", 99);
    cr_assert_eq(u.n, 4);
    cr_assert_eq(update_run(&u, c, user_id, &err), 0, "%s", err.msg);
    cr_assert_str_eq(user_text("locale"), "en");
    cr_assert_eq(user_int("active", NULL), 0);
    cr_assert_eq(user_int("team_id", NULL), team_b);
    cr_assert_eq(user_int("updated_at", NULL), 99);
    cr_assert_str_eq(user_text("name"), "Old Name");
}

Test(update, ref_zero_sets_null)
{
    struct update u;
    update_init(&u, "users");
    update_ref(&u, "team_id", 0);
    cr_assert_eq(update_run(&u, c, user_id, &err), 0, "%s", err.msg);
    int is_null = 0;
    (void)user_int("team_id", &is_null);
    cr_assert(is_null);
}

Test(update, text_null_sets_null)
{
    struct update u;
    update_init(&u, "users");
    update_text(&u, "phone", NULL);
    cr_assert_eq(update_run(&u, c, user_id, &err), 0, "%s", err.msg);
    cr_assert_null(user_text("phone"));
    cr_assert_str_eq(user_text("name"), "Old Name");
}

Test(update, int_zero_is_a_value_not_null)
{
    struct update u;
    update_init(&u, "users");
    update_int(&u, "updated_at", 0);
    cr_assert_eq(update_run(&u, c, user_id, &err), 0, "%s", err.msg);
    int is_null = 1;
    cr_assert_eq(user_int("updated_at", &is_null), 0);
    cr_assert_not(is_null);
}

Test(update, unknown_id_is_notfound)
{
    struct update u;
    update_init(&u, "users");
    update_text(&u, "name", "Nobody");
    cr_assert_eq(update_run(&u, c, user_id + 1000, &err), E_NOTFOUND);
    cr_assert_eq(err.code, E_NOTFOUND);
    cr_assert_str_eq(user_text("name"), "Old Name");
}

Test(update, same_value_still_counts_as_found)
{
    struct update u;
    update_init(&u, "users");
    update_text(&u, "name", "Old Name");
    cr_assert_eq(update_run(&u, c, user_id, &err), 0, "%s", err.msg);
}

Test(update, other_rows_are_untouched)
{
    int64_t other = 0;
    cr_assert_eq(db_int(c, &err, &other,
                        "INSERT INTO users (email, name, "
                        "role, created_at, updated_at) VALUES ('o@x.vn', "
                        "'Other', 'marketer', 1, 1) RETURNING id",
                        NULL),
                 0);
    struct update u;
    update_init(&u, "users");
    update_text(&u, "name", "Changed");
    cr_assert_eq(update_run(&u, c, user_id, &err), 0, "%s", err.msg);
    int64_t n = 0;
    cr_assert_eq(db_int(c, &err, &n,
                        "SELECT COUNT(*) FROM users WHERE "
                        "id = ? AND name = 'Other'",
                        "i", other),
                 0);
    cr_assert_eq(n, 1);
}

Test(update, unique_violation_is_conflict)
{
    cr_assert_eq(db_run(c, &err,
                        "INSERT INTO users (email, name, role, "
                        "created_at, updated_at) VALUES ('taken@x.vn', 'T', "
                        "'marketer', 1, 1)",
                        NULL),
                 0);
    struct update u;
    update_init(&u, "users");
    update_text(&u, "email", "taken@x.vn");
    cr_assert_eq(update_run(&u, c, user_id, &err), E_CONFLICT);
    cr_assert_str_eq(user_text("email"), "u@x.vn");
}

Test(update, check_violation_is_invalid)
{
    struct update u;
    update_init(&u, "users");
    update_text(&u, "role", "boss");
    cr_assert_eq(update_run(&u, c, user_id, &err), E_INVALID);
    cr_assert_str_eq(user_text("role"), "sales_rep");
}

Test(update, missing_reference_is_rule)
{
    struct update u;
    update_init(&u, "users");
    update_ref(&u, "team_id", 987654);
    cr_assert_eq(update_run(&u, c, user_id, &err), E_RULE);
    cr_assert_eq(user_int("team_id", NULL), team_a);
}

Test(update, works_on_other_tables)
{
    struct update u;
    update_init(&u, "teams");
    update_text(&u, "name", "A renamed");
    cr_assert_eq(update_run(&u, c, team_a, &err), 0, "%s", err.msg);
    int64_t n = 0;
    cr_assert_eq(db_int(c, &err, &n,
                        "SELECT COUNT(*) FROM teams WHERE "
                        "name = 'A renamed' AND id = ?",
                        "i", team_a),
                 0);
    cr_assert_eq(n, 1);
    cr_assert_eq(db_int(c, &err, &n,
                        "SELECT COUNT(*) FROM teams WHERE "
                        "name = 'B'",
                        NULL),
                 0);
    cr_assert_eq(n, 1);
}

Test(update, texts_are_bound_not_spliced)
{
    struct update u;
    update_init(&u, "users");
    update_text(&u, "name", "x'); DROP TABLE users; --");
    cr_assert_eq(update_run(&u, c, user_id, &err), 0, "%s", err.msg);
    cr_assert_str_eq(user_text("name"), "x'); DROP TABLE users; --");
}

/* The builder alone, without a database: the abort leaves no file. */
Test(update_builder, more_than_max_columns_is_a_bug, .signal = SIGABRT)
{
    struct update u;
    update_init(&u, "users");
    for (int i = 0; i < UPDATE_MAX; i++)
        update_int(&u, "updated_at", i);
    cr_assert_eq(u.n, UPDATE_MAX);
    cr_redirect_stderr();
    update_int(&u, "updated_at", 0);
}

Test(update_builder, kinds_follow_the_values)
{
    struct update u;
    update_init(&u, "users");
    update_text(&u, "name", "An");
    update_text(&u, "phone", NULL);
    update_int(&u, "active", 0);
    update_ref(&u, "team_id", 0);
    update_ref(&u, "team_id", 7);
    cr_assert_eq(u.n, 5);
    cr_assert_str_eq(u.table, "users");
    cr_assert_eq(u.kinds[0], 't');
    cr_assert_eq(u.kinds[1], 'n');
    cr_assert_eq(u.kinds[2], 'i');
    cr_assert_eq(u.kinds[3], 'n');
    cr_assert_eq(u.kinds[4], 'i');
    cr_assert_eq(u.ints[4], 7);
    cr_assert_str_eq(u.cols[3], "team_id");
}
