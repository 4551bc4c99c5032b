/* Background imports of api/imports.c: resumed when the server starts,
 * stopped (resumable) when it shuts down. */
#ifndef PHEU_API_IMPORTS_H
#define PHEU_API_IMPORTS_H

#include "store/db.h"
#include "util/err.h"

/* Restarts the imports a shutdown or crash left queued or running;
 * an error when the database cannot say which. */
int imports_resume(struct db *db, struct err *err);
/* Asks running imports to stop after their current batch and waits (up
 * to 30 s) for them; they resume at the next start. */
void imports_stop(void);

#endif
