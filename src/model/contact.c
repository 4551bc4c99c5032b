/* Contacts (SPEC §2): identity rules (email unique case-insensitively,
 * phone normalised to E.164 and unique), lifecycle stage changes with
 * their history, and the search index. */
#include "model/crm.h"
#include "store/search.h"
#include "util/buf.h"
#include "util/clock.h"

#include <string.h>

static const char *const LEAD_STATUSES[] = {"new", "attempting",
    "connected", "accepted", "rejected", "bad_timing", NULL};
static const char *const SOURCES[] = {"organic_search", "paid_search",
    "social", "email", "referral", "direct", "offline", "other", NULL};

static const struct field FIELDS[] = {
    {"id", FT_ID, FF_RO | FF_NOTNULL, NULL, NULL, 0},
    {"first_name", FT_TEXT, 0, NULL, NULL, 200},
    {"last_name", FT_TEXT, 0, NULL, NULL, 200},
    /* App. C: over 254 is a 422 from the email check, not a length 400 */
    {"email", FT_EMAIL, 0, NULL, NULL, 1000},
    {"phone", FT_PHONE, 0, NULL, NULL, 64},
    {"phone_key", FT_TEXT, FF_HIDDEN, NULL, NULL, 0},
    {"company_id", FT_REF, 0, NULL, "companies", 0},
    {"title", FT_TEXT, 0, NULL, NULL, 200},
    {"city", FT_TEXT, 0, NULL, NULL, 200},
    {"country", FT_TEXT, 0, NULL, NULL, 100},
    {"owner_id", FT_REF, 0, NULL, "users", 0},
    {"lifecycle_stage", FT_ENUM, 0, LIFECYCLE_STAGES, NULL, 0},
    {"lead_status", FT_ENUM, 0, LEAD_STATUSES, NULL, 0},
    {"source", FT_ENUM, 0, SOURCES, NULL, 0},
    {"source_campaign_id", FT_REF, 0, NULL, "campaigns", 0},
    {"score", FT_INT, FF_RO | FF_NOTNULL, NULL, NULL, 0},
    {"score_fit", FT_INT, FF_RO | FF_NOTNULL, NULL, NULL, 0},
    {"score_engagement", FT_INT, FF_RO | FF_NOTNULL, NULL, NULL, 0},
    {"custom", FT_CUSTOM, FF_NOTNULL, NULL, NULL, 0},
    {"created_at", FT_TIME, FF_ADMIN | FF_NOTNULL, NULL, NULL, 0},
    {"updated_at", FT_TIME, FF_RO | FF_NOTNULL, NULL, NULL, 0},
    {"stage_changed_at", FT_TIME, FF_ADMIN | FF_VIRTUAL | FF_WRITEONLY,
     NULL, NULL, 0},
    /* kept by crm_stage_changed: first entry into each stage (§3) */
    {"became_subscriber_at", FT_TIME, FF_RO | FF_DERIVED,
     NULL, NULL, 0},
    {"became_lead_at", FT_TIME, FF_RO | FF_DERIVED,
     NULL, NULL, 0},
    {"became_marketing_qualified_lead_at", FT_TIME, FF_RO | FF_DERIVED,
     NULL, NULL, 0},
    {"became_sales_qualified_lead_at", FT_TIME, FF_RO | FF_DERIVED,
     NULL, NULL, 0},
    {"became_opportunity_at", FT_TIME, FF_RO | FF_DERIVED,
     NULL, NULL, 0},
    {"became_customer_at", FT_TIME, FF_RO | FF_DERIVED,
     NULL, NULL, 0},
    {"became_evangelist_at", FT_TIME, FF_RO | FF_DERIVED,
     NULL, NULL, 0},
    {"became_other_at", FT_TIME, FF_RO | FF_DERIVED,
     NULL, NULL, 0},
    {"highest_stage", FT_ENUM, FF_RO | FF_DERIVED, LIFECYCLE_STAGES,
     NULL, 0},
};

/* 409 with the existing id when another contact has col = v. */
static int check_unique(struct db_conn *c, const char *col, const char *v,
                        int64_t self, struct err *err)
{
    int64_t other;
    char sql[96];
    snprintf(sql, sizeof(sql), "SELECT id FROM contacts WHERE %s = ? AND "
             "id <> ?", col);
    int rc = db_int(c, err, &other, sql, "ti", v, self);
    if (rc == E_NOTFOUND)
        return 0;
    if (rc)
        return rc;
    err_set(err, E_CONFLICT, strcmp(col, "email") ? "phone" : "email",
            "a contact with this %s exists", strcmp(col, "email")
            ? "phone number" : "email");
    err->id = other;
    return E_CONFLICT;
}

void crm_contact_set_phone_key(struct rec *in)
{
    const struct val *ph = rec_get(in, "phone");
    if (ph->set) {
        const char *p = ph->null ? NULL : ph->s;
        rec_set_text(in, "phone_key", p && p[0] == '+' ? p : NULL);
    }
}

/* Sets the dedupe key from the phone and checks both identity keys. */
static int check_identity(struct wctx *w, struct rec *in,
                          const struct rec *old, struct err *err)
{
    int64_t self = old ? old->id : 0;
    crm_contact_set_phone_key(in);
    const char *email = rec_text(in, "email");
    int rc = email ? check_unique(w->c, "email", email, self, err) : 0;
    const char *key = rec_text(in, "phone_key");
    if (!rc && key)
        rc = check_unique(w->c, "phone_key", key, self, err);
    return rc;
}

/* Whether field name is set to a non-empty value in in, or else in old. */
static int has_value(const struct rec *in, const struct rec *old,
                     const char *name)
{
    const struct val *v = rec_get(in, name);
    if (v->set)
        return !v->null;
    return old && rec_text(old, name) != NULL;
}

/* Checks a stage change's date: admins and imports only (read-only
 * otherwise, checked by rec_from_json), needs a stage, never future. */
static int check_stage_date(const struct rec *in, struct err *err)
{
    const struct val *at = rec_get(in, "stage_changed_at");
    if (!at->set || at->null)
        return 0;
    if (!rec_get(in, "lifecycle_stage")->set)
        return err_set(err, E_RULE, "stage_changed_at", "is given only "
                       "with lifecycle_stage");
    if (at->i > clock_now_ms())
        return err_set(err, E_RULE, "stage_changed_at", "must not be in "
                       "the future");
    return 0;
}

int crm_contact_check_rules(const struct rec *in, const struct rec *old,
                            struct err *err)
{
    int rc;
    if (!has_value(in, old, "first_name") && !has_value(in, old,
                                                        "last_name") &&
        !has_value(in, old, "email") && !has_value(in, old, "phone"))
        return err_set(err, E_RULE, "email", "a contact needs a name, an "
                       "email or a phone");
    rc = check_stage_date(in, err);
    if (!rc && rec_get(in, "created_at")->set && !old &&
        rec_int(in, "created_at") > clock_now_ms() + 60000)
        rc = err_set(err, E_RULE, "created_at", "must not be in the "
                     "future");
    return rc;
}

/* The time a stage change made by in is recorded at. */
static int64_t stage_change_time(const struct rec *in)
{
    const struct val *at = rec_get(in, "stage_changed_at");
    return at->set && !at->null ? at->i : rec_int(in, "updated_at");
}

/* Whether in moves the contact (old NULL: a new one) to another stage
 * whose change the after hook records. */
static int stage_moved(const struct wctx *w, const struct rec *in,
                       const struct rec *old)
{
    const struct val *st = rec_get(in, "lifecycle_stage");
    const char *from = old ? rec_text(old, "lifecycle_stage") : NULL;
    /* imports write the history their columns give themselves */
    return st->set && !st->null && (!from || strcmp(from, st->s)) &&
           !w->quiet_stages;
}

/* An update that moves the stage carries the first entry and highest
 * stage it makes (as note_first_entry would write them, from old), so
 * the contact row is written once per move, not twice (PostgreSQL: one
 * row version and one entry per index fewer); note_first_entry then
 * finds its entry standing and writes nothing. */
static void fold_first_entry(const struct wctx *w, struct rec *in,
                             const struct rec *old)
{
    if (!old || !stage_moved(w, in, old))
        return;
    int k = lifecycle_rank(rec_text(in, "lifecycle_stage"));
    if (k < 0)
        return;
    const char *stage = LIFECYCLE_STAGES[k == 0 ? 7 : k - 1];
    char col[64];
    snprintf(col, sizeof(col), "became_%s_at", stage);
    int64_t at = stage_change_time(in);
    const struct val *kept = rec_get(old, col);
    if (kept->set && !kept->null && kept->i <= at)
        return;                         /* the kept entry stands */
    rec_set_int(in, col, at);
    if (k && lifecycle_rank(rec_text(old, "highest_stage")) < k)
        rec_set_text(in, "highest_stage", stage);
}

/* prepare hook: identity, a name or address to know them by, dates,
 * the first entry a stage move makes. */
static int contact_prepare(struct wctx *w, struct rec *in,
                           const struct rec *old, struct err *err)
{
    int rc = check_identity(w, in, old, err);
    if (!rc)
        rc = crm_contact_check_rules(in, old, err);
    if (!rc)
        fold_first_entry(w, in, old);
    return rc;
}

int crm_reindex_contact(struct db_conn *c, int64_t id, struct arena *a,
                        struct err *err)
{
    struct db_stmt *st;
    int rc = db_query(c, &st, err, "SELECT k.first_name, k.last_name, "
                      "k.email, k.phone, co.name FROM contacts k LEFT JOIN "
                      "companies co ON co.id = k.company_id WHERE k.id = ?",
                      "i", id);
    if (rc)
        return rc;
    int r = db_step(st, err);
    if (r != DB_ROW) {
        db_done(st);
        return r < 0 ? err->code : 0;
    }
    const char *texts[4] = {arena_strdup(a, db_col_text(st, 0)),
        arena_strdup(a, db_col_text(st, 1)),
        arena_strdup(a, db_col_text(st, 2)),
        arena_strdup(a, db_col_text(st, 4))};
    const char *phones[1] = {arena_strdup(a, db_col_text(st, 3))};
    db_done(st);
    return search_index(c, SEARCH_CONTACT, id, texts, 4, phones, 1, a, err);
}

/* Sets the company that target names ("?" bound to id) to the stage of
 * its most advanced contact (other lowest, none: NULL), written only when
 * it changes (most moves leave it as it is). One statement whose result
 * nobody reads: on PostgreSQL it rides in the write's pipeline, no round
 * trip of its own. */
static int rollup(struct db_conn *c, const char *target, int64_t id,
                  struct err *err)
{
    struct buf best, sql;
    buf_init(&best, 1024);
    buf_adds(&best, "(SELECT k.lifecycle_stage FROM contacts k WHERE "
             "k.company_id = companies.id AND k.lifecycle_stage IS NOT NULL "
             "ORDER BY CASE k.lifecycle_stage WHEN 'other' THEN 0");
    for (int i = 0; i < 7; i++)
        buf_addf(&best, " WHEN '%s' THEN %d", LIFECYCLE_STAGES[i], i + 1);
    buf_adds(&best, " ELSE -1 END DESC LIMIT 1)");
    buf_init(&sql, 4096);
    buf_addf(&sql, "UPDATE companies SET lifecycle_stage = %s WHERE id = %s "
             "AND COALESCE(lifecycle_stage, '') <> COALESCE(%s, '')",
             buf_cstr(&best), target, buf_cstr(&best));
    int rc = db_run_nowait(c, err, buf_cstr(&sql), "i", id);
    buf_release(&sql);
    buf_release(&best);
    return rc;
}

int crm_rollup_company(struct db_conn *c, int64_t id, struct err *err)
{
    return rollup(c, "?", id, err);
}

/* Writes into out an SQL list of the stages ranked below
 * rank k (lifecycle_rank): the funnel stages before it and, with other,
 * 'other' when k is a funnel stage; '' (no stage) leads, so the list is
 * never empty. */
static void stages_below(char out[static 256], int k, int other)
{
    size_t n = (size_t)snprintf(out, 256, "''%s", other && k > 0
                                ? ", 'other'" : "");
    for (int i = 0; i + 1 < k && n < 256; i++)
        n += (size_t)snprintf(out + n, 256 - n, ", '%s'",
                              LIFECYCLE_STAGES[i]);
}

/* Keeps contact id's first entry into stage to (the earlier of the kept
 * one and at: a backdated change may come later) and its highest stage. */
static int note_first_entry(struct db_conn *c, int64_t id, const char *to,
                            int64_t at, struct err *err)
{
    int k = lifecycle_rank(to);
    if (k < 0)
        return 0;
    const char *col = LIFECYCLE_STAGES[k == 0 ? 7 : k - 1];
    char below[256];
    stages_below(below, k, 0);
    char sql[640];
    /* no write at all when the kept entry stands: a re-entry then
     * leaves the row and its funnel index entry alone (fewer pages) */
    snprintf(sql, sizeof(sql), "UPDATE contacts SET became_%s_at = ?%s%s%s%s"
             "%s WHERE id = ? AND (became_%s_at IS NULL OR became_%s_at > ?)",
             col, k ? ", highest_stage = CASE WHEN highest_stage IS NULL OR "
             "highest_stage IN (" : "", k ? below : "", k ? ") THEN '" : "",
             k ? col : "", k ? "' ELSE highest_stage END" : "", col, col);
    return db_run_nowait(c, err, sql, "iii", at, id, at);
}

int crm_refresh_stage_firsts(struct db_conn *c, int64_t id, struct err *err)
{
    struct buf sql;
    buf_init(&sql, 4096);
    buf_adds(&sql, "UPDATE contacts SET ");
    for (int i = 0; i < 8; i++)
        buf_addf(&sql, "%sbecame_%s_at = (SELECT MIN(at) FROM stage_changes "
                 "s WHERE s.contact_id = contacts.id AND s.to_stage = '%s')",
                 i ? ", " : "", LIFECYCLE_STAGES[i], LIFECYCLE_STAGES[i]);
    buf_adds(&sql, " WHERE id = ?");
    int rc = db_run(c, err, buf_cstr(&sql), "i", id);
    buf_release(&sql);
    if (rc)
        return rc;
    buf_adds(&sql, "UPDATE contacts SET highest_stage = CASE");
    for (int i = 6; i >= 0; i--)
        buf_addf(&sql, " WHEN became_%s_at IS NOT NULL THEN '%s'",
                 LIFECYCLE_STAGES[i], LIFECYCLE_STAGES[i]);
    buf_adds(&sql, " END WHERE id = ?");
    rc = db_run(c, err, buf_cstr(&sql), "i", id);
    buf_release(&sql);
    return rc;
}

/* Raises contact id's company to stage to, the contact's new stage, when
 * the company stands lower. Enough after a move forward: the company's
 * stage is its most advanced contact's, and a contact going up can only
 * raise that. One primary-key update instead of rollup's read of every
 * contact of the company (PostgreSQL, 1M contacts: ~0.2 ms of a move). */
static int raise_company(struct db_conn *c, int64_t id, const char *to,
                         struct err *err)
{
    char below[256];
    stages_below(below, lifecycle_rank(to), 1);
    char sql[512];
    snprintf(sql, sizeof(sql), "UPDATE companies SET lifecycle_stage = ? "
             "WHERE id = (SELECT company_id FROM contacts WHERE id = ?) AND "
             "(lifecycle_stage IS NULL OR lifecycle_stage IN (%s))", below);
    return db_run_nowait(c, err, sql, "ti", to, id);
}

/* crm_stage_changed; current: to is the contact's stage now (not a step
 * of an imported history), so a move forward only raises the company. */
static int stage_changed(struct wctx *w, int64_t id, const char *from,
                         const char *to, int64_t at, const char *reason,
                         int current, struct err *err)
{
    int rc = db_run_nowait(w->c, err, "INSERT INTO stage_changes "
                           "(contact_id, from_stage, to_stage, at, by_user, "
                           "reason) VALUES (?, ?, ?, ?, ?, ?)", "ittiIt", id,
                           from, to, at, w->who ? w->who->user.id : 0,
                           reason);
    if (!rc)
        rc = note_first_entry(w->c, id, to, at, err);
    if (rc)
        return rc;
    if (current && lifecycle_rank(to) > lifecycle_rank(from))
        return raise_company(w->c, id, to, err);
    /* the contact's company, found by the UPDATE itself */
    return rollup(w->c, "(SELECT company_id FROM contacts WHERE id = ?)", id,
                  err);
}

int crm_stage_changed(struct wctx *w, int64_t id, const char *from,
                      const char *to, int64_t at, const char *reason,
                      struct err *err)
{
    return stage_changed(w, id, from, to, at, reason, 0, err);
}

int crm_advance_contact(struct wctx *w, int64_t id, const char *to,
                        const char *reason, struct err *err)
{
    struct db_stmt *st;
    int rc = db_query(w->c, &st, err, "SELECT lifecycle_stage FROM contacts "
                      "WHERE id = ?", "i", id);
    if (rc)
        return rc;
    int r = db_step(st, err);
    const char *from = r == DB_ROW ? arena_strdup(w->a, db_col_text(st, 0))
                                   : NULL;
    db_done(st);
    if (r < 0)
        return err->code;
    if (r != DB_ROW || lifecycle_rank(from) >= lifecycle_rank(to) ||
        w->quiet_stages)
        return 0;
    int64_t now = clock_now_ms();
    rc = db_run_nowait(w->c, err, "UPDATE contacts SET lifecycle_stage = ?, "
                       "updated_at = ? WHERE id = ?", "tii", to, now, id);
    return rc ? rc : stage_changed(w, id, from, to, now, reason, 1, err);
}

/* Whether an update (old NULL: a create) changes what the search index
 * holds for a contact: its names, email, phone or company (whose name is
 * indexed with it). Other fields leave the index rows as they are. */
static int search_changed(const struct rec *in, const struct rec *old)
{
    static const char *const indexed[] = {"first_name", "last_name",
                                          "email", "phone", "company_id"};
    if (!old)
        return 1;
    for (size_t i = 0; i < sizeof(indexed) / sizeof(indexed[0]); i++) {
        const struct val *n = rec_get(in, indexed[i]);
        const struct val *o = rec_get(old, indexed[i]);
        if (!n->set)
            continue;
        int nnull = n->null || (!n->s && strcmp(indexed[i], "company_id"));
        int onull = !o->set || o->null;
        if (nnull != onull)
            return 1;
        if (nnull)
            continue;
        if (!strcmp(indexed[i], "company_id") ? n->i != o->i
                                              : strcmp(n->s, o->s) != 0)
            return 1;
    }
    return 0;
}

/* after hook: the stage history, the company roll-up, the index. */
static int contact_after(struct wctx *w, const struct rec *in,
                         const struct rec *old, int64_t id, struct err *err)
{
    int rc = 0;
    int moved = stage_moved(w, in, old);
    if (moved)
        rc = stage_changed(w, id, old ? rec_text(old, "lifecycle_stage")
                           : NULL, rec_text(in, "lifecycle_stage"),
                           stage_change_time(in),
                           w->reason ? w->reason : "manual", 1, err);
    int64_t oldco = old ? rec_int(old, "company_id") : 0;
    const struct val *co = rec_get(in, "company_id");
    if (!rc && co->set && oldco && oldco != rec_int(in, "company_id"))
        rc = crm_rollup_company(w->c, oldco, err);
    if (!rc && co->set && !co->null && !moved)  /* moved: rolled up */
        rc = crm_rollup_company(w->c, co->i, err);
    /* a stage cleared is no move (no history row) but may lower the
     * company it stays in; a company set by in was rolled up above */
    const struct val *st = rec_get(in, "lifecycle_stage");
    if (!rc && st->set && st->null && !co->set && oldco &&
        rec_text(old, "lifecycle_stage"))
        rc = crm_rollup_company(w->c, oldco, err);
    if (!rc && search_changed(in, old))
        rc = crm_reindex_contact(w->c, id, w->a, err);
    return rc;
}

/* unlink hook: what refers to a contact goes with it or lets go. */
static int contact_unlink(struct wctx *w, int64_t id, struct err *err)
{
    int64_t company = 0;
    int rc = db_int(w->c, err, &company, "SELECT COALESCE(company_id, 0) "
                    "FROM contacts WHERE id = ?", "i", id);
    if (!rc)
        rc = db_run(w->c, err, "DELETE FROM stage_changes WHERE contact_id "
                    "= ?", "i", id);
    if (!rc)
        rc = db_run(w->c, err, "DELETE FROM deal_contacts WHERE contact_id "
                    "= ?", "i", id);
    if (!rc)    /* consents and submissions are personal data: erased */
        rc = db_run(w->c, err, "DELETE FROM consents WHERE contact_id = ?",
                    "i", id);
    if (!rc)
        rc = db_run(w->c, err, "DELETE FROM form_submissions WHERE "
                    "contact_id = ?", "i", id);
    if (!rc)    /* a touch means nothing without whom it touched */
        rc = db_run(w->c, err, "DELETE FROM touchpoints WHERE contact_id "
                    "= ?", "i", id);
    if (!rc)
        rc = db_run(w->c, err, "UPDATE activities SET contact_id = NULL "
                    "WHERE contact_id = ?", "i", id);
    if (!rc)
        rc = db_run(w->c, err, "DELETE FROM collaborators WHERE object = "
                    "'contact' AND record_id = ?", "i", id);
    if (!rc)
        rc = search_unindex(w->c, SEARCH_CONTACT, id, err);
    if (!rc && company)
        rc = db_run(w->c, err, "UPDATE contacts SET company_id = NULL "
                    "WHERE id = ?", "i", id);
    if (!rc && company)
        rc = crm_rollup_company(w->c, company, err);
    return rc;
}

const struct object OBJ_CONTACT = {
    .name = "contact",
    .plural = "contacts",
    .table = "contacts",
    .vis = VIS_CONTACT,
    .search_kind = SEARCH_CONTACT,
    .fields = FIELDS,
    .nfields = sizeof(FIELDS) / sizeof(FIELDS[0]),
    .prepare = contact_prepare,
    .after = contact_after,
    .unlink = contact_unlink,
};
