/* The merged timeline of a contact, company or deal (SPEC §2, issue 4):
 * activities, lifecycle stage changes, field changes (from the audit
 * log) and a contact's touchpoints, newest first, paged by an opaque
 * cursor. Emails join when their issue builds them. */
#ifndef PHEU_MODEL_TIMELINE_H
#define PHEU_MODEL_TIMELINE_H

#include "model/object.h"

/* Reads up to limit entries of record id of o after cursor (NULL: the
 * newest) into *data (a new JSON array); *next is the next page's cursor
 * or NULL. The caller has checked the record is visible. */
int timeline_read(struct db_conn *c, const struct object *o, int64_t id,
                  const char *cursor, int limit, json_t **data,
                  const char **next, struct arena *a, struct err *err);

#endif
