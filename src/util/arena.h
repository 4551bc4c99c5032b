/* A bump allocator for per-request memory: many small allocations, one
 * arena_release at the end (lwan's coroutine memory, SQLite's lookaside). */
#ifndef PHEU_UTIL_ARENA_H
#define PHEU_UTIL_ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
    struct arena_chunk *head;
    char inline_buf[1024];  /* first allocations need no malloc */
    size_t inline_used;
};

/* Prepares an empty arena. */
void arena_init(struct arena *a);
/* Frees every chunk; the arena may be reused after arena_init. */
void arena_release(struct arena *a);
/* Returns n bytes aligned to 16, valid until arena_release. Never NULL. */
void *arena_alloc(struct arena *a, size_t n);
/* Returns a copy of the n bytes at s plus a NUL terminator. */
char *arena_strndup(struct arena *a, const char *s, size_t n);
/* Returns a copy of s (NULL gives NULL). */
char *arena_strdup(struct arena *a, const char *s);
/* Returns a formatted string allocated in the arena. */
char *arena_printf(struct arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
