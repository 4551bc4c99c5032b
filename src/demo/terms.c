/* Demo search-index rows: a cache of search_terms_of per text, the merge
 * of a record's texts, and a load sorted by primary key (see terms.h).
 * Distinct (term, word) pairs are interned; each row is then 8 bytes,
 * and a counting sort by the pairs' rank puts the rows in key order
 * while keeping the record order within a pair. */
#include "demo/terms.h"
#include "store/bulk.h"
#include "util/arena.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* 64-bit FNV-1a of s, continuing from h. */
static uint64_t fnv(uint64_t h, const char *s)
{
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ULL;
    }
    return h;
}

#define FNV0 0xcbf29ce484222325ULL

/* ---- string pool: strings that live as long as their owner ---- */

struct pool {
    char **chunks;
    int n;
    size_t used, cap;
};

/* Copies s into the pool. */
static const char *pool_put(struct pool *p, const char *s)
{
    size_t n = strlen(s) + 1;
    if (!p->n || p->used + n > p->cap) {
        p->cap = n > (1u << 20) ? n : (1u << 20);
        p->chunks = xrealloc(p->chunks, sizeof(char *) * (size_t)(p->n + 1));
        p->chunks[p->n++] = xmalloc(p->cap);
        p->used = 0;
    }
    char *d = p->chunks[p->n - 1] + p->used;
    memcpy(d, s, n);
    p->used += n;
    return d;
}

/* Frees every string of the pool. */
static void pool_free(struct pool *p)
{
    for (int i = 0; i < p->n; i++)
        free(p->chunks[i]);
    free(p->chunks);
    memset(p, 0, sizeof(*p));
}

/* ---- the per-text cache ---- */

struct tc_entry {
    const char *text;
    uint64_t h;
    struct sterm *rows;
    int n;
};

struct terms_cache {
    struct tc_entry *tab;
    size_t cap, n;
    struct pool pool;
    struct arena a;
};

struct terms_cache *terms_cache_new(void)
{
    struct terms_cache *tc = xcalloc(1, sizeof(*tc));
    tc->cap = 1024;
    tc->tab = xcalloc(tc->cap, sizeof(*tc->tab));
    arena_init(&tc->a);
    return tc;
}

void terms_cache_free(struct terms_cache *tc)
{
    if (!tc)
        return;
    free(tc->tab);
    pool_free(&tc->pool);
    arena_release(&tc->a);
    free(tc);
}

/* Doubles the table. */
static void tc_grow(struct terms_cache *tc)
{
    struct tc_entry *old = tc->tab;
    size_t oldcap = tc->cap;
    tc->cap *= 2;
    tc->tab = xcalloc(tc->cap, sizeof(*tc->tab));
    for (size_t i = 0; i < oldcap; i++) {
        if (!old[i].text)
            continue;
        size_t j = old[i].h & (tc->cap - 1);
        while (tc->tab[j].text)
            j = (j + 1) & (tc->cap - 1);
        tc->tab[j] = old[i];
    }
    free(old);
}

int terms_cache_get(struct terms_cache *tc, const char *text,
                    const struct sterm **out)
{
    *out = NULL;
    if (!text)
        return 0;
    uint64_t h = fnv(FNV0, text);
    size_t j = h & (tc->cap - 1);
    for (; tc->tab[j].text; j = (j + 1) & (tc->cap - 1))
        if (tc->tab[j].h == h && !strcmp(tc->tab[j].text, text)) {
            *out = tc->tab[j].rows;
            return tc->tab[j].n;
        }
    struct sterm *t;
    const char *texts[1] = {text};
    struct arena tmp;
    arena_init(&tmp);
    int n = search_terms_of(texts, 1, NULL, 0, &t, &tmp);
    struct sterm *rows = NULL;
    if (n > 0) {
        rows = arena_alloc(&tc->a, sizeof(*rows) * (size_t)n);
        for (int i = 0; i < n; i++) {
            rows[i].term = pool_put(&tc->pool, t[i].term);
            rows[i].word = pool_put(&tc->pool, t[i].word);
        }
    }
    arena_release(&tmp);
    tc->tab[j] = (struct tc_entry){pool_put(&tc->pool, text), h, rows, n};
    if (++tc->n * 2 > tc->cap)
        tc_grow(tc);
    *out = rows;
    return n;
}

/* ---- one record's rows ---- */

void terms_rec_init(struct terms_rec *r)
{
    r->n = 0;
}

void terms_rec_add(struct terms_rec *r, const struct sterm *t, int n)
{
    for (int i = 0; i < n; i++) {
        int dup = 0;
        for (int k = 0; k < r->n && !dup; k++)
            dup = !strcmp(r->t[k].term, t[i].term) &&
                  !strcmp(r->t[k].word, t[i].word);
        if (!dup && r->n < (int)(sizeof(r->t) / sizeof(r->t[0])))
            r->t[r->n++] = t[i];
    }
}

/* ---- the sorted load ---- */

struct pair {
    const char *term, *word;
    uint64_t h;
};

struct terms_load {
    int kind;
    int64_t base;
    struct pool pool;
    struct pair *pairs;
    uint32_t npairs, pcap;
    uint32_t *slots;            /* pair index + 1, 0 = empty */
    uint32_t nslots;
    uint32_t *row_pair, *row_rec;
    size_t nrows, rcap;
};

struct terms_load *terms_load_new(int kind, int64_t base)
{
    struct terms_load *tl = xcalloc(1, sizeof(*tl));
    tl->kind = kind;
    tl->base = base;
    tl->nslots = 1u << 12;
    tl->slots = xcalloc(tl->nslots, sizeof(uint32_t));
    return tl;
}

/* Rebuilds the slot table at twice the size. */
static void slots_grow(struct terms_load *tl)
{
    free(tl->slots);
    tl->nslots *= 2;
    tl->slots = xcalloc(tl->nslots, sizeof(uint32_t));
    for (uint32_t p = 0; p < tl->npairs; p++) {
        uint32_t j = (uint32_t)tl->pairs[p].h & (tl->nslots - 1);
        while (tl->slots[j])
            j = (j + 1) & (tl->nslots - 1);
        tl->slots[j] = p + 1;
    }
}

/* The index of pair (term, word), interned on first sight. */
static uint32_t intern(struct terms_load *tl, const char *term,
                       const char *word)
{
    uint64_t h = fnv(fnv(FNV0, term) * 31, word);
    uint32_t j = (uint32_t)h & (tl->nslots - 1);
    for (; tl->slots[j]; j = (j + 1) & (tl->nslots - 1)) {
        const struct pair *p = &tl->pairs[tl->slots[j] - 1];
        if (p->h == h && !strcmp(p->term, term) && !strcmp(p->word, word))
            return tl->slots[j] - 1;
    }
    if (tl->npairs == tl->pcap) {
        tl->pcap = tl->pcap ? tl->pcap * 2 : 4096;
        tl->pairs = xrealloc(tl->pairs, sizeof(struct pair) * tl->pcap);
    }
    uint32_t p = tl->npairs++;
    tl->pairs[p].term = pool_put(&tl->pool, term);
    tl->pairs[p].word = strcmp(term, word) ? pool_put(&tl->pool, word)
                                           : tl->pairs[p].term;
    tl->pairs[p].h = h;
    tl->slots[j] = p + 1;
    if ((uint64_t)tl->npairs * 2 > tl->nslots)
        slots_grow(tl);
    return p;
}

void terms_load_add(struct terms_load *tl, int64_t id, const struct sterm *t,
                    int n)
{
    for (int i = 0; i < n; i++) {
        if (tl->nrows == tl->rcap) {
            tl->rcap = tl->rcap ? tl->rcap * 2 : 1 << 16;
            tl->row_pair = xrealloc(tl->row_pair, sizeof(uint32_t) *
                                    tl->rcap);
            tl->row_rec = xrealloc(tl->row_rec, sizeof(uint32_t) * tl->rcap);
        }
        tl->row_pair[tl->nrows] = intern(tl, t[i].term, t[i].word);
        tl->row_rec[tl->nrows] = (uint32_t)(id - tl->base);
        tl->nrows++;
    }
}

static const struct pair *sort_pairs;

/* qsort order of pair indexes: term, then word, byte-wise (the
 * search_terms key order on SQLite). */
static int cmp_pair(const void *x, const void *y)
{
    const struct pair *a = &sort_pairs[*(const uint32_t *)x];
    const struct pair *b = &sort_pairs[*(const uint32_t *)y];
    int c = strcmp(a->term, b->term);
    return c ? c : strcmp(a->word, b->word);
}

/* Writes the rows of the pairs in key order. */
static int write_sorted(struct terms_load *tl, const uint32_t *order,
                        const size_t *start, const uint32_t *recs,
                        struct db_conn *c, struct err *err)
{
    static const char *const cols[] = {"kind", "term", "record_id", "word"};
    struct bulk *b;
    int rc = bulk_begin(c, "search_terms", cols, 4, &b, err);
    for (uint32_t k = 0; !rc && k < tl->npairs; k++) {
        const struct pair *p = &tl->pairs[order[k]];
        for (size_t i = start[k]; !rc && i < start[k + 1]; i++) {
            bulk_int(b, tl->kind);
            bulk_text(b, p->term);
            bulk_int(b, tl->base + recs[i]);
            bulk_text(b, p->word);
            rc = bulk_row(b, err);
        }
    }
    int rc2 = rc ? bulk_end(b, &(struct err){0}) : bulk_end(b, err);
    return rc ? rc : rc2;
}

int terms_load_finish(struct terms_load *tl, struct db_conn *c,
                      struct err *err)
{
    uint32_t *order = xmalloc(sizeof(uint32_t) * (tl->npairs + 1));
    uint32_t *rank = xmalloc(sizeof(uint32_t) * (tl->npairs + 1));
    size_t *start = xcalloc((size_t)tl->npairs + 2, sizeof(size_t));
    for (uint32_t p = 0; p < tl->npairs; p++)
        order[p] = p;
    sort_pairs = tl->pairs;
    qsort(order, tl->npairs, sizeof(uint32_t), cmp_pair);
    for (uint32_t k = 0; k < tl->npairs; k++)
        rank[order[k]] = k;
    /* counting sort by rank; stable, so records stay ascending */
    for (size_t i = 0; i < tl->nrows; i++)
        start[rank[tl->row_pair[i]] + 1]++;
    for (uint32_t k = 0; k < tl->npairs; k++)
        start[k + 1] += start[k];
    uint32_t *recs = xmalloc(sizeof(uint32_t) * (tl->nrows + 1));
    for (size_t i = 0; i < tl->nrows; i++) {
        size_t *at = &start[rank[tl->row_pair[i]]];
        recs[(*at)++] = tl->row_rec[i];
    }
    /* start[k] now ends bucket k: shift back to make it its start */
    memmove(start + 1, start, sizeof(size_t) * tl->npairs);
    start[0] = 0;
    free(rank);
    free(tl->row_pair);
    free(tl->row_rec);
    tl->row_pair = tl->row_rec = NULL;
    int rc = write_sorted(tl, order, start, recs, c, err);
    free(recs);
    free(start);
    free(order);
    terms_load_free(tl);
    return rc;
}

void terms_load_free(struct terms_load *tl)
{
    if (!tl)
        return;
    pool_free(&tl->pool);
    free(tl->pairs);
    free(tl->slots);
    free(tl->row_pair);
    free(tl->row_rec);
    free(tl);
}
