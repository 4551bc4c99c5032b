/* libFuzzer target for the tracking request reader (track/hit.c) and
 * tokens (track/token.c). Input: flags byte, then lines "query", "Origin",
 * "Referer", "Host"; the query is split on '&' and '=' without decoding
 * (any byte goes, as after the server's percent-decoding). Flags pick
 * whether tracked origins are configured and may add a signed open, click
 * or identify token. A refusal is fine; an accepted hit must hold only
 * what the writer may store: valid UTF-8 without control characters,
 * within the length limits, a well-formed visitor id, http(s) urls, and
 * a size that is the sum of its parts. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <utf8proc.h>

#include "track/hit.h"
#include "track/token.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const unsigned char KEY[TRACK_KEYBYTES] = "fuzz key for tracking tokens...";
#define NOW 1780000000000LL

static int sites(const char *o, size_t n, void *arg)
{
    (void)arg;
    return n == 23 && !memcmp(o, "https://shop.example.vn", 23);
}

static int no_sites(const char *o, size_t n, void *arg)
{
    (void)o;
    (void)n;
    (void)arg;
    return -1;
}

/* Whether s is clean stored text of at most max bytes. */
static int clean_text(const char *s, size_t max)
{
    size_t n = strlen(s), i = 0;
    if (n == 0 || n > max)
        return 0;
    while (i < n) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
                                              (utf8proc_ssize_t)(n - i), &cp);
        if (k <= 0 || cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
            return 0;
        i += (size_t)k;
    }
    return 1;
}

static void check_hit(const struct track_hit *h)
{
    size_t sum = sizeof(*h);
    const char *all[8] = {h->vid, h->url, h->ref, h->utm[0], h->utm[1],
                          h->utm[2], h->utm[3], h->utm[4]};
    for (int i = 0; i < 8; i++) {
        if (!all[i])
            continue;
        sum += strlen(all[i]) + 1;
        if (!clean_text(all[i], i < 3 ? TRACK_TEXT_MAX : TRACK_UTM_MAX))
            abort();
    }
    if (sum != h->size)
        abort();
    if (h->kind == TRACK_PAGE_VIEW) {
        size_t n = h->vid ? strlen(h->vid) : 0;
        if (n < TRACK_VID_MIN || n > TRACK_VID_MAX ||
            strspn(h->vid, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV"
                   "WXYZ0123456789_-") != n)
            abort();
        if (h->url && strncasecmp(h->url, "http://", 7) &&
            strncasecmp(h->url, "https://", 8))
            abort();
        if (h->identify && h->contact != 42)
            abort();
    } else if (h->contact != 42 || h->vid || h->ref) {
        abort();
    }
    if (h->kind == TRACK_EMAIL_CLICK && !track_url_ok(h->url))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char *tokens[3];
    if (!tokens[0]) {
        struct track_token o = {TOKEN_OPEN, 42, 7, NOW, NULL};
        struct track_token c = {TOKEN_CLICK, 42, 0, NOW,
                                "https://shop.example.vn/sale?a=1#x"};
        struct track_token i = {TOKEN_IDENTIFY, 42, 0, NOW - 1000, NULL};
        tokens[0] = track_token_make(KEY, &o);
        tokens[1] = track_token_make(KEY, &c);
        tokens[2] = track_token_make(KEY, &i);
    }
    if (size < 1 || size > 16384)
        return 0;
    int flags = data[0];
    char *text = malloc(size + 1200);
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    char *lines[4] = {text, NULL, NULL, NULL};
    for (int i = 1; i < 4 && lines[i - 1]; i++) {
        char *nl = strchr(lines[i - 1], '\n');
        if (nl)
            *nl = '\0';
        lines[i] = nl ? nl + 1 : NULL;
    }
    if (flags & 12) {       /* a signed token after the query */
        static const char *const keys[] = {"", "&t=", "&t=", "&pk="};
        size_t n = strlen(text);
        snprintf(text + n, 1100, "%s%s", keys[(flags >> 2) & 3],
                 tokens[((flags >> 2) & 3) - 1]);
        lines[1] = lines[2] = lines[3] = NULL;     /* moved over: drop */
    }
    struct track_arg args[TRACK_MAX_ARGS + 2];
    int nargs = 0;
    for (char *p = text; p && *p && nargs < TRACK_MAX_ARGS + 2;) {
        char *amp = strchr(p, '&');
        if (amp)
            *amp = '\0';
        char *eq = strchr(p, '=');
        if (eq)
            *eq = '\0';
        args[nargs].key = p;
        args[nargs++].value = eq ? eq + 1 : NULL;
        p = amp ? amp + 1 : NULL;
    }
    struct track_req rq = {args, nargs, lines[1], lines[2], lines[3]};
    struct track_ctx cx = {KEY, (flags & 1) ? sites : no_sites, NULL, NOW,
                           (flags & 2) ? "px0123456789abcdef0123456789ab"
                                       : NULL};
    struct track_hit *h;
    int r = track_parse(&rq, &cx, &h);
    if ((r == TRACK_OK) != (h != NULL) || r < 0 || r >= TRACK_NREFUSALS)
        abort();
    if (h) {
        check_hit(h);
        free(h);
    }
    r = track_parse_click(&rq, &cx, &h);
    if ((r == TRACK_OK) != (h != NULL))
        abort();
    if (h) {
        if (h->kind != TRACK_EMAIL_CLICK)
            abort();
        check_hit(h);
        free(h);
    }
    free(text);
    return 0;
}
