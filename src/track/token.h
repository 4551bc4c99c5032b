/* Signed tracking tokens (SPEC §4 "joined ... when they click a tracked
 * email link", §7 open pixel and click redirect): a payload naming a
 * contact, a campaign and, for links, the one URL the redirect may go
 * to, authenticated with HMAC (libsodium crypto_auth) under the server
 * secret kept in settings ("tracking_secret").
 * docs/decisions/0016-tracking.md describes the format. */
#ifndef PHEU_TRACK_TOKEN_H
#define PHEU_TRACK_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#include "store/db.h"

#define TRACK_KEYBYTES 32
#define TRACK_URL_MAX 2000          /* bytes of a link's target */
#define TRACK_IDENTIFY_MS (10 * 60 * 1000)  /* life of a landing's _pk */

enum track_token_kind {
    TOKEN_OPEN = 'o',       /* email open pixel: contact, campaign */
    TOKEN_CLICK = 'c',      /* email link: contact, campaign, url */
    TOKEN_IDENTIFY = 'i',   /* _pk on the landing page: contact, issued */
};

struct track_token {
    int kind;               /* enum track_token_kind */
    int64_t contact;        /* > 0 */
    int64_t campaign;       /* 0: none */
    int64_t issued_ms;
    const char *url;        /* TOKEN_CLICK only; else NULL */
};

/* Encodes and signs t under key. Returns a new string of URL-safe
 * characters ([A-Za-z0-9_.-]); caller frees. t->url must be at most
 * TRACK_URL_MAX bytes (checked by the callers that take URLs). */
char *track_token_make(const unsigned char key[TRACK_KEYBYTES],
                       const struct track_token *t);

/* Checks the signature of the len bytes at s and decodes them into *t;
 * t->url then points into urlbuf (urlcap bytes, at least
 * TRACK_URL_MAX + 1). Returns 0, or -1 for anything that is not a token
 * this key signed (nothing in *t is then meaningful). Expiry is the
 * caller's rule. */
int track_token_read(const unsigned char key[TRACK_KEYBYTES], const char *s,
                     size_t len, struct track_token *t, char *urlbuf,
                     size_t urlcap);

/* Whether url may be a link's target: http:// or https:// with a host,
 * printable ASCII only (percent-encode the rest), at most TRACK_URL_MAX
 * bytes. */
int track_url_ok(const char *url);

/* The tracked form of a link in an email to contact (campaign 0: none):
 * "<base>/t/c?t=<token>". base is Phễu's public URL without a trailing
 * slash ("https://crm.example.vn"). Returns a new string (caller frees),
 * or NULL when url is not a valid target (track_url_ok) or contact is
 * not positive. */
char *track_link_url(const unsigned char key[TRACK_KEYBYTES],
                     const char *base, int64_t contact, int64_t campaign,
                     const char *url, int64_t now_ms);

/* The open pixel of an email to contact: "<base>/t.gif?t=<token>".
 * Returns a new string (caller frees), or NULL when contact is not
 * positive. */
char *track_open_url(const unsigned char key[TRACK_KEYBYTES],
                     const char *base, int64_t contact, int64_t campaign,
                     int64_t now_ms);

/* Reads the server's tracking secret from settings into key, creating a
 * random one first when there is none (ON CONFLICT DO NOTHING, so two
 * processes agree on one). Runs in its own statements (autocommit) on
 * c; 0 or an error. */
int track_secret(struct db_conn *c, unsigned char key[TRACK_KEYBYTES],
                 struct err *err);

#endif
