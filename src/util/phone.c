/* Phone number normalisation to E.164 (Vietnam by default) and search
 * query forms; the rules are written out in phone.h. */
#include "util/phone.h"

#include <stdio.h>
#include <string.h>

/* Digits kept while reading: "00" + 15, and one more to see overflow. */
#define MAX_DIGITS 18

/* The digits of a phone number as read, and whether a "+" led them. */
struct digits {
    char d[MAX_DIGITS + 1];
    size_t n;
    int plus;
};

/* Whether c may stand between the digits of a number. */
static int is_sep(char c)
{
    return c == ' ' || c == '.' || c == '-' || c == '/' || c == '(' || c == ')';
}

/* Reads the digits of in into g; -1 on a character phone.h does not
 * allow, a misplaced "+", or more than MAX_DIGITS digits. */
static int scan(const char *in, struct digits *g)
{
    int lead = 1; /* only spaces and "(" so far: a "+" may come */
    memset(g, 0, sizeof(*g));
    for (const char *p = in; *p; p++) {
        char c = *p;
        if (c >= '0' && c <= '9') {
            if (g->n == MAX_DIGITS)
                return -1;
            g->d[g->n++] = c;
            lead = 0;
        } else if (c == '+') {
            if (!lead || g->plus)
                return -1;
            g->plus = 1;
            lead = 0;
        } else if (is_sep(c)) {
            if (c != ' ' && c != '(')
                lead = 0;
        } else {
            return -1;
        }
    }
    return 0;
}

/* Whether the n digits at d are a Vietnamese national significant number:
 * 9 digits for a mobile (3, 5, 7, 8, 9), 10 for a landline (2). */
static int vn_nsn(const char *d, size_t n)
{
    if (n == 9)
        return d[0] == '3' || d[0] == '5' || d[0] == '7' || d[0] == '8' ||
               d[0] == '9';
    if (n == 10)
        return d[0] == '2';
    return 0;
}

/* Writes "+84" and the NSN in the n digits after a country code 84, where
 * a trunk "0" before the NSN is tolerated ("+84 (0) 912 ..."). */
static int put_vn(const char *d, size_t n, char *out, size_t outlen)
{
    if (n > 0 && d[0] == '0' && vn_nsn(d + 1, n - 1)) {
        d++;
        n--;
    }
    if (!vn_nsn(d, n))
        return -1;
    snprintf(out, outlen, "+84%.*s", (int)n, d);
    return 0;
}

/* Writes the international number whose n digits (country code first)
 * follow a "+" or "00"; country code 84 is checked as Vietnamese. */
static int put_intl(const char *d, size_t n, char *out, size_t outlen)
{
    if (n >= 2 && d[0] == '8' && d[1] == '4')
        return put_vn(d + 2, n - 2, out, outlen);
    if (n < 8 || n > 15 || d[0] == '0')
        return -1;
    snprintf(out, outlen, "+%.*s", (int)n, d);
    return 0;
}

/* Picks the rule of phone.h that the prefix of g selects. */
static int normalise(const struct digits *g, char *out, size_t outlen)
{
    const char *d = g->d;
    size_t n = g->n;
    if (g->plus)
        return put_intl(d, n, out, outlen);
    if (n >= 2 && d[0] == '0' && d[1] == '0')
        return put_intl(d + 2, n - 2, out, outlen);
    if (n >= 1 && d[0] == '0') {
        if (!vn_nsn(d + 1, n - 1))
            return -1;
        snprintf(out, outlen, "+84%.*s", (int)(n - 1), d + 1);
        return 0;
    }
    if (n >= 2 && d[0] == '8' && d[1] == '4')
        return put_vn(d + 2, n - 2, out, outlen);
    return -1;
}

int phone_e164(const char *in, char *out, size_t outlen)
{
    struct digits g;
    if (!out || outlen < PHONE_E164_SIZE)
        return -1;
    out[0] = '\0';
    if (!in || scan(in, &g))
        return -1;
    if (normalise(&g, out, outlen)) {
        out[0] = '\0';
        return -1;
    }
    return 0;
}

int phone_query_forms(const char *q, char forms[2][24])
{
    char d[PHONE_QUERY_MAX_DIGITS + 1];
    size_t n = 0;
    if (!q)
        return 0;
    for (const unsigned char *p = (const unsigned char *)q; *p; p++) {
        unsigned char c = *p;
        if (c >= '0' && c <= '9') {
            if (n == PHONE_QUERY_MAX_DIGITS)
                return 0;
            d[n++] = (char)c;
        } else if (c >= 0x80 || (c >= 'a' && c <= 'z') ||
                   (c >= 'A' && c <= 'Z')) {
            return 0;
        }
    }
    if (n < 3)
        return 0;
    memcpy(forms[0], d, n);
    forms[0][n] = '\0';
    size_t skip = 0;
    if (n >= 4 && memcmp(d, "0084", 4) == 0)
        skip = 4;
    else if (memcmp(d, "84", 2) == 0)
        skip = 2;
    if (skip == 0 || n - skip + 1 < 3)
        return 1;
    forms[1][0] = '0';
    memcpy(forms[1] + 1, d + skip, n - skip);
    forms[1][n - skip + 1] = '\0';
    return 2;
}
