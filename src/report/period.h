/* The period of a report (SPEC §3: date parameters are whole calendar
 * days in the business time zone, both ends included): reading a day
 * parameter, shared by the funnel and attribution reports. */
#ifndef PHEU_REPORT_PERIOD_H
#define PHEU_REPORT_PERIOD_H

#include <stdint.h>

#include "util/err.h"

#define REPORT_DAY_MS 86400000LL

/* Reads s, a date "YYYY-MM-DD", into *ms: the start of that day in the
 * business time zone. E_INVALID naming parameter name otherwise (a
 * time, another format, a day that does not exist). */
int report_parse_day(const char *name, const char *s, int64_t *ms,
                     struct err *err);

#endif
