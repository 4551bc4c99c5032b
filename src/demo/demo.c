/* Demo data: teams and users. Every demo user shares the demo password,
 * hashed once (Argon2id is deliberately slow). */
#include "demo/demo.h"
#include "demo/names.h"
#include "model/auth.h"
#include "model/team.h"
#include "model/user.h"
#include "store/audit.h"
#include "store/q_team.h"
#include "store/q_user.h"
#include "util/clock.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

struct gen {
    struct db_conn *c;
    struct rng rng;
    const char *hash;
    struct demo_result *res;
    struct err *err;
    uint64_t uniq;
};

/* Inserts one team and audits it; returns its id or 0 on error. */
static int64_t add_team(struct gen *g, const char *name, const char *kind,
                        int64_t parent)
{
    struct team_in in = {.name = name, .kind = kind, .has_parent = 1,
                         .parent_id = parent};
    int64_t id = 0;
    if (q_team_insert(g->c, &in, &id, g->err))
        return 0;
    json_t *nv = json_pack("{s:s, s:s}", "name", name, "kind", kind);
    int rc = audit_write(g->c, 0, "create", "team", id, NULL, nv, g->err);
    json_decref(nv);
    g->res->teams++;
    return rc ? 0 : id;
}

/* Inserts one user with a generated Vietnamese name (or the given one)
 * and audits it; returns its id or 0 on error. */
static int64_t add_user(struct gen *g, const char *email, const char *name,
                        enum role role, int64_t team, const char *mode)
{
    struct person_name p;
    char full[160], mail[160], phone[24];
    names_person(&g->rng, &p);
    names_phone(&g->rng, phone, sizeof(phone));
    if (!name) {
        names_full(&p, full, sizeof(full));
        name = full;
    }
    if (!email) {
        names_email(&p, "demo.pheu.vn", ++g->uniq, mail, sizeof(mail));
        email = mail;
    }
    struct user_in in = {.email = email, .name = name, .role = role,
                         .has_team = 1, .team_id = team, .sales_mode = mode,
                         .phone = phone, .locale = "vi"};
    int64_t id = 0;
    if (q_user_insert(g->c, &in, g->hash, &id, g->err))
        return 0;
    json_t *nv = json_pack("{s:s, s:s, s:s}", "email", email, "name", name,
                           "role", role_name(role));
    int rc = audit_write(g->c, 0, "create", "user", id, NULL, nv, g->err);
    json_decref(nv);
    g->res->users++;
    return rc ? 0 : id;
}

/* Sets a team's manager, audited like any change. */
static int set_manager(struct gen *g, int64_t team, int64_t user)
{
    int rc = db_run(g->c, g->err, "UPDATE teams SET manager_id = ?, "
                    "updated_at = ? WHERE id = ?", "iii", user,
                    clock_now_ms(), team);
    if (rc)
        return rc;
    json_t *nv = json_pack("{s:I}", "manager_id", (json_int_t)user);
    rc = audit_write(g->c, 0, "update", "team", team, NULL, nv, g->err);
    json_decref(nv);
    return rc;
}

/* Builds a regional sales team: a manager and nreps reps, half inside
 * and half outside, plus a specialist and an account executive. */
static int sales_region(struct gen *g, const char *name, int64_t parent,
                        long nreps)
{
    int64_t t = add_team(g, name, "sales", parent);
    if (!t)
        return g->err->code;
    int64_t m = add_user(g, NULL, NULL, ROLE_SALES_MANAGER, t, NULL);
    if (!m || set_manager(g, t, m))
        return g->err->code ? g->err->code : E_DB;
    for (long i = 0; i < nreps; i++)
        if (!add_user(g, NULL, NULL, ROLE_SALES_REP, t,
                      i % 2 ? "outside" : "inside"))
            return g->err->code;
    if (!add_user(g, NULL, NULL, ROLE_SALES_SPECIALIST, t, NULL) ||
        !add_user(g, NULL, NULL, ROLE_ACCOUNT_EXECUTIVE, t, NULL))
        return g->err->code;
    return 0;
}

/* The organisation: admin, marketing, sales (two regions), success. */
static int build(struct gen *g, long reps)
{
    if (!add_user(g, DEMO_ADMIN_EMAIL, "Quản trị Phễu", ROLE_ADMIN, 0, NULL))
        return g->err->code;
    int64_t mk = add_team(g, "Marketing", "marketing", 0);
    int64_t mkd = mk ? add_team(g, "Marketing số", "marketing", mk) : 0;
    int64_t mm = mkd ? add_user(g, NULL, NULL, ROLE_MARKETING_MANAGER, mk,
                                NULL) : 0;
    if (!mm || set_manager(g, mk, mm))
        return g->err->code ? g->err->code : E_DB;
    int64_t mm2 = add_user(g, NULL, NULL, ROLE_MARKETING_MANAGER, mkd, NULL);
    if (!mm2 || set_manager(g, mkd, mm2))
        return g->err->code ? g->err->code : E_DB;
    for (int i = 0; i < 3; i++)
        if (!add_user(g, NULL, NULL, ROLE_MARKETER, i ? mkd : mk, NULL))
            return g->err->code;
    int64_t sales = add_team(g, "Kinh doanh", "sales", 0);
    int64_t head = sales ? add_user(g, NULL, NULL, ROLE_SALES_MANAGER, sales,
                                    NULL) : 0;
    if (!head || set_manager(g, sales, head))
        return g->err->code ? g->err->code : E_DB;
    int rc = sales_region(g, "Kinh doanh Hà Nội", sales, reps / 2);
    if (!rc)
        rc = sales_region(g, "Kinh doanh TP. Hồ Chí Minh", sales,
                          reps - reps / 2);
    if (rc)
        return rc;
    int64_t cs = add_team(g, "Chăm sóc khách hàng", "success", 0);
    int64_t csm = cs ? add_user(g, NULL, NULL, ROLE_CUSTOMER_SUCCESS, cs,
                                NULL) : 0;
    if (!csm || set_manager(g, cs, csm))
        return g->err->code ? g->err->code : E_DB;
    for (int i = 0; i < 2; i++)
        if (!add_user(g, NULL, NULL, ROLE_CUSTOMER_SUCCESS, cs, NULL))
            return g->err->code;
    /* Managers were set after the closure was built; it does not depend
     * on managers, only on parents, so it is current. */
    return 0;
}

int demo_generate(struct db *db, const struct demo_options *o,
                  struct demo_result *res, struct err *err)
{
    char hash[crypto_pwhash_STRBYTES];
    struct gen g = {.res = res, .err = err};
    memset(res, 0, sizeof(*res));
    int rc = db_conn_get(db, &g.c, err);
    if (rc)
        return rc;
    int64_t n = 0;
    rc = db_int(g.c, err, &n, "SELECT COUNT(*) FROM users WHERE email = ?",
                "t", DEMO_ADMIN_EMAIL);
    if (rc)
        return rc;
    if (n) {
        res->already = 1;
        return 0;
    }
    rc = auth_hash_password(DEMO_PASSWORD, hash, sizeof(hash), err);
    if (rc)
        return rc;
    g.hash = hash;
    rng_seed(&g.rng, o->seed);
    long reps = o->contacts / 5000;
    reps = reps < 6 ? 6 : reps > 200 ? 200 : reps;
    rc = db_begin_write(g.c, err);
    if (rc)
        return rc;
    rc = build(&g, reps);
    if (!rc)
        rc = db_commit(g.c, err);
    if (rc)
        db_rollback(g.c);
    return rc;
}
