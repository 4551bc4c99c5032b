/* The attribution report (SPEC §4 "attribution", App. A, App. C): the
 * revenue of the deals won in a period, credited to the touchpoints of
 * each deal's contacts up to its close by one of seven models, summed
 * per campaign or per channel, in one currency. The arithmetic of one
 * deal is pure (attr_positions, attr_credit; tests/unit/
 * test_attribution.c); attribution_run streams the deals and their
 * touches from the database in a few ordered batch queries.
 * Rules beyond the SPEC: docs/decisions/0014-attribution.md. */
#ifndef PHEU_REPORT_ATTRIBUTION_H
#define PHEU_REPORT_ATTRIBUTION_H

#include <jansson.h>
#include <stdint.h>

#include "store/db.h"
#include "store/visibility.h"
#include "util/arena.h"
#include "util/err.h"

enum attr_model { ATTR_FIRST_TOUCH, ATTR_LAST_TOUCH, ATTR_LINEAR,
                  ATTR_U_SHAPED, ATTR_W_SHAPED, ATTR_FULL_PATH,
                  ATTR_TIME_DECAY, ATTR_MODELS };
enum attr_by { ATTR_BY_CAMPAIGN, ATTR_BY_CHANNEL };

/* The named positions of a deal's path, indexes into its touches. */
enum attr_pos { ATTR_FIRST, ATTR_LEAD, ATTR_DEAL, ATTR_LAST, ATTR_NPOS };

/* "No such moment" for attr_positions' lead time. */
#define ATTR_NO_TIME INT64_MIN

/* The model's API name ("u_shaped"), and the model of a name (-1 when
 * it names none). */
const char *attr_model_name(enum attr_model m);
int attr_model_parse(const char *s);

/* ---- the arithmetic of one deal (pure) ----
 * A deal's touches are given by their times at[0..n-1] (ms), already in
 * the SPEC's order (at, then id); n >= 1. */

/* Finds the named positions (SPEC §4): first (0), last (n - 1), lead
 * creation (the last touch at or before lead_ms, the earliest entry of
 * any of the deal's contacts into lead or a later stage, ATTR_NO_TIME
 * when none), deal creation (the last touch at or before created_ms);
 * either is the first touch when no touch is that early. */
void attr_positions(const int64_t *at, int n, int64_t lead_ms,
                    int64_t created_ms, int pos[ATTR_NPOS]);
/* Splits amount (minor units, >= 0) over the n touches by model m:
 * credits[i] gets touch i's share rounded down, and the remainder of
 * the rounding goes to the largest share (the earliest touch among
 * equals), so the credits sum to amount exactly. A touch holding
 * several named positions gets the sum of their shares; the share of
 * "the rest" is split equally over the touches holding no named
 * position, or when there are none over the distinct named touches.
 * time_decay weighs touch i by 2^(-days from at[i] to closed_ms / 7).
 * credited[i] is set to 1 when the model gives touch i a share above
 * zero (it may still round to 0), else 0. */
void attr_credit(enum attr_model m, const int64_t *at, int n,
                 const int pos[ATTR_NPOS], int64_t closed_ms, int64_t amount,
                 int64_t *credits, unsigned char *credited);

/* ---- the report ---- */

struct attr_query {
    enum attr_model model;
    enum attr_by by;
    int64_t won_from, won_to;   /* closed_at in [won_from, won_to), ms */
    const char *currency;       /* report currency; NULL: settings'
                                 * "currency" */
    const char *from_day, *to_day;  /* echoed as won_from, won_to (NULL:
                                     * null); attr_query_arg sets them */
    unsigned given;             /* attr_query_arg: arguments read (for
                                 * attr_query_check; attribution_run
                                 * ignores it) */
};

/* Prepares q (no argument given; the period open at both ends). */
void attr_query_init(struct attr_query *q);
/* Reads one query-string argument: model, by, won_from, won_to (whole
 * days YYYY-MM-DD in the business time zone, both included), currency.
 * E_INVALID naming the parameter when it is bad or unknown. Strings are
 * copied into a. */
int attr_query_arg(struct attr_query *q, const char *key, const char *value,
                   struct arena *a, struct err *err);
/* Checks that model and by were given, and won_from and won_to when
 * require_period (the API; the CLI leaves an end open), and that
 * won_from < won_to; E_INVALID naming the parameter otherwise. */
int attr_query_check(const struct attr_query *q, int require_period,
                     struct err *err);

/* Runs the report over the won deals viewer v may see (NULL: every
 * deal) whose closed_at is in [q->won_from, q->won_to), and builds the
 * document of App. A in *out (a new reference the caller owns):
 *   {"model","by","currency","won_from","won_to","total_revenue",
 *    "deals","rows": [{"key","name","revenue","touchpoints"}],
 *    "unattributed": {"revenue","deals"},
 *    "excluded": {"deals","revenue_by_currency": {"USD": 1250, ...}}}
 * Rows are sorted by revenue, descending, then by key (null last).
 * By campaign a row's key is the campaign id (null: "(no campaign)"),
 * by channel the channel (null: "(no channel)"). Money is in minor
 * units of the report currency; deals in another currency are
 * converted at settings "fx_rates" or, without a rate, counted in
 * "excluded" in their own currency. A malformed "fx_rates" is E_RULE
 * naming "fx_rates"; a storage failure E_DB. */
int attribution_run(struct db_conn *c, const struct vis *v,
                    const struct attr_query *q, json_t **out,
                    struct arena *a, struct err *err);

#endif
