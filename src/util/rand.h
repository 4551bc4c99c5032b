/* Random numbers: secure bytes for tokens (libsodium) and a seeded,
 * deterministic generator (xoshiro256**) for demo data and tests. */
#ifndef PHEU_UTIL_RAND_H
#define PHEU_UTIL_RAND_H

#include <stddef.h>
#include <stdint.h>

/* Deterministic generator state; seed with rng_seed. */
struct rng {
    uint64_t s[4];
};

/* Seeds the generator from one 64-bit value (splitmix64 expansion). */
void rng_seed(struct rng *r, uint64_t seed);
/* Returns the next 64 random bits. */
uint64_t rng_next(struct rng *r);
/* Returns a uniform integer in [0, n); n must be > 0. */
uint64_t rng_below(struct rng *r, uint64_t n);
/* Returns a uniform double in [0, 1). */
double rng_unit(struct rng *r);

/* Fills buf with n cryptographically secure random bytes. */
void rand_secure(void *buf, size_t n);

#endif
