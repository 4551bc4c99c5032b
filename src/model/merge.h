/* Merging two contacts or two companies (SPEC §2, issue 4): the survivor
 * keeps every activity, deal link, stage change, collaborator and (for
 * companies) contact and deal of the other, takes the other's values for
 * the fields it lacks and the more advanced lifecycle stage; the other
 * record is removed. Audited on both ids. */
#ifndef PHEU_MODEL_MERGE_H
#define PHEU_MODEL_MERGE_H

#include "model/object.h"

/* Merges record other of o into survivor, both visible to w->who; the
 * caller holds the write transaction. */
int merge_records(struct wctx *w, const struct object *o, int64_t survivor,
                  int64_t other, struct err *err);

#endif
