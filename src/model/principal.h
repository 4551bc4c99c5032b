/* Who is calling: the authenticated user, what they may see, and how they
 * authenticated. Principals are immutable, reference-counted and cached
 * by credential hash for a few seconds, so an authenticated request costs
 * one hash and one table probe, not an Argon2 or database hit. */
#ifndef PHEU_MODEL_PRINCIPAL_H
#define PHEU_MODEL_PRINCIPAL_H

#include <stdatomic.h>
#include <stdint.h>

#include "model/user.h"
#include "store/db.h"
#include "store/visibility.h"

enum auth_kind { AUTH_NONE, AUTH_BEARER, AUTH_COOKIE, AUTH_CLI };

struct principal {
    atomic_int refs;
    struct user user;           /* strings live in arena */
    struct vis vis;
    enum auth_kind kind;
    char csrf[48];              /* cookie sessions: the CSRF token */
    int64_t session_id;         /* cookie sessions */
    uint64_t generation;        /* cache generation it was built in */
    int64_t expires_ms;         /* cache expiry */
    int64_t valid_until;        /* credential expiry (sessions), or 0 */
    unsigned char key[32];      /* credential hash */
    char *me_json;              /* GET /me body, built once (malloc) */
    size_t me_len;
    struct arena arena;
};

/* Builds a principal for user_id (E_NOTFOUND if absent or inactive).
 * Returns a new reference; release with principal_put. */
int principal_load(struct db_conn *c, int64_t user_id, enum auth_kind kind,
                   struct principal **out, struct err *err);
/* Builds p->me_json: the user's JSON plus, for cookie sessions, the CSRF
 * token. Call before the principal is shared (cached). */
void principal_build_me(struct principal *p);
/* Takes another reference. */
void principal_hold(struct principal *p);
/* Drops a reference; frees on the last one. Safe on NULL. */
void principal_put(struct principal *p);

/* Looks up a cached principal for this credential hash; returns a new
 * reference or NULL when absent, expired or from an older generation. */
struct principal *principal_cache_get(const unsigned char key[32]);
/* Stores p under its key (takes a reference of its own). */
void principal_cache_put(struct principal *p);
/* Drops every cached principal: a user, team or credential changed. */
void principal_cache_invalidate(void);
/* The current cache generation. */
uint64_t principal_cache_generation(void);
/* Frees the cache (shutdown). */
void principal_cache_clear(void);

#endif
