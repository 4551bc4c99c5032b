/* Key set, id map and pending rows of the bulk import path (see
 * bulkload.h). */
#include "import/bulkload.h"
#include "store/bulk.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* ---- key set ---- */

/* FNV-1a of kind and key, never 0 (0 marks an empty slot). */
static uint64_t key_hash(char kind, const char *key)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    h = (h ^ (unsigned char)kind) * 0x100000001b3ULL;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * 0x100000001b3ULL;
    h ^= h >> 29;       /* FNV's low bits are weak for open addressing */
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 32;
    return h ? h : 1;
}

void keyset_init(struct keyset *k)
{
    memset(k, 0, sizeof(*k));
}

/* Inserts hash h (known absent or present) into slots of size cap. */
static void put_hash(uint64_t *slots, size_t cap, uint64_t h)
{
    size_t i = (size_t)h & (cap - 1);
    while (slots[i] && slots[i] != h)
        i = (i + 1) & (cap - 1);
    slots[i] = h;
}

void keyset_add(struct keyset *k, char kind, const char *key)
{
    if ((k->n + 1) * 2 > k->cap) {
        size_t cap = k->cap ? k->cap * 2 : 1024;
        uint64_t *s = xcalloc(cap, sizeof(*s));
        for (size_t i = 0; i < k->cap; i++)
            if (k->slots[i])
                put_hash(s, cap, k->slots[i]);
        free(k->slots);
        k->slots = s;
        k->cap = cap;
    }
    uint64_t h = key_hash(kind, key);
    size_t i = (size_t)h & (k->cap - 1);
    while (k->slots[i] && k->slots[i] != h)
        i = (i + 1) & (k->cap - 1);
    if (!k->slots[i])
        k->n++;
    k->slots[i] = h;
}

int keyset_has(const struct keyset *k, char kind, const char *key)
{
    if (!k->cap)
        return 0;
    uint64_t h = key_hash(kind, key);
    for (size_t i = (size_t)h & (k->cap - 1); k->slots[i];
         i = (i + 1) & (k->cap - 1))
        if (k->slots[i] == h)
            return 1;
    return 0;
}

void keyset_release(struct keyset *k)
{
    free(k->slots);
    memset(k, 0, sizeof(*k));
}

/* ---- id map ---- */

void idmap_init(struct idmap *m)
{
    memset(m, 0, sizeof(*m));
}

/* The slot of key: where it is, or the empty slot where it would go. */
static size_t slot_of(const struct idmap *m, const char *key)
{
    size_t i = (size_t)key_hash('m', key) & (m->cap - 1);
    while (m->keys[i] && strcmp(m->keys[i], key))
        i = (i + 1) & (m->cap - 1);
    return i;
}

int idmap_get(const struct idmap *m, const char *key, int64_t *id)
{
    if (!m->cap)
        return 0;
    size_t i = slot_of(m, key);
    if (!m->keys[i])
        return 0;
    *id = m->ids[i];
    return 1;
}

void idmap_put(struct idmap *m, const char *key, int64_t id)
{
    if ((m->n + 1) * 2 > m->cap) {
        struct idmap big = {xcalloc(m->cap ? m->cap * 2 : 64, sizeof(char *)),
                            NULL, m->cap ? m->cap * 2 : 64, m->n};
        big.ids = xcalloc(big.cap, sizeof(int64_t));
        for (size_t i = 0; i < m->cap; i++)
            if (m->keys[i]) {
                size_t j = slot_of(&big, m->keys[i]);
                big.keys[j] = m->keys[i];
                big.ids[j] = m->ids[i];
            }
        free(m->keys);
        free(m->ids);
        *m = big;
    }
    size_t i = slot_of(m, key);
    if (!m->keys[i]) {
        m->keys[i] = xstrdup(key);
        m->n++;
    }
    m->ids[i] = id;
}

void idmap_del(struct idmap *m, const char *key)
{
    if (!m->cap)
        return;
    size_t i = slot_of(m, key);
    if (!m->keys[i])
        return;
    free(m->keys[i]);
    m->keys[i] = NULL;
    m->n--;
    /* linear probing: move the rest of the run back into reach */
    for (size_t j = (i + 1) & (m->cap - 1); m->keys[j];
         j = (j + 1) & (m->cap - 1)) {
        char *k = m->keys[j];
        int64_t id = m->ids[j];
        m->keys[j] = NULL;
        size_t to = slot_of(m, k);
        m->keys[to] = k;
        m->ids[to] = id;
    }
}

void idmap_release(struct idmap *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->keys[i]);
    free(m->keys);
    free(m->ids);
    memset(m, 0, sizeof(*m));
}

/* ---- pending rows ---- */

struct rowcell {
    char kind;              /* 'i', 't', 'n' */
    int64_t i;
    const char *s;
};

void rowbuf_init(struct rowbuf *b, const char *table,
                 const char *const *cols, int ncols)
{
    memset(b, 0, sizeof(*b));
    b->table = table;
    b->cols = cols;
    b->ncols = ncols;
    arena_init(&b->a);
}

/* The next cell. */
static struct rowcell *next_cell(struct rowbuf *b)
{
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : (size_t)b->ncols * 256;
        b->cells = xrealloc(b->cells, b->cap * sizeof(*b->cells));
    }
    return &b->cells[b->n++];
}

void rowbuf_int(struct rowbuf *b, int64_t v)
{
    struct rowcell *c = next_cell(b);
    c->kind = 'i';
    c->i = v;
}

void rowbuf_text(struct rowbuf *b, const char *s)
{
    struct rowcell *c = next_cell(b);
    c->kind = s ? 't' : 'n';
    c->s = s ? arena_strdup(&b->a, s) : NULL;
}

size_t rowbuf_rows(const struct rowbuf *b)
{
    return b->n / (size_t)b->ncols;
}

int rowbuf_flush(struct db_conn *c, struct rowbuf *b, struct err *err)
{
    struct bulk *bl = NULL;
    int rc = 0;
    if (!b->n)
        return 0;
    if (b->n % (size_t)b->ncols)
        BUG("rowbuf row with too few values");
    rc = bulk_begin(c, b->table, b->cols, b->ncols, &bl, err);
    for (size_t i = 0; !rc && i < b->n; i += (size_t)b->ncols) {
        for (int j = 0; j < b->ncols; j++) {
            const struct rowcell *x = &b->cells[i + (size_t)j];
            if (x->kind == 'i')
                bulk_int(bl, x->i);
            else
                bulk_text(bl, x->s);
        }
        rc = bulk_row(bl, err);
    }
    if (!rc)
        rc = bulk_end(bl, err);
    else if (bl)
        bulk_end(bl, &(struct err){0});
    b->n = 0;
    arena_release(&b->a);
    arena_init(&b->a);
    return rc;
}

void rowbuf_release(struct rowbuf *b)
{
    free(b->cells);
    arena_release(&b->a);
    memset(b, 0, sizeof(*b));
}

/* ---- the sending thread ---- */

/* The connection's guard: another thread waits for the chunk in flight;
 * the sending thread itself goes on. */
static void bg_guard(void *ctx)
{
    struct bgflush *w = ctx;
    if (pthread_equal(pthread_self(), w->thread))
        return;
    pthread_mutex_lock(&w->mu);
    while (w->busy)
        pthread_cond_wait(&w->cv, &w->mu);
    pthread_mutex_unlock(&w->mu);
}

/* The thread: sends each chunk handed over, notes the first error. */
static void *bg_main(void *arg)
{
    struct bgflush *w = arg;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->busy && !w->quit)
            pthread_cond_wait(&w->cv, &w->mu);
        if (!w->busy)
            break;
        int failed = w->rc;
        pthread_mutex_unlock(&w->mu);
        struct err e = {0};
        int rc = 0;
        for (int i = 0; !failed && !rc && i < w->nbufs; i++)
            rc = rowbuf_flush(w->c, w->bufs[i], &e);
        pthread_mutex_lock(&w->mu);
        if (rc && !w->rc) {
            w->rc = rc;
            w->err = e;
        }
        w->busy = 0;
        pthread_cond_broadcast(&w->cv);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

int bgflush_start(struct bgflush *w, struct db_conn *c, struct err *err)
{
    memset(w, 0, sizeof(*w));
    w->c = c;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    if (pthread_create(&w->thread, NULL, bg_main, w)) {
        pthread_mutex_destroy(&w->mu);
        pthread_cond_destroy(&w->cv);
        return err_set(err, E_INTERNAL, NULL, "cannot start a thread");
    }
    w->started = 1;
    db_conn_set_guard(c, bg_guard, w);
    return 0;
}

int bgflush_wait(struct bgflush *w, struct err *err)
{
    int rc;
    pthread_mutex_lock(&w->mu);
    while (w->busy)
        pthread_cond_wait(&w->cv, &w->mu);
    rc = w->rc;
    if (rc)
        *err = w->err;
    pthread_mutex_unlock(&w->mu);
    return rc;
}

void bgflush_submit(struct bgflush *w, struct rowbuf *const *bufs, int n)
{
    if (n > 8)
        BUG("bgflush_submit of more than 8 buffers");
    pthread_mutex_lock(&w->mu);
    for (int i = 0; i < n; i++)
        w->bufs[i] = bufs[i];
    w->nbufs = n;
    w->busy = 1;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

void bgflush_stop(struct bgflush *w)
{
    if (!w->started)
        return;
    pthread_mutex_lock(&w->mu);
    w->quit = 1;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    db_conn_set_guard(w->c, NULL, NULL);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    w->started = 0;
}
