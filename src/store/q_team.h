/* Queries on teams and the team closure table behind visibility. */
#ifndef PHEU_STORE_Q_TEAM_H
#define PHEU_STORE_Q_TEAM_H

#include "model/team.h"
#include "store/db.h"

/* Loads team id; E_NOTFOUND when absent. */
int q_team_get(struct db_conn *c, int64_t id, struct team *t,
               struct arena *a, struct err *err);
/* Lists teams with id > after by id, at most limit; sets *n. */
int q_team_list(struct db_conn *c, int64_t after, int limit,
                struct team *out, int *n, struct arena *a, struct err *err);
/* Inserts a team and its closure rows; E_RULE naming parent_id or
 * manager_id when they do not exist. Sets *id. */
int q_team_insert(struct db_conn *c, const struct team_in *in, int64_t *id,
                  struct err *err);
/* Updates the given fields; a new parent inside the team's own subtree
 * is E_RULE on parent_id. Rebuilds the closure when the parent changes. */
int q_team_update(struct db_conn *c, int64_t id, const struct team_in *in,
                  struct err *err);

#endif
