/* Samples and percentiles for reports: a growable vector of int64
 * samples and PostgreSQL's percentile_cont (linear interpolation between
 * the closest ranks), found by selection rather than a full sort. */
#ifndef PHEU_REPORT_STATS_H
#define PHEU_REPORT_STATS_H

#include <stddef.h>
#include <stdint.h>

struct samples {
    int64_t *v;
    size_t n, cap;
};

/* Appends x (aborts on out of memory, as xalloc does). */
void samples_add(struct samples *s, int64_t x);
/* Moves every sample of src to the end of dst; src is empty again. */
void samples_merge(struct samples *dst, struct samples *src);
/* Frees the storage; s is empty again. */
void samples_free(struct samples *s);
/* percentile_cont(p) of the n > 0 samples, 0 <= p <= 1; reorders them. */
double samples_percentile(struct samples *s, double p);

#endif
