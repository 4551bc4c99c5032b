/* Growable byte string with a hard cap. */
#include "util/buf.h"
#include "util/xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(struct buf *b, size_t max)
{
    b->data = NULL;
    b->len = b->cap = 0;
    b->max = max;
}

void buf_release(struct buf *b)
{
    free(b->data);
    buf_init(b, b->max);
}

/* Makes room for n more bytes plus a terminator. */
static int grow(struct buf *b, size_t n)
{
    if (n > b->max || b->len > b->max - n)
        return -1;
    size_t need = b->len + n + 1;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    b->data = xrealloc(b->data, cap);
    b->cap = cap;
    return 0;
}

int buf_reserve(struct buf *b, size_t n)
{
    return grow(b, n);
}

int buf_add(struct buf *b, const void *p, size_t n)
{
    if (grow(b, n))
        return -1;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int buf_adds(struct buf *b, const char *s)
{
    return buf_add(b, s, strlen(s));
}

int buf_addf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || grow(b, (size_t)n))
        return -1;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

const char *int_text(char out[INT_TEXT_SIZE], long long v)
{
    char *p = &out[INT_TEXT_SIZE - 1];
    unsigned long long u = v < 0 ? 0 - (unsigned long long)v
                                 : (unsigned long long)v;
    *p = '\0';
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--p = '-';
    return p;
}

int buf_add_int(struct buf *b, long long v)
{
    char t[INT_TEXT_SIZE];
    const char *p = int_text(t, v);
    return buf_add(b, p, strlen(p));
}

const char *buf_cstr(struct buf *b)
{
    return b->data ? b->data : "";
}

char *buf_detach(struct buf *b, size_t *len)
{
    char *d = b->data ? b->data : xstrdup("");
    if (len)
        *len = b->len;
    buf_init(b, b->max);
    return d;
}
