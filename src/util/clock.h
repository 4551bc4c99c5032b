/* Wall-clock time in integer milliseconds UTC, with a fake clock for unit
 * tests, and ISO 8601 conversion for the API. */
#ifndef PHEU_UTIL_CLOCK_H
#define PHEU_UTIL_CLOCK_H

#include <stddef.h>
#include <stdint.h>

/* Milliseconds since the Unix epoch, or the fake time when one is set. */
int64_t clock_now_ms(void);
/* Monotonic microseconds, for durations. */
int64_t clock_mono_us(void);
/* Sets a fake time (ms); 0 returns to the real clock. Tests only. */
void clock_set_fake(int64_t ms);

/* Writes ms as "2026-03-01T08:30:00Z" (or with .123 when ms has a
 * fractional second) into buf (at least 32 bytes). */
void clock_iso(int64_t ms, char *buf, size_t len);
/* Parses ISO 8601 ("2026-03-01T08:30:00Z", "+07:00" offsets, optional
 * fraction); returns 0 and sets *ms, or -1. */
int clock_parse_iso(const char *s, int64_t *ms);
/* Whether s is a real calendar date "YYYY-MM-DD" (no 2026-02-30). */
int clock_valid_date(const char *s);

#endif
