/* Campaigns (SPEC §4, App. A): the object OBJ_CAMPAIGN of model/object.h
 * and its dated cost entries. A campaign's "cost" is the sum of its
 * entries, kept in its row by the writes below in the same transaction
 * (docs/decisions/0011-campaigns.md). */
#ifndef PHEU_MODEL_CAMPAIGN_H
#define PHEU_MODEL_CAMPAIGN_H

#include "model/object.h"

/* The largest amount of one cost entry, and of a campaign's total cost
 * (minor units): sums stay far from int64 overflow. */
#define CAMPAIGN_COST_MAX 1000000000000000LL        /* 10^15 */
#define CAMPAIGN_TOTAL_MAX 1000000000000000000LL    /* 10^18 */

/* SPEC §4's campaign channels (a touchpoint's too), NULL-ended. */
extern const char *const CAMPAIGN_CHANNELS[];

/* Whether the role may create, change and delete campaigns and their
 * cost entries: admin, marketing_manager, marketer. */
int campaign_may_write(const struct principal *who);

/* Adds a cost entry to campaign id from body {"date","amount","note",
 * "currency"} (date and amount required; currency, when given, must be
 * the campaign's: E_RULE, there is no rate table). Unknown keys and
 * wrong types are E_INVALID, rule breaks E_RULE, a campaign the caller
 * may not see E_NOTFOUND, a role that may not write E_FORBIDDEN. Adds
 * the amount to the campaign's cost and writes an audit row
 * (object "campaign_cost"); runs in the caller's transaction. Sets *id. */
int campaign_cost_add(struct wctx *w, int64_t campaign, json_t *body,
                      int64_t *id, struct err *err);
/* Removes cost entry cost of campaign id (E_NOTFOUND when it is not
 * one of its entries) and takes its amount off the campaign's cost. */
int campaign_cost_delete(struct wctx *w, int64_t campaign, int64_t cost,
                         struct err *err);
/* The JSON of cost entry id of campaign (E_NOTFOUND otherwise); a new
 * reference the caller owns. */
int campaign_cost_get(struct db_conn *c, int64_t campaign, int64_t id,
                      json_t **out, struct err *err);
/* One page of campaign's cost entries, newest date first (then newest
 * entry): at most limit after the cursor (NULL: from the start). *out
 * is a new array; *next an arena cursor for the next page, or NULL.
 * A malformed cursor is E_INVALID. */
int campaign_cost_list(struct db_conn *c, int64_t campaign, int limit,
                       const char *cursor, json_t **out, const char **next,
                       struct arena *a, struct err *err);
/* Adds a cost entry without the API's checks (demo data): amount > 0 in
 * the campaign's currency, date YYYY-MM-DD. */
int campaign_cost_insert(struct db_conn *c, int64_t campaign,
                         const char *date, int64_t amount,
                         const char *note, int64_t by_user, int64_t *id,
                         struct err *err);

#endif
