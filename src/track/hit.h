/* Tracking hits (SPEC §4, issue 6 item 3): one request to /t.gif,
 * /t/collect or /t/c read into a hit for the batch writer, or refused
 * with a reason. Pure: no I/O, no clock, no libmicrohttpd, so the unit
 * tests and the fuzz target call it as the handlers of api/track.c do.
 * Rules: docs/decisions/0016-tracking.md. */
#ifndef PHEU_TRACK_HIT_H
#define PHEU_TRACK_HIT_H

#include <stddef.h>
#include <stdint.h>

#include "track/token.h"

#define TRACK_TEXT_MAX 2000     /* url, ref: longer is cut (bytes) */
#define TRACK_UTM_MAX 200       /* utm_*: longer is cut (bytes) */
#define TRACK_VID_MIN 16        /* visitor ids: [A-Za-z0-9_-]{16,64} */
#define TRACK_VID_MAX 64
#define TRACK_MAX_ARGS 64       /* query arguments looked at */

enum track_kind { TRACK_PAGE_VIEW, TRACK_EMAIL_OPEN, TRACK_EMAIL_CLICK };

/* Why a request recorded nothing (TRACK_OK: it did). Counted per reason
 * (GET /api/v1/tracking/stats); the client never sees which. */
enum track_refusal {
    TRACK_OK = 0,
    TRACK_BAD_ARG,      /* repeated key, bad UTF-8, control character,
                           a url that is not http(s), too many args */
    TRACK_BAD_VISITOR,  /* vid not of [A-Za-z0-9_-]{16,64} */
    TRACK_BAD_TOKEN,    /* t or pk not signed by this server, wrong kind */
    TRACK_ORIGIN,       /* the page is not on a tracked site */
    TRACK_RATE,         /* the client's address is over its rate */
    TRACK_FULL,         /* the write queue is full */
    TRACK_NREFUSALS
};

/* The name of a refusal for stats and logs ("bad_arg", ...). */
const char *track_refusal_name(int r);

/* A hit: one allocation holding its strings, owned by whoever holds the
 * pointer (the queue, then the writer); free with free(). */
struct track_hit {
    enum track_kind kind;
    int64_t at;                 /* ms UTC, when received */
    int64_t contact;            /* from a token (open, click, pk), or 0 */
    int64_t campaign;           /* from a token, or 0: from utm_campaign */
    int identify;               /* pk: the visitor is this contact */
    const char *vid;            /* page views; NULL for email events */
    const char *url, *ref;      /* NFC, cut to TRACK_TEXT_MAX; or NULL */
    const char *utm[5];         /* source, medium, campaign, term, content */
    size_t size;                /* bytes of this allocation */
    char data[];
};

struct track_arg {
    const char *key, *value;    /* value "" for a key without one */
};

/* What the HTTP layer gathered from one request. */
struct track_req {
    const struct track_arg *args;
    int nargs;                  /* more than TRACK_MAX_ARGS: refused */
    const char *origin;         /* Origin header, or NULL */
    const char *referer;        /* Referer header, or NULL */
    const char *host;           /* Host header, or NULL */
};

/* Whether a site origin ("https://shop.example.vn") may send page
 * views: 1 yes, 0 no, -1 no list is configured (then only the server's
 * own origin may: same-origin). */
typedef int (*track_origin_fn)(const char *origin, size_t len, void *arg);

struct track_ctx {
    const unsigned char *key;   /* TRACK_KEYBYTES; NULL: tokens refused */
    track_origin_fn allowed;
    void *allowed_arg;
    int64_t now_ms;
    const char *fresh_vid;      /* the id of a page view without a vid */
};

/* Reads a /t.gif or /t/collect request: an email open when it carries
 * an open token t, else a page view (vid, url, ref, utm_*, pk) whose
 * page's origin (Origin, else Referer) is a tracked site; url defaults to
 * the Referer. Unknown keys are ignored. Returns TRACK_OK and a new hit
 * in *out, or a refusal (then *out is NULL). */
int track_parse(const struct track_req *rq, const struct track_ctx *cx,
                struct track_hit **out);

/* Reads a /t/c click: the token t must be a click token this server
 * signed. Returns TRACK_OK and a new email_click hit whose url is the
 * token's target (the only place the redirect may go), or
 * TRACK_BAD_TOKEN. */
int track_parse_click(const struct track_req *rq, const struct track_ctx *cx,
                      struct track_hit **out);

#endif
