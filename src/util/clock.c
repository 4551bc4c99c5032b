/* Clock and ISO 8601 conversion (proleptic Gregorian, UTC). */
#include "util/clock.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static _Atomic int64_t fake_ms;

int64_t clock_now_ms(void)
{
    int64_t f = atomic_load_explicit(&fake_ms, memory_order_relaxed);
    if (f)
        return f;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t clock_mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void clock_set_fake(int64_t ms)
{
    atomic_store(&fake_ms, ms);
}

/* Days since 1970-01-01 for a civil date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* The civil date of a day number; inverse of days_from_civil. */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

void clock_iso(int64_t ms, char *buf, size_t len)
{
    /* Beyond year ±292 million the arithmetic below would overflow. */
    const int64_t lim = INT64_C(9000000000000000000);
    ms = ms < -lim ? -lim : ms > lim ? lim : ms;
    int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
    int frac = (int)(ms - secs * 1000);
    int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
    int64_t rem = secs - days * 86400;
    int64_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > 9999 || len < 25) {   /* rare: let snprintf do it */
        snprintf(buf, len, "%04lld-%02u-%02uT%02d:%02d:%02d.%03dZ",
                 (long long)y, m, d, (int)(rem / 3600),
                 (int)(rem / 60 % 60), (int)(rem % 60), frac);
        return;
    }
    /* the hot path of every API answer: fixed-width digits by hand */
    int f[] = {(int)y, (int)m, (int)d, (int)(rem / 3600),
               (int)(rem / 60 % 60), (int)(rem % 60), frac};
    char *o = buf;
    for (int i = 3; i >= 0; i--, f[0] /= 10)
        o[i] = (char)('0' + f[0] % 10);
    o += 4;
    static const char sep[] = "-- ::";
    for (int k = 1; k <= 5; k++) {
        *o++ = k == 3 ? 'T' : sep[k - 1];
        *o++ = (char)('0' + f[k] / 10);
        *o++ = (char)('0' + f[k] % 10);
    }
    if (frac) {
        *o++ = '.';
        *o++ = (char)('0' + frac / 100);
        *o++ = (char)('0' + frac / 10 % 10);
        *o++ = (char)('0' + frac % 10);
    }
    *o++ = 'Z';
    *o = '\0';
}

/* Reads exactly n digits at *s into *out; advances *s. */
static int digits(const char **s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        char c = (*s)[i];
        if (c < '0' || c > '9')
            return -1;
        v = v * 10 + (c - '0');
    }
    *s += n;
    *out = v;
    return 0;
}

static int days_in_month(int y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dm[m - 1];
}

int clock_parse_iso(const char *s, int64_t *ms)
{
    int y, mo, d, h = 0, mi = 0, se = 0, frac = 0, off = 0;
    if (!s || digits(&s, 4, &y) || *s++ != '-' || digits(&s, 2, &mo) ||
        *s++ != '-' || digits(&s, 2, &d))
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
        return -1;
    if (*s == 'T' || *s == ' ') {
        s++;
        if (digits(&s, 2, &h) || *s++ != ':' || digits(&s, 2, &mi))
            return -1;
        if (*s == ':') {
            s++;
            if (digits(&s, 2, &se))
                return -1;
            if (*s == '.') {
                int n = 0;
                s++;
                while (*s >= '0' && *s <= '9') {
                    if (n < 3)
                        frac = frac * 10 + (*s - '0');
                    n++;
                    s++;
                }
                if (n == 0)
                    return -1;
                for (; n < 3; n++)
                    frac *= 10;
            }
        }
        if (h > 23 || mi > 59 || se > 59)
            return -1;
        if (*s == 'Z') {
            s++;
        } else if (*s == '+' || *s == '-') {
            int sign = *s++ == '-' ? -1 : 1, oh, om;
            if (digits(&s, 2, &oh))
                return -1;
            if (*s == ':')
                s++;
            if (digits(&s, 2, &om) || oh > 14 || om > 59)
                return -1;
            off = sign * (oh * 60 + om);
        } else {
            return -1;  /* a time needs an explicit zone here */
        }
    }
    if (*s)
        return -1;
    int64_t days = days_from_civil(y, (unsigned)mo, (unsigned)d);
    int64_t secs = days * 86400 + h * 3600 + mi * 60 + se - off * 60;
    *ms = secs * 1000 + frac;
    return 0;
}

int clock_valid_date(const char *s)
{
    int64_t ms;
    char buf[40];
    if (strlen(s) != 10)
        return 0;
    snprintf(buf, sizeof(buf), "%sT00:00:00Z", s);
    if (clock_parse_iso(buf, &ms))
        return 0;
    clock_iso(ms, buf, sizeof(buf));
    return !strncmp(buf, s, 10);
}
