/* The HTTP API under /api/v1 (SPEC §12, Appendix A): one file per
 * resource, each with its route table; api_routes adds them all. */
#ifndef PHEU_API_API_H
#define PHEU_API_API_H

#include "http/router.h"

extern const struct route health_routes[];
extern const struct route auth_routes[];
extern const struct route me_routes[];
extern const struct route users_routes[];
extern const struct route teams_routes[];
extern const struct route tokens_routes[];
extern const struct route records_routes[];
extern const struct route pipelines_routes[];
extern const struct route custom_fields_routes[];
extern const struct route timeline_routes[];
extern const struct route merge_routes[];
extern const struct route collaborators_routes[];
extern const struct route views_routes[];
extern const struct route imports_routes[];
extern const struct route exports_routes[];
extern const struct route reports_routes[];
extern const struct route campaigns_routes[];
extern const struct route touchpoints_routes[];
extern const struct route track_routes[];
extern const struct route settings_routes[];
extern const struct route forms_routes[];

/* Adds every API route table to r. */
void api_routes(struct router *r);

/* Ends a write handler: commits when rc is 0, else rolls back and sends
 * the error; returns rc. */
int api_finish(struct req *rq, struct resp *rs, int rc, struct err *err);

#endif
