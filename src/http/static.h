/* The embedded web UI: serves files of web/ compiled into the binary, by
 * exact path only, with content type, ETag and revalidation. */
#ifndef PHEU_HTTP_STATIC_H
#define PHEU_HTTP_STATIC_H

#include "http/http.h"
#include "util/embed.h"

/* Answers GET/HEAD for an embedded path ("/" is "/index.html"): 200, 304
 * when If-None-Match matches, or 404 for anything not embedded. */
int static_serve(struct req *rq, struct resp *rs);
/* The embedded file at exact path ("/t.js"), or NULL. */
const struct embed_file *static_find(const char *path);
/* The content type for a file name by its extension. */
const char *static_content_type(const char *path);

#endif
