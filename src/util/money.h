/* Money (SPEC §2): ISO 4217 codes, the decimals of their minor units,
 * and exact conversion of an amount in minor units from one currency to
 * another through rates quoted against one base currency (settings
 * "fx_rates"; docs/decisions/0014-attribution.md). Pure: no database. */
#ifndef PHEU_UTIL_MONEY_H
#define PHEU_UTIL_MONEY_H

#include <stddef.h>
#include <stdint.h>

/* A rate: the value of one major unit of a currency in major units of
 * the base currency, as the decimal mant * 10^exp (mant > 0). */
struct money_rate {
    int64_t mant;
    int exp;
};

/* The base currency's own rate: 1. */
#define MONEY_RATE_ONE ((struct money_rate){1, 0})

/* Whether s is an ISO 4217-shaped code: three ASCII capitals. */
int money_code_valid(const char *s);
/* The number of decimals of code's minor unit: 0 for VND, JPY, KRW and
 * the other zero-decimal currencies, 3 for BHD, JOD, KWD, OMR, TND,
 * LYD, IQD, 2 for every other code (USD, EUR, ...). */
int money_decimals(const char *code);
/* Reads a rate from a JSON number's value (an integer or a double, the
 * double's shortest 15-digit decimal form taken as written: 25400.5 is
 * 254005e-1 exactly). Returns 0, or -1 when v is not finite and > 0. */
int money_rate_from_double(double v, struct money_rate *out);
int money_rate_from_int(int64_t v, struct money_rate *out);
/* Converts amount (minor units, >= 0, of a currency with dfrom decimals
 * and rate from) into minor units of a currency with dto decimals and
 * rate to, rounding half up, exactly (128-bit arithmetic). Returns 0
 * and sets *out, or -1 when the result does not fit an int64_t. */
int money_convert(int64_t amount, int dfrom, struct money_rate from,
                  int dto, struct money_rate to, int64_t *out);
/* Writes amount (minor units with the given decimals) in major units
 * with thousands separators into buf: 123456789 and 2 give
 * "1,234,567.89", -5 and 0 give "-5". Returns buf. */
const char *money_format(int64_t amount, int decimals, char *buf,
                         size_t len);

#endif
