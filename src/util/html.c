/* HTML escaping (see html.h). */
#include "util/html.h"

#include <string.h>

int html_escape_n(struct buf *b, const char *s, size_t n)
{
    const char *run = s, *end = s + n;
    int rc = 0;
    for (const char *p = s; p < end && !rc; p++) {
        const char *ent;
        switch (*p) {
        case '&': ent = "&amp;"; break;
        case '<': ent = "&lt;"; break;
        case '>': ent = "&gt;"; break;
        case '"': ent = "&quot;"; break;
        case '\'': ent = "&#39;"; break;
        default: continue;
        }
        rc = buf_add(b, run, (size_t)(p - run));
        if (!rc)
            rc = buf_adds(b, ent);
        run = p + 1;
    }
    return rc ? rc : buf_add(b, run, (size_t)(end - run));
}

int html_escape(struct buf *b, const char *s)
{
    return s ? html_escape_n(b, s, strlen(s)) : 0;
}
