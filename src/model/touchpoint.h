/* Touchpoints (SPEC §4, issue 6 item 2): one interaction of a contact
 * or of an anonymous visitor, with its UTM tags, campaign and time; and
 * a contact's original source, derived from its first touchpoint into
 * the contact's "source" and "source_campaign_id"
 * (docs/decisions/0013-touchpoints.md). */
#ifndef PHEU_MODEL_TOUCHPOINT_H
#define PHEU_MODEL_TOUCHPOINT_H

#include <jansson.h>

#include "model/object.h"

/* SPEC §4's kinds, NULL-ended. */
extern const char *const TOUCHPOINT_KINDS[];

/* The original source (organic_search, paid_search, social, email,
 * referral, direct, offline, other) of a first touch with this kind,
 * utm_medium, utm_source and referrer (each may be NULL); the rules are
 * decision 0013's table, first match wins. Returns a static string. */
const char *touchpoint_source(const char *kind, const char *medium,
                              const char *source, const char *referrer);

/* Whether who may record touchpoints: admin, marketing_manager,
 * marketer (the campaign writers). */
int touchpoint_may_write(const struct principal *who);

/* Records a touchpoint from body (App. A's fields): resolves the contact
 * from contact_id or email (422 naming the field when it names no
 * contact the caller sees), the campaign from campaign_id or, when
 * absent, utm_campaign (case-insensitively), the channel from the
 * campaign; refuses an "at" in the future (422). Unknown keys and wrong
 * JSON types are 400. When the touch becomes its contact's first, the
 * contact's source and source_campaign_id follow it. Runs in the
 * caller's transaction; w->who NULL is the CLI or an import. Sets *id. */
int touchpoint_create(struct wctx *w, json_t *body, int64_t *id,
                      struct err *err);

/* Joins the anonymous touches of visitor to contact (the visitor
 * identified themselves: a form, a tracked email link, a touch recorded
 * with both) and lets the contact's original source follow its first
 * touch. Touches already joined to a contact keep theirs. Runs in the
 * caller's transaction. */
int touchpoint_join_visitor(struct db_conn *c, const char *visitor,
                            int64_t contact, struct err *err);

/* Sets contact's source and source_campaign_id from its first touch
 * (earliest at, then id) when it has one; else leaves them. For merges,
 * whose survivor takes the other's touches. */
int touchpoint_refresh_source(struct db_conn *c, int64_t contact,
                              struct err *err);

/* The JSON of touchpoint id if v (NULL: anyone) may see it, else
 * E_NOTFOUND. */
int touchpoint_get(struct db_conn *c, const struct vis *v, int64_t id,
                   json_t **out, struct err *err);

/* List filters; 0 / NULL = not filtered. */
struct tp_filter {
    int64_t contact_id, campaign_id;
    const char *visitor_id, *kind, *channel;
    int64_t at_gte, at_lt;      /* ms; at_lt 0 = no bound */
    int has_gte;
};

/* One page of the touchpoints v may see, newest first (at, then id),
 * after cursor "at.id" (NULL: from the newest); *next is the next
 * page's cursor or NULL. */
int touchpoint_list(struct db_conn *c, const struct vis *v,
                    const struct tp_filter *f, int limit, const char *cursor,
                    json_t **out, const char **next, struct arena *a,
                    struct err *err);

/* The SQL columns of touchpoint rows (with table alias "t") and the
 * JSON of a row read with them from column 0: for the timeline. */
#define TOUCHPOINT_COLS "t.id, t.contact_id, t.visitor_id, t.kind, " \
    "t.channel, t.campaign_id, t.utm_source, t.utm_medium, " \
    "t.utm_campaign, t.utm_term, t.utm_content, t.url, t.referrer, " \
    "t.at, t.created_at, t.by_user"
json_t *touchpoint_row_json(struct db_stmt *st);

/* After a batch of touches with ids above after_id was written: lets
 * contact's original source follow its first touch when that touch is
 * one of the batch's (a page view queued before the visitor identified
 * themselves can be earlier than every other touch); else changes
 * nothing, not even updated_at. Runs in the caller's transaction. */
int touchpoint_follow_new_first(struct db_conn *c, int64_t contact,
                                int64_t after_id, struct err *err);

#endif
