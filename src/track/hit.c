/* Reading tracking requests into hits (see hit.h): which keys count,
 * the origin rule, visitor ids, tokens, and text that is cleaned, cut
 * and copied into one allocation for the queue. */
#include "track/hit.h"
#include "util/arena.h"
#include "util/origin.h"
#include "util/text.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { F_VID, F_URL, F_REF, F_UTM, F_PK = F_UTM + 5, F_T, NFIELDS };

static const char *const KEYS[NFIELDS] = {"vid", "url", "ref",
    "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content",
    "pk", "t"};

static const char *const REFUSALS[TRACK_NREFUSALS] = {"ok", "bad_arg",
    "bad_visitor", "bad_token", "origin", "rate", "full"};

const char *track_refusal_name(int r)
{
    return r >= 0 && r < TRACK_NREFUSALS ? REFUSALS[r] : "unknown";
}

/* The values of the keys that count, each given at most once. */
static int collect(const struct track_req *rq, const char **v)
{
    memset(v, 0, sizeof(*v) * NFIELDS);
    if (rq->nargs > TRACK_MAX_ARGS)
        return TRACK_BAD_ARG;
    for (int i = 0; i < rq->nargs; i++) {
        const char *k = rq->args[i].key;
        for (int f = 0; k && f < NFIELDS; f++) {
            if (strcmp(k, KEYS[f]))
                continue;
            if (v[f])
                return TRACK_BAD_ARG;   /* SPEC App. C: no repeats */
            v[f] = rq->args[i].value ? rq->args[i].value : "";
            break;
        }
    }
    return TRACK_OK;
}

/* A cleaned string: s (borrowed, or in the arena) and its length. */
struct text {
    const char *s;
    size_t len;
};

/* Cleans s into *out: no control characters, valid UTF-8 in NFC, cut to
 * max bytes on a character boundary; "" becomes {NULL, 0}. ASCII text
 * (the usual case: browsers percent-encode addresses) is borrowed, not
 * copied. -1 when s is not acceptable text. */
static int clean(const char *s, size_t max, struct text *out,
                 struct arena *a)
{
    size_t len = 0;
    int ascii = 1;
    struct err err;
    out->s = NULL;
    out->len = 0;
    if (!s)
        return 0;
    for (; s[len]; len++) {
        unsigned char c = (unsigned char)s[len];
        if (c < 0x20 || c == 0x7f)
            return -1;
        ascii &= c < 0x80;
    }
    if (!ascii) {
        if (text_normalize(s, len, (size_t)-1, "text", &s, a, &err))
            return -1;
        len = strlen(s);
    }
    if (len > max) {
        len = max;
        while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
            len--;              /* s[len] continues a character: cut before */
    }
    if (len) {
        out->s = s;
        out->len = len;
    }
    return 0;
}

/* Whether s starts with http:// or https:// (any case). */
static int is_http(const char *s)
{
    return !strncasecmp(s, "http://", 7) || !strncasecmp(s, "https://", 8);
}

/* Whether the page (Origin, else Referer) is on a tracked site. */
static int origin_ok(const struct track_req *rq, const struct track_ctx *cx)
{
    char o[320];
    const char *src = rq->origin && *rq->origin ? rq->origin : rq->referer;
    size_t n = origin_of(src, o, sizeof(o), NULL);
    if (!n)
        return 0;               /* none, "null", not a web page */
    int ok = cx->allowed ? cx->allowed(o, n, cx->allowed_arg) : -1;
    if (ok >= 0)
        return ok;
    /* no list configured: only the server's own pages */
    return rq->host && !strcasecmp(strstr(o, "://") + 3, rq->host);
}

/* Whether v is a visitor id: [A-Za-z0-9_-]{16,64}. */
static int vid_ok(const char *v)
{
    size_t n = strlen(v);
    if (n < TRACK_VID_MIN || n > TRACK_VID_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = v[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

/* Copies t into the hit's data at *w; returns the copy (NULL for none). */
static const char *put(struct track_hit *h, size_t *w, struct text t)
{
    if (!t.s)
        return NULL;
    char *d = h->data + *w;
    memcpy(d, t.s, t.len);
    d[t.len] = '\0';
    *w += t.len + 1;
    return d;
}

/* The strings of a hit: vid, url, ref, utm_source .. utm_content. */
enum { T_VID, T_URL, T_REF, T_UTM, NTEXTS = T_UTM + 5 };

/* A new hit with copies of the texts (absent ones {NULL, 0}). */
static struct track_hit *new_hit(enum track_kind kind, int64_t at,
                                 const struct text *t)
{
    size_t size = sizeof(struct track_hit), w = 0;
    for (int i = 0; i < NTEXTS; i++)
        size += t[i].s ? t[i].len + 1 : 0;
    struct track_hit *h = xmalloc(size);
    memset(h, 0, sizeof(*h));
    h->kind = kind;
    h->at = at;
    h->size = size;
    h->vid = put(h, &w, t[T_VID]);
    h->url = put(h, &w, t[T_URL]);
    h->ref = put(h, &w, t[T_REF]);
    for (int i = 0; i < 5; i++)
        h->utm[i] = put(h, &w, t[T_UTM + i]);
    return h;
}

/* The text of a C string (NULL: none). */
static struct text text_of(const char *s)
{
    struct text t = {s, s ? strlen(s) : 0};
    return t;
}

/* Reads token s of the expected kind; TRACK_OK or TRACK_BAD_TOKEN. */
static int read_token(const struct track_ctx *cx, const char *s, int kind,
                      struct track_token *t, char *urlbuf, size_t cap)
{
    if (!cx->key || track_token_read(cx->key, s, strlen(s), t, urlbuf, cap)
        || t->kind != kind)
        return TRACK_BAD_TOKEN;
    return TRACK_OK;
}

/* An email open: the token alone says who and which campaign. */
static int parse_open(const char *tok, const struct track_ctx *cx,
                      struct track_hit **out)
{
    struct track_token t;
    char url[TRACK_URL_MAX + 1];
    int r = read_token(cx, tok, TOKEN_OPEN, &t, url, sizeof(url));
    if (r)
        return r;
    struct text none[NTEXTS] = {{0}};
    *out = new_hit(TRACK_EMAIL_OPEN, cx->now_ms, none);
    (*out)->contact = t.contact;
    (*out)->campaign = t.campaign;
    return TRACK_OK;
}

/* The contact of a landing page's pk, when signed and still fresh. */
static int read_identify(const char *pk, const struct track_ctx *cx,
                         int64_t *contact)
{
    struct track_token t;
    char url[TRACK_URL_MAX + 1];
    *contact = 0;
    if (!pk)
        return TRACK_OK;
    int r = read_token(cx, pk, TOKEN_IDENTIFY, &t, url, sizeof(url));
    if (r)
        return r;
    /* stale (a copied landing address): the view counts, the join not */
    if (t.issued_ms <= cx->now_ms + 60000 &&
        cx->now_ms - t.issued_ms <= TRACK_IDENTIFY_MS)
        *contact = t.contact;
    return TRACK_OK;
}

/* The cleaned texts of a page view into t[T_URL..], or a refusal. */
static int view_text(const struct track_req *rq, const char **v,
                     struct text *t, struct arena *a)
{
    if (clean(v[F_URL] ? v[F_URL] : rq->referer, TRACK_TEXT_MAX, &t[T_URL],
              a) || clean(v[F_REF], TRACK_TEXT_MAX, &t[T_REF], a))
        return TRACK_BAD_ARG;
    if (t[T_URL].s && !is_http(t[T_URL].s))
        return TRACK_BAD_ARG;
    if (t[T_REF].s && !memmem(t[T_REF].s, t[T_REF].len, "://", 3))
        t[T_REF].s = NULL;      /* not an address: nothing to keep */
    for (int i = 0; i < 5; i++)
        if (clean(v[F_UTM + i], TRACK_UTM_MAX, &t[T_UTM + i], a))
            return TRACK_BAD_ARG;
    return TRACK_OK;
}

/* A page view (see track_parse). */
static int parse_view(const struct track_req *rq, const char **v,
                      const struct track_ctx *cx, struct track_hit **out)
{
    const char *vid = v[F_VID] ? v[F_VID] : cx->fresh_vid;
    struct text t[NTEXTS] = {{0}};
    int64_t contact;
    struct arena a;
    if (!origin_ok(rq, cx))
        return TRACK_ORIGIN;
    if (!vid || !vid_ok(vid))
        return TRACK_BAD_VISITOR;
    int r = read_identify(v[F_PK], cx, &contact);
    if (r)
        return r;
    arena_init(&a);
    t[T_VID] = text_of(vid);
    r = view_text(rq, v, t, &a);
    if (!r) {
        *out = new_hit(TRACK_PAGE_VIEW, cx->now_ms, t);
        (*out)->contact = contact;
        (*out)->identify = contact > 0;
    }
    arena_release(&a);
    return r;
}

int track_parse(const struct track_req *rq, const struct track_ctx *cx,
                struct track_hit **out)
{
    const char *v[NFIELDS];
    *out = NULL;
    int r = collect(rq, v);
    if (r)
        return r;
    if (v[F_T])
        return parse_open(v[F_T], cx, out);
    return parse_view(rq, v, cx, out);
}

int track_parse_click(const struct track_req *rq, const struct track_ctx *cx,
                      struct track_hit **out)
{
    const char *v[NFIELDS];
    struct track_token t;
    char url[TRACK_URL_MAX + 1];
    *out = NULL;
    int r = collect(rq, v);
    if (!r)
        r = v[F_T] ? read_token(cx, v[F_T], TOKEN_CLICK, &t, url,
                                sizeof(url)) : TRACK_BAD_TOKEN;
    if (r)
        return r;
    struct text texts[NTEXTS] = {{0}};
    texts[T_URL] = text_of(t.url);
    *out = new_hit(TRACK_EMAIL_CLICK, cx->now_ms, texts);
    (*out)->contact = t.contact;
    (*out)->campaign = t.campaign;
    return TRACK_OK;
}
