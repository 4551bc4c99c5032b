/* Embedded static files. Lookup is a binary search over the sorted table
 * that scripts/embed.c generated, so no request path ever reaches the
 * file system: traversal attempts simply find nothing. */
#include "http/static.h"
#include "util/embed.h"

#include <string.h>

const char *static_content_type(const char *path)
{
    static const char *const map[][2] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
        {".woff2", "font/woff2"},
    };
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot && i < sizeof(map) / sizeof(map[0]); i++)
        if (!strcmp(dot, map[i][0]))
            return map[i][1];
    return "application/octet-stream";
}

const struct embed_file *static_find(const char *path)
{
    size_t lo = 0, hi = web_assets_count;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(web_assets[mid].path, path);
        if (c == 0)
            return &web_assets[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

int static_serve(struct req *rq, struct resp *rs)
{
    const char *path = strcmp(rq->path, "/") ? rq->path : "/index.html";
    const struct embed_file *f = static_find(path);
    if (!f)
        return resp_error(rs, E_NOTFOUND, NULL, "no such page");
    resp_header(rs, "ETag", f->etag);
    resp_header(rs, "Cache-Control", "no-cache");
    const char *inm = req_header(rq, "If-None-Match");
    if (inm && !strcmp(inm, f->etag))
        return resp_empty(rs, 304);
    rs->status = 200;
    rs->body = (char *)f->data;
    rs->len = f->len;
    rs->body_static = 1;
    rs->content_type = static_content_type(path);
    return 0;
}
