/* Visibility: loads the set of owners a user may see through the team
 * closure table, then answers per record (binary search) and per list
 * (an SQL predicate). */
#include "store/visibility.h"
#include "util/buf.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* Users in the subtree of the teams the viewer manages. */
static const char *const SQL_SUBTREE =
    "SELECT DISTINCT u.id FROM users u "
    "JOIN team_closure tc ON tc.descendant_id = u.team_id "
    "WHERE tc.ancestor_id IN ("
    " SELECT id FROM teams WHERE manager_id = ?"
    " UNION SELECT team_id FROM users"
    "  WHERE id = ? AND team_id IS NOT NULL AND ? = 1) "
    "ORDER BY u.id";

static int cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Adds id to the owner list. */
static void push(struct vis *v, int *cap, int64_t id)
{
    if (v->nowners == *cap) {
        *cap = *cap ? *cap * 2 : 8;
        v->owners = xrealloc(v->owners, sizeof(int64_t) * (size_t)*cap);
    }
    v->owners[v->nowners++] = id;
}

int vis_load(struct db_conn *c, int64_t user_id, int is_admin,
             int is_manager_role, int is_marketing, struct vis *out,
             struct err *err)
{
    memset(out, 0, sizeof(*out));
    out->viewer = user_id;
    out->see_all = is_admin;
    out->see_audience = is_admin || is_marketing;
    out->in_open = db_in_select(db_conn_db(c), 0);
    out->in_close = db_in_select(db_conn_db(c), 1);
    int cap = 0, rc = 0, r;
    push(out, &cap, user_id);
    if (is_admin)
        return 0;
    struct db_stmt *st;
    rc = db_query(c, &st, err, SQL_SUBTREE, "iii", user_id, user_id,
                  (int64_t)is_manager_role);
    if (rc)
        goto fail;
    while ((r = db_step(st, err)) == DB_ROW)
        push(out, &cap, db_col_int(st, 0));
    db_done(st);
    if (r < 0) {
        rc = err->code;
        goto fail;
    }
    qsort(out->owners, (size_t)out->nowners, sizeof(int64_t), cmp_id);
    int n = 0;  /* drop the duplicate of the viewer */
    for (int i = 0; i < out->nowners; i++)
        if (i == 0 || out->owners[i] != out->owners[n - 1])
            out->owners[n++] = out->owners[i];
    out->nowners = n;
    return 0;
fail:
    vis_release(out);
    return rc;
}

void vis_release(struct vis *v)
{
    free(v->owners);
    v->owners = NULL;
    v->nowners = 0;
}

/* Whether the object kind is part of the marketing audience. */
static int audience(enum vis_object o)
{
    return o == VIS_CONTACT || o == VIS_COMPANY;
}

/* Whether every signed-in user sees every record of the kind. */
static int public(enum vis_object o)
{
    return o == VIS_CAMPAIGN;
}

int vis_can_see(const struct vis *v, enum vis_object o, int64_t owner_id)
{
    if (v->see_all || public(o) || (v->see_audience && audience(o)))
        return 1;
    return bsearch(&owner_id, v->owners, (size_t)v->nowners,
                   sizeof(int64_t), cmp_id) != NULL;
}

const char *vis_where(const struct vis *v, enum vis_object o,
                      const char *col, struct arena *a)
{
    if (v->see_all || public(o) || (v->see_audience && audience(o)))
        return "1=1";
    struct buf b;
    buf_init(&b, (size_t)-1);
    buf_addf(&b, "%s IN (", col);
    for (int i = 0; i < v->nowners; i++)
        buf_addf(&b, "%s%lld", i ? "," : "", (long long)v->owners[i]);
    buf_adds(&b, ")");
    const char *s = arena_strdup(a, buf_cstr(&b));
    buf_release(&b);
    return s;
}

const char *vis_object_name(enum vis_object o)
{
    switch (o) {
    case VIS_CONTACT:
        return "contact";
    case VIS_COMPANY:
        return "company";
    case VIS_DEAL:
        return "deal";
    default:
        return NULL;
    }
}

const char *vis_where_rec(const struct vis *v, enum vis_object o,
                          const char *owner_col, const char *id_col,
                          struct arena *a)
{
    const char *base = vis_where(v, o, owner_col, a);
    const char *name = vis_object_name(o);
    if (!strcmp(base, "1=1") || !name)
        return base;
    return arena_printf(a, "(%s OR %s %sSELECT record_id FROM "
                        "collaborators WHERE object = '%s' AND user_id = "
                        "%lld%s)", base, id_col, v->in_open, name,
                        (long long)v->viewer, v->in_close);
}

int vis_check(struct db_conn *c, const struct vis *v, enum vis_object o,
              int64_t id, int64_t owner_id, struct err *err)
{
    if (vis_can_see(v, o, owner_id))
        return 0;
    const char *name = vis_object_name(o);
    if (!name)
        return err_set(err, E_NOTFOUND, NULL, "not found");
    int64_t n = 0;
    int rc = db_int(c, err, &n, "SELECT COUNT(*) FROM collaborators WHERE "
                    "object = ? AND record_id = ? AND user_id = ?", "tii",
                    name, id, v->viewer);
    if (rc)
        return rc;
    return n ? 0 : err_set(err, E_NOTFOUND, NULL, "no such %s", name);
}
