/* The demo's marketing (issue 6 item 7, docs/decisions/0005): campaigns
 * on most channels of SPEC §4 over the 18 months, with budgets, dated
 * cost entries, goals and owners from the marketing team; and every
 * contact's touchpoints, told from its story (the first touch at or
 * before it was created, agreeing with its original source; a form at
 * the moment it entered lead; e-mails, events and webinars on the way to
 * a deal), plus anonymous visitors. All drawn from the seed: a contact's
 * touches are a pure function of (seed, index, story), so each pass of
 * demo/records.c that needs them computes them again. */
#ifndef PHEU_DEMO_MARKETING_H
#define PHEU_DEMO_MARKETING_H

#include <stdint.h>

#include "demo/demo.h"
#include "demo/records.h"
#include "demo/sink.h"

/* Original sources, in the order of records.c's SOURCES table. */
enum { MS_ORGANIC, MS_PAID, MS_SOCIAL, MS_EMAIL, MS_REFERRAL, MS_DIRECT,
       MS_OFFLINE, MS_OTHER };

/* What the touches of a contact follow: times are ms, 0 when it did
 * not happen. */
struct mkt_story {
    int64_t created;
    int source;                 /* MS_* */
    int by_form;                /* its first stage came from a form */
    int64_t lead;               /* first entry into lead */
    int lead_by_form;           /* a subscriber who became lead by a form */
    int64_t mql, sql, opp, closed;  /* first entries; deal decided */
};

/* One touch; the strings are static. campaign is an index into the
 * campaigns (mkt_campaign_id gives its id), -1 for none. */
struct mkt_touch {
    int64_t at;
    const char *kind, *channel, *source, *medium, *term, *content, *url,
               *referrer;
    int campaign;
    int visitor;                /* carries the contact's visitor id */
};

#define MKT_MAX_TOUCHES 24

/* The marketing of one demo run (campaigns in memory). */
struct mkt;

/* Plans the campaigns of a demo of contacts contacts ending at today_ms
 * (about 48 at 3,000 contacts, 500 at a million), owned by org's
 * marketing team; ids from base_id on. mkt_free frees it. */
struct mkt *mkt_new(const struct demo_org *org, uint64_t seed,
                    long contacts, int64_t today_ms, int64_t base_id);
void mkt_free(struct mkt *m);

/* The id of campaign index k (-1: 0). */
int64_t mkt_campaign_id(const struct mkt *m, int k);

/* Writes the campaigns and their cost entries (CSV: campaigns.csv in
 * the layout of `pheu export campaigns`, campaign_costs.csv); counts in
 * res. */
int mkt_write_campaigns(const struct mkt *m, const struct demo_sink *out,
                        struct demo_result *res, struct err *err);

/* The touches of contact i with story s into out (MKT_MAX_TOUCHES), in
 * time order: out[0] is its first touch, whose source and campaign the
 * contact's source and source_campaign_id are. Returns the count. */
int mkt_contact_touches(const struct mkt *m, long i,
                        const struct mkt_story *s, struct mkt_touch *out);

/* Opens the touchpoints sink (CSV: touchpoints.csv with the columns of
 * `pheu import touchpoints`; the campaign goes by utm_campaign). */
int mkt_touch_sink(struct sink *s, const struct demo_sink *out,
                   struct err *err);
/* Writes contact i's touches (contact id contact) and the anonymous
 * visitors the demo places around its creation time. */
int mkt_write_touches(const struct mkt *m, struct sink *s, long i,
                      int64_t contact, int64_t created,
                      const struct mkt_touch *t, int n);

#endif
