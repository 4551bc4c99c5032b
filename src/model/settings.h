/* Business settings (SPEC §1 "admin ... settings", §2, §4): the keys of
 * the settings table the API shows and changes, their validation, and
 * the in-memory copy of tracking_origins that the public tracking
 * endpoints read on every request (docs/decisions/0016-tracking.md). */
#ifndef PHEU_MODEL_SETTINGS_H
#define PHEU_MODEL_SETTINGS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "store/db.h"
#include "util/arena.h"

#define SETTINGS_MAX_ORIGINS 100
#define SETTINGS_MAX_RATES 200

/* The settings a caller may read as a new JSON object: "currency",
 * "time_zone" and "fx_rates" for everyone, and "tracking_origins" too
 * when all is set (admins). The tracking secret is never shown. */
int settings_get(struct db_conn *c, int all, json_t **out, struct err *err);

/* Applies a PATCH body in the caller's write transaction and audits it
 * (actor 0: the command line). Keys: "tracking_origins" (an array of
 * http(s) origins, stored lower-cased, without default ports or a
 * trailing slash, duplicates dropped) and "fx_rates" (an object of ISO
 * 4217 codes, other than the default currency, to positive numbers: the
 * value of one major unit in the default currency's major units).
 * Unknown keys and wrong JSON types are E_INVALID, read-only keys
 * ("currency", "time_zone") and bad values E_RULE, each naming the key.
 * Field names of errors live in a. Call settings_reload after the
 * commit. */
int settings_patch(struct db_conn *c, int64_t actor, json_t *body,
                   struct arena *a, struct err *err);

/* Reads tracking_origins from c into the in-memory copy (thread-safe;
 * the server calls it at start, after a PATCH and every few seconds). */
int settings_reload(struct db_conn *c, struct err *err);

/* Whether origin (len bytes, as util/origin.c writes them) is in the
 * in-memory tracking_origins: 1 yes, 0 no, -1 the list is empty.
 * Thread-safe; arg is unused (a track_origin_fn). */
int settings_origin_allowed(const char *origin, size_t len, void *arg);

/* Frees the in-memory copy (shutdown). */
void settings_clear(void);

#endif
