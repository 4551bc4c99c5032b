/* Passwords, sessions, tokens and login limits. Secrets are stored only
 * as BLAKE2b hashes (tokens, sessions) or Argon2id strings (passwords). */
#include "model/auth.h"
#include "store/audit.h"
#include "store/q_user.h"
#include "util/clock.h"
#include "util/rand.h"
#include "util/text.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* Returns the NFC form of a password (malloc), so the same password
 * typed composed or decomposed hashes alike; NULL when not UTF-8. */
static char *pw_nfc(const char *pw)
{
    utf8proc_uint8_t *out = NULL;
    if (utf8proc_map((const utf8proc_uint8_t *)pw, 0, &out,
                     UTF8PROC_NULLTERM | UTF8PROC_COMPOSE |
                     UTF8PROC_STABLE) < 0)
        return NULL;
    return (char *)out;
}

int auth_hash_password(const char *pw, char *out, size_t len,
                       struct err *err)
{
    if (len < crypto_pwhash_STRBYTES)
        return err_set(err, E_INTERNAL, NULL, "hash buffer too small");
    char *nfc = pw_nfc(pw);
    if (!nfc)
        return err_set(err, E_INVALID, "password", "is not valid UTF-8");
    int rc = crypto_pwhash_str(out, nfc, strlen(nfc),
                               crypto_pwhash_OPSLIMIT_INTERACTIVE,
                               crypto_pwhash_MEMLIMIT_INTERACTIVE);
    sodium_memzero(nfc, strlen(nfc));
    free(nfc);
    if (rc != 0)
        return err_set(err, E_INTERNAL, NULL, "cannot hash password");
    return 0;
}

/* Makes a random URL-safe secret of nbytes bytes of entropy. */
static void new_secret(char *out, size_t len, size_t nbytes)
{
    unsigned char raw[48];
    rand_secure(raw, nbytes);
    sodium_bin2base64(out, len, raw, nbytes,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* Hashes a credential to its 32-byte key and its hex storage form. */
static void cred_hash(const char *secret, unsigned char key[32],
                      char hex[65])
{
    crypto_generichash(key, 32, (const unsigned char *)secret,
                       strlen(secret), NULL, 0);
    sodium_bin2hex(hex, 65, key, 32);
}

/* Counts recent failures for a column value (email or ip). */
static int recent_failures(struct db_conn *c, const char *sql,
                           const char *v, int64_t *n, struct err *err)
{
    return db_int(c, err, n, sql, "ti", v,
                  clock_now_ms() - AUTH_FAIL_WINDOW_MS);
}

/* Records one failed login. */
static int record_failure(struct db_conn *c, const char *email,
                          const char *ip)
{
    struct err e = {0};
    int rc = db_begin_write(c, &e);
    if (rc)
        return rc;
    rc = db_run(c, &e, "INSERT INTO login_failures (email, ip, at) VALUES "
                "(?, ?, ?)", "tti", email, ip, clock_now_ms());
    if (!rc)
        rc = db_commit(c, &e);
    if (rc)
        db_rollback(c);
    return rc;
}

/* Checks the per-account and per-IP limits. */
static int check_limits(struct db_conn *c, const char *email, const char *ip,
                        struct err *err)
{
    int64_t n = 0;
    int rc = recent_failures(c, "SELECT COUNT(*) FROM login_failures WHERE "
                             "email = ? AND at > ?", email, &n, err);
    if (rc)
        return rc;
    if (n >= AUTH_MAX_FAILS_ACCOUNT)
        return err_set(err, E_RATE, NULL, "too many failed logins for this "
                       "account; try again in 15 minutes");
    rc = recent_failures(c, "SELECT COUNT(*) FROM login_failures WHERE "
                         "ip = ? AND at > ?", ip, &n, err);
    if (rc)
        return rc;
    if (n >= AUTH_MAX_FAILS_IP)
        return err_set(err, E_RATE, NULL, "too many failed logins from this "
                       "address; try again in 15 minutes");
    return 0;
}

/* Opens a session row for user_id and audits the login. */
static int open_session(struct db_conn *c, int64_t user_id,
                        struct login_result *out, struct err *err)
{
    unsigned char key[32];
    char hex[65];
    new_secret(out->session, sizeof(out->session), 32);
    new_secret(out->csrf, sizeof(out->csrf), 24);
    cred_hash(out->session, key, hex);
    int64_t now = clock_now_ms(), sid;
    int rc = db_begin_write(c, err);
    if (rc)
        return rc;
    rc = db_int(c, err, &sid, "INSERT INTO sessions (token_hash, user_id, "
                "csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?) "
                "RETURNING id", "titii", hex, user_id, out->csrf, now,
                now + AUTH_SESSION_MS);
    if (!rc)
        rc = audit_write(c, user_id, "login", "session", sid, NULL, NULL,
                         err);
    /* Housekeeping rides on logins: expired sessions and failures older
     * than the limit window are of no use to anyone. */
    if (!rc)
        rc = db_run(c, err, "DELETE FROM sessions WHERE expires_at <= ?",
                    "i", now);
    if (!rc)
        rc = db_run(c, err, "DELETE FROM login_failures WHERE at <= ?", "i",
                    now - AUTH_FAIL_WINDOW_MS);
    if (!rc)
        rc = db_commit(c, err);
    if (rc)
        db_rollback(c);
    return rc;
}

static char dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

/* A real Argon2id hash of nothing anyone knows, for unknown accounts. */
static void make_dummy(void)
{
    unsigned char raw[16];
    char pw[40];
    rand_secure(raw, sizeof(raw));
    sodium_bin2hex(pw, sizeof(pw), raw, sizeof(raw));
    if (crypto_pwhash_str(dummy_hash, pw, strlen(pw),
                          crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        dummy_hash[0] = '\0';  /* verify then fails fast; still refused */
}

int auth_login(struct db_conn *c, const char *email, const char *password,
               const char *ip, struct login_result *out, struct arena *a,
               struct err *err)
{
    char lower[256];
    size_t n = strlen(email);
    if (n >= sizeof(lower))
        n = sizeof(lower) - 1;
    for (size_t i = 0; i < n; i++)
        lower[i] = (char)((email[i] >= 'A' && email[i] <= 'Z')
                          ? email[i] - 'A' + 'a' : email[i]);
    lower[n] = '\0';
    int rc = check_limits(c, lower, ip, err);
    if (rc)
        return rc;
    struct user *u = &out->user;
    const char *hash = NULL;
    rc = q_user_by_email(c, lower, u, &hash, a, err);
    if (rc && rc != E_NOTFOUND)
        return rc;
    /* Verify even for unknown users so timing does not tell who exists. */
    pthread_once(&dummy_once, make_dummy);
    char *nfc = pw_nfc(password);
    int ok = nfc && crypto_pwhash_str_verify(hash ? hash : dummy_hash, nfc,
                                             strlen(nfc)) == 0;
    if (nfc) {
        sodium_memzero(nfc, strlen(nfc));
        free(nfc);
    }
    if (rc || !hash || !ok || !u->active) {
        record_failure(c, lower, ip);
        return err_set(err, E_UNAUTH, NULL, "wrong email or password");
    }
    return open_session(c, u->id, out, err);
}

int auth_logout(struct db_conn *c, const struct principal *p,
                struct err *err)
{
    int rc = db_begin_write(c, err);
    if (rc)
        return rc;
    rc = db_run(c, err, "DELETE FROM sessions WHERE id = ?", "i",
                p->session_id);
    if (!rc)
        rc = audit_write(c, p->user.id, "logout", "session", p->session_id,
                         NULL, NULL, err);
    if (!rc)
        rc = db_commit(c, err);
    if (rc)
        db_rollback(c);
    principal_cache_invalidate();
    return rc;
}

/* Resolves a credential through the cache, else through sql, which maps
 * the hex hash (and the current time) to a user id (and session id). */
static int resolve(struct db_conn *c, const char *secret, const char *sql,
                   enum auth_kind kind, struct principal **out,
                   struct err *err)
{
    unsigned char key[32];
    char hex[65];
    cred_hash(secret, key, hex);
    struct principal *p = principal_cache_get(key);
    if (p) {
        *out = p;
        return 0;
    }
    struct db_stmt *st;
    int rc = db_query(c, &st, err, sql, "ti", hex, clock_now_ms());
    if (rc)
        return rc;
    int r = db_step(st, err);
    int64_t uid = r == DB_ROW ? db_col_int(st, 0) : 0;
    int64_t sid = r == DB_ROW ? db_col_int(st, 1) : 0;
    int64_t until = r == DB_ROW ? db_col_int(st, 3) : 0;
    char csrf[48] = "";
    if (r == DB_ROW && db_col_text(st, 2))
        snprintf(csrf, sizeof(csrf), "%s", db_col_text(st, 2));
    db_done(st);
    if (r < 0)
        return err->code;
    if (r == DB_DONE)
        return err_set(err, E_UNAUTH, NULL, "invalid or expired "
                       "credentials");
    rc = principal_load(c, uid, kind, &p, err);
    if (rc == E_NOTFOUND)
        return err_set(err, E_UNAUTH, NULL, "invalid or expired "
                       "credentials");
    if (rc)
        return rc;
    memcpy(p->key, key, 32);
    p->session_id = sid;
    p->valid_until = until;
    memcpy(p->csrf, csrf, sizeof(csrf));
    principal_build_me(p);
    principal_cache_put(p);
    *out = p;
    return 0;
}

int auth_bearer(struct db_conn *c, const char *token, struct principal **out,
                struct err *err)
{
    return resolve(c, token, "SELECT user_id, id, NULL, 0 FROM api_tokens "
                   "WHERE token_hash = ? AND (revoked_at IS NULL OR "
                   "revoked_at > ?)",
                   AUTH_BEARER, out, err);
}

int auth_session(struct db_conn *c, const char *cookie,
                 struct principal **out, struct err *err)
{
    return resolve(c, cookie, "SELECT user_id, id, csrf_token, expires_at "
                   "FROM sessions WHERE token_hash = ? AND expires_at > ?",
                   AUTH_COOKIE,
                   out, err);
}

int auth_token_create(struct db_conn *c, int64_t actor, int64_t user_id,
                      const char *name, char *tok, size_t len, int64_t *id,
                      struct err *err)
{
    unsigned char key[32];
    char hex[65], secret[64];
    struct arena a;
    int64_t active = 0;
    arena_init(&a);
    int rc = text_normalize(name, strlen(name), 100, "name", &name, &a, err);
    if (!rc && !*name)
        rc = err_set(err, E_INVALID, "name", "is required");
    if (!rc)
        rc = db_int(c, err, &active, "SELECT COUNT(*) FROM users WHERE "
                    "id = ? AND active = 1", "i", user_id);
    if (!rc && !active)
        rc = err_set(err, E_RULE, "user_id", "no such active user");
    if (rc) {
        arena_release(&a);
        return rc;
    }
    new_secret(secret, sizeof(secret), 32);
    snprintf(tok, len, "pheu_%s", secret);
    cred_hash(tok, key, hex);
    rc = db_int(c, err, id, "INSERT INTO api_tokens (user_id, name, "
                    "token_hash, created_at) VALUES (?, ?, ?, ?) RETURNING "
                    "id", "itti", user_id, name, hex, clock_now_ms());
    if (!rc) {
        json_t *nv = json_pack("{s:s, s:I}", "name", name, "user_id",
                               (json_int_t)user_id);
        rc = audit_write(c, actor, "create", "api_token", *id, NULL, nv,
                         err);
        json_decref(nv);
    }
    arena_release(&a);
    return rc;
}

int auth_token_revoke(struct db_conn *c, const struct principal *actor,
                      int64_t id, struct err *err)
{
    int64_t owner = 0;
    int rc = db_int(c, err, &owner, "SELECT user_id FROM api_tokens WHERE "
                    "id = ? AND revoked_at IS NULL", "i", id);
    if (rc)
        return rc == E_NOTFOUND ? err_set(err, E_NOTFOUND, NULL,
                                          "no such token") : rc;
    if (owner != actor->user.id && actor->user.role != ROLE_ADMIN)
        return err_set(err, E_NOTFOUND, NULL, "no such token");
    rc = db_run(c, err, "UPDATE api_tokens SET revoked_at = ? WHERE id = ?",
                "ii", clock_now_ms(), id);
    if (!rc)
        rc = audit_write(c, actor->user.id, "revoke", "api_token", id, NULL,
                         NULL, err);
    return rc;
}
