/* Deals (SPEC §2, App. A, App. C): the pipeline and stage defaults, the
 * status that follows the stage's kind, closed_at, the contacts of a
 * deal, and the forward moves of those contacts' lifecycle stage (an
 * open deal makes them opportunities, a won deal customers). */
#include "model/crm.h"
#include "store/search.h"
#include "util/clock.h"

#include <stdlib.h>
#include <string.h>

static const char *const STATUSES[] = {"open", "won", "lost", NULL};
static const char *const FORECAST[] = {"pipeline", "best_case", "commit",
    "omitted", "closed", NULL};

static const struct field FIELDS[] = {
    {"id", FT_ID, FF_RO | FF_NOTNULL, NULL, NULL, 0},
    {"name", FT_TEXT, FF_REQ | FF_NOTNULL, NULL, NULL, 300},
    {"amount", FT_MONEY, FF_NOTNULL, NULL, NULL, 0},
    {"currency", FT_CURRENCY, FF_NOTNULL, NULL, NULL, 0},
    {"pipeline_id", FT_REF, FF_NOTNULL, NULL, "pipelines", 0},
    {"stage_id", FT_REF, FF_NOTNULL, NULL, "pipeline_stages", 0},
    {"status", FT_ENUM, FF_RO | FF_NOTNULL, STATUSES, NULL, 0},
    {"close_date", FT_DATE, 0, NULL, NULL, 0},
    {"closed_at", FT_TIME, FF_ADMIN, NULL, NULL, 0},
    {"owner_id", FT_REF, 0, NULL, "users", 0},
    {"company_id", FT_REF, 0, NULL, "companies", 0},
    {"contact_ids", FT_IDS, FF_VIRTUAL, NULL, NULL, 0},
    {"source_campaign_id", FT_REF, 0, NULL, "campaigns", 0},
    {"forecast_category", FT_ENUM, 0, FORECAST, NULL, 0},
    {"won_reason", FT_TEXT, 0, NULL, NULL, 500},
    {"lost_reason", FT_TEXT, 0, NULL, NULL, 500},
    {"custom", FT_CUSTOM, FF_NOTNULL, NULL, NULL, 0},
    {"created_at", FT_TIME, FF_ADMIN | FF_NOTNULL, NULL, NULL, 0},
    {"updated_at", FT_TIME, FF_RO | FF_NOTNULL, NULL, NULL, 0},
};

/* The default pipeline ("New business", else the first). */
static int default_pipeline(struct db_conn *c, int64_t *id, struct err *err)
{
    return db_int(c, err, id, "SELECT id FROM pipelines ORDER BY "
                  "CASE WHEN name = 'New business' THEN 0 ELSE 1 END, "
                  "position, id LIMIT 1", NULL);
}

/* The first open stage of pipeline p. */
static int first_stage(struct db_conn *c, int64_t p, int64_t *id,
                       struct err *err)
{
    int rc = db_int(c, err, id, "SELECT id FROM pipeline_stages WHERE "
                    "pipeline_id = ? AND kind = 'open' ORDER BY position "
                    "LIMIT 1", "i", p);
    return rc == E_NOTFOUND ? err_set(err, E_RULE, "pipeline_id", "the "
                                      "pipeline has no open stage") : rc;
}

/* The pipeline and kind of stage s; E_RULE when it is not in p. */
static int stage_kind(struct db_conn *c, int64_t p, int64_t s,
                      const char **kind, struct arena *a, struct err *err)
{
    struct db_stmt *st;
    int rc = db_query(c, &st, err, "SELECT kind FROM pipeline_stages WHERE "
                      "id = ? AND pipeline_id = ?", "ii", s, p);
    if (rc)
        return rc;
    int r = db_step(st, err);
    if (r == DB_ROW)
        *kind = arena_strdup(a, db_col_text(st, 0));
    db_done(st);
    if (r < 0)
        return err->code;
    return r == DB_ROW ? 0 : err_set(err, E_RULE, "stage_id", "is not a "
                                     "stage of the deal's pipeline");
}

const char *crm_default_currency(struct db_conn *c, struct arena *a)
{
    struct db_stmt *st;
    struct err e;
    const char *cur = "VND";
    if (db_query(c, &st, &e, "SELECT value FROM settings WHERE key = "
                 "'currency'", NULL))
        return cur;
    if (db_step(st, &e) == DB_ROW)
        cur = arena_strdup(a, db_col_text(st, 0));
    db_done(st);
    return cur;
}

/* Every contact of the deal must be one the caller may see. */
static int check_contacts(struct wctx *w, const struct rec *in,
                          struct err *err)
{
    const struct val *v = rec_get(in, "contact_ids");
    if (!v->set || v->null || !v->j)
        return 0;
    size_t i;
    json_t *x;
    json_array_foreach(v->j, i, x) {
        struct rec r;
        int rc = rec_read(w->c, &OBJ_CONTACT, w->who ? &w->who->vis : NULL,
                          json_integer_value(x), &r, w->a, err);
        rec_release(&r);
        if (rc == E_NOTFOUND)
            return err_set(err, E_RULE, "contact_ids", "no such contact: "
                           "%lld", (long long)json_integer_value(x));
        if (rc)
            return rc;
    }
    return 0;
}

/* prepare hook: defaults, stage in pipeline, status and closed_at. */
static int deal_prepare(struct wctx *w, struct rec *in,
                        const struct rec *old, struct err *err)
{
    int rc = check_contacts(w, in, err);
    if (rc)
        return rc;
    if (!old && !rec_get(in, "currency")->set)
        rec_set_text(in, "currency", crm_default_currency(w->c, w->a));
    if (!old && !rec_get(in, "amount")->set)
        rec_set_int(in, "amount", 0);
    int64_t p = rec_get(in, "pipeline_id")->set ? rec_int(in, "pipeline_id")
              : old ? rec_int(old, "pipeline_id") : 0;
    if (!p && (rc = default_pipeline(w->c, &p, err)))
        return rc;
    rec_set_int(in, "pipeline_id", p);
    int64_t s = rec_get(in, "stage_id")->set ? rec_int(in, "stage_id")
              : old && rec_int(old, "pipeline_id") == p
              ? rec_int(old, "stage_id") : 0;
    if (!s && (rc = first_stage(w->c, p, &s, err)))
        return rc;
    rec_set_int(in, "stage_id", s);
    const char *kind = "open";
    rc = stage_kind(w->c, p, s, &kind, w->a, err);
    if (rc)
        return rc;
    rec_set_text(in, "status", kind);
    const char *was = old ? rec_text(old, "status") : "open";
    const struct val *closed = rec_get(in, "closed_at");
    if (strcmp(kind, "open") && (!closed->set || closed->null) &&
        (!strcmp(was, "open") || !old || strcmp(was, kind)))
        rec_set_int(in, "closed_at", clock_now_ms());
    if (!strcmp(kind, "open") && old && strcmp(was, "open") &&
        !closed->set)
        rec_set_text(in, "closed_at", NULL);
    if (closed->set && !closed->null && closed->i > clock_now_ms())
        return err_set(err, E_RULE, "closed_at", "must not be in the "
                       "future");
    return 0;
}

/* Reads the contact ids of deal id into a JSON array. */
static int load_contacts(struct db_conn *c, int64_t id, json_t **out,
                         struct err *err)
{
    struct db_stmt *st;
    int rc = db_query(c, &st, err, "SELECT contact_id FROM deal_contacts "
                      "WHERE deal_id = ? ORDER BY contact_id", "i", id);
    if (rc)
        return rc;
    json_t *arr = json_array();
    int r;
    while ((r = db_step(st, err)) == DB_ROW)
        json_array_append_new(arr, json_integer(db_col_int(st, 0)));
    db_done(st);
    if (r < 0) {
        json_decref(arr);
        return err->code;
    }
    *out = arr;
    return 0;
}

/* load hook: contact_ids. */
static int deal_load(struct db_conn *c, struct rec *r, struct arena *a,
                     struct err *err)
{
    (void)a;
    int i = object_field(r->o, "contact_ids");
    json_decref(r->v[i].j);
    r->v[i].j = NULL;
    r->v[i].set = 1;
    return load_contacts(c, r->id, &r->v[i].j, err);
}

int crm_reindex_deal(struct db_conn *c, int64_t id, struct arena *a,
                     struct err *err)
{
    struct db_stmt *st;
    int rc = db_query(c, &st, err, "SELECT d.name, co.name FROM deals d "
                      "LEFT JOIN companies co ON co.id = d.company_id WHERE "
                      "d.id = ?", "i", id);
    if (rc)
        return rc;
    int r = db_step(st, err);
    if (r != DB_ROW) {
        db_done(st);
        return r < 0 ? err->code : 0;
    }
    const char *texts[2] = {arena_strdup(a, db_col_text(st, 0)),
        arena_strdup(a, db_col_text(st, 1))};
    db_done(st);
    return search_index(c, SEARCH_DEAL, id, texts, 2, NULL, 0, a, err);
}

/* after hook: the contact links, the contacts' forward moves, the
 * index. */
static int deal_after(struct wctx *w, const struct rec *in,
                      const struct rec *old, int64_t id, struct err *err)
{
    int rc = 0;
    const struct val *v = rec_get(in, "contact_ids");
    if (v->set) {
        rc = db_run(w->c, err, "DELETE FROM deal_contacts WHERE deal_id = ?",
                    "i", id);
        size_t i;
        json_t *x;
        if (v->j)
            json_array_foreach(v->j, i, x)
                if (!rc)
                    rc = db_run(w->c, err, "INSERT INTO deal_contacts "
                                "(deal_id, contact_id) VALUES (?, ?)", "ii",
                                id, (int64_t)json_integer_value(x));
    }
    const char *status = rec_text(in, "status");
    const char *to = !strcmp(status, "won") ? "customer"
                   : !strcmp(status, "open") ? "opportunity" : NULL;
    json_t *ids = NULL;
    if (!rc && to)
        rc = load_contacts(w->c, id, &ids, err);
    size_t i;
    json_t *x;
    if (ids)
        json_array_foreach(ids, i, x)
            if (!rc)
                rc = crm_advance_contact(w, json_integer_value(x), to,
                                         "deal", err);
    json_decref(ids);
    (void)old;
    if (!rc)
        rc = crm_reindex_deal(w->c, id, w->a, err);
    return rc;
}

/* unlink hook. */
static int deal_unlink(struct wctx *w, int64_t id, struct err *err)
{
    int rc = db_run(w->c, err, "DELETE FROM deal_contacts WHERE deal_id = ?",
                    "i", id);
    if (!rc)
        rc = db_run(w->c, err, "UPDATE activities SET deal_id = NULL WHERE "
                    "deal_id = ?", "i", id);
    if (!rc)
        rc = db_run(w->c, err, "DELETE FROM collaborators WHERE object = "
                    "'deal' AND record_id = ?", "i", id);
    if (!rc)
        rc = search_unindex(w->c, SEARCH_DEAL, id, err);
    return rc;
}

const struct object OBJ_DEAL = {
    .name = "deal",
    .plural = "deals",
    .table = "deals",
    .vis = VIS_DEAL,
    .search_kind = SEARCH_DEAL,
    .fields = FIELDS,
    .nfields = sizeof(FIELDS) / sizeof(FIELDS[0]),
    .prepare = deal_prepare,
    .after = deal_after,
    .unlink = deal_unlink,
    .load = deal_load,
};
