/* A partial UPDATE built from the fields a PATCH gave: collects
 * "col = ?" pairs and their values, then runs "UPDATE t SET ... WHERE
 * id = ?". Column names come from code, never from the request. */
#ifndef PHEU_STORE_UPDATE_H
#define PHEU_STORE_UPDATE_H

#include <stdint.h>

#include "store/db.h"

#define UPDATE_MAX 32

struct update {
    const char *table;
    const char *cols[UPDATE_MAX];
    const char *texts[UPDATE_MAX];
    int64_t ints[UPDATE_MAX];
    char kinds[UPDATE_MAX];     /* 't' text, 'i' int, 'n' NULL */
    int n;
};

/* Starts an update of table. */
void update_init(struct update *u, const char *table);
/* Sets col to text v (borrowed; NULL sets NULL). */
void update_text(struct update *u, const char *col, const char *v);
/* Sets col to integer v. */
void update_int(struct update *u, const char *col, int64_t v);
/* Sets a reference col to id v, or NULL when v is 0. */
void update_ref(struct update *u, const char *col, int64_t v);
/* Runs the update on row id; E_NOTFOUND when no row changed. */
int update_run(struct update *u, struct db_conn *c, int64_t id,
               struct err *err);

#endif
