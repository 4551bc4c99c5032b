/* Money: currency decimals and exact conversion between currencies (see
 * money.h). */
#include "util/money.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef unsigned __int128 u128;

/* ISO 4217 currencies whose minor unit is not the hundredth. */
static const char *const ZERO_DECIMALS[] = {
    "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF",
    "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF", NULL};
static const char *const THREE_DECIMALS[] = {
    "BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND", NULL};

int money_code_valid(const char *s)
{
    if (!s || strlen(s) != 3)
        return 0;
    for (int i = 0; i < 3; i++)
        if (s[i] < 'A' || s[i] > 'Z')
            return 0;
    return 1;
}

/* Whether code is in list. */
static int listed(const char *const *list, const char *code)
{
    for (; *list; list++)
        if (!strcmp(*list, code))
            return 1;
    return 0;
}

int money_decimals(const char *code)
{
    if (listed(ZERO_DECIMALS, code))
        return 0;
    return listed(THREE_DECIMALS, code) ? 3 : 2;
}

int money_rate_from_int(int64_t v, struct money_rate *out)
{
    if (v <= 0)
        return -1;
    out->mant = v;
    out->exp = 0;
    while (out->mant % 10 == 0) {
        out->mant /= 10;
        out->exp++;
    }
    return 0;
}

int money_rate_from_double(double v, struct money_rate *out)
{
    char s[40];
    if (!isfinite(v) || v <= 0)
        return -1;
    /* 15 significant digits (DBL_DIG): a decimal of at most 15 digits
     * reads back as written, d.dddddddddddddde[+-]x */
    snprintf(s, sizeof(s), "%.14e", v);
    int exp = (int)strtol(strchr(s, 'e') + 1, NULL, 10);
    int64_t mant = s[0] - '0';
    for (int i = 2; i < 16; i++)
        mant = mant * 10 + (s[i] - '0');
    exp -= 14;
    if (money_rate_from_int(mant, out))
        return -1;
    out->exp += exp;
    return 0;
}

/* 10^k as a 128-bit value, or 0 when it does not fit (k > 38). */
static u128 pow10_128(int k)
{
    u128 p = 1;
    for (int i = 0; i < k; i++) {
        if (p > (~(u128)0) / 10)
            return 0;
        p *= 10;
    }
    return p;
}

/* *x *= m; -1 on overflow. */
static int mul(u128 *x, u128 m)
{
    if (m && *x > (~(u128)0) / m)
        return -1;
    *x *= m;
    return 0;
}

int money_convert(int64_t amount, int dfrom, struct money_rate from,
                  int dto, struct money_rate to, int64_t *out)
{
    /* amount / 10^dfrom * from / to * 10^dto, as num / den */
    int p = from.exp - to.exp + dto - dfrom;
    u128 num = (u128)(amount < 0 ? 0 : amount), den = (u128)to.mant;
    if (mul(&num, (u128)from.mant))
        return -1;
    if (p >= 0) {
        u128 t = pow10_128(p);
        if (!t || mul(&num, t))
            return -1;
    } else {
        u128 t = pow10_128(-p);
        if (!t || mul(&den, t)) {       /* den > 10^38 > num: rounds to 0 */
            *out = 0;
            return 0;
        }
    }
    u128 q = num / den, r = num % den;
    if (r >= den - r)                   /* half up */
        q++;
    if (q > (u128)INT64_MAX)
        return -1;
    *out = (int64_t)q;
    return 0;
}

const char *money_format(int64_t amount, int decimals, char *buf,
                         size_t len)
{
    char digits[48];
    uint64_t mag = amount < 0 ? 0 - (uint64_t)amount : (uint64_t)amount;
    int nd = snprintf(digits, sizeof(digits), "%0*llu", decimals + 1,
                      (unsigned long long)mag);
    int whole = nd - decimals;
    size_t o = 0;
    if (amount < 0 && o + 1 < len)
        buf[o++] = '-';
    for (int i = 0; i < nd && o + 3 < len; i++) {
        if (i == whole)
            buf[o++] = '.';
        else if (i && i < whole && (whole - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o < len ? o : len - 1] = '\0';
    return buf;
}
