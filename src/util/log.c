/* Log lines with a UTC timestamp and level. */
#include "util/log.h"
#include "util/clock.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define LOG_BUF 32768

static enum log_level min_level = LOG_INFO;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char pending[LOG_BUF];
static size_t npending;

/* Writes the pending lines; lock held. */
static void flush_locked(void)
{
    size_t off = 0;
    while (off < npending) {
        ssize_t w = write(STDERR_FILENO, pending + off, npending - off);
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    npending = 0;
}

const char *log_escape(const char *s, char *out, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (; *s && o + 8 < len; s++) {
        unsigned char c = (unsigned char)*s;
        if (c <= 0x20 || c == 0x7f || c == '"' || c == '\\') {
            out[o++] = '\\';
            out[o++] = 'x';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        } else {
            out[o++] = (char)c;
        }
    }
    if (*s && len >= 4) {
        o = o + 4 <= len ? o : len - 4;
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o < len ? o : len - 1] = '\0';
    return out;
}

void log_flush(void)
{
    pthread_mutex_lock(&lock);
    flush_locked();
    pthread_mutex_unlock(&lock);
}

void log_set_level(enum log_level lvl)
{
    min_level = lvl;
}

int log_parse_level(const char *s, enum log_level *out)
{
    static const char *names[] = {"debug", "info", "warn", "error", "off"};
    for (int i = 0; i <= LOG_OFF; i++) {
        if (!strcmp(s, names[i])) {
            *out = (enum log_level)i;
            return 0;
        }
    }
    return -1;
}

int log_enabled(enum log_level lvl)
{
    return lvl >= min_level;
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
    static const char *tags[] = {"debug", "info", "warn", "error", "off"};
    char line[1024], ts[40];
    if (lvl < min_level)
        return;
    clock_iso(clock_now_ms(), ts, sizeof(ts));
    int n = snprintf(line, sizeof(line), "%s %s ", ts, tags[lvl]);
    va_list ap;
    va_start(ap, fmt);
    if (n > 0 && (size_t)n < sizeof(line))
        n += vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
    va_end(ap);
    size_t len = n < 0 ? 0 : (size_t)n < sizeof(line) - 1 ? (size_t)n
                                                          : sizeof(line) - 2;
    line[len++] = '\n';
    pthread_mutex_lock(&lock);
    if (npending + len > sizeof(pending))
        flush_locked();
    memcpy(pending + npending, line, len);
    npending += len;
    if (lvl >= LOG_WARN)
        flush_locked();
    pthread_mutex_unlock(&lock);
}
