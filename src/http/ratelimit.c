/* Token buckets per client key in a bounded, lock-striped table
 * (see ratelimit.h). Keys are hashed with a random SipHash key
 * (libsodium's crypto_shorthash), so clients cannot aim at one group. */
#include "http/ratelimit.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define RL_GROUPS 64            /* locks */
#define RL_SLOTS 128            /* keys per group: 8,192 in all */
#define RL_PROBE 8              /* slots looked at per key */

struct rl_slot {
    uint64_t hash;              /* 0: free */
    int64_t milli;              /* tokens × 1000 */
    int64_t last_ms;            /* last refill */
};

struct rl_group {
    pthread_mutex_t lock;
    struct rl_slot slot[RL_SLOTS];
};

struct ratelimit {
    int64_t rate, burst;
    unsigned char key[crypto_shorthash_KEYBYTES];
    struct rl_group group[RL_GROUPS];
};

struct ratelimit *ratelimit_new(int rate, int burst)
{
    if (sodium_init() < 0 || rate <= 0 || burst <= 0)
        return NULL;
    struct ratelimit *rl = calloc(1, sizeof(*rl));
    if (!rl)
        return NULL;
    rl->rate = rate;
    rl->burst = burst;
    crypto_shorthash_keygen(rl->key);
    for (int i = 0; i < RL_GROUPS; i++)
        pthread_mutex_init(&rl->group[i].lock, NULL);
    return rl;
}

void ratelimit_free(struct ratelimit *rl)
{
    if (!rl)
        return;
    for (int i = 0; i < RL_GROUPS; i++)
        pthread_mutex_destroy(&rl->group[i].lock);
    free(rl);
}

/* The slot of hash h in g: its own, else a free one, else the least
 * recently seen of the probed slots (reset to a full bucket). */
static struct rl_slot *find_slot(struct ratelimit *rl, struct rl_group *g,
                                 uint64_t h, int64_t now_ms)
{
    struct rl_slot *victim = NULL;
    for (int i = 0; i < RL_PROBE; i++) {
        struct rl_slot *s = &g->slot[(h / RL_GROUPS + (uint64_t)i) %
                                     RL_SLOTS];
        if (s->hash == h)
            return s;
        if (!victim || (victim->hash && (!s->hash ||
                                         s->last_ms < victim->last_ms)))
            victim = s;
    }
    victim->hash = h;
    victim->milli = rl->burst * 1000;
    victim->last_ms = now_ms;
    return victim;
}

int ratelimit_take(struct ratelimit *rl, const char *key, int64_t now_ms)
{
    unsigned char out[crypto_shorthash_BYTES];
    uint64_t h;
    crypto_shorthash(out, (const unsigned char *)key, strlen(key), rl->key);
    memcpy(&h, out, sizeof(h));
    struct rl_group *g = &rl->group[h % RL_GROUPS];
    h |= (uint64_t)1 << 63;     /* never 0, the free mark; after the group
                                 * is chosen, so every group is used */
    pthread_mutex_lock(&g->lock);
    struct rl_slot *s = find_slot(rl, g, h, now_ms);
    if (now_ms > s->last_ms) {
        s->milli += (now_ms - s->last_ms) * rl->rate;
        if (s->milli > rl->burst * 1000)
            s->milli = rl->burst * 1000;
        s->last_ms = now_ms;
    }
    int ok = s->milli >= 1000;
    if (ok)
        s->milli -= 1000;
    pthread_mutex_unlock(&g->lock);
    return ok;
}
