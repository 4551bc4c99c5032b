/* Companies (accounts, SPEC §2): unique domain, a parent chain without
 * cycles, the stage rolled up from contacts, and the search index (a
 * rename re-indexes the company's contacts, whose search covers it). */
#include "model/crm.h"
#include "store/search.h"

#include <stdio.h>
#include <string.h>

static const char *const SIZE_BANDS[] = {"1-10", "11-50", "51-200",
    "201-1000", "1001-5000", "5001+", NULL};

static const struct field FIELDS[] = {
    {"id", FT_ID, FF_RO | FF_NOTNULL, NULL, NULL, 0},
    {"name", FT_TEXT, FF_REQ | FF_NOTNULL, NULL, NULL, 300},
    {"domain", FT_TEXT, 0, NULL, NULL, 253},
    {"industry", FT_TEXT, 0, NULL, NULL, 200},
    {"size_band", FT_ENUM, 0, SIZE_BANDS, NULL, 0},
    {"country", FT_TEXT, 0, NULL, NULL, 100},
    {"city", FT_TEXT, 0, NULL, NULL, 200},
    {"phone", FT_PHONE, 0, NULL, NULL, 64},
    {"owner_id", FT_REF, 0, NULL, "users", 0},
    {"parent_id", FT_REF, 0, NULL, "companies", 0},
    {"lifecycle_stage", FT_ENUM, FF_RO, LIFECYCLE_STAGES, NULL, 0},
    {"custom", FT_CUSTOM, FF_NOTNULL, NULL, NULL, 0},
    {"created_at", FT_TIME, FF_ADMIN | FF_NOTNULL, NULL, NULL, 0},
    {"updated_at", FT_TIME, FF_RO | FF_NOTNULL, NULL, NULL, 0},
};

const char *crm_domain_key(const char *d, struct arena *a)
{
    if (!strncmp(d, "http://", 7))
        d += 7;
    else if (!strncmp(d, "https://", 8))
        d += 8;
    char *s = arena_strdup(a, d);
    s[strcspn(s, "/?#")] = '\0';
    for (char *p = s; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return !strncmp(s, "www.", 4) ? s + 4 : s;
}

/* Normalises a domain (crm_domain_key) and checks it is a dotted host
 * name. */
static int normalize_domain(struct rec *in, struct arena *a,
                            struct err *err)
{
    const char *d = rec_text(in, "domain");
    if (!d)
        return 0;
    const char *s = crm_domain_key(d, a);
    int dots = 0, ok = *s && s[strlen(s) - 1] != '.' && s[0] != '.';
    for (const char *p = s; ok && *p; p++) {
        unsigned char ch = (unsigned char)*p;
        dots += ch == '.';
        ok = ch >= 0x80 || (ch >= 'a' && ch <= 'z') ||
             (ch >= '0' && ch <= '9') || ch == '-' || ch == '.';
    }
    if (!ok || !dots)
        return err_set(err, E_RULE, "domain", "is not a domain name such as "
                       "example.vn");
    rec_set_text(in, "domain", s);
    return 0;
}

/* 409 with the existing id when another company has this domain. */
static int check_domain(struct db_conn *c, const char *domain, int64_t self,
                        struct err *err)
{
    int64_t other;
    int rc = db_int(c, err, &other, "SELECT id FROM companies WHERE domain "
                    "= ? AND id <> ?", "ti", domain, self);
    if (rc == E_NOTFOUND)
        return 0;
    if (rc)
        return rc;
    err_set(err, E_CONFLICT, "domain", "a company with this domain exists");
    err->id = other;
    return E_CONFLICT;
}

/* A parent may not be the company itself or one of its descendants. */
static int check_parent(struct db_conn *c, int64_t self, int64_t parent,
                        struct err *err)
{
    for (int depth = 0; parent && depth < 100; depth++) {
        if (parent == self)
            return err_set(err, E_RULE, "parent_id", "would make a cycle");
        int64_t next = 0;
        int rc = db_int(c, err, &next, "SELECT COALESCE(parent_id, 0) FROM "
                        "companies WHERE id = ?", "i", parent);
        if (rc)
            return rc == E_NOTFOUND ? 0 : rc;
        parent = next;
    }
    return parent ? err_set(err, E_RULE, "parent_id", "is nested too "
                            "deeply") : 0;
}

/* prepare hook. */
static int company_prepare(struct wctx *w, struct rec *in,
                           const struct rec *old, struct err *err)
{
    int64_t self = old ? old->id : 0;
    int rc = normalize_domain(in, w->a, err);
    const char *d = rec_text(in, "domain");
    if (!rc && d)
        rc = check_domain(w->c, d, self, err);
    if (!rc && self && rec_get(in, "parent_id")->set)
        rc = check_parent(w->c, self, rec_int(in, "parent_id"), err);
    return rc;
}

int crm_reindex_company(struct db_conn *c, int64_t id, struct arena *a,
                        struct err *err)
{
    struct db_stmt *st;
    int rc = db_query(c, &st, err, "SELECT name, domain, phone FROM "
                      "companies WHERE id = ?", "i", id);
    if (rc)
        return rc;
    int r = db_step(st, err);
    if (r != DB_ROW) {
        db_done(st);
        return r < 0 ? err->code : 0;
    }
    const char *texts[2] = {arena_strdup(a, db_col_text(st, 0)),
        arena_strdup(a, db_col_text(st, 1))};
    const char *phones[1] = {arena_strdup(a, db_col_text(st, 2))};
    db_done(st);
    return search_index(c, SEARCH_COMPANY, id, texts, 2, phones, 1, a, err);
}

/* Collects into *ids the ids of table's rows whose company is id. */
static int linked_ids(struct db_conn *c, const char *table, int64_t id,
                      int64_t **ids, int *n, struct arena *a,
                      struct err *err)
{
    struct db_stmt *st;
    const char *sql = arena_printf(a, "SELECT id FROM %s WHERE company_id "
                                   "= ? ORDER BY id", table);
    int rc = db_query(c, &st, err, sql, "i", id);
    if (rc)
        return rc;
    int cap = 0, r;
    *ids = NULL;
    *n = 0;
    while ((r = db_step(st, err)) == DB_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 64;
            int64_t *nid = arena_alloc(a, sizeof(int64_t) * (size_t)cap);
            if (*n)
                memcpy(nid, *ids, sizeof(int64_t) * (size_t)*n);
            *ids = nid;
        }
        (*ids)[(*n)++] = db_col_int(st, 0);
    }
    db_done(st);
    return r < 0 ? err->code : 0;
}

/* The contacts and deals of a company, whose search rows hold its name. */
struct links {
    int64_t *contacts, *deals;
    int ncontacts, ndeals;
};

static int load_links(struct db_conn *c, int64_t id, struct links *l,
                      struct arena *a, struct err *err)
{
    int rc = linked_ids(c, "contacts", id, &l->contacts, &l->ncontacts, a,
                        err);
    return rc ? rc : linked_ids(c, "deals", id, &l->deals, &l->ndeals, a,
                                err);
}

static int reindex_links(struct db_conn *c, const struct links *l,
                         struct arena *a, struct err *err)
{
    int rc = 0;
    for (int i = 0; !rc && i < l->ncontacts; i++)
        rc = crm_reindex_contact(c, l->contacts[i], a, err);
    for (int i = 0; !rc && i < l->ndeals; i++)
        rc = crm_reindex_deal(c, l->deals[i], a, err);
    return rc;
}

int crm_reindex_company_links(struct db_conn *c, int64_t id,
                              struct arena *a, struct err *err)
{
    struct links l;
    int rc = load_links(c, id, &l, a, err);
    return rc ? rc : reindex_links(c, &l, a, err);
}

/* after hook: the index, and its contacts' and deals' when the name
 * changed. */
static int company_after(struct wctx *w, const struct rec *in,
                         const struct rec *old, int64_t id, struct err *err)
{
    int rc = crm_reindex_company(w->c, id, w->a, err);
    const char *name = rec_text(in, "name");
    if (!rc && old && name && strcmp(name, rec_text(old, "name")))
        rc = crm_reindex_company_links(w->c, id, w->a, err);
    return rc;
}

/* unlink hook: contacts, deals, activities and child companies let go
 * (and the contacts and deals are re-indexed without its name). */
static int company_unlink(struct wctx *w, int64_t id, struct err *err)
{
    static const char *const SQL[] = {
        "UPDATE contacts SET company_id = NULL WHERE company_id = ?",
        "UPDATE deals SET company_id = NULL WHERE company_id = ?",
        "UPDATE activities SET company_id = NULL WHERE company_id = ?",
        "UPDATE companies SET parent_id = NULL WHERE parent_id = ?",
        "DELETE FROM collaborators WHERE object = 'company' AND "
        "record_id = ?",
        NULL};
    struct links l;
    int rc = load_links(w->c, id, &l, w->a, err);
    for (int i = 0; !rc && SQL[i]; i++)
        rc = db_run(w->c, err, SQL[i], "i", id);
    if (!rc)
        rc = reindex_links(w->c, &l, w->a, err);
    if (!rc)
        rc = search_unindex(w->c, SEARCH_COMPANY, id, err);
    return rc;
}

const struct object OBJ_COMPANY = {
    .name = "company",
    .plural = "companies",
    .table = "companies",
    .vis = VIS_COMPANY,
    .search_kind = SEARCH_COMPANY,
    .fields = FIELDS,
    .nfields = sizeof(FIELDS) / sizeof(FIELDS[0]),
    .prepare = company_prepare,
    .after = company_after,
    .unlink = company_unlink,
};
