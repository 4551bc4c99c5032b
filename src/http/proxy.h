/* Trusted reverse proxies (`pheu serve --trusted-proxies`): which peers
 * may tell the client's address in X-Forwarded-For. Behind nginx or a
 * load balancer every request comes from the proxy's address, so the
 * per-address rate limits of tracking, forms and login, and the IP kept
 * with a consent, would all see one client. The header is read only
 * when the peer is listed, as nginx's real_ip_recursive does: from the
 * right, skipping listed addresses, the first address that is not
 * listed is the client. Decision 0016 ("Client address"). */
#ifndef PHEU_HTTP_PROXY_H
#define PHEU_HTTP_PROXY_H

#include <stddef.h>
#include <sys/socket.h>

#include "util/err.h"

#define PROXY_MAX 32            /* entries in one list */

/* One address or range; IPv4 is kept as IPv4-mapped IPv6. */
struct proxy_net {
    unsigned char addr[16];
    int bits;                   /* prefix length, 0..128 */
};

struct proxy_list {
    struct proxy_net net[PROXY_MAX];
    int n;
};

/* Parses a comma-separated list of addresses or CIDR ranges
 * ("127.0.0.1, 10.0.0.0/8, ::1") into out (empty for NULL or "").
 * E_INVALID naming the bad entry otherwise. */
int proxy_parse(const char *spec, struct proxy_list *out, struct err *err);

/* 1 when the textual address ip (IPv4 or IPv6) is in l, else 0 (also for
 * a malformed ip). */
int proxy_contains(const struct proxy_list *l, const char *ip);

/* The client's address of a request from peer (text) carrying
 * X-Forwarded-For value xff (may be NULL), written into out (size
 * bytes): peer itself unless peer is in l; else the rightmost entry of
 * xff that is not in l, or the leftmost entry when all are. A malformed
 * entry ends the walk at the last good address to its right. */
void proxy_client(const struct proxy_list *l, const char *peer,
                  const char *xff, char *out, size_t size);

#endif
