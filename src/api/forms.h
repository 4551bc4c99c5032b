/* The public form endpoint's start and stop with `pheu serve`: the
 * per-address limit of submissions (api/forms.c). */
#ifndef PHEU_API_FORMS_H
#define PHEU_API_FORMS_H

#include "util/err.h"

#define FORMS_RATE 1            /* submissions a second per address */
#define FORMS_BURST 20          /* at once */

/* Makes the limit: rate submissions a second on average per client
 * address, bursts of burst (0: the defaults above). Without it (tests of
 * the handlers) nothing is limited. 0 or E_INTERNAL. */
int forms_start(int rate, int burst, struct err *err);

/* Frees the limit; safe when not started. */
void forms_stop(void);

#endif
