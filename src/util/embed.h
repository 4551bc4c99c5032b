/* Files embedded in the binary at build time by scripts/embed.c: the web
 * UI (web/) and the numbered SQL migrations (src/store/migrations/). */
#ifndef PHEU_UTIL_EMBED_H
#define PHEU_UTIL_EMBED_H

#include <stddef.h>

struct embed_file {
    const char *path;           /* "/app.js", "0001_foundation.sql" */
    const unsigned char *data;  /* NUL-terminated for text use */
    size_t len;
    const char *etag;           /* quoted content hash */
};

/* Both tables end with an entry whose path is NULL. Sorted by path. */
extern const struct embed_file web_assets[];
extern const struct embed_file sql_migrations[];
extern const size_t web_assets_count, sql_migrations_count;

#endif
