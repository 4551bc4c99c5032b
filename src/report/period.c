/* The period of a report (see period.h). */
#include "report/period.h"
#include "store/listq.h"

#include <string.h>

int report_parse_day(const char *name, const char *s, int64_t *ms,
                     struct err *err)
{
    int date_only = 0;
    if (strlen(s) != 10 || listq_parse_time(s, ms, &date_only) ||
        !date_only)
        return err_set(err, E_INVALID, name, "must be a date YYYY-MM-DD");
    return 0;
}
