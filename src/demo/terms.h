/* Search-index rows of the demo records, made fast: the rows of each
 * text come from store/search.h's search_terms_of (cached per distinct
 * text: names and company names repeat), and a kind's rows are loaded
 * in primary-key order (term, word, record) -- appending to the B-tree
 * instead of inserting at random places, several times faster. */
#ifndef PHEU_DEMO_TERMS_H
#define PHEU_DEMO_TERMS_H

#include <stdint.h>

#include "store/db.h"
#include "store/search.h"

/* ---- the rows of one record ---- */

/* A cache of search_terms_of results for single texts. */
struct terms_cache;

/* Returns a new empty cache (terms_cache_free frees it). */
struct terms_cache *terms_cache_new(void);
void terms_cache_free(struct terms_cache *tc);
/* The index rows of text alone (cached; the rows are owned by tc and
 * live as long as it does); NULL text gives none. Returns the count,
 * -1 when the text is not valid UTF-8. */
int terms_cache_get(struct terms_cache *tc, const char *text,
                    const struct sterm **out);

/* A record's rows being merged from its texts' rows, as search_terms_of
 * would collect them over all texts and phones. */
struct terms_rec {
    struct sterm t[64];
    int n;
};

void terms_rec_init(struct terms_rec *r);
/* Appends rows not already present (same term and word), in order. */
void terms_rec_add(struct terms_rec *r, const struct sterm *t, int n);

/* ---- a sorted load of one kind ---- */

struct terms_load;

/* Starts collecting the rows of kind; record ids must be added in
 * ascending order (first >= base). */
struct terms_load *terms_load_new(int kind, int64_t base);
/* Adds the rows of record id (texts copied). */
void terms_load_add(struct terms_load *tl, int64_t id, const struct sterm *t,
                    int n);
/* Writes every row into search_terms in primary-key order (through
 * store/bulk.h) and frees tl, also on error. */
int terms_load_finish(struct terms_load *tl, struct db_conn *c,
                      struct err *err);
/* Frees tl without writing. */
void terms_load_free(struct terms_load *tl);

#endif
