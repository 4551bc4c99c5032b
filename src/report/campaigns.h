/* The campaign performance report (SPEC §4 "campaign performance",
 * App. A, App. B): per campaign, for a period, what was spent, what it
 * reached, whom it brought through the funnel, and the revenue the
 * attribution report credits it with, with the ratios marketing is
 * judged by. The arithmetic is pure (camp_cost_per, camp_roi,
 * camp_rate, camp_count_contact; tests/unit/test_campaigns.c);
 * campaign_report_run reads each figure for every campaign at once (a
 * query per figure, never one per campaign), the revenue on a thread of
 * its own. Definitions beyond the SPEC:
 * docs/decisions/0015-campaign-report.md. */
#ifndef PHEU_REPORT_CAMPAIGNS_H
#define PHEU_REPORT_CAMPAIGNS_H

#include <jansson.h>
#include <stdint.h>

#include "report/attribution.h"
#include "store/db.h"
#include "store/visibility.h"
#include "util/arena.h"
#include "util/err.h"

/* ---- the arithmetic of a row (pure) ---- */

/* cost / n in minor units, rounded half up (cost >= 0, n >= 0): the cost
 * per lead, per MQL, per customer (CAC). Returns 0 and sets *out, or -1
 * (the value is null) when n is 0. */
int camp_cost_per(int64_t cost, int64_t n, int64_t *out);
/* ROI = (revenue - cost) / cost as a fraction (1.5 is +150 %). Returns
 * 0 and sets *out, or -1 (null) when cost is 0. */
int camp_roi(int64_t revenue, int64_t cost, double *out);
/* num / den as a fraction (a conversion rate). Returns 0 and sets *out,
 * or -1 (null) when den is 0. */
int camp_rate(int64_t num, int64_t den, double *out);

/* What a campaign's contacts did in a period (see camp_count_contact). */
struct camp_counts {
    int64_t new_contacts, leads, mqls, mql_sql, sqls, sql_cust, customers;
};

/* "No such moment" for camp_count_contact's stage entries. */
#define CAMP_NEVER INT64_MAX

/* Counts one contact into c for the period [lo, hi) (ms): new when
 * created in it; a lead, MQL, SQL or customer when its first entry into
 * that stage or any later funnel stage falls in it (so a skipped stage
 * counts); of those MQLs, mql_sql counts the ones that have entered SQL
 * or later at any time, and of the SQLs, sql_cust those that have
 * entered customer or later. became[k] is the first entry into stage k
 * of LIFECYCLE_STAGES (subscriber .. evangelist, 7 values), CAMP_NEVER
 * when none. */
void camp_count_contact(struct camp_counts *c, int64_t created,
                        const int64_t became[7], int64_t lo, int64_t hi);

/* ---- the report ---- */

/* The columns a report can be sorted by (the row's JSON names). */
enum camp_col { CC_CAMPAIGN_ID, CC_NAME, CC_CHANNEL, CC_STATUS, CC_BUDGET,
                CC_COST, CC_TOUCHPOINTS, CC_NEW_CONTACTS, CC_LEADS,
                CC_MQLS, CC_SQLS, CC_DEALS, CC_CUSTOMERS, CC_REVENUE,
                CC_COST_PER_LEAD, CC_COST_PER_MQL, CC_CAC, CC_ROI,
                CC_MQL_TO_SQL, CC_SQL_TO_CUSTOMER, CC_COLS };

/* The JSON name of column k ("cost_per_lead"), or NULL. */
const char *camp_col_name(int k);

struct camp_query {
    enum attr_model model;      /* revenue's model; default linear */
    int64_t from_ms, to_ms;     /* [from_ms, to_ms), ms */
    const char *from_day, *to_day;  /* as given (to_day included); NULL
                                     * for an open end (the CLI) */
    const char *currency;       /* NULL: settings' "currency" */
    const char *channel;        /* only this channel's campaigns; NULL
                                 * all */
    enum camp_col sort;         /* default revenue, descending */
    int desc;
    unsigned given;             /* camp_query_arg: arguments read */
};

/* Prepares q: no argument given, model linear, sort by -revenue, the
 * period open at both ends. */
void camp_query_init(struct camp_query *q);
/* Reads one query-string argument: from, to (YYYY-MM-DD, business time
 * zone, both included), model, currency, channel, sort (a column name,
 * "-" first for descending). E_INVALID naming the parameter when it is
 * bad or unknown. Strings are copied into a. */
int camp_query_arg(struct camp_query *q, const char *key, const char *value,
                   struct arena *a, struct err *err);
/* Checks that from and to were given (require_period) and that from <=
 * to; E_INVALID naming the parameter otherwise. */
int camp_query_check(const struct camp_query *q, int require_period,
                     struct err *err);

/* Runs the report for viewer v (NULL: sees everything) and builds its
 * document in *out (a new reference the caller owns):
 *   {"from","to","model","currency","channel","sort",
 *    "rows": [{"campaign_id","name","channel","status","parent_id",
 *              "budget","cost","touchpoints","new_contacts","leads",
 *              "mqls","sqls","deals","customers","revenue",
 *              "cost_per_lead","cost_per_mql","cac","roi","mql_to_sql",
 *              "sql_to_customer"}],
 *    "totals": {the same figures summed over the rows, ratios of the
 *               sums},
 *    "excluded": {"campaigns"}}
 * A campaign has a row when its dates overlap the period or any of its
 * figures is not 0. Counts cover the contacts, deals and touchpoints v
 * may see; money is in minor units of the report currency (a campaign
 * whose currency has no rate has cost and budget null and is counted in
 * "excluded"). A malformed "fx_rates" is E_RULE; storage E_DB. */
int campaign_report_run(struct db_conn *c, const struct vis *v,
                        const struct camp_query *q, json_t **out,
                        struct arena *a, struct err *err);

#endif
