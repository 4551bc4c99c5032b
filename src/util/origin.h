/* Web origins ("https://shop.example.vn"): the scheme, host and port at
 * the start of an address, as browsers send them in Origin and Referer
 * headers and as the tracking_origins setting lists them. */
#ifndef PHEU_UTIL_ORIGIN_H
#define PHEU_UTIL_ORIGIN_H

#include <stddef.h>

/* Writes the origin of url ("scheme://host[:port]", http or https only,
 * lower-cased, the default port :80 or :443 left out) into buf (n bytes)
 * and returns its length; 0 when url starts with no such origin (another
 * scheme, an empty host, user info, characters a host cannot hold, or
 * buf too small). *used (may be NULL) gets how many bytes of url the
 * origin took. */
size_t origin_of(const char *url, char *buf, size_t n, size_t *used);

#endif
