/* The funnel report (SPEC §3, App. A): for a period, how many contacts
 * reached (cohort mode) or entered (period mode) each lifecycle stage,
 * the conversion to the next stage, the velocity of each step (median
 * and p75 days) and the totals per funnel part, optionally one funnel
 * per group (source, campaign, owner, team, month), over any contact
 * filter of SPEC §12 and the viewer's visibility. It reads one row per
 * contact: the first entry into each stage that contact.c keeps
 * (contacts.became_<stage>_at), never the stage history.
 * Rules beyond the SPEC: docs/decisions/0010-funnel.md. */
#ifndef PHEU_REPORT_FUNNEL_H
#define PHEU_REPORT_FUNNEL_H

#include <jansson.h>

#include "report/stats.h"
#include "store/listq.h"

#define FUNNEL_STAGES 7         /* subscriber .. evangelist */
#define FUNNEL_PARTS 3          /* TOFU, MOFU, BOFU */

enum funnel_mode { FUNNEL_COHORT, FUNNEL_PERIOD };
enum funnel_group { FG_NONE, FG_SOURCE, FG_CAMPAIGN, FG_OWNER, FG_TEAM,
                    FG_MONTH };

/* ---- the arithmetic (pure; tests/unit/test_funnel.c) ----
 * A contact is first[k]: the time (ms) it first entered funnel stage
 * k + 1 (subscriber is k = 0), 0 when never. */

/* One funnel being counted. */
struct funnel_acc {
    int64_t contacts;                   /* in the cohort / the period */
    int64_t count[FUNNEL_STAGES];       /* reached or entered */
    int64_t part[FUNNEL_PARTS];         /* period mode: entered */
    struct samples vel[FUNNEL_STAGES];  /* ms from stage k to the next */
};

/* What a funnel says. */
struct funnel_out {
    int64_t contacts, count[FUNNEL_STAGES], part[FUNNEL_PARTS];
    double conversion[FUNNEL_STAGES];   /* [6] unused: no next stage */
    int has_velocity[FUNNEL_STAGES];
    double median[FUNNEL_STAGES], p75[FUNNEL_STAGES];    /* days */
    double overall;
};

/* The stage name and funnel part ("TOFU", "MOFU", "BOFU", "post") of
 * funnel stage k. */
const char *funnel_stage_name(int k);
const char *funnel_stage_part(int k);
/* The part of funnel stage k (0..2), or -1 (evangelist). */
int funnel_part_of(int k);
/* The time of the first entry into a stage after stage k that is at or
 * after the first entry into k (App. C), or 0. */
int64_t funnel_next_entry(const int64_t first[FUNNEL_STAGES], int k);
/* Cohort mode: counts one contact of the cohort. */
void funnel_add_cohort(struct funnel_acc *f,
                       const int64_t first[FUNNEL_STAGES]);
/* Cohort mode: counts n contacts with at most one first entry, into
 * stage k (-1: none): what n funnel_add_cohort calls would (no velocity
 * sample: a step needs two entries). */
void funnel_add_single(struct funnel_acc *f, int k, int64_t n);
/* Period mode: counts stage k of a contact whose first entry into it
 * falls in the period (and the step to the next, if it made it). */
void funnel_add_entry(struct funnel_acc *f, int k,
                      const int64_t first[FUNNEL_STAGES]);
/* The time a contact first entered part p (its earliest stage of the
 * part), or 0. */
int64_t funnel_part_entry(const int64_t first[FUNNEL_STAGES], int p);
/* Computes the figures (reorders the samples). */
void funnel_finish(struct funnel_acc *f, enum funnel_mode m,
                   struct funnel_out *o);
/* Adds what src counted to dst (two readers of one report); src is
 * empty after. */
void funnel_acc_merge(struct funnel_acc *dst, struct funnel_acc *src);
/* Frees the samples. */
void funnel_acc_free(struct funnel_acc *f);

/* ---- the report ---- */

#define FUNNEL_MAX_FILTERS LISTQ_MAX_CONDS

struct funnel_query {
    enum funnel_mode mode;
    enum funnel_group group;
    const char *from, *to;              /* YYYY-MM-DD as given */
    int64_t from_ms, to_ms;             /* [from_ms, to_ms) */
    struct listq lq;                    /* the contact filters */
    const char *fkey[FUNNEL_MAX_FILTERS], *fval[FUNNEL_MAX_FILTERS];
    int nf;                             /* the filters, as given */
};

/* Prepares q; release it with funnel_query_release. */
void funnel_query_init(struct funnel_query *q);
void funnel_query_release(struct funnel_query *q);
/* Reads one argument: from, to, mode, group_by, or a contact filter
 * (the syntax of store/listq.h). E_INVALID naming the parameter when
 * bad; limit, cursor, sort, q and the fields the report sets itself
 * (created_at in cohort mode, highest_stage, became_*) are refused. */
int funnel_query_arg(struct funnel_query *q, struct db_conn *c,
                     const char *key, const char *value, struct arena *a,
                     struct err *err);
/* Checks what needs every argument: from and to given, from <= to. */
int funnel_query_check(struct funnel_query *q, struct err *err);
/* Runs the report for viewer v (NULL: everything) and builds the
 * document of App. A in *out (new reference). */
int funnel_run(struct db_conn *c, struct funnel_query *q, const struct vis *v,
               json_t **out, struct arena *a, struct err *err);

#endif
