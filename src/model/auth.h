/* Authentication (SPEC §12, App. A/C): Argon2id passwords, login with
 * per-account and per-IP limits, cookie sessions with a CSRF token, and
 * API tokens stored as hashes. Credentials resolve to a principal through
 * the cache of model/principal.c. */
#ifndef PHEU_MODEL_AUTH_H
#define PHEU_MODEL_AUTH_H

#include "model/principal.h"
#include "store/db.h"

#define AUTH_MAX_FAILS_ACCOUNT 10   /* within AUTH_FAIL_WINDOW_MS: 429 */
#define AUTH_MAX_FAILS_IP 50
#define AUTH_FAIL_WINDOW_MS (15 * 60 * 1000)
#define AUTH_SESSION_MS (14LL * 24 * 3600 * 1000)

/* Hashes a password with Argon2id into out (crypto_pwhash_STRBYTES). */
int auth_hash_password(const char *pw, char *out, size_t len,
                       struct err *err);

struct login_result {
    char session[64];           /* the cookie value */
    char csrf[48];
    struct user user;           /* strings in the caller's arena */
};

/* Checks email and password (after the rate limits) and opens a session.
 * E_RATE when limited, E_UNAUTH on bad credentials (failure recorded). */
int auth_login(struct db_conn *c, const char *email, const char *password,
               const char *ip, struct login_result *out, struct arena *a,
               struct err *err);
/* Ends the session of p (a cookie principal). */
int auth_logout(struct db_conn *c, const struct principal *p,
                struct err *err);

/* Resolves "Authorization: Bearer" token text; E_UNAUTH when unknown or
 * revoked. Returns a new principal reference. */
int auth_bearer(struct db_conn *c, const char *token, struct principal **out,
                struct err *err);
/* Resolves a session cookie value; E_UNAUTH when unknown or expired. */
int auth_session(struct db_conn *c, const char *cookie,
                 struct principal **out, struct err *err);

/* Creates an API token for user_id named name (NFC, 1..100 bytes; the
 * user must be active, else E_RULE on user_id); writes the token text
 * (shown once) into tok (at least 64 bytes) and its id into *id. Runs in
 * the caller's transaction and audits as actor. */
int auth_token_create(struct db_conn *c, int64_t actor, int64_t user_id,
                      const char *name, char *tok, size_t len, int64_t *id,
                      struct err *err);
/* Revokes token id when actor owns it or is admin; E_NOTFOUND otherwise.
 * Runs in the caller's transaction; the caller invalidates the principal
 * cache after commit. */
int auth_token_revoke(struct db_conn *c, const struct principal *actor,
                      int64_t id, struct err *err);

#endif
