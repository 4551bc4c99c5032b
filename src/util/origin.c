/* Web origins: see origin.h. Only the prefix of an address is read,
 * up to the first '/', '?' or '#' after "scheme://"; the rest of the
 * address is never parsed. */
#include "util/origin.h"

#include <string.h>
#include <strings.h>

/* Whether c may stand in a host[:port] (letters, digits, ".-_:[]"). */
static int host_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || (c && strchr(".-_:[]", c));
}

size_t origin_of(const char *url, char *buf, size_t n, size_t *used)
{
    size_t scheme, len, i;
    if (used)
        *used = 0;
    if (!url)
        return 0;
    if (!strncasecmp(url, "https://", 8))
        scheme = 8;
    else if (!strncasecmp(url, "http://", 7))
        scheme = 7;
    else
        return 0;
    len = strcspn(url + scheme, "/?#");
    if (len == 0 || url[scheme] == ':' || scheme + len >= n)
        return 0;
    for (i = 0; i < len; i++)
        if (!host_char(url[scheme + i]))
            return 0;           /* user info, spaces, controls, bytes */
    len += scheme;
    for (i = 0; i < len; i++)
        buf[i] = (url[i] >= 'A' && url[i] <= 'Z') ? (char)(url[i] + 32)
                                                  : url[i];
    buf[len] = '\0';
    if (used)
        *used = len;
    if (scheme == 8 && len > 12 && !strcmp(buf + len - 4, ":443"))
        len -= 4;
    else if (scheme == 7 && len > 10 && !strcmp(buf + len - 3, ":80"))
        len -= 3;
    buf[len] = '\0';
    return len;
}
