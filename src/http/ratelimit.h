/* Per-client rate limits for the public endpoints (tracking, forms):
 * a token bucket per key (the client's address), in a fixed-size table
 * so memory stays bounded whatever the number of clients. Thread-safe;
 * the table is split into independently locked groups. */
#ifndef PHEU_HTTP_RATELIMIT_H
#define PHEU_HTTP_RATELIMIT_H

#include <stdint.h>

struct ratelimit;

/* A limit of rate requests per second on average with bursts of up to
 * burst requests; NULL when out of memory. Free with ratelimit_free. */
struct ratelimit *ratelimit_new(int rate, int burst);
void ratelimit_free(struct ratelimit *rl);

/* Takes one request of key at now_ms (a monotonic or wall clock in ms):
 * 1 when allowed, 0 when over the limit. When the table's group for key
 * is full, the least recently seen key of the group is forgotten (it
 * starts again with a full bucket): a flood of addresses can only reset
 * limits, never block a client that is within its own. */
int ratelimit_take(struct ratelimit *rl, const char *key, int64_t now_ms);

#endif
