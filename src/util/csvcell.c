/* CSV cells: formula guard and quoting (see csvcell.h). */
#include "util/csvcell.h"
#include "util/xalloc.h"

#include <csv.h>
#include <stdlib.h>
#include <string.h>

/* The byte length of the blank at s (0 when s does not start with one). */
static size_t blank_len(const unsigned char *s)
{
    if (*s == ' ' || (*s >= '\t' && *s <= '\r'))
        return 1;
    if (s[0] == 0xC2 && s[1] == 0xA0)                   /* U+00A0 */
        return 2;
    if (s[0] == 0xE1 && s[1] == 0x9A && s[2] == 0x80)   /* U+1680 */
        return 3;
    if (s[0] == 0xE2 && s[1] == 0x80 &&
        ((s[2] >= 0x80 && s[2] <= 0x8B) || s[2] == 0xA8 || s[2] == 0xA9 ||
         s[2] == 0xAF))         /* U+2000..200B, 2028, 2029, 202F */
        return 3;
    if (s[0] == 0xE2 && s[1] == 0x81 && s[2] == 0x9F)   /* U+205F */
        return 3;
    if (s[0] == 0xE3 && s[1] == 0x80 && s[2] == 0x80)   /* U+3000 */
        return 3;
    if (s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)   /* U+FEFF */
        return 3;
    return 0;
}

int csvcell_risky(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    if (*p == '\t' || *p == '\r')
        return 1;
    for (size_t n = blank_len(p); n; n = blank_len(p))
        p += n;
    if (*p == '=' || *p == '+' || *p == '-' || *p == '@')
        return 1;
    /* U+FF0B ＋, U+FF0D －, U+FF1D ＝, U+FF20 ＠ */
    return p[0] == 0xEF && p[1] == 0xBC &&
           (p[2] == 0x8B || p[2] == 0x8D || p[2] == 0x9D || p[2] == 0xA0);
}

int csvcell_is_e164(const char *s)
{
    size_t n = 0;
    if (s[0] != '+' || s[1] < '1' || s[1] > '9')
        return 0;
    for (const char *p = s + 1; *p; p++, n++)
        if (*p < '0' || *p > '9')
            return 0;
    return n >= 8 && n <= 15;
}

/* Whether s must be quoted to read back as written. */
static int needs_quotes(const char *s, size_t n)
{
    if (n == 0 || s[0] == ' ' || s[n - 1] == ' ')
        return 1;
    return strpbrk(s, ",\"\r\n") != NULL;
}

void csvcell_add(struct buf *b, const char *s, int guard)
{
    if (!s)
        return;
    size_t n = strlen(s);
    char *tmp = NULL;
    if (guard && csvcell_risky(s)) {
        tmp = xmalloc(n + 2);
        tmp[0] = '\'';
        memcpy(tmp + 1, s, n + 1);
        s = tmp;
        n++;
    }
    if (!needs_quotes(s, n)) {
        buf_add(b, s, n);
    } else if (buf_reserve(b, 2 * n + 2) == 0) {
        /* csv_write doubles the quotes and adds the outer ones */
        size_t w = csv_write(b->data + b->len, b->cap - b->len, s, n);
        b->len += w;
        b->data[b->len] = '\0';
    }
    free(tmp);
}
