/* A report's currency (SPEC §2, App. A; decision 0014 "Currency"): the
 * settings currency (the base), the rate table of settings "fx_rates",
 * and the conversion of an amount into the report currency. Shared by
 * the attribution and campaign performance reports. */
#ifndef PHEU_REPORT_FX_H
#define PHEU_REPORT_FX_H

#include <stdint.h>

#include "store/db.h"
#include "util/arena.h"
#include "util/err.h"
#include "util/money.h"

/* An exchange rate of settings "fx_rates". */
struct fx_rate {
    char code[4];
    struct money_rate r;
};

struct fx {
    const char *base;           /* settings "currency" (VND when unset) */
    const char *currency;       /* the report's */
    struct fx_rate *rates;      /* in the arena given to fx_load */
    int nrates;
};

/* Reads settings "currency" and "fx_rates" into *fx; the report
 * currency is currency, or the base when NULL. Strings and rates live
 * in a. A malformed "fx_rates" is E_RULE naming "fx_rates"; a storage
 * failure E_DB. */
int fx_load(struct db_conn *c, const char *currency, struct fx *fx,
            struct arena *a, struct err *err);
/* Converts amount (minor units of currency cur) into the report
 * currency in *out. Returns -1 when either currency has no rate or the
 * result does not fit, else 0. */
int fx_convert(const struct fx *fx, const char *cur, int64_t amount,
               int64_t *out);

#endif
