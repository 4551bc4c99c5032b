/* The tracking service of a running server (SPEC §4 "public endpoints:
 * anonymous, rate-limited, tiny, never slow"): requests only check and
 * enqueue hits; one writer thread with its own database connection
 * stores them in batches (one transaction each), resolving campaigns
 * from utm_campaign and visitors to the contacts they identified as.
 * Also the token key and the counters; the per-address rate limit is
 * the HTTP layer's (api/track.c).
 * docs/decisions/0016-tracking.md. */
#ifndef PHEU_TRACK_WRITER_H
#define PHEU_TRACK_WRITER_H

#include <jansson.h>

#include "store/db.h"
#include "track/hit.h"

struct track_options {
    int rate;           /* hits per second per client address (20) */
    int burst;          /* bucket size (100) */
    int queue_max;      /* hits waiting to be written (2,000,000) */
    int batch_ms;       /* longest wait before a batch is written (50) */
    int queue_mb;       /* memory of the waiting hits, MiB (256) */
    int busy_rate;      /* hits/s above which writing waits (5,000) */
    int defer_ms;       /* longest such wait for a hit; -1: never (30 s) */
};

/* Loads the tracking secret (creating it when absent) and the tracked
 * origins, and starts the writer thread on db (borrowed until
 * track_stop). o may be NULL (defaults); zero fields take defaults.
 * Returns 0 or an error (nothing started). */
int track_start(struct db *db, const struct track_options *o,
                struct err *err);

/* Stops taking hits, writes every queued hit, joins the writer thread
 * and logs the counters. Safe when not started. */
void track_stop(void);

/* The token key of the running service, or NULL when not started. */
const unsigned char *track_key(void);

/* The options of the running service (defaults filled in), or NULL
 * when not started. */
const struct track_options *track_options(void);

/* Queues hit (takes ownership): TRACK_OK, or TRACK_FULL when the queue
 * holds queue_max hits or queue_mb MiB, or the service is not running
 * (the hit is then freed and counted). */
int track_enqueue(struct track_hit *hit);

/* Counts a request that recorded nothing for reason r. */
void track_refused(int r);

/* The counters as a new JSON object: received, queued, written,
 * failed, batches, queue_length, queue_high_water, queue_bytes,
 * deferred_ms, write_ms, refused {reason: n}. */
json_t *track_stats_json(void);

#endif
