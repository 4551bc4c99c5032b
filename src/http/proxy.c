/* Trusted reverse proxies and X-Forwarded-For (see proxy.h). */
#include "http/proxy.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reads the address of text s[0..n) into a 16-byte IPv6 form (IPv4
 * mapped, *v4 set); accepts "[v6]" and "v4:port" as proxies send them.
 * 0, or -1 when it is no address. */
static int parse_addr(const char *s, size_t n, unsigned char a[16], int *v4)
{
    char tmp[64];
    while (n && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n == 0 || n >= sizeof(tmp))
        return -1;
    if (s[0] == '[') {              /* "[::1]" or "[::1]:8080" */
        const char *e = memchr(s, ']', n);
        if (!e)
            return -1;
        n = (size_t)(e - s - 1);
        s++;
    } else {                        /* "10.0.0.1:8080": one colon */
        const char *colon = memchr(s, ':', n);
        if (colon && !memchr(colon + 1, ':', n - (size_t)(colon - s) - 1))
            n = (size_t)(colon - s);
    }
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    struct in_addr in4;
    if (inet_pton(AF_INET, tmp, &in4) == 1) {
        memset(a, 0, 10);
        a[10] = a[11] = 0xff;
        memcpy(a + 12, &in4, 4);
        *v4 = 1;
        return 0;
    }
    *v4 = 0;
    return inet_pton(AF_INET6, tmp, a) == 1 ? 0 : -1;
}

/* Parses one entry "addr" or "addr/bits" of s[0..n). */
static int parse_net(const char *s, size_t n, struct proxy_net *out)
{
    const char *slash = memchr(s, '/', n);
    int v4;
    if (parse_addr(s, slash ? (size_t)(slash - s) : n, out->addr, &v4))
        return -1;
    int max = v4 ? 32 : 128;
    out->bits = 128;
    if (slash) {
        char num[8];
        size_t k = n - (size_t)(slash - s) - 1;
        while (k && s[n - 1] == ' ')
            n--, k--;
        if (k == 0 || k >= sizeof(num))
            return -1;
        memcpy(num, slash + 1, k);
        num[k] = '\0';
        char *end;
        long b = strtol(num, &end, 10);
        if (*end || end == num || b < 0 || b > max)
            return -1;
        out->bits = (int)b + (v4 ? 96 : 0);
    }
    return 0;
}

int proxy_parse(const char *spec, struct proxy_list *out, struct err *err)
{
    out->n = 0;
    for (const char *p = spec; p && *p;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        if (out->n == PROXY_MAX)
            return err_set(err, E_INVALID, "trusted_proxies",
                           "at most %d trusted proxies", PROXY_MAX);
        if (parse_net(p, n, &out->net[out->n]))
            return err_set(err, E_INVALID, "trusted_proxies",
                           "'%.*s' is not an IP address or CIDR range",
                           (int)(n > 60 ? 60 : n), p);
        out->n++;
        p = comma ? comma + 1 : p + n;
        if (comma && !*p)
            return err_set(err, E_INVALID, "trusted_proxies",
                           "an empty entry after the last comma");
    }
    return 0;
}

/* 1 when the first bits bits of a and b are equal. */
static int prefix_eq(const unsigned char *a, const unsigned char *b, int bits)
{
    int bytes = bits / 8, rest = bits % 8;
    if (memcmp(a, b, (size_t)bytes))
        return 0;
    if (!rest)
        return 1;
    unsigned char mask = (unsigned char)(0xff << (8 - rest));
    return (a[bytes] & mask) == (b[bytes] & mask);
}

/* 1 when the address a (16 bytes) is in l. */
static int contains(const struct proxy_list *l, const unsigned char a[16])
{
    for (int i = 0; i < l->n; i++)
        if (prefix_eq(a, l->net[i].addr, l->net[i].bits))
            return 1;
    return 0;
}

int proxy_contains(const struct proxy_list *l, const char *ip)
{
    unsigned char a[16];
    int v4;
    return ip && !parse_addr(ip, strlen(ip), a, &v4) && contains(l, a);
}

/* Writes the address a in its usual text form (IPv4 dotted) into out. */
static void addr_text(const unsigned char a[16], int v4, char *out,
                      size_t size)
{
    if (!inet_ntop(v4 ? AF_INET : AF_INET6, v4 ? a + 12 : a, out,
                   (socklen_t)size) && size)
        out[0] = '\0';
}

void proxy_client(const struct proxy_list *l, const char *peer,
                  const char *xff, char *out, size_t size)
{
    snprintf(out, size, "%s", peer);
    if (!l || !l->n || !xff || !proxy_contains(l, peer))
        return;
    size_t end = strlen(xff);
    while (end > 0) {
        size_t start = end;
        while (start > 0 && xff[start - 1] != ',')
            start--;
        unsigned char a[16];
        int v4;
        if (parse_addr(xff + start, end - start, a, &v4))
            return;             /* malformed: keep the last good one */
        addr_text(a, v4, out, size);
        if (!contains(l, a))
            return;
        end = start ? start - 1 : 0;
    }
}
