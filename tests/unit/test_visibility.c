/* Unit tests for store/visibility.c on a temporary SQLite database
 * (SPEC §1): admins see all, reps see themselves, managers see their team
 * subtree, a team's manager_id sees it whatever the role, and marketing
 * roles see every contact and company. Also the basics of store/db.h and
 * store/migrate.h that visibility relies on. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/role.h"
#include "store/db.h"
#include "store/migrate.h"
#include "store/q_team.h"
#include "store/visibility.h"
#include "util/clock.h"
#include "util/log.h"

#include "testdb.h"

static struct testdb tdb;
static struct db *db;
static struct db_conn *c;
static struct err err;
static struct arena a;

/* Removes the database file and its WAL companions. */
static void open_db(void)
{
    log_set_level(LOG_OFF);
    clock_set_fake(1772353800000LL);
    arena_init(&a);
    memset(&err, 0, sizeof(err));
    testdb_open(&tdb, "vis");
    db = tdb.db;
    c = tdb.c;
}

static void close_db(void)
{
    testdb_close(&tdb);
    db = NULL;
    c = NULL;
    arena_release(&a);
    clock_set_fake(0);
}

/* Inserts a user directly; team 0 = none. Returns the id. */
static int64_t add_user(const char *email, const char *role, int64_t team)
{
    int64_t id = 0;
    int rc = db_int(c, &err, &id,
                    "INSERT INTO users (email, name, role, "
                    "team_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, "
                    "?) RETURNING id",
                    "tttIii", email, email, role, team, (int64_t)1, (int64_t)1);
    cr_assert_eq(rc, 0, "insert %s: %s", email, err.msg);
    return id;
}

/* Inserts a team through q_team_insert (which fills team_closure). */
static int64_t add_team(const char *name, const char *kind, int64_t parent,
                        int64_t manager)
{
    struct team_in in = {.name = name,
                         .kind = kind,
                         .has_parent = parent != 0,
                         .parent_id = parent,
                         .has_manager = manager != 0,
                         .manager_id = manager};
    int64_t id = 0;
    cr_assert_eq(q_team_insert(c, &in, &id, &err), 0, "team %s: %s", name,
                 err.msg);
    return id;
}

static void set_team(int64_t user, int64_t team)
{
    cr_assert_eq(db_run(c, &err, "UPDATE users SET team_id = ? WHERE id = ?",
                        "ii", team, user),
                 0, "%s", err.msg);
}

/* ---- the organisation used by the visibility tests ----
 *
 *   Sales (root)                  Marketing (manager km)
 *   ├── North: mn (sales_manager), lead, r1     km, mk
 *   │   └── Hanoi (manager lead): r2            └── Content: mk2
 *   └── South (manager ms): ms, r3
 *   admin, lone (sales_manager without a team)
 */
static int64_t admin, mn, ms, lead, r1, r2, r3, km, mk, mk2, lone;
static int64_t t_sales, t_north, t_hanoi, t_south, t_mkt, t_content;

static void org(void)
{
    open_db();
    admin = add_user("admin@x.vn", "admin", 0);
    mn = add_user("mn@x.vn", "sales_manager", 0);
    ms = add_user("ms@x.vn", "sales_manager", 0);
    lead = add_user("lead@x.vn", "sales_rep", 0);
    r1 = add_user("r1@x.vn", "sales_rep", 0);
    r2 = add_user("r2@x.vn", "account_executive", 0);
    r3 = add_user("r3@x.vn", "sales_rep", 0);
    km = add_user("km@x.vn", "marketing_manager", 0);
    mk = add_user("mk@x.vn", "marketer", 0);
    mk2 = add_user("mk2@x.vn", "marketer", 0);
    lone = add_user("lone@x.vn", "sales_manager", 0);
    t_sales = add_team("Sales", "sales", 0, 0);
    t_north = add_team("North", "sales", t_sales, 0);
    t_hanoi = add_team("Hanoi", "sales", t_north, lead);
    t_south = add_team("South", "sales", t_sales, ms);
    t_mkt = add_team("Marketing", "marketing", 0, km);
    t_content = add_team("Content", "marketing", t_mkt, 0);
    set_team(mn, t_north);
    set_team(lead, t_north);
    set_team(r1, t_north);
    set_team(r2, t_hanoi);
    set_team(ms, t_south);
    set_team(r3, t_south);
    set_team(km, t_mkt);
    set_team(mk, t_mkt);
    set_team(mk2, t_content);
}

/* Loads the visibility of user id with the flags of its role. */
static void load(int64_t id, enum role role, struct vis *v)
{
    int rc = vis_load(c, id, role == ROLE_ADMIN, role_is_manager(role),
                      role_is_marketing(role), v, &err);
    cr_assert_eq(rc, 0, "%s", err.msg);
}

/* Asserts v's owner list is exactly want (sorted). */
static void expect_owners(const struct vis *v, const int64_t *want, int n)
{
    cr_assert_eq(v->nowners, n, "viewer %lld sees %d owners, want %d",
                 (long long)v->viewer, v->nowners, n);
    for (int i = 0; i < n; i++)
        cr_assert_eq(v->owners[i], want[i], "owner %d: %lld, want %lld", i,
                     (long long)v->owners[i], (long long)want[i]);
}

/* Counts the users the predicate of v lets through. */
static int64_t count_users(const struct vis *v)
{
    const char *pred = vis_where(v, VIS_USER, "id", &a);
    char *sql = arena_printf(&a, "SELECT COUNT(*) FROM users WHERE %s", pred);
    int64_t n = -1;
    cr_assert_eq(db_int(c, &err, &n, sql, NULL), 0, "%s: %s", sql, err.msg);
    return n;
}

static int cmp64(const void *x, const void *y)
{
    int64_t p = *(const int64_t *)x, q = *(const int64_t *)y;
    return (p > q) - (p < q);
}

TestSuite(visibility, .init = org, .fini = close_db);

Test(visibility, admin_sees_everything)
{
    struct vis v;
    load(admin, ROLE_ADMIN, &v);
    cr_assert(v.see_all);
    static const enum vis_object kinds[] = {VIS_USER, VIS_CONTACT, VIS_COMPANY,
                                            VIS_DEAL};
    for (size_t k = 0; k < 4; k++) {
        cr_assert(vis_can_see(&v, kinds[k], r3));
        cr_assert(vis_can_see(&v, kinds[k], mk2));
        cr_assert(vis_can_see(&v, kinds[k], 987654));
        cr_assert_str_eq(vis_where(&v, kinds[k], "owner_id", &a), "1=1");
    }
    cr_assert_eq(count_users(&v), 11);
    vis_release(&v);
}

Test(visibility, rep_sees_only_self)
{
    struct vis v;
    load(r1, ROLE_SALES_REP, &v);
    int64_t want[] = {r1};
    expect_owners(&v, want, 1);
    cr_assert(vis_can_see(&v, VIS_DEAL, r1));
    cr_assert(vis_can_see(&v, VIS_CONTACT, r1));
    cr_assert_not(vis_can_see(&v, VIS_DEAL, mn));   /* own manager */
    cr_assert_not(vis_can_see(&v, VIS_DEAL, lead)); /* teammate */
    cr_assert_not(vis_can_see(&v, VIS_CONTACT, r2));
    cr_assert_not(vis_can_see(&v, VIS_COMPANY, r3));
    cr_assert_not(vis_can_see(&v, VIS_USER, admin));
    char *want_sql = arena_printf(&a, "owner_id IN (%lld)", (long long)r1);
    cr_assert_str_eq(vis_where(&v, VIS_DEAL, "owner_id", &a), want_sql);
    cr_assert_eq(count_users(&v), 1);
    vis_release(&v);
    cr_assert_null(v.owners);
    cr_assert_eq(v.nowners, 0);
}

Test(visibility, sales_manager_sees_team_subtree)
{
    struct vis v;
    load(mn, ROLE_SALES_MANAGER, &v);
    int64_t want[] = {mn, lead, r1, r2};
    qsort(want, 4, sizeof(int64_t), cmp64);
    expect_owners(&v, want, 4);
    cr_assert(vis_can_see(&v, VIS_DEAL, r1));
    cr_assert(vis_can_see(&v, VIS_DEAL, r2)); /* nested child team */
    cr_assert(vis_can_see(&v, VIS_USER, lead));
    cr_assert(vis_can_see(&v, VIS_CONTACT, r2));
    cr_assert_eq(count_users(&v), 4);
    vis_release(&v);
}

Test(visibility, sales_manager_does_not_see_sibling_team)
{
    struct vis v;
    load(mn, ROLE_SALES_MANAGER, &v);
    cr_assert_not(vis_can_see(&v, VIS_DEAL, ms));
    cr_assert_not(vis_can_see(&v, VIS_DEAL, r3));
    cr_assert_not(vis_can_see(&v, VIS_CONTACT, r3));
    cr_assert_not(vis_can_see(&v, VIS_USER, r3));
    cr_assert_not(vis_can_see(&v, VIS_USER, admin));
    cr_assert_not(vis_can_see(&v, VIS_USER, mk));
    vis_release(&v);
    load(ms, ROLE_SALES_MANAGER, &v);
    int64_t want[] = {ms, r3};
    qsort(want, 2, sizeof(int64_t), cmp64);
    expect_owners(&v, want, 2);
    cr_assert_not(vis_can_see(&v, VIS_DEAL, r1));
    vis_release(&v);
}

Test(visibility, manager_of_a_team_sees_it_with_any_role)
{
    /* lead is a sales_rep in North and teams.manager_id of Hanoi */
    struct vis v;
    load(lead, ROLE_SALES_REP, &v);
    int64_t want[] = {lead, r2};
    qsort(want, 2, sizeof(int64_t), cmp64);
    expect_owners(&v, want, 2);
    cr_assert(vis_can_see(&v, VIS_DEAL, r2));
    cr_assert_not(vis_can_see(&v, VIS_DEAL, r1)); /* own team, not managed */
    cr_assert_not(vis_can_see(&v, VIS_DEAL, mn));
    vis_release(&v);
}

Test(visibility, manager_role_without_team_sees_only_self)
{
    struct vis v;
    load(lone, ROLE_SALES_MANAGER, &v);
    int64_t want[] = {lone};
    expect_owners(&v, want, 1);
    vis_release(&v);
}

Test(visibility, marketer_sees_every_contact_and_company)
{
    struct vis v;
    load(mk, ROLE_MARKETER, &v);
    cr_assert(v.see_audience);
    cr_assert_not(v.see_all);
    int64_t owners[] = {admin, mn, r1, r2, r3, km, mk2, 987654};
    for (size_t i = 0; i < sizeof(owners) / sizeof(owners[0]); i++) {
        cr_assert(vis_can_see(&v, VIS_CONTACT, owners[i]));
        cr_assert(vis_can_see(&v, VIS_COMPANY, owners[i]));
    }
    cr_assert_str_eq(vis_where(&v, VIS_CONTACT, "owner_id", &a), "1=1");
    cr_assert_str_eq(vis_where(&v, VIS_COMPANY, "owner_id", &a), "1=1");
    vis_release(&v);
}

Test(visibility, marketer_does_not_see_users_or_deals_of_others)
{
    struct vis v;
    load(mk, ROLE_MARKETER, &v);
    int64_t want[] = {mk};
    expect_owners(&v, want, 1);
    cr_assert(vis_can_see(&v, VIS_USER, mk));
    cr_assert_not(vis_can_see(&v, VIS_USER, km));
    cr_assert_not(vis_can_see(&v, VIS_USER, r1));
    cr_assert_not(vis_can_see(&v, VIS_DEAL, r1));
    char *want_sql = arena_printf(&a, "id IN (%lld)", (long long)mk);
    cr_assert_str_eq(vis_where(&v, VIS_USER, "id", &a), want_sql);
    cr_assert_eq(count_users(&v), 1);
    vis_release(&v);
}

Test(visibility, marketing_manager_sees_own_subtree_users_only)
{
    struct vis v;
    load(km, ROLE_MARKETING_MANAGER, &v);
    int64_t want[] = {km, mk, mk2};
    qsort(want, 3, sizeof(int64_t), cmp64);
    expect_owners(&v, want, 3);
    cr_assert(vis_can_see(&v, VIS_USER, mk2)); /* nested Content */
    cr_assert_not(vis_can_see(&v, VIS_USER, r1));
    cr_assert_not(vis_can_see(&v, VIS_DEAL, r1));
    cr_assert(vis_can_see(&v, VIS_CONTACT, r1));
    cr_assert(vis_can_see(&v, VIS_COMPANY, r3));
    cr_assert_eq(count_users(&v), 3);
    vis_release(&v);
}

Test(visibility, moving_a_team_moves_what_managers_see)
{
    struct team_in in = {.has_parent = 1, .parent_id = t_south};
    cr_assert_eq(q_team_update(c, t_hanoi, &in, &err), 0, "%s", err.msg);
    struct vis v;
    load(mn, ROLE_SALES_MANAGER, &v);
    cr_assert_not(vis_can_see(&v, VIS_DEAL, r2));
    vis_release(&v);
    load(ms, ROLE_SALES_MANAGER, &v);
    cr_assert(vis_can_see(&v, VIS_DEAL, r2));
    vis_release(&v);
}

Test(visibility, team_cannot_move_inside_its_own_subtree)
{
    struct team_in in = {.has_parent = 1, .parent_id = t_hanoi};
    cr_assert_eq(q_team_update(c, t_north, &in, &err), E_RULE);
    cr_assert_str_eq(err.field, "parent_id");
}

Test(visibility, leaving_a_team_removes_visibility)
{
    cr_assert_eq(db_run(c, &err,
                        "UPDATE users SET team_id = NULL WHERE "
                        "id = ?",
                        "i", r2),
                 0);
    struct vis v;
    load(mn, ROLE_SALES_MANAGER, &v);
    cr_assert_not(vis_can_see(&v, VIS_DEAL, r2));
    cr_assert(vis_can_see(&v, VIS_DEAL, r1));
    vis_release(&v);
}

Test(visibility, closure_holds_every_ancestor_pair)
{
    int64_t n = -1;
    /* 6 self pairs + North,South<Sales + Hanoi<North,Sales + Content<Mkt */
    cr_assert_eq(db_int(c, &err, &n, "SELECT COUNT(*) FROM team_closure", NULL),
                 0);
    cr_assert_eq(n, 11);
    cr_assert_eq(db_int(c, &err, &n,
                        "SELECT depth FROM team_closure WHERE "
                        "ancestor_id = ? AND descendant_id = ?",
                        "ii", t_sales, t_hanoi),
                 0);
    cr_assert_eq(n, 2);
}

/* ---- store/db.h and store/migrate.h basics ---- */

TestSuite(db, .init = open_db, .fini = close_db);

Test(db, engine_is_sqlite)
{
    cr_assert_str_eq(db_engine(db), "sqlite");
}

Test(db, int_on_no_row_is_notfound)
{
    int64_t n = 77;
    cr_assert_eq(db_int(c, &err, &n, "SELECT id FROM users WHERE id = ?", "i",
                        (int64_t)12345),
                 E_NOTFOUND);
    cr_assert_eq(err.code, E_NOTFOUND);
    cr_assert_eq(n, 77);
}

Test(db, returning_gives_new_ids)
{
    int64_t x = add_user("one@x.vn", "sales_rep", 0);
    int64_t y = add_user("two@x.vn", "sales_rep", 0);
    cr_assert_gt(x, 0);
    cr_assert_eq(y, x + 1);
    int64_t n = 0;
    cr_assert_eq(db_int(c, &err, &n, "SELECT COUNT(*) FROM users", NULL), 0);
    cr_assert_eq(n, 2);
}

Test(db, unique_violation_is_conflict)
{
    add_user("dup@x.vn", "sales_rep", 0);
    int rc = db_run(c, &err,
                    "INSERT INTO users (email, name, role, "
                    "created_at, updated_at) VALUES (?, ?, ?, 1, 1)",
                    "ttt", "dup@x.vn", "Dup", "marketer");
    cr_assert_eq(rc, E_CONFLICT);
    cr_assert_eq(err.code, E_CONFLICT);
}

Test(db, check_violation_is_invalid)
{
    int rc = db_run(c, &err,
                    "INSERT INTO users (email, name, role, "
                    "created_at, updated_at) VALUES (?, ?, ?, 1, 1)",
                    "ttt", "c@x.vn", "C", "boss");
    cr_assert_eq(rc, E_INVALID);
}

Test(db, not_null_violation_is_invalid)
{
    int rc = db_run(c, &err,
                    "INSERT INTO users (email, name, role, "
                    "created_at, updated_at) VALUES (?, ?, ?, 1, 1)",
                    "ttt", "c@x.vn", NULL, "marketer");
    cr_assert_eq(rc, E_INVALID);
}

Test(db, foreign_keys_are_enforced)
{
    int rc = db_run(c, &err,
                    "INSERT INTO users (email, name, role, team_id, "
                    "created_at, updated_at) VALUES (?, ?, ?, ?, 1, 1)",
                    "ttti", "f@x.vn", "F", "marketer", (int64_t)4242);
    cr_assert_eq(rc, E_RULE);
}

Test(db, optional_reference_zero_binds_null)
{
    int64_t id = add_user("n@x.vn", "marketer", 0);
    struct db_stmt *st;
    cr_assert_eq(db_query(c, &st, &err,
                          "SELECT team_id, email, phone FROM "
                          "users WHERE id = ?",
                          "i", id),
                 0);
    cr_assert_eq(db_step(st, &err), DB_ROW);
    cr_assert(db_col_null(st, 0));
    cr_assert_str_eq(db_col_text(st, 1), "n@x.vn");
    cr_assert_null(db_col_text(st, 2));
    cr_assert_eq(db_step(st, &err), DB_DONE);
    db_done(st);
}

Test(db, rows_come_back_in_order)
{
    add_user("b@x.vn", "marketer", 0);
    add_user("a@x.vn", "marketer", 0);
    add_user("c@x.vn", "marketer", 0);
    struct db_stmt *st;
    cr_assert_eq(db_query(c, &st, &err,
                          "SELECT email FROM users ORDER BY "
                          "email",
                          NULL),
                 0);
    static const char *const want[] = {"a@x.vn", "b@x.vn", "c@x.vn"};
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(db_step(st, &err), DB_ROW);
        cr_assert_str_eq(db_col_text(st, 0), want[i]);
    }
    cr_assert_eq(db_step(st, &err), DB_DONE);
    db_done(st);
}

Test(db, rollback_undoes_writes)
{
    cr_assert_eq(db_begin_write(c, &err), 0, "%s", err.msg);
    add_user("gone@x.vn", "sales_rep", 0);
    int64_t n = 0;
    cr_assert_eq(db_int(c, &err, &n, "SELECT COUNT(*) FROM users", NULL), 0);
    cr_assert_eq(n, 1);
    db_rollback(c);
    cr_assert_eq(db_int(c, &err, &n, "SELECT COUNT(*) FROM users", NULL), 0);
    cr_assert_eq(n, 0);
    db_rollback(c); /* no transaction open: harmless */
}

Test(db, commit_keeps_writes)
{
    cr_assert_eq(db_begin_write(c, &err), 0, "%s", err.msg);
    add_user("kept@x.vn", "sales_rep", 0);
    cr_assert_eq(db_commit(c, &err), 0, "%s", err.msg);
    int64_t n = 0;
    cr_assert_eq(db_int(c, &err, &n,
                        "SELECT COUNT(*) FROM users WHERE "
                        "email = ?",
                        "t", "kept@x.vn"),
                 0);
    cr_assert_eq(n, 1);
    /* the writer lock was released: a second write transaction starts */
    cr_assert_eq(db_begin_write(c, &err), 0, "%s", err.msg);
    db_rollback(c);
}

Test(db, read_transaction_rolls_back_too)
{
    cr_assert_eq(db_begin(c, &err), 0);
    add_user("r@x.vn", "sales_rep", 0);
    db_rollback(c);
    int64_t n = -1;
    cr_assert_eq(db_int(c, &err, &n, "SELECT COUNT(*) FROM users", NULL), 0);
    cr_assert_eq(n, 0);
}

Test(db, bad_sql_is_a_db_error)
{
    cr_assert_eq(db_run(c, &err, "SELEKT 1", NULL), E_DB);
    cr_assert_eq(
        db_exec(c, "CREATE TABLE t (x); INSERT INTO nope VALUES (1)", &err),
        E_DB);
}

Test(db, statements_are_reused_from_the_cache)
{
    for (int i = 0; i < 500; i++) {
        int64_t n = -1;
        char *sql = arena_printf(&a, "SELECT %d + ?", i % 200);
        cr_assert_eq(db_int(c, &err, &n, sql, "i", (int64_t)1), 0, "%s",
                     err.msg);
        cr_assert_eq(n, i % 200 + 1);
    }
}

Test(db, migrations_run_once)
{
    int applied = -1;
    cr_assert_eq(migrate_run(db, &applied, &err), 0, "%s", err.msg);
    cr_assert_eq(applied, 0);
    int64_t n = 0;
    cr_assert_eq(db_int(c, &err, &n, "SELECT COUNT(*) FROM settings", NULL), 0);
    cr_assert_eq(n, 2);
}

Test(db, schema_has_identity_keys)
{
    int64_t t = add_team("T", "sales", 0, 0);
    cr_assert_gt(t, 0);
    int64_t n = 0;
    cr_assert_eq(db_int(c, &err, &n,
                        "SELECT COUNT(*) FROM team_closure "
                        "WHERE ancestor_id = ? AND descendant_id = ? AND "
                        "depth = 0",
                        "ii", t, t),
                 0);
    cr_assert_eq(n, 1);
}

Test(db, team_insert_checks_references)
{
    struct team_in in = {
        .name = "X", .kind = "sales", .has_parent = 1, .parent_id = 999};
    int64_t id = 0;
    cr_assert_eq(q_team_insert(c, &in, &id, &err), E_RULE);
    cr_assert_str_eq(err.field, "parent_id");
    struct team_in in2 = {
        .name = "X", .kind = "sales", .has_manager = 1, .manager_id = 999};
    cr_assert_eq(q_team_insert(c, &in2, &id, &err), E_RULE);
    cr_assert_str_eq(err.field, "manager_id");
}

Test(db, open_refuses_empty_and_unreachable_postgres_urls)
{
    struct db *d = NULL;
    struct err e = {0};
    cr_assert_eq(db_open("", &d, &e), E_INVALID);
    cr_assert_eq(db_open(NULL, &d, &e), E_INVALID);
    /* port 1 on loopback: refused at once, reported as unavailable */
    cr_assert_eq(db_open("postgres://127.0.0.1:1/pheu", &d, &e),
                 E_UNAVAILABLE);
    cr_assert_str_eq(e.field, "db");
    cr_assert_null(d);
}

Test(db, open_of_unreachable_path_fails)
{
    struct db *d = NULL;
    struct err e = {0};
    cr_assert_eq(db_open("/nonexistent-dir-pheu/x/y.db", &d, &e), E_DB);
    cr_assert_null(d);
}
