/* A growable byte string with a maximum size fixed at init (curl's
 * dynbuf), so body and field limits live where the buffer is made. */
#ifndef PHEU_UTIL_BUF_H
#define PHEU_UTIL_BUF_H

#include <stddef.h>

struct buf {
    char *data;     /* NUL-terminated when len > 0 or after buf_cstr */
    size_t len, cap, max;
};

/* Prepares an empty buffer that refuses to grow past max bytes. */
void buf_init(struct buf *b, size_t max);
/* Frees the storage; the buffer is empty again. */
void buf_release(struct buf *b);
/* Makes room for n more bytes up front (fewer reallocations). */
int buf_reserve(struct buf *b, size_t n);
/* Appends n bytes; returns 0, or -1 (nothing appended) past max. */
int buf_add(struct buf *b, const void *p, size_t n);
/* Appends a C string; as buf_add. */
int buf_adds(struct buf *b, const char *s);
/* Appends formatted text; as buf_add. */
int buf_addf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Bytes int_text needs: a sign, 19 digits and the NUL, rounded up. */
#define INT_TEXT_SIZE 24
/* Writes the decimal form of v at the end of out and returns where it
 * starts (no printf: it runs per id or per cell of bulk work). */
const char *int_text(char out[INT_TEXT_SIZE], long long v);
/* Appends the decimal form of v (int_text). */
int buf_add_int(struct buf *b, long long v);
/* Returns the contents as a C string (never NULL). */
const char *buf_cstr(struct buf *b);
/* Hands the storage to the caller (free()); the buffer is empty again. */
char *buf_detach(struct buf *b, size_t *len);

#endif
