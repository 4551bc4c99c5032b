/* Unit tests for http/proxy.c: the trusted-proxy list (addresses and
 * CIDR ranges, IPv4 and IPv6, bad entries) and the client address taken
 * from X-Forwarded-For only through listed peers, from the right. */
#include <criterion/criterion.h>
#include <string.h>

#include "http/proxy.h"

/* The client of peer and xff through the proxies of spec. */
static const char *client(const char *spec, const char *peer,
                          const char *xff)
{
    static char out[64];
    struct proxy_list l;
    struct err err = {0};
    cr_assert_eq(proxy_parse(spec, &l, &err), 0, "%s", err.msg);
    proxy_client(&l, peer, xff, out, sizeof(out));
    return out;
}

Test(proxy, list_membership)
{
    struct proxy_list l;
    struct err err = {0};
    cr_assert_eq(proxy_parse(" 127.0.0.1 ,10.0.0.0/8,192.168.1.0/24, ::1, "
                             "fd00::/8", &l, &err), 0, "%s", err.msg);
    cr_expect_eq(l.n, 5);
    cr_expect(proxy_contains(&l, "127.0.0.1"));
    cr_expect_not(proxy_contains(&l, "127.0.0.2"));
    cr_expect(proxy_contains(&l, "10.255.3.4"));
    cr_expect_not(proxy_contains(&l, "11.0.0.1"));
    cr_expect(proxy_contains(&l, "192.168.1.254"));
    cr_expect_not(proxy_contains(&l, "192.168.2.1"));
    cr_expect(proxy_contains(&l, "::1"));
    cr_expect(proxy_contains(&l, "fd12:3456::7"));
    cr_expect_not(proxy_contains(&l, "fe80::1"));
    cr_expect_not(proxy_contains(&l, "::ffff:11.0.0.1"));
    cr_expect(proxy_contains(&l, "::ffff:10.1.1.1"));   /* mapped v4 */
    cr_expect_not(proxy_contains(&l, "not an address"));
    cr_expect_not(proxy_contains(&l, NULL));
}

Test(proxy, odd_prefixes)
{
    struct proxy_list l;
    struct err err = {0};
    cr_assert_eq(proxy_parse("172.16.0.0/12,0.0.0.0/0", &l, &err), 0);
    cr_expect(proxy_contains(&l, "172.31.255.255"));
    cr_assert_eq(proxy_parse("172.16.0.0/12", &l, &err), 0);
    cr_expect(proxy_contains(&l, "172.31.255.255"));
    cr_expect_not(proxy_contains(&l, "172.32.0.0"));
    cr_expect_not(proxy_contains(&l, "172.15.255.255"));
    cr_assert_eq(proxy_parse("0.0.0.0/0", &l, &err), 0);
    cr_expect(proxy_contains(&l, "8.8.8.8"));
    cr_expect_not(proxy_contains(&l, "2001:db8::1"));  /* v4 range only */
}

Test(proxy, empty_and_bad_lists)
{
    struct proxy_list l;
    struct err err = {0};
    cr_expect_eq(proxy_parse(NULL, &l, &err), 0);
    cr_expect_eq(l.n, 0);
    cr_expect_eq(proxy_parse("", &l, &err), 0);
    cr_expect_eq(l.n, 0);
    const char *bad[] = {"localhost", "10.0.0.0/33", "::/129", "10.0.0.1,",
                         "1.2.3.4/", "1.2.3.4/8x", "256.1.1.1", ",1.2.3.4"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
        err = (struct err){0};
        cr_expect_eq(proxy_parse(bad[i], &l, &err), E_INVALID, "%s", bad[i]);
        cr_expect_str_eq(err.field, "trusted_proxies");
    }
}

Test(proxy, client_from_forwarded_for)
{
    /* no list, or a peer that is not listed: the header is ignored */
    cr_expect_str_eq(client("", "127.0.0.1", "1.2.3.4"), "127.0.0.1");
    cr_expect_str_eq(client("10.0.0.1", "127.0.0.1", "1.2.3.4"),
                     "127.0.0.1");
    /* a listed peer without the header */
    cr_expect_str_eq(client("127.0.0.1", "127.0.0.1", NULL), "127.0.0.1");
    /* one hop */
    cr_expect_str_eq(client("127.0.0.1", "127.0.0.1", "203.0.113.7"),
                     "203.0.113.7");
    /* a client-sent entry on the left is not believed: the rightmost
     * address that is not a listed proxy is the client */
    cr_expect_str_eq(client("127.0.0.1,10.0.0.0/8", "127.0.0.1",
                            "6.6.6.6, 203.0.113.7, 10.1.2.3"),
                     "203.0.113.7");
    /* every hop listed: the leftmost */
    cr_expect_str_eq(client("127.0.0.1,10.0.0.0/8", "127.0.0.1",
                            "10.9.9.9,10.1.2.3"), "10.9.9.9");
    /* ports and brackets as some proxies write them; IPv6 */
    cr_expect_str_eq(client("::1", "::1", "[2001:db8::5]:443"),
                     "2001:db8::5");
    cr_expect_str_eq(client("::1", "::1", "198.51.100.2:5123"),
                     "198.51.100.2");
    /* a malformed entry ends the walk at the last good address */
    cr_expect_str_eq(client("127.0.0.1,10.0.0.0/8", "127.0.0.1",
                            "203.0.113.7, garbage, 10.1.2.3"), "10.1.2.3");
    cr_expect_str_eq(client("127.0.0.1", "127.0.0.1", "garbage"),
                     "127.0.0.1");
    cr_expect_str_eq(client("127.0.0.1", "127.0.0.1", ""), "127.0.0.1");
}
