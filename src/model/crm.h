/* Rules that cross CRM objects (SPEC §2, §3): lifecycle stage moves and
 * their history, a company's stage rolled up from its contacts, and the
 * search index kept in step with the records it covers. */
#ifndef PHEU_MODEL_CRM_H
#define PHEU_MODEL_CRM_H

#include "model/object.h"

/* Records a stage change of contact id from -> to at time at (a
 * stage_changes row) and rolls its company's stage up. The contact row
 * itself is written by the caller. */
int crm_stage_changed(struct wctx *w, int64_t id, const char *from,
                      const char *to, int64_t at, const char *reason,
                      struct err *err);
/* Recomputes contact id's first entry into each stage and its highest
 * stage from its stage_changes rows (after a merge moved them). */
int crm_refresh_stage_firsts(struct db_conn *c, int64_t id,
                             struct err *err);
/* Moves contact id forward to stage to when it is behind it (open deal
 * => opportunity, won deal => customer); never backwards. */
int crm_advance_contact(struct wctx *w, int64_t id, const char *to,
                        const char *reason, struct err *err);
/* Sets company id's stage to the most advanced of its contacts'. */
int crm_rollup_company(struct db_conn *c, int64_t id, struct err *err);
/* Rebuilds the search rows of contact, company or deal id. */
int crm_reindex_contact(struct db_conn *c, int64_t id, struct arena *a,
                        struct err *err);
int crm_reindex_company(struct db_conn *c, int64_t id, struct arena *a,
                        struct err *err);
int crm_reindex_deal(struct db_conn *c, int64_t id, struct arena *a,
                     struct err *err);
/* Rebuilds the search rows of company id's contacts and deals (theirs
 * hold its name): after a rename or a merge. */
int crm_reindex_company_links(struct db_conn *c, int64_t id,
                              struct arena *a, struct err *err);

/* The business's default currency (settings "currency"; "VND" when
 * unreadable), an arena copy. */
const char *crm_default_currency(struct db_conn *c, struct arena *a);
/* The parts of a contact's prepare hook that read nothing, for a bulk
 * loader that keeps the identity keys itself (import/bulk.c): the
 * dedupe key from the phone (phone_key: the E.164 phone or NULL), and
 * the rules after the uniqueness checks (a name, email or phone; a
 * stage date only with a stage, never future; created_at not future).
 * old is NULL for a new contact. */
void crm_contact_set_phone_key(struct rec *in);
int crm_contact_check_rules(const struct rec *in, const struct rec *old,
                            struct err *err);

/* A company domain as stored: lower case, without scheme, path or
 * "www." (arena copy); the dedupe key of companies. */
const char *crm_domain_key(const char *d, struct arena *a);

#endif
