/* Storage of the described CRM objects (model/object.h): one SELECT,
 * INSERT, UPDATE and DELETE written from the field tables, so every
 * object is stored the same way on both engines. */
#ifndef PHEU_STORE_Q_RECORD_H
#define PHEU_STORE_Q_RECORD_H

#include "model/object.h"

/* The column list of o ("t.id, t.first_name, ..."), prefixed by alias
 * and a dot when alias is given; allocated in a. */
const char *q_rec_cols(const struct object *o, const char *alias,
                       struct arena *a);
/* Reads the columns of q_rec_cols, starting at result column first, from
 * the current row into r. */
void q_rec_read_row(struct db_stmt *st, int first, struct rec *r,
                    struct arena *a);
/* Reads row id of o into r; E_NOTFOUND when absent. */
int q_rec_get(struct db_conn *c, const struct object *o, int64_t id,
              struct rec *r, struct arena *a, struct err *err);
/* Inserts the set, non-virtual fields of in; returns the new id. */
int q_rec_insert(struct db_conn *c, const struct rec *in, int64_t *id,
                 struct err *err);
/* Updates row id with the set, non-virtual fields of in. The caller has
 * read the row in the same write transaction (rec_update), so it exists:
 * the UPDATE is sent with db_step_nowait and its error, if any, comes
 * back from the next statement or the commit. */
int q_rec_update(struct db_conn *c, const struct rec *in, int64_t id,
                 struct err *err);
/* Deletes row id of o; E_NOTFOUND when absent. */
int q_rec_delete(struct db_conn *c, const struct object *o, int64_t id,
                 struct err *err);

#endif
