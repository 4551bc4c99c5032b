/* Team queries and closure maintenance. Teams are few (tens to hundreds),
 * so the closure is rebuilt whole on any change of the tree. */
#include "store/q_team.h"
#include "store/update.h"
#include "util/clock.h"

#define TEAM_COLS "id, name, kind, parent_id, manager_id, created_at, " \
    "updated_at"

/* Copies the current row into *t. */
static void read_row(struct db_stmt *st, struct team *t, struct arena *a)
{
    t->id = db_col_int(st, 0);
    t->name = arena_strdup(a, db_col_text(st, 1));
    t->kind = arena_strdup(a, db_col_text(st, 2));
    t->parent_id = db_col_int(st, 3);
    t->manager_id = db_col_int(st, 4);
    t->created_at = db_col_int(st, 5);
    t->updated_at = db_col_int(st, 6);
}

int q_team_get(struct db_conn *c, int64_t id, struct team *t,
               struct arena *a, struct err *err)
{
    struct db_stmt *st;
    int rc = db_query(c, &st, err, "SELECT " TEAM_COLS " FROM teams "
                      "WHERE id = ?", "i", id);
    if (rc)
        return rc;
    int r = db_step(st, err);
    if (r == DB_ROW)
        read_row(st, t, a);
    db_done(st);
    if (r < 0)
        return err->code;
    return r == DB_ROW ? 0 : err_set(err, E_NOTFOUND, NULL, "no such team");
}

int q_team_list(struct db_conn *c, int64_t after, int limit,
                struct team *out, int *n, struct arena *a, struct err *err)
{
    struct db_stmt *st;
    int rc = db_query(c, &st, err, "SELECT " TEAM_COLS " FROM teams "
                      "WHERE id > ? ORDER BY id LIMIT ?", "ii", after,
                      (int64_t)limit);
    if (rc)
        return rc;
    int r = DB_DONE;
    *n = 0;
    while (*n < limit && (r = db_step(st, err)) == DB_ROW)
        read_row(st, &out[(*n)++], a);
    db_done(st);
    return r < 0 ? err->code : 0;
}

/* Recomputes team_closure from the parent links. */
static int rebuild_closure(struct db_conn *c, struct err *err)
{
    int rc = db_run(c, err, "DELETE FROM team_closure", NULL);
    if (rc)
        return rc;
    return db_run(c, err, "WITH RECURSIVE t(a, d, depth) AS ("
                  " SELECT id, id, 0 FROM teams"
                  " UNION ALL SELECT t.a, k.id, t.depth + 1"
                  " FROM t JOIN teams k ON k.parent_id = t.d) "
                  "INSERT INTO team_closure (ancestor_id, descendant_id, "
                  "depth) SELECT a, d, depth FROM t", NULL);
}

/* Checks that the referenced parent team and manager user exist. */
static int check_refs(struct db_conn *c, const struct team_in *in,
                      struct err *err)
{
    int64_t n = 0;
    int rc;
    if (in->has_parent && in->parent_id) {
        rc = db_int(c, err, &n, "SELECT COUNT(*) FROM teams WHERE id = ?",
                    "i", in->parent_id);
        if (rc)
            return rc;
        if (!n)
            return err_set(err, E_RULE, "parent_id", "no such team");
    }
    if (in->has_manager && in->manager_id) {
        rc = db_int(c, err, &n, "SELECT COUNT(*) FROM users WHERE id = ?",
                    "i", in->manager_id);
        if (rc)
            return rc;
        if (!n)
            return err_set(err, E_RULE, "manager_id", "no such user");
    }
    return 0;
}

int q_team_insert(struct db_conn *c, const struct team_in *in, int64_t *id,
                  struct err *err)
{
    int rc = check_refs(c, in, err);
    if (rc)
        return rc;
    int64_t now = clock_now_ms();
    rc = db_int(c, err, id, "INSERT INTO teams (name, kind, parent_id, "
                "manager_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, "
                "?) RETURNING id", "ttIIii", in->name, in->kind,
                in->parent_id, in->manager_id, now, now);
    return rc ? rc : rebuild_closure(c, err);
}

int q_team_update(struct db_conn *c, int64_t id, const struct team_in *in,
                  struct err *err)
{
    int rc = check_refs(c, in, err);
    if (rc)
        return rc;
    if (in->has_parent && in->parent_id) {
        int64_t n = 0;
        rc = db_int(c, err, &n, "SELECT COUNT(*) FROM team_closure WHERE "
                    "ancestor_id = ? AND descendant_id = ?", "ii", id,
                    in->parent_id);
        if (rc)
            return rc;
        if (n)
            return err_set(err, E_RULE, "parent_id", "a team cannot be "
                           "inside its own subtree");
    }
    struct update u;
    update_init(&u, "teams");
    if (in->name)
        update_text(&u, "name", in->name);
    if (in->kind)
        update_text(&u, "kind", in->kind);
    if (in->has_parent)
        update_ref(&u, "parent_id", in->parent_id);
    if (in->has_manager)
        update_ref(&u, "manager_id", in->manager_id);
    update_int(&u, "updated_at", clock_now_ms());
    rc = update_run(&u, c, id, err);
    if (!rc && in->has_parent)
        rc = rebuild_closure(c, err);
    return rc;
}
