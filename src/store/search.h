/* Vietnamese-aware search (SPEC §12) over the search_terms table: every
 * searchable record has one row per distinct folded word (util/fold.c)
 * with the word as written, and phone numbers add their digits in
 * international and national form. A query matches records having a
 * word starting with each query word. Candidates are gathered in rank
 * order from the index — exact word with the marks typed, then exact
 * word, then prefix — up to a bound, so a common name never makes the
 * database sort every match; they are then ranked exactly in memory. */
#ifndef PHEU_STORE_SEARCH_H
#define PHEU_STORE_SEARCH_H

#include "model/object.h"
#include "store/listq.h"

#define SEARCH_CANDIDATES 1000  /* records ranked per query */

enum { SEARCH_CONTACT = 1, SEARCH_COMPANY = 2, SEARCH_DEAL = 3 };

/* One index row. */
struct sterm {
    const char *term;   /* folded */
    const char *word;   /* lower-cased, marks kept */
};

/* App. C: q must hold a letter or digit and be at most 200 bytes of
 * valid UTF-8; E_INVALID naming "q" otherwise. */
int search_check_query(const char *q, struct err *err);

/* Collects the distinct index rows of a record's texts and phone
 * numbers (E.164) into *out (arena); returns their count or -1 when a
 * text is not valid UTF-8. */
int search_terms_of(const char *const *texts, int ntexts,
                    const char *const *phones, int nphones,
                    struct sterm **out, struct arena *a);
/* A memo of texts already folded into words (an import folds the same
 * first names, family names and company names again and again), for one
 * thread; it remembers up to 65,536 texts of up to 128 bytes. */
struct search_memo;
struct search_memo *search_memo_new(void);
void search_memo_free(struct search_memo *m);
/* search_terms_of, where each texts[i] whose bit i is set in mask goes
 * through memo m (the same rows, in the same order, as without it). */
int search_terms_memo(const char *const *texts, int ntexts, unsigned mask,
                      const char *const *phones, int nphones,
                      struct sterm **out, struct arena *a,
                      struct search_memo *m);
/* Replaces the index rows of record id of kind. */
int search_index(struct db_conn *c, int kind, int64_t id,
                 const char *const *texts, int ntexts,
                 const char *const *phones, int nphones, struct arena *a,
                 struct err *err);
/* Removes the index rows of record id of kind. */
int search_unindex(struct db_conn *c, int kind, int64_t id,
                   struct err *err);
/* The ids of o's records matching q, best first, among those passing
 * where (SQL on alias t starting with " AND", parameters p). */
int search_ranked(struct db_conn *c, const struct object *o, const char *q,
                  const char *where, const struct sqlp *p, int64_t **ids,
                  int *n, struct arena *a, struct err *err);

#endif
