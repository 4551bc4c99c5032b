/* Unit tests for model/auth.c and model/principal.c on a real temporary
 * SQLite database: login limits under a fake clock, sessions, tokens,
 * revocation and the principal cache. */
#include <criterion/criterion.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "model/auth.h"
#include "store/migrate.h"
#include "util/clock.h"

#include "testdb.h"

static struct db *db;
static struct db_conn *c;
static struct arena a;     /* for login results */
static struct testdb tdb;
static int64_t admin_id, rep_id;

static const int64_t T0 = 1772353800000LL;   /* 2026-03-01T08:30:00Z */

/* Inserts a user with password "correct horse" and returns its id. */
static int64_t add_user(const char *email, const char *role)
{
    static char hash[crypto_pwhash_STRBYTES];
    struct err err = {0};
    int64_t id = 0;
    if (!hash[0])
        cr_assert_eq(auth_hash_password("correct horse", hash, sizeof(hash),
                                        &err), 0);
    cr_assert_eq(db_int(c, &err, &id, "INSERT INTO users (email, name, "
                        "role, password_hash, created_at, updated_at) "
                        "VALUES (?, 'X', ?, ?, 0, 0) RETURNING id", "ttt",
                        email, role, hash), 0, "%s", err.msg);
    return id;
}

static void setup(void)
{
    cr_assert_eq(sodium_init() >= 0, 1);
    testdb_open(&tdb, "auth");
    db = tdb.db;
    c = tdb.c;
    clock_set_fake(T0);
    arena_init(&a);
    admin_id = add_user("admin@x.vn", "admin");
    rep_id = add_user("rep@x.vn", "sales_rep");
}

static void teardown(void)
{
    principal_cache_clear();
    arena_release(&a);
    clock_set_fake(0);
    testdb_close(&tdb);
}

TestSuite(auth, .init = setup, .fini = teardown, .timeout = 60);

Test(auth, login_opens_a_session_that_resolves_to_the_user)
{
    struct login_result lr;
    struct principal *p = NULL;
    struct err err = {0};
    cr_assert_eq(auth_login(c, "Admin@X.vn", "correct horse", "1.2.3.4",
                            &lr, &a, &err), 0, "%s", err.msg);
    cr_assert_eq(lr.user.id, admin_id);
    cr_assert_gt(strlen(lr.csrf), 20);
    cr_assert_eq(auth_session(c, lr.session, &p, &err), 0);
    cr_assert_eq(p->user.id, admin_id);
    cr_assert_eq(p->kind, AUTH_COOKIE);
    cr_assert_str_eq(p->csrf, lr.csrf);
    cr_assert(p->vis.see_all);
    principal_put(p);
}

Test(auth, wrong_password_and_unknown_user_are_the_same_401)
{
    struct login_result lr;
    struct err e1 = {0}, e2 = {0};
    cr_assert_eq(auth_login(c, "admin@x.vn", "wrong", "ip", &lr, &a, &e1),
                 E_UNAUTH);
    cr_assert_eq(auth_login(c, "nobody@x.vn", "wrong", "ip", &lr, &a, &e2),
                 E_UNAUTH);
    cr_assert_str_eq(e1.msg, e2.msg);
}

Test(auth, ten_failures_lock_the_account_for_fifteen_minutes)
{
    struct login_result lr;
    struct err err = {0};
    for (int i = 0; i < AUTH_MAX_FAILS_ACCOUNT; i++)
        cr_assert_eq(auth_login(c, "rep@x.vn", "nope", "10.0.0.1", &lr, &a,
                                &err), E_UNAUTH);
    /* even the right password is refused now, from any address */
    cr_assert_eq(auth_login(c, "rep@x.vn", "correct horse", "10.0.0.2",
                            &lr, &a, &err), E_RATE);
    /* another account is not affected */
    cr_assert_eq(auth_login(c, "admin@x.vn", "correct horse", "10.0.0.2",
                            &lr, &a, &err), 0);
    clock_set_fake(T0 + AUTH_FAIL_WINDOW_MS + 1);
    cr_assert_eq(auth_login(c, "rep@x.vn", "correct horse", "10.0.0.2",
                            &lr, &a, &err), 0);
}

Test(auth, expired_session_is_refused)
{
    struct login_result lr;
    struct principal *p = NULL;
    struct err err = {0};
    cr_assert_eq(auth_login(c, "rep@x.vn", "correct horse", "ip", &lr, &a, &err),
                 0);
    clock_set_fake(T0 + AUTH_SESSION_MS + 1);
    principal_cache_invalidate();
    cr_assert_eq(auth_session(c, lr.session, &p, &err), E_UNAUTH);
}

Test(auth, token_works_until_revoked)
{
    char tok[96];
    int64_t id;
    struct principal *p = NULL, *rep = NULL;
    struct err err = {0};
    cr_assert_eq(db_begin_write(c, &err), 0);
    cr_assert_eq(auth_token_create(c, rep_id, rep_id, "zapier", tok,
                                   sizeof(tok), &id, &err), 0);
    cr_assert_eq(db_commit(c, &err), 0);
    cr_assert_eq(strncmp(tok, "pheu_", 5), 0);
    cr_assert_eq(auth_bearer(c, tok, &rep, &err), 0);
    cr_assert_eq(rep->user.id, rep_id);
    cr_assert_eq(rep->kind, AUTH_BEARER);
    /* the token is stored hashed, never as text */
    int64_t n = -1;
    cr_assert_eq(db_int(c, &err, &n, "SELECT COUNT(*) FROM api_tokens "
                        "WHERE token_hash = ?", "t", tok), 0);
    cr_assert_eq(n, 0);
    /* a second lookup is served from the cache: same object */
    cr_assert_eq(auth_bearer(c, tok, &p, &err), 0);
    cr_assert_eq(p, rep);
    principal_put(p);
    cr_assert_eq(db_begin_write(c, &err), 0);
    cr_assert_eq(auth_token_revoke(c, rep, id, &err), 0);
    cr_assert_eq(db_commit(c, &err), 0);
    principal_cache_invalidate();
    cr_assert_eq(auth_bearer(c, tok, &p, &err), E_UNAUTH);
    principal_put(rep);
}

Test(auth, another_users_token_cannot_be_revoked_but_admin_can)
{
    char tok[96];
    int64_t id;
    struct principal *rep = NULL, *admin = NULL;
    struct err err = {0};
    cr_assert_eq(db_begin_write(c, &err), 0);
    cr_assert_eq(auth_token_create(c, admin_id, admin_id, "mine", tok,
                                   sizeof(tok), &id, &err), 0);
    cr_assert_eq(db_commit(c, &err), 0);
    cr_assert_eq(principal_load(c, rep_id, AUTH_CLI, &rep, &err), 0);
    cr_assert_eq(principal_load(c, admin_id, AUTH_CLI, &admin, &err), 0);
    cr_assert_eq(auth_token_revoke(c, rep, id, &err), E_NOTFOUND);
    cr_assert_eq(auth_token_revoke(c, admin, id, &err), 0);
    principal_put(rep);
    principal_put(admin);
}

Test(auth, inactive_user_cannot_log_in_or_use_tokens)
{
    struct login_result lr;
    struct err err = {0};
    cr_assert_eq(db_run(c, &err, "UPDATE users SET active = 0 WHERE id = ?",
                        "i", rep_id), 0);
    cr_assert_eq(auth_login(c, "rep@x.vn", "correct horse", "ip", &lr, &a, &err),
                 E_UNAUTH);
}
