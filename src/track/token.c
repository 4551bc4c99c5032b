/* Signed tracking tokens: "<payload>.<tag>", both base64url without
 * padding; the payload is "<kind>.<contact>.<campaign>.<issued ms>.<url>"
 * and the tag its crypto_auth (HMAC-SHA-512-256) under the server
 * secret. See token.h and docs/decisions/0016-tracking.md. */
#include "track/token.h"
#include "util/buf.h"
#include "util/xalloc.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAYLOAD_MAX (TRACK_URL_MAX + 80)

int track_url_ok(const char *url)
{
    size_t n = url ? strlen(url) : 0;
    const char *host;
    if (n == 0 || n > TRACK_URL_MAX)
        return 0;
    if (!strncmp(url, "https://", 8))
        host = url + 8;
    else if (!strncmp(url, "http://", 7))
        host = url + 7;
    else
        return 0;
    if (!*host || strchr("/?#@:", *host))
        return 0;
    for (const char *p = url; *p; p++)
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
            return 0;
    return 1;
}

char *track_token_make(const unsigned char key[TRACK_KEYBYTES],
                       const struct track_token *t)
{
    char payload[PAYLOAD_MAX];
    unsigned char tag[crypto_auth_BYTES];
    int n = snprintf(payload, sizeof(payload), "%c.%lld.%lld.%lld.%s",
                     t->kind, (long long)t->contact, (long long)t->campaign,
                     (long long)t->issued_ms, t->url ? t->url : "");
    if (n < 0 || (size_t)n >= sizeof(payload))
        BUG("tracking token payload too long");
    crypto_auth(tag, (const unsigned char *)payload, (size_t)n, key);
    size_t plen = sodium_base64_ENCODED_LEN((size_t)n,
                                            sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    size_t tlen = sodium_base64_ENCODED_LEN(sizeof(tag),
                                            sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *out = xmalloc(plen + tlen + 1);
    sodium_bin2base64(out, plen, (const unsigned char *)payload, (size_t)n,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    size_t used = strlen(out);
    out[used] = '.';
    sodium_bin2base64(out + used + 1, tlen, tag, sizeof(tag),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return out;
}

/* Reads a non-negative decimal up to '.'; advances *p past the dot. */
static int read_num(const char **p, const char *end, int64_t *out)
{
    const char *s = *p;
    int64_t v = 0;
    int digits = 0;
    while (s < end && *s >= '0' && *s <= '9' && digits < 18) {
        v = v * 10 + (*s - '0');
        s++;
        digits++;
    }
    if (!digits || s >= end || *s != '.')
        return -1;
    *out = v;
    *p = s + 1;
    return 0;
}

/* Decodes a verified payload (n bytes) into *t. */
static int parse_payload(const char *pl, size_t n, struct track_token *t,
                         char *urlbuf, size_t urlcap)
{
    const char *p = pl + 2, *end = pl + n;
    size_t ulen;
    if (n < 2 || pl[1] != '.' || (pl[0] != TOKEN_OPEN &&
                                  pl[0] != TOKEN_CLICK &&
                                  pl[0] != TOKEN_IDENTIFY))
        return -1;
    t->kind = pl[0];
    if (read_num(&p, end, &t->contact) || read_num(&p, end, &t->campaign) ||
        read_num(&p, end, &t->issued_ms) || t->contact <= 0)
        return -1;
    ulen = (size_t)(end - p);
    if (ulen >= urlcap)
        return -1;
    memcpy(urlbuf, p, ulen);
    urlbuf[ulen] = '\0';
    t->url = NULL;
    if (t->kind == TOKEN_CLICK) {
        if (!track_url_ok(urlbuf))
            return -1;
        t->url = urlbuf;
    } else if (ulen) {
        return -1;
    }
    return 0;
}

int track_token_read(const unsigned char key[TRACK_KEYBYTES], const char *s,
                     size_t len, struct track_token *t, char *urlbuf,
                     size_t urlcap)
{
    unsigned char payload[PAYLOAD_MAX], tag[crypto_auth_BYTES];
    size_t plen, tlen;
    const char *dot = memchr(s, '.', len);
    memset(t, 0, sizeof(*t));
    if (!dot || len > 2 * PAYLOAD_MAX)
        return -1;
    if (sodium_base642bin(payload, sizeof(payload), s, (size_t)(dot - s),
                          NULL, &plen, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) ||
        sodium_base642bin(tag, sizeof(tag), dot + 1,
                          len - (size_t)(dot - s) - 1, NULL, &tlen, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) ||
        tlen != sizeof(tag))
        return -1;
    if (crypto_auth_verify(tag, payload, plen, key))
        return -1;
    return parse_payload((const char *)payload, plen, t, urlbuf, urlcap);
}

/* "<base><path><token>" as a new string. */
static char *with_token(const char *base, const char *path, char *token)
{
    struct buf b;
    buf_init(&b, (size_t)-1);
    buf_addf(&b, "%s%s%s", base, path, token);
    free(token);
    return buf_detach(&b, NULL);
}

char *track_link_url(const unsigned char key[TRACK_KEYBYTES],
                     const char *base, int64_t contact, int64_t campaign,
                     const char *url, int64_t now_ms)
{
    if (contact <= 0 || campaign < 0 || !track_url_ok(url))
        return NULL;
    struct track_token t = {TOKEN_CLICK, contact, campaign, now_ms, url};
    return with_token(base, "/t/c?t=", track_token_make(key, &t));
}

char *track_open_url(const unsigned char key[TRACK_KEYBYTES],
                     const char *base, int64_t contact, int64_t campaign,
                     int64_t now_ms)
{
    if (contact <= 0 || campaign < 0)
        return NULL;
    struct track_token t = {TOKEN_OPEN, contact, campaign, now_ms, NULL};
    return with_token(base, "/t.gif?t=", track_token_make(key, &t));
}

/* Reads the stored secret into key: 0, E_NOTFOUND when absent. */
static int read_secret(struct db_conn *c, unsigned char *key,
                       struct err *err)
{
    struct db_stmt *st;
    size_t n = 0;
    int rc = db_query(c, &st, err, "SELECT value FROM settings WHERE key = "
                      "'tracking_secret'", NULL);
    if (rc)
        return rc;
    int r = db_step(st, err);
    if (r == DB_ROW) {
        const char *hex = db_col_text(st, 0);
        if (!hex || sodium_hex2bin(key, TRACK_KEYBYTES, hex, strlen(hex),
                                   NULL, &n, NULL) || n != TRACK_KEYBYTES)
            r = -2;
    }
    db_done(st);
    if (r == -2)
        return err_set(err, E_DB, NULL, "settings: tracking_secret is not "
                       "%d bytes of hex", TRACK_KEYBYTES);
    if (r < 0)
        return err->code;
    return r == DB_ROW ? 0 : E_NOTFOUND;
}

int track_secret(struct db_conn *c, unsigned char key[TRACK_KEYBYTES],
                 struct err *err)
{
    unsigned char fresh[TRACK_KEYBYTES];
    char hex[2 * TRACK_KEYBYTES + 1];
    if (sodium_init() < 0)
        return err_set(err, E_INTERNAL, NULL, "libsodium did not start");
    int rc = read_secret(c, key, err);
    if (rc != E_NOTFOUND)
        return rc;
    randombytes_buf(fresh, sizeof(fresh));
    sodium_bin2hex(hex, sizeof(hex), fresh, sizeof(fresh));
    sodium_memzero(fresh, sizeof(fresh));
    rc = db_run(c, err, "INSERT INTO settings (key, value) VALUES "
                "('tracking_secret', ?) ON CONFLICT (key) DO NOTHING", "t",
                hex);
    sodium_memzero(hex, sizeof(hex));
    if (!rc)
        rc = read_secret(c, key, err);
    return rc == E_NOTFOUND ? err_set(err, E_DB, NULL, "settings: "
                                      "tracking_secret not stored") : rc;
}
