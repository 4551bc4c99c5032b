/* Bump allocator: an inline first block, then chunks of growing size. */
#include "util/arena.h"
#include "util/xalloc.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

struct arena_chunk {
    struct arena_chunk *next;
    size_t size, used;
    _Alignas(16) char data[];
};

#define ALIGN16(n) (((n) + 15) & ~(size_t)15)

void arena_init(struct arena *a)
{
    a->head = NULL;
    a->inline_used = 0;
}

void arena_release(struct arena *a)
{
    struct arena_chunk *c = a->head;
    while (c) {
        struct arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    a->head = NULL;
    a->inline_used = 0;
}

void *arena_alloc(struct arena *a, size_t n)
{
    if (n > SIZE_MAX / 4)
        BUG("arena allocation too large");
    n = ALIGN16(n ? n : 1);
    if (!a->head && a->inline_used + n <= sizeof(a->inline_buf)) {
        /* inline_buf is at a 16-aligned offset only if the struct is; use
         * the aligned position inside it. */
        uintptr_t base = (uintptr_t)a->inline_buf;
        size_t pad = (16 - (base + a->inline_used) % 16) % 16;
        if (a->inline_used + pad + n <= sizeof(a->inline_buf)) {
            void *p = a->inline_buf + a->inline_used + pad;
            a->inline_used += pad + n;
            return p;
        }
    }
    struct arena_chunk *c = a->head;
    if (!c || c->used + n > c->size) {
        size_t size = c ? c->size * 2 : 8192;
        while (size < n)
            size *= 2;
        c = xmalloc(sizeof(*c) + size);
        c->size = size;
        c->used = 0;
        c->next = a->head;
        a->head = c;
    }
    void *p = c->data + c->used;
    c->used += n;
    return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
    char *d = arena_alloc(a, n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *arena_strdup(struct arena *a, const char *s)
{
    return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
    va_list ap;
    char small[256];
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0)
        return arena_strdup(a, "");
    char *d = arena_alloc(a, (size_t)n + 1);
    if ((size_t)n < sizeof(small)) {
        memcpy(d, small, (size_t)n + 1);
        return d;
    }
    va_start(ap, fmt);
    vsnprintf(d, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return d;
}
