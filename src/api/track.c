/* The public tracking endpoints (SPEC §4; docs/decisions/0016-tracking.md):
 * GET /t.js (the snippet), GET /t.gif and POST /t/collect (page views,
 * email opens), GET /t/c (tracked email links), and the admins'
 * GET /api/v1/tracking/stats. The public ones are R_BARE: no session,
 * no database; they check the client's rate, read the request through
 * track/hit.c and queue the hit for track/writer.c. */
#include "api/api.h"
#include "api/track.h"
#include "http/ratelimit.h"
#include "http/static.h"
#include "model/role.h"
#include "model/settings.h"
#include "util/clock.h"
#include "util/origin.h"
#include "util/rand.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Email events come through mail providers' image proxies and link
 * scanners, many people behind one address: a larger bucket. */
#define EMAIL_FACTOR 10

static struct ratelimit *views_rl, *email_rl;
static struct resp_fixed *pixel;   /* the answer of /t.gif */

static int pixel_resp(struct resp *rs);
static char fresh_prefix[17];   /* random, per process */
static atomic_ullong fresh_seq;

/* The 43-byte transparent 1x1 GIF. */
static const unsigned char GIF[] = {
    'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0, 0x80, 0, 0, 0, 0, 0, 0xff,
    0xff, 0xff, '!', 0xf9, 4, 1, 0, 0, 0, 0, ',', 0, 0, 0, 0, 1, 0, 1, 0, 0,
    2, 2, 'D', 1, 0, ';'};

int tracking_start(struct db *db, const struct track_options *o,
                   struct err *err)
{
    unsigned char r[8];
    int rc = track_start(db, o, err);
    if (rc)
        return rc;
    const struct track_options *t = track_options();
    views_rl = ratelimit_new(t->rate, t->burst);
    email_rl = ratelimit_new(t->rate * EMAIL_FACTOR, t->burst * EMAIL_FACTOR);
    if (!views_rl || !email_rl) {
        tracking_stop();
        return err_set(err, E_INTERNAL, NULL, "cannot make rate limits");
    }
    struct resp tmpl = {0};
    pixel_resp(&tmpl);
    pixel = resp_fixed_new(&tmpl);  /* NULL: made per request instead */
    rand_secure(r, sizeof(r));
    for (int i = 0; i < 8; i++)
        snprintf(fresh_prefix + 2 * i, 3, "%02x", r[i]);
    return 0;
}

void tracking_stop(void)
{
    track_stop();
    ratelimit_free(views_rl);
    ratelimit_free(email_rl);
    views_rl = email_rl = NULL;
    resp_fixed_free(pixel);
    pixel = NULL;
}

/* ---- reading a request ---- */

struct gather {
    struct track_arg args[TRACK_MAX_ARGS + 1];
    int n, has_vid, has_token;
};

/* Keeps one query argument (one past the maximum, to refuse). */
static int gather_arg(const char *key, const char *value, void *ctx)
{
    struct gather *g = ctx;
    if (g->n > TRACK_MAX_ARGS)
        return 1;
    g->args[g->n].key = key;
    g->args[g->n++].value = value;
    g->has_vid |= !strcmp(key, "vid");
    g->has_token |= !strcmp(key, "t");
    return 0;
}

/* Fills tr and cx from rq; fresh (33 bytes) holds an id for a page view
 * without one: a visitor seen once. */
static void read_req(struct req *rq, struct gather *g, struct track_req *tr,
                     struct track_ctx *cx, char *fresh)
{
    g->n = g->has_vid = g->has_token = 0;   /* args[] is filled as read */
    req_query_each(rq, gather_arg, g);
    tr->args = g->args;
    tr->nargs = g->n;
    tr->origin = req_header(rq, "Origin");
    tr->referer = req_header(rq, "Referer");
    tr->host = req_header(rq, "Host");
    cx->key = track_key();
    cx->allowed = settings_origin_allowed;
    cx->allowed_arg = NULL;
    cx->now_ms = clock_now_ms();
    cx->fresh_vid = NULL;
    if (!g->has_vid) {
        snprintf(fresh, 33, "px%s%014llx", fresh_prefix,
                 (unsigned long long)atomic_fetch_add(&fresh_seq, 1));
        cx->fresh_vid = fresh;
    }
}

/* Whether the client's address is within its rate. */
static int within_rate(struct req *rq, int email)
{
    struct ratelimit *rl = email ? email_rl : views_rl;
    if (rl && ratelimit_take(rl, req_ip(rq), clock_mono_us() / 1000))
        return 1;
    track_refused(TRACK_RATE);
    return 0;
}

/* Records a page view or an email open from rq, or counts why not. */
static void record(struct req *rq)
{
    struct gather g;
    struct track_req tr;
    struct track_ctx cx;
    struct track_hit *hit;
    char fresh[33];
    if (!track_key() || !strcmp(rq->method, "HEAD"))
        return;                 /* not serving; link checkers view nothing */
    read_req(rq, &g, &tr, &cx, fresh);
    if (!within_rate(rq, g.has_token))
        return;
    int r = track_parse(&tr, &cx, &hit);
    if (r)
        track_refused(r);
    else
        track_enqueue(hit);
}

/* ---- handlers ---- */

/* GET /t.js: the snippet, cached by browsers for an hour, then
 * revalidated by ETag. */
static int track_js(struct req *rq, struct resp *rs)
{
    const struct embed_file *f = static_find("/t.js");
    if (!f)
        return resp_error(rs, E_NOTFOUND, NULL, "no such file");
    resp_header(rs, "Cross-Origin-Resource-Policy", "cross-origin");
    return static_send(rq, rs, f, "public, max-age=3600");
}

/* Fills rs with the pixel: the same uncacheable GIF for every request. */
static int pixel_resp(struct resp *rs)
{
    resp_header(rs, "Cache-Control", "no-store, max-age=0");
    resp_header(rs, "Cross-Origin-Resource-Policy", "cross-origin");
    rs->status = 200;
    rs->body = (char *)GIF;
    rs->len = sizeof(GIF);
    rs->body_static = 1;
    rs->content_type = "image/gif";
    return 0;
}

/* GET /t.gif?vid&url&ref&utm_*&pk | ?t=<open token>: records a page view
 * or an email open; answers the pixel, made once at start. */
static int track_gif(struct req *rq, struct resp *rs)
{
    record(rq);
    return pixel ? resp_send_fixed(rs, pixel) : pixel_resp(rs);
}

/* Access-Control-Allow-Origin for a tracked site's Origin (decision
 * 0016: the sites of tracking_origins only); whether it was given. */
static int cors(struct req *rq, struct resp *rs)
{
    const char *o = req_header(rq, "Origin");
    char norm[320];
    size_t n = origin_of(o, norm, sizeof(norm), NULL);
    resp_header(rs, "Vary", "Origin");
    if (!n || settings_origin_allowed(norm, n, NULL) != 1)
        return 0;
    resp_header(rs, "Access-Control-Allow-Origin", o);
    return 1;
}

/* POST /t/collect?<as /t.gif>: what t.js sends (navigator.sendBeacon);
 * 204, with CORS headers for tracked sites. A body is ignored. */
static int track_collect(struct req *rq, struct resp *rs)
{
    record(rq);
    resp_empty(rs, 204);
    resp_header(rs, "Cache-Control", "no-store");
    cors(rq, rs);
    return 0;
}

/* OPTIONS /t/collect: the CORS preflight; allowed for tracked sites. */
static int track_preflight(struct req *rq, struct resp *rs)
{
    resp_empty(rs, 204);
    if (cors(rq, rs)) {
        resp_header(rs, "Access-Control-Allow-Methods", "POST");
        resp_header(rs, "Access-Control-Allow-Headers", "Content-Type");
        resp_header(rs, "Access-Control-Max-Age", "86400");
    }
    return 0;
}

/* The landing address for a click: target with _pk=<identify token>
 * before any fragment when the target is a tracked site (t.js reads it
 * there); the target unchanged elsewhere, so no contact token leaves
 * for third-party sites. */
static const char *landing(struct req *rq, const struct track_hit *hit)
{
    char o[320];
    size_t n = origin_of(hit->url, o, sizeof(o), NULL);
    int ok = n ? settings_origin_allowed(o, n, NULL) : 0;
    const char *host = req_header(rq, "Host");
    if (ok < 0)                 /* no list: Phễu's own pages only */
        ok = host && !strcasecmp(strstr(o, "://") + 3, host);
    if (!ok)
        return hit->url;
    struct track_token t = {TOKEN_IDENTIFY, hit->contact, hit->campaign,
                            clock_now_ms(), NULL};
    char *tok = track_token_make(track_key(), &t);
    const char *hash = strchr(hit->url, '#');
    size_t base = hash ? (size_t)(hash - hit->url) : strlen(hit->url);
    const char *loc = arena_printf(&rq->arena, "%.*s%c_pk=%s%s", (int)base,
                                   hit->url,
                                   memchr(hit->url, '?', base) ? '&' : '?',
                                   tok, hash ? hash : "");
    free(tok);
    return loc;
}

/* GET /t/c?t=<click token>: records an email_click of the token's
 * contact and redirects (302) to the one URL the token names; a token
 * this server did not sign is 404, recorded nowhere, redirected
 * nowhere. */
static int track_click(struct req *rq, struct resp *rs)
{
    static const char bad[] = "Liên kết không hợp lệ.\n"
                              "This link is not valid.\n";
    struct gather g;
    struct track_req tr;
    struct track_ctx cx;
    struct track_hit *hit = NULL;
    char fresh[33];
    int r = TRACK_BAD_TOKEN;
    resp_header(rs, "Cache-Control", "no-store");
    resp_header(rs, "Referrer-Policy", "no-referrer");
    if (track_key()) {
        read_req(rq, &g, &tr, &cx, fresh);
        r = track_parse_click(&tr, &cx, &hit);
    }
    if (r) {
        track_refused(r);
        rs->status = 404;
        rs->body = (char *)bad;
        rs->len = sizeof(bad) - 1;
        rs->body_static = 1;
        rs->content_type = "text/plain; charset=utf-8";
        return 0;
    }
    resp_header(rs, "Location", landing(rq, hit));
    resp_empty(rs, 302);
    if (within_rate(rq, 1))
        track_enqueue(hit);     /* after landing(): the queue owns it */
    else
        free(hit);
    return 0;
}

/* GET /api/v1/tracking/stats: the tracking counters (admins). */
static int tracking_stats(struct req *rq, struct resp *rs)
{
    if (rq->who->user.role != ROLE_ADMIN)
        return resp_error(rs, E_FORBIDDEN, NULL, "only admins see the "
                          "tracking counters");
    return resp_json(rs, 200, track_stats_json());
}

const struct route track_routes[] = {
    {"GET", "/t.js", track_js, R_PUBLIC | R_BARE, NULL},
    {"GET", "/t.gif", track_gif, R_PUBLIC | R_BARE, NULL},
    {"POST", "/t/collect", track_collect, R_PUBLIC | R_BARE, NULL},
    {"OPTIONS", "/t/collect", track_preflight, R_PUBLIC | R_BARE, NULL},
    {"GET", "/t/c", track_click, R_PUBLIC | R_BARE, NULL},
    {"GET", "/api/v1/tracking/stats", tracking_stats, R_AUTH, NULL},
    {0},
};
