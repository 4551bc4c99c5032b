/* The generic record handlers of api/records.c, for resources built on
 * model/object.h (exports, merges and timelines reuse them). */
#ifndef PHEU_API_RECORDS_H
#define PHEU_API_RECORDS_H

#include "http/http.h"
#include "model/object.h"

/* The write context of a request (actor, privileges, arena). */
struct wctx api_wctx(struct req *rq);
int api_rec_list(struct req *rq, struct resp *rs, const struct object *o);
int api_rec_get(struct req *rq, struct resp *rs, const struct object *o);
int api_rec_post(struct req *rq, struct resp *rs, const struct object *o);
int api_rec_patch(struct req *rq, struct resp *rs, const struct object *o);
int api_rec_delete(struct req *rq, struct resp *rs, const struct object *o);

#endif
