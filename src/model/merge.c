/* Contact and company merges. */
#include "model/merge.h"
#include "model/crm.h"
#include "model/touchpoint.h"
#include "store/audit.h"
#include "store/q_record.h"
#include "store/search.h"

#include <string.h>

/* Statements moving what belongs to the other contact to the survivor. */
static const char *const CONTACT_MOVES[] = {
    "UPDATE activities SET contact_id = ? WHERE contact_id = ?",
    "UPDATE stage_changes SET contact_id = ? WHERE contact_id = ?",
    "UPDATE touchpoints SET contact_id = ? WHERE contact_id = ?",
    "UPDATE form_submissions SET contact_id = ? WHERE contact_id = ?",
    "UPDATE consents SET contact_id = ? WHERE contact_id = ?",
    "INSERT INTO deal_contacts (deal_id, contact_id) SELECT deal_id, ? "
    "FROM deal_contacts d WHERE contact_id = ? AND NOT EXISTS (SELECT 1 "
    "FROM deal_contacts e WHERE e.deal_id = d.deal_id AND e.contact_id = "
    "?)",
    "INSERT INTO collaborators (object, record_id, user_id, created_at) "
    "SELECT object, ?, user_id, created_at FROM collaborators c WHERE "
    "object = 'contact' AND record_id = ? AND NOT EXISTS (SELECT 1 FROM "
    "collaborators e WHERE e.object = 'contact' AND e.record_id = ? AND "
    "e.user_id = c.user_id)",
    NULL};

/* Statements moving what belongs to the other company to the survivor. */
static const char *const COMPANY_MOVES[] = {
    "UPDATE contacts SET company_id = ? WHERE company_id = ?",
    "UPDATE deals SET company_id = ? WHERE company_id = ?",
    "UPDATE activities SET company_id = ? WHERE company_id = ?",
    "UPDATE companies SET parent_id = ? WHERE parent_id = ?",
    "INSERT INTO collaborators (object, record_id, user_id, created_at) "
    "SELECT object, ?, user_id, created_at FROM collaborators c WHERE "
    "object = 'company' AND record_id = ? AND NOT EXISTS (SELECT 1 FROM "
    "collaborators e WHERE e.object = 'company' AND e.record_id = ? AND "
    "e.user_id = c.user_id)",
    NULL};

/* Runs each statement with (survivor, other), and the survivor again
 * for a third placeholder (the NOT EXISTS of the copies). */
static int run_moves(struct db_conn *c, const char *const *sql,
                     int64_t survivor, int64_t other, struct err *err)
{
    int rc = 0;
    for (int i = 0; !rc && sql[i]; i++) {
        int n = 0;
        for (const char *p = sql[i]; *p; p++)
            n += *p == '?';
        rc = n == 3 ? db_run(c, err, sql[i], "iii", survivor, other,
                             survivor)
                    : db_run(c, err, sql[i], "ii", survivor, other);
    }
    return rc;
}

/* Whether a value is empty (unset, NULL). */
static int empty(const struct val *v)
{
    return !v->set || v->null;
}

/* Builds the update of the survivor: the other's values where it has
 * none, the more advanced stage, the union of custom fields. */
static void fill_from(struct rec *up, const struct rec *keep,
                      const struct rec *gone)
{
    const struct object *o = keep->o;
    for (int i = 0; i < o->nfields; i++) {
        const struct field *f = &o->fields[i];
        if (f->flags & (FF_RO | FF_VIRTUAL | FF_HIDDEN) ||
            f->type == FT_ID || f->type == FT_CUSTOM ||
            !strcmp(f->name, "created_at") ||
            !strcmp(f->name, "lifecycle_stage"))
            continue;
        if (empty(&keep->v[i]) && !empty(&gone->v[i])) {
            up->v[i] = gone->v[i];
            up->v[i].j = NULL;
        }
    }
    int s = object_field(o, "lifecycle_stage");
    if (!(o->fields[s].flags & FF_RO) &&
        lifecycle_rank(rec_text(gone, "lifecycle_stage")) >
        lifecycle_rank(rec_text(keep, "lifecycle_stage")))
        rec_set_text(up, "lifecycle_stage", rec_text(gone,
                                                     "lifecycle_stage"));
    int c = object_field(o, "custom");
    json_t *patch = json_object();
    const char *k;
    json_t *x;
    if (gone->v[c].j)
        json_object_foreach(gone->v[c].j, k, x)
            if (!keep->v[c].j || !json_object_get(keep->v[c].j, k))
                json_object_set(patch, k, x);
    if (json_object_size(patch)) {
        up->v[c].set = 1;
        up->v[c].j = patch;
    } else {
        json_decref(patch);
    }
}

int merge_records(struct wctx *w, const struct object *o, int64_t survivor,
                  int64_t other, struct err *err)
{
    struct rec keep, gone, up;
    const struct vis *v = w->who ? &w->who->vis : NULL;
    if (o != &OBJ_CONTACT && o != &OBJ_COMPANY)
        return err_set(err, E_INVALID, NULL, "only contacts and companies "
                       "merge");
    if (survivor == other)
        return err_set(err, E_RULE, "merge_id", "a record cannot merge with "
                       "itself");
    int rc = rec_read(w->c, o, v, survivor, &keep, w->a, err);
    if (rc)
        return rc;
    rc = rec_read(w->c, o, v, other, &gone, w->a, err);
    if (rc) {
        rec_release(&keep);
        return rc == E_NOTFOUND ? err_set(err, E_RULE, "merge_id", "no such "
                                          "%s", o->name) : rc;
    }
    json_t *gone_json = rec_to_json(&gone);
    rec_init(&up, o);
    fill_from(&up, &keep, &gone);
    int is_contact = o == &OBJ_CONTACT;
    rc = run_moves(w->c, is_contact ? CONTACT_MOVES : COMPANY_MOVES,
                   survivor, other, err);
    if (!rc && o->unlink)
        rc = o->unlink(w, other, err);   /* clears what still points */
    if (!rc)
        rc = q_rec_delete(w->c, o, other, err);
    if (!rc)
        rc = rec_update(w, survivor, &up, err);
    if (!rc && is_contact)      /* the history it took over */
        rc = crm_refresh_stage_firsts(w->c, survivor, err);
    if (!rc && is_contact)      /* its first touch may be the other's */
        rc = touchpoint_refresh_source(w->c, survivor, err);
    if (!rc && !is_contact)
        rc = crm_rollup_company(w->c, survivor, err);
    if (!rc && !is_contact)     /* the moved contacts and deals */
        rc = crm_reindex_company_links(w->c, survivor, w->a, err);
    if (!rc) {
        json_t *nv = json_pack("{sI}", "merged_into", (json_int_t)survivor);
        rc = audit_write(w->c, w->who ? w->who->user.id : 0, "merge",
                         o->name, other, gone_json, nv, err);
        json_decref(nv);
    }
    if (!rc) {
        json_t *nv = json_pack("{sIsO}", "merged_id", (json_int_t)other,
                               "merged", gone_json);
        rc = audit_write(w->c, w->who ? w->who->user.id : 0, "merge",
                         o->name, survivor, NULL, nv, err);
        json_decref(nv);
    }
    json_decref(gone_json);
    rec_release(&up);
    rec_release(&keep);
    rec_release(&gone);
    return rc;
}
