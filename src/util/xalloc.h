/* Allocation that never returns NULL: out of memory aborts (as Redis's
 * zmalloc and git's xmalloc do), so callers need no OOM paths. */
#ifndef PHEU_UTIL_XALLOC_H
#define PHEU_UTIL_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
/* Returns a new copy of s (NULL gives NULL); caller frees. */
char *xstrdup(const char *s);

/* Aborts with a message: a state that cannot happen. */
#define BUG(msg) bug_at(__FILE__, __LINE__, (msg))
_Noreturn void bug_at(const char *file, int line, const char *msg);

#endif
