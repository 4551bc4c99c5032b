/* The pieces of the bulk import path (decision 0008, 2026-11-29): a set
 * of identity keys held in memory instead of the contacts indexes, small
 * caches of names and ids, and rows kept per table until a chunk is
 * sent through store/bulk.c (COPY on PostgreSQL, multi-row INSERT on
 * SQLite). The rules of each row stay in import.c. */
#ifndef PHEU_IMPORT_BULKLOAD_H
#define PHEU_IMPORT_BULKLOAD_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "store/db.h"
#include "util/arena.h"

/* A set of keys kept as 64-bit hashes: a key added is always found
 * again; a key never added is found only on a hash collision, so a
 * caller may use a hit only as "look closer", never as proof. */
struct keyset {
    uint64_t *slots;        /* 0 = empty */
    size_t cap, n;
};

void keyset_init(struct keyset *k);
/* Adds key under kind (a letter keeping emails and phones apart). */
void keyset_add(struct keyset *k, char kind, const char *key);
/* 1 when key may have been added under kind (see above), else 0. */
int keyset_has(const struct keyset *k, char kind, const char *key);
void keyset_release(struct keyset *k);

/* A map from text keys to ids (company names, owners, checked
 * references): exact, for the few thousand keys an import meets. */
struct idmap {
    char **keys;
    int64_t *ids;
    size_t cap, n;
};

void idmap_init(struct idmap *m);
/* 1 and *id when key is present, else 0. */
int idmap_get(const struct idmap *m, const char *key, int64_t *id);
/* Sets key (copied) to id. */
void idmap_put(struct idmap *m, const char *key, int64_t id);
/* Removes key when present. */
void idmap_del(struct idmap *m, const char *key);
void idmap_release(struct idmap *m);

/* Rows of one table waiting for the next chunk. */
struct rowbuf {
    const char *table;
    const char *const *cols;
    int ncols;
    struct rowcell *cells;
    size_t n, cap;          /* cells */
    struct arena a;         /* their text */
};

void rowbuf_init(struct rowbuf *b, const char *table,
                 const char *const *cols, int ncols);
/* The next value of the current row, in column order (text copied;
 * NULL text is NULL). */
void rowbuf_int(struct rowbuf *b, int64_t v);
void rowbuf_text(struct rowbuf *b, const char *s);
/* Rows pending. */
size_t rowbuf_rows(const struct rowbuf *b);
/* Sends the pending rows in one bulk load (store/bulk.h) and empties
 * b; 0 or the load's error. */
int rowbuf_flush(struct db_conn *c, struct rowbuf *b, struct err *err);
void rowbuf_release(struct rowbuf *b);

/* A thread that sends chunks of rows while the caller reads the next
 * ones (the second core: one thread checks rows, the other writes them;
 * on PostgreSQL the server works while the rows are read). The caller
 * lends it the connection: while a chunk is being sent, any use of the
 * connection by another thread waits for the send to end (db guard), so
 * a lookup or a savepoint never interleaves with a chunk. */
struct bgflush {
    struct db_conn *c;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct rowbuf *bufs[8];     /* the chunk, sent in this order */
    int nbufs;
    int busy, quit, started;
    int rc;                     /* the first error, sticky */
    struct err err;
};

/* Starts the thread and sets the connection's guard; 0 or E_INTERNAL. */
int bgflush_start(struct bgflush *w, struct db_conn *c, struct err *err);
/* Waits until the chunk in flight (if any) is sent; 0, or the first
 * error of any chunk (copied to *err). */
int bgflush_wait(struct bgflush *w, struct err *err);
/* Hands over n (at most 8) row buffers to send in order and returns at
 * once; they are the thread's until bgflush_wait returns. Call after a
 * bgflush_wait that returned 0. */
void bgflush_submit(struct bgflush *w, struct rowbuf *const *bufs, int n);
/* Waits for the chunk in flight, stops the thread and removes the guard
 * (safe on a bgflush never started, and twice). */
void bgflush_stop(struct bgflush *w);

#endif
