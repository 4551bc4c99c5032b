/* The demo's web forms and their submissions (demo/forms.c). */
#ifndef PHEU_DEMO_FORMS_H
#define PHEU_DEMO_FORMS_H

#include <stdint.h>

#include "store/db.h"

/* Creates the demo forms and, for a sample of the loaded contacts,
 * their submissions (with touchpoints and consents) before today_ms, in
 * the caller's transaction. */
int demo_forms(struct db_conn *c, int64_t today_ms, struct err *err);

#endif
