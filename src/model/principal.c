/* Principal construction and the credential cache: a direct-mapped table
 * under one mutex; a generation counter invalidates everything at once
 * when users, teams or credentials change. */
#include "model/principal.h"
#include "store/q_user.h"
#include "util/clock.h"
#include "util/xalloc.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define CACHE_SLOTS 4096
#define CACHE_TTL_MS 10000

static struct principal *slots[CACHE_SLOTS];
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static _Atomic uint64_t generation = 1;

int principal_load(struct db_conn *c, int64_t user_id, enum auth_kind kind,
                   struct principal **out, struct err *err)
{
    struct principal *p = xcalloc(1, sizeof(*p));
    atomic_init(&p->refs, 1);
    arena_init(&p->arena);
    p->kind = kind;
    p->generation = atomic_load(&generation);
    int rc = q_user_get(c, user_id, &p->user, &p->arena, err);
    if (!rc && !p->user.active)
        rc = err_set(err, E_NOTFOUND, NULL, "no such user");
    if (!rc)
        rc = vis_load(c, user_id, p->user.role == ROLE_ADMIN,
                      role_is_manager(p->user.role),
                      role_is_marketing(p->user.role), &p->vis, err);
    if (rc) {
        arena_release(&p->arena);
        free(p);
        return rc;
    }
    *out = p;
    return 0;
}

void principal_build_me(struct principal *p)
{
    json_t *o = user_to_json(&p->user);
    if (p->kind == AUTH_COOKIE)
        json_object_set_new(o, "csrf_token", json_string(p->csrf));
    free(p->me_json);
    p->me_json = json_dumps(o, JSON_COMPACT);
    p->me_len = p->me_json ? strlen(p->me_json) : 0;
    json_decref(o);
}

void principal_hold(struct principal *p)
{
    atomic_fetch_add(&p->refs, 1);
}

void principal_put(struct principal *p)
{
    if (!p || atomic_fetch_sub(&p->refs, 1) != 1)
        return;
    vis_release(&p->vis);
    arena_release(&p->arena);
    free(p->me_json);
    free(p);
}

/* The slot for a credential hash. */
static unsigned slot_of(const unsigned char key[32])
{
    unsigned v;
    memcpy(&v, key, sizeof(v));
    return v % CACHE_SLOTS;
}

struct principal *principal_cache_get(const unsigned char key[32])
{
    struct principal *p, *stale = NULL;
    unsigned s = slot_of(key);
    pthread_mutex_lock(&cache_lock);
    p = slots[s];
    if (p && memcmp(p->key, key, 32) == 0) {
        if (p->generation == atomic_load(&generation) &&
            p->expires_ms > clock_now_ms()) {
            principal_hold(p);
        } else {
            stale = p;
            slots[s] = NULL;
            p = NULL;
        }
    } else {
        p = NULL;
    }
    pthread_mutex_unlock(&cache_lock);
    principal_put(stale);
    return p;
}

void principal_cache_put(struct principal *p)
{
    struct principal *old;
    p->expires_ms = clock_now_ms() + CACHE_TTL_MS;
    if (p->valid_until && p->valid_until < p->expires_ms)
        p->expires_ms = p->valid_until;   /* never outlive the session */
    principal_hold(p);
    unsigned s = slot_of(p->key);
    pthread_mutex_lock(&cache_lock);
    old = slots[s];
    slots[s] = p;
    pthread_mutex_unlock(&cache_lock);
    principal_put(old);
}

void principal_cache_invalidate(void)
{
    atomic_fetch_add(&generation, 1);
}

uint64_t principal_cache_generation(void)
{
    return atomic_load(&generation);
}

void principal_cache_clear(void)
{
    pthread_mutex_lock(&cache_lock);
    for (int i = 0; i < CACHE_SLOTS; i++) {
        principal_put(slots[i]);
        slots[i] = NULL;
    }
    pthread_mutex_unlock(&cache_lock);
}
