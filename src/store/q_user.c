/* User queries. */
#include "store/q_user.h"
#include "store/update.h"
#include "util/clock.h"

#include <string.h>

#define USER_COLS "id, email, name, role, team_id, sales_mode, locale, " \
    "phone, active, created_at, updated_at, password_hash"

/* Copies the current row (USER_COLS order) into *u. */
static void read_row(struct db_stmt *st, struct user *u, struct arena *a)
{
    u->id = db_col_int(st, 0);
    u->email = arena_strdup(a, db_col_text(st, 1));
    u->name = arena_strdup(a, db_col_text(st, 2));
    u->role = role_parse(db_col_text(st, 3));
    u->team_id = db_col_int(st, 4);
    u->sales_mode = arena_strdup(a, db_col_text(st, 5));
    u->locale = arena_strdup(a, db_col_text(st, 6));
    u->phone = arena_strdup(a, db_col_text(st, 7));
    u->active = (int)db_col_int(st, 8);
    u->created_at = db_col_int(st, 9);
    u->updated_at = db_col_int(st, 10);
}

/* Runs a one-row user query; E_NOTFOUND when empty. */
static int one(struct db_stmt *st, struct user *u, const char **hash,
               struct arena *a, struct err *err)
{
    int r = db_step(st, err);
    if (r == DB_ROW) {
        read_row(st, u, a);
        if (hash)
            *hash = arena_strdup(a, db_col_text(st, 11));
    }
    db_done(st);
    if (r < 0)
        return err->code;
    return r == DB_ROW ? 0 : err_set(err, E_NOTFOUND, NULL, "no such user");
}

int q_user_get(struct db_conn *c, int64_t id, struct user *u,
               struct arena *a, struct err *err)
{
    struct db_stmt *st;
    int rc = db_query(c, &st, err, "SELECT " USER_COLS " FROM users "
                      "WHERE id = ?", "i", id);
    return rc ? rc : one(st, u, NULL, a, err);
}

int q_user_get_visible(struct db_conn *c, const struct vis *v, int64_t id,
                       struct user *u, struct arena *a, struct err *err)
{
    if (!vis_can_see(v, VIS_USER, id))
        return err_set(err, E_NOTFOUND, NULL, "no such user");
    return q_user_get(c, id, u, a, err);
}

int q_user_by_email(struct db_conn *c, const char *email, struct user *u,
                    const char **hash, struct arena *a, struct err *err)
{
    struct db_stmt *st;
    int rc = db_query(c, &st, err, "SELECT " USER_COLS " FROM users "
                      "WHERE email = ?", "t", email);
    return rc ? rc : one(st, u, hash, a, err);
}

/* Reads every row of st into out (up to max). */
static int many(struct db_stmt *st, struct user *out, int max, int *n,
                struct arena *a, struct err *err)
{
    int r = DB_DONE;
    *n = 0;
    while (*n < max && (r = db_step(st, err)) == DB_ROW)
        read_row(st, &out[(*n)++], a);
    db_done(st);
    return *n < max && r < 0 ? err->code : 0;
}

int q_user_list(struct db_conn *c, const struct vis *v, int64_t after,
                int limit, struct user *out, int *n, struct arena *a,
                struct err *err)
{
    const char *sql = arena_printf(a, "SELECT " USER_COLS " FROM users "
                                   "WHERE %s AND id > ? ORDER BY id "
                                   "LIMIT ?",
                                   vis_where(v, VIS_USER, "id", a));
    struct db_stmt *st;
    int rc = db_query(c, &st, err, sql, "ii", after, (int64_t)limit);
    return rc ? rc : many(st, out, limit, n, a, err);
}

int q_user_all(struct db_conn *c, struct user **out, int *n,
               struct arena *a, struct err *err)
{
    int64_t count = 0;
    int rc = db_int(c, err, &count, "SELECT COUNT(*) FROM users", NULL);
    if (rc)
        return rc;
    *out = arena_alloc(a, sizeof(struct user) * (size_t)(count + 1));
    struct db_stmt *st;
    rc = db_query(c, &st, err, "SELECT " USER_COLS " FROM users "
                  "ORDER BY email", NULL);
    return rc ? rc : many(st, *out, (int)count, n, a, err);
}

int q_user_insert(struct db_conn *c, const struct user_in *in,
                  const char *hash, int64_t *id, struct err *err)
{
    int64_t now = clock_now_ms(), other = 0;
    /* Look first: after a failed statement PostgreSQL refuses every other
     * one in the transaction, so the conflict is found before inserting
     * (the UNIQUE constraint still guards concurrent writers). */
    int rc = db_int(c, err, &other, "SELECT id FROM users WHERE email = ?",
                    "t", in->email);
    if (rc == 0) {
        err_set(err, E_CONFLICT, "email", "a user with this email exists");
        err->id = other;
        return E_CONFLICT;
    }
    if (rc != E_NOTFOUND)
        return rc;
    rc = db_int(c, err, id, "INSERT INTO users (email, name, role, "
                "team_id, sales_mode, locale, phone, password_hash, "
                "active, created_at, updated_at) VALUES (?, ?, ?, ?, ?, "
                "?, ?, ?, ?, ?, ?) RETURNING id", "tttIttttiii",
                in->email, in->name, role_name(in->role), in->team_id,
                in->sales_mode, in->locale ? in->locale : "vi",
                in->phone, hash, (int64_t)(in->has_active ? in->active
                                           : 1), now, now);
    if (rc == E_CONFLICT)
        err_set(err, E_CONFLICT, "email", "a user with this email exists");
    return rc;
}

int q_user_update(struct db_conn *c, int64_t id, const struct user_in *in,
                  const char *hash, struct err *err)
{
    struct update u;
    update_init(&u, "users");
    if (in->email)
        update_text(&u, "email", in->email);
    if (in->name)
        update_text(&u, "name", in->name);
    if (in->role != ROLE_NONE)
        update_text(&u, "role", role_name(in->role));
    if (in->has_team)
        update_ref(&u, "team_id", in->team_id);
    if (in->has_sales_mode)
        update_text(&u, "sales_mode", in->sales_mode);
    if (in->locale)
        update_text(&u, "locale", in->locale);
    if (in->has_phone)
        update_text(&u, "phone", in->phone);
    if (in->has_active)
        update_int(&u, "active", in->active);
    if (hash)
        update_text(&u, "password_hash", hash);
    update_int(&u, "updated_at", clock_now_ms());
    int rc = update_run(&u, c, id, err);
    if (rc == E_CONFLICT)
        err_set(err, E_CONFLICT, "email", "a user with this email exists");
    return rc;
}
