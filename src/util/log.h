/* Structured log lines on standard error: "time level key=value ...".
 * Info lines (the request log) are buffered and written in batches so a
 * busy server does not pay one write(2) per request; warnings and errors
 * flush at once. Lines never interleave. */
#ifndef PHEU_UTIL_LOG_H
#define PHEU_UTIL_LOG_H

#include <stddef.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR, LOG_OFF };

/* Lines below this level are dropped (default LOG_INFO). */
void log_set_level(enum log_level lvl);
/* Parses "debug|info|warn|error|off"; returns 0 or -1. */
int log_parse_level(const char *s, enum log_level *out);
/* Whether lines at lvl would be written. */
int log_enabled(enum log_level lvl);
/* Writes one line at lvl. */
void log_msg(enum log_level lvl, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Copies s into out (len bytes) for a log line: control characters,
 * spaces, '"' and '\\' become \xNN so a value can never forge a line or
 * a key; long values are cut with "...". Returns out. */
const char *log_escape(const char *s, char *out, size_t len);

/* Writes buffered lines out; the server calls it a few times a second and
 * at shutdown. */
void log_flush(void);

#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif
