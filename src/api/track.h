/* The public tracking endpoints (/t.js, /t.gif, /t/collect, /t/c) and
 * their start and stop with `pheu serve`: the writer thread of
 * track/writer.c and the per-address rate limits. */
#ifndef PHEU_API_TRACK_H
#define PHEU_API_TRACK_H

#include "store/db.h"
#include "track/writer.h"

/* Starts the tracking writer on db and the rate limits (o may be NULL:
 * defaults). 0 or an error. */
int tracking_start(struct db *db, const struct track_options *o,
                   struct err *err);

/* Writes what is queued and stops; safe when not started. */
void tracking_stop(void);

#endif
