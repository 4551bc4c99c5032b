/* Samples and percentiles for reports (see stats.h). */
#include "report/stats.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

void samples_add(struct samples *s, int64_t x)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
    }
    s->v[s->n++] = x;
}

void samples_merge(struct samples *dst, struct samples *src)
{
    if (dst->n + src->n > dst->cap) {
        dst->cap = dst->n + src->n;
        dst->v = xrealloc(dst->v, dst->cap * sizeof(*dst->v));
    }
    if (src->n)
        memcpy(dst->v + dst->n, src->v, src->n * sizeof(*src->v));
    dst->n += src->n;
    samples_free(src);
}

void samples_free(struct samples *s)
{
    free(s->v);
    *s = (struct samples){0};
}

/* Swaps two samples. */
static void swap(int64_t *a, int64_t *b)
{
    int64_t t = *a;
    *a = *b;
    *b = t;
}

/* Moves the k-th smallest of v[0..n) to v[k], smaller ones before it and
 * larger or equal ones after (quickselect, median-of-three pivot). */
static void select_kth(int64_t *v, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    while (hi > lo) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] < v[lo])
            swap(&v[mid], &v[lo]);
        if (v[hi] < v[lo])
            swap(&v[hi], &v[lo]);
        if (v[hi] < v[mid])
            swap(&v[hi], &v[mid]);
        int64_t pivot = v[mid];
        size_t i = lo, j = hi;
        while (i <= j) {            /* Hoare partition around pivot */
            while (v[i] < pivot)
                i++;
            while (v[j] > pivot)
                j--;
            if (i <= j) {
                swap(&v[i], &v[j]);
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return;                 /* j < k < i: v[k] == pivot */
    }
}

double samples_percentile(struct samples *s, double p)
{
    double pos = p * (double)(s->n - 1);
    size_t k = (size_t)pos;
    select_kth(s->v, s->n, k);
    double lo = (double)s->v[k];
    if (k + 1 >= s->n || pos == (double)k)
        return lo;
    int64_t next = s->v[k + 1];     /* the smallest above rank k */
    for (size_t i = k + 2; i < s->n; i++)
        if (s->v[i] < next)
            next = s->v[i];
    return lo + ((double)next - lo) * (pos - (double)k);
}
