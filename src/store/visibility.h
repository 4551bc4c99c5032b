/* Record visibility (SPEC §1), the one mechanism every read, list, write
 * and report goes through: admins see all; managers see records owned by
 * anyone in the subtree of the teams they manage (their own team when
 * their role is a manager role, and any team whose manager_id is them);
 * everyone else sees what they own and the contacts, companies and deals
 * they are a collaborator on.
 * Marketing roles see every contact and company; every signed-in user
 * sees every campaign (sales needs to know where a lead came from;
 * decision 0011). Invisible records answer
 * 404 (E_NOTFOUND), never 403. */
#ifndef PHEU_STORE_VISIBILITY_H
#define PHEU_STORE_VISIBILITY_H

#include <stdint.h>

#include "store/db.h"
#include "util/arena.h"

enum vis_object { VIS_USER, VIS_CONTACT, VIS_COMPANY, VIS_DEAL,
                  VIS_ACTIVITY, VIS_CAMPAIGN };

struct vis {
    int64_t viewer;
    int see_all;        /* admin */
    int see_audience;   /* marketing roles: all contacts and companies */
    int64_t *owners;    /* sorted owner ids whose records are visible */
    int nowners;
    const char *in_open, *in_close;     /* db_in_select of the viewer's
                                         * database, see vis_where_rec */
};

/* Computes what user_id may see. The flags come from the user's role.
 * Fills *out (release with vis_release). */
int vis_load(struct db_conn *c, int64_t user_id, int is_admin,
             int is_manager_role, int is_marketing, struct vis *out,
             struct err *err);
/* Frees the owner list. */
void vis_release(struct vis *v);
/* Whether a record of kind o owned by owner_id is visible. */
int vis_can_see(const struct vis *v, enum vis_object o, int64_t owner_id);
/* Returns an SQL predicate restricting col (the owner column) to what v
 * may see: "1=1" or "col IN (...)". The ids come from the database, never
 * from the request. Allocated in a. */
const char *vis_where(const struct vis *v, enum vis_object o,
                      const char *col, struct arena *a);

/* As vis_where for a CRM record table: also lets through the records
 * the viewer collaborates on (id_col is the record's id column). On
 * PostgreSQL (db_in_select) those are "id_col = ANY(ARRAY(subquery))", not
 * "id_col IN (subquery)": inside an OR the latter is a hashed subplan
 * that no index serves and that the planner guesses at half the table,
 * so a sales rep's few thousand contacts were found by scanning all of
 * them (in parallel workers); the array form is an init plan the planner
 * can put in a BitmapOr with the owner index, and estimate. */
const char *vis_where_rec(const struct vis *v, enum vis_object o,
                          const char *owner_col, const char *id_col,
                          struct arena *a);
/* Whether record id of kind o, owned by owner_id, is visible: by owner,
 * else by the collaborators table. Returns 0, E_NOTFOUND, or a storage
 * error. */
int vis_check(struct db_conn *c, const struct vis *v, enum vis_object o,
              int64_t id, int64_t owner_id, struct err *err);
/* The collaborators.object name of o ("contact"), or NULL. */
const char *vis_object_name(enum vis_object o);

#endif
