/* Demo data: teams and users, then the CRM records (demo/records.c).
 * Every demo user shares the demo password, hashed once (Argon2id is
 * deliberately slow). Written to CSV files instead, the organisation is
 * only numbered (ids as a fresh database gives them), never stored. */
#include "demo/demo.h"
#include "demo/forms.h"
#include "demo/marketing.h"
#include "demo/names.h"
#include "demo/records.h"
#include "store/bulk.h"
#include "model/auth.h"
#include "model/team.h"
#include "model/user.h"
#include "store/audit.h"
#include "store/q_team.h"
#include "store/q_user.h"
#include "util/clock.h"

#include <sodium.h>
#include <stdio.h>
#include <sys/resource.h>
#include <string.h>

struct gen {
    struct db_conn *c;
    struct rng rng;
    const char *hash;
    struct demo_result *res;
    struct err *err;
    uint64_t uniq;
    int dry;                    /* number the org, store nothing (CSV) */
    int64_t next_team, next_user;
    struct demo_org *org;
};

/* Inserts one team and audits it; returns its id or 0 on error. */
static int64_t add_team(struct gen *g, const char *name, const char *kind,
                        int64_t parent)
{
    struct team_in in = {.name = name, .kind = kind, .has_parent = 1,
                         .parent_id = parent};
    int64_t id = 0;
    if (g->dry) {
        g->res->teams++;
        return ++g->next_team;
    }
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
    if (g->dry) {
        g->res->users++;
        return ++g->next_user;
    }
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
    if (g->dry)
        return 0;
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
 * and half outside, plus a specialist and an account executive; notes
 * who they are for the records of region. */
static int sales_region(struct gen *g, const char *name, int64_t parent,
                        long nreps, int region)
{
    struct demo_org *o = g->org;
    int64_t t = add_team(g, name, "sales", parent);
    if (!t)
        return g->err->code;
    int64_t m = add_user(g, NULL, NULL, ROLE_SALES_MANAGER, t, NULL);
    if (!m || set_manager(g, t, m))
        return g->err->code ? g->err->code : E_DB;
    o->manager[region] = m;
    for (long i = 0; i < nreps; i++) {
        int64_t id = add_user(g, NULL, NULL, ROLE_SALES_REP, t,
                              i % 2 ? "outside" : "inside");
        if (!id)
            return g->err->code;
        if (o->nreps[region] < DEMO_MAX_REPS)
            o->reps[region][o->nreps[region]++] = id;
    }
    o->specialist[region] = add_user(g, NULL, NULL, ROLE_SALES_SPECIALIST, t,
                                     NULL);
    o->ae[region] = o->specialist[region]
        ? add_user(g, NULL, NULL, ROLE_ACCOUNT_EXECUTIVE, t, NULL) : 0;
    return o->ae[region] ? 0 : g->err->code;
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
    g->org->mkt[g->org->nmkt++] = mm;
    g->org->mkt[g->org->nmkt++] = mm2;
    for (int i = 0; i < 3; i++) {
        int64_t id = add_user(g, NULL, NULL, ROLE_MARKETER, i ? mkd : mk,
                              NULL);
        if (!id)
            return g->err->code;
        g->org->mkt[g->org->nmkt++] = id;
    }
    int64_t sales = add_team(g, "Kinh doanh", "sales", 0);
    int64_t head = sales ? add_user(g, NULL, NULL, ROLE_SALES_MANAGER, sales,
                                    NULL) : 0;
    if (!head || set_manager(g, sales, head))
        return g->err->code ? g->err->code : E_DB;
    int rc = sales_region(g, "Kinh doanh Hà Nội", sales, reps / 2, 0);
    if (!rc)
        rc = sales_region(g, "Kinh doanh TP. Hồ Chí Minh", sales,
                          reps - reps / 2, 1);
    if (rc)
        return rc;
    int64_t cs = add_team(g, "Chăm sóc khách hàng", "success", 0);
    int64_t csm = cs ? add_user(g, NULL, NULL, ROLE_CUSTOMER_SUCCESS, cs,
                                NULL) : 0;
    if (!csm || set_manager(g, cs, csm))
        return g->err->code ? g->err->code : E_DB;
    g->org->cs[g->org->ncs++] = csm;
    for (int i = 0; i < 2; i++) {
        int64_t id = add_user(g, NULL, NULL, ROLE_CUSTOMER_SUCCESS, cs, NULL);
        if (!id)
            return g->err->code;
        g->org->cs[g->org->ncs++] = id;
    }
    /* Managers were set after the closure was built; it does not depend
     * on managers, only on parents, so it is current. */
    return 0;
}

/* CPU time used by the process so far, in microseconds. */
static int64_t cpu_us(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (int64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 +
           ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
}

void demo_phase(const struct demo_options *o, const char *phase)
{
    static int64_t last, last_cpu;
    int64_t now = clock_mono_us(), cpu = cpu_us();
    if (o->verbose && last)
        fprintf(stderr, "demo: %-22s %7.2f s (cpu %.2f s)\n", phase,
                (double)(now - last) / 1e6, (double)(cpu - last_cpu) / 1e6);
    last = now;
    last_cpu = cpu;
}

int64_t demo_today(void)
{
    const int64_t day = 86400000LL, offset = 7LL * 3600 * 1000;
    int64_t local = clock_now_ms() + offset;
    return local - local % day - offset;
}

/* The tables whose secondary indexes are rebuilt after a load. */
static const char *const LOADED[] = {"companies", "contacts",
    "stage_changes", "deals", "deal_contacts", "activities", "collaborators",
    "search_terms", "campaigns", "campaign_costs", "touchpoints", NULL};

/* The tables whose rows are loaded with explicit ids. */
static const char *const LOADED_IDS[] = {"companies", "contacts", "deals",
                                         "activities", "campaigns"};

/* Plans the campaigns (ids from base) and writes them and their costs:
 * the records' touchpoints name them. */
static int campaigns(const struct demo_sink *out, const struct demo_org *org,
                     const struct demo_options *o, int64_t today,
                     int64_t base, struct mkt **m, struct demo_result *res,
                     struct err *err)
{
    *m = mkt_new(org, o->seed, o->contacts, today, base);
    int rc = mkt_write_campaigns(*m, out, res, err);
    demo_phase(o, "campaigns");
    return rc;
}

/* Writes the records into the database: indexes dropped, rows loaded,
 * indexes built again, all inside the caller's transaction. */
static int load_records(struct gen *g, const struct demo_options *o,
                        int64_t today)
{
    struct bulk_indexes saved = {0};
    struct demo_sink out = {g->c, NULL};
    struct mkt *m = NULL;
    int64_t base = 0;
    int rc = bulk_next_id(g->c, "campaigns", &base, g->err);
    for (int i = 0; !rc && LOADED[i]; i++)
        rc = bulk_indexes_drop(g->c, LOADED[i], &saved, g->err);
    if (!rc)
        rc = campaigns(&out, g->org, o, today, base, &m, g->res, g->err);
    if (!rc)
        rc = demo_records(&out, g->org, m, o, today, g->res, g->err);
    mkt_free(m);
    /* the records came with their ids: move the generators past them */
    for (int i = 0; !rc && i < 5; i++)
        rc = db_sync_ids(g->c, LOADED_IDS[i], g->err);
    if (!rc)
        rc = bulk_indexes_restore(g->c, &saved, g->err);
    for (int i = 0; !rc && LOADED[i]; i++)
        rc = bulk_analyze(g->c, LOADED[i], g->err);
    demo_phase(o, "indexes");
    bulk_indexes_release(&saved);
    return rc;
}

/* pheu demo --csv: the organisation numbered as a fresh database would
 * number it, then the records as CSV files. */
static int generate_csv(const struct demo_options *o, struct demo_result *res,
                        struct err *err)
{
    struct demo_org org = {0};
    struct gen g = {.res = res, .err = err, .dry = 1, .org = &org};
    rng_seed(&g.rng, o->seed);
    long reps = o->contacts / 5000;
    reps = reps < 6 ? 6 : reps > 200 ? 200 : reps;
    int rc = build(&g, reps);
    struct demo_sink out = {NULL, o->csv_dir};
    int64_t today = o->today_ms ? o->today_ms : demo_today();
    struct mkt *m = NULL;
    if (!rc && !o->org_only && o->contacts > 0)
        rc = campaigns(&out, &org, o, today, 1, &m, res, err);
    if (!rc && !o->org_only)
        rc = demo_records(&out, &org, m, o, today, res, err);
    mkt_free(m);
    return rc;
}

int demo_generate(struct db *db, const struct demo_options *o,
                  struct demo_result *res, struct err *err)
{
    char hash[crypto_pwhash_STRBYTES];
    struct demo_org org = {0};
    struct gen g = {.res = res, .err = err, .org = &org};
    memset(res, 0, sizeof(*res));
    if (o->csv_dir)
        return generate_csv(o, res, err);
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
    int records = !o->org_only && o->contacts > 0;
    if (records && (rc = bulk_tune(g.c, err)))
        return rc;
    demo_phase(o, "start");
    rc = db_begin_write(g.c, err);
    if (!rc)
        rc = build(&g, reps);
    demo_phase(o, "organisation");
    if (!rc && records)
        rc = load_records(&g, o, o->today_ms ? o->today_ms : demo_today());
    if (!rc && records)
        rc = demo_forms(g.c, o->today_ms ? o->today_ms : demo_today(), err);
    if (!rc)
        rc = db_commit(g.c, err);
    if (rc)
        db_rollback(g.c);
    demo_phase(o, "commit");
    if (records)
        bulk_tune_end(g.c);
    return rc;
}
