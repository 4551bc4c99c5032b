/* CSV records from a file through libcsv's push parser. */
#include "import/csvin.h"
#include "util/xalloc.h"

#include <csv.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK 65536

struct reader {
    struct csv_record rec;
    char *store;                /* the current record's field bytes */
    size_t used, cap;
    size_t offs[CSVIN_MAX_COLS];
    csv_record_fn fn;
    void *ctx;
    int stop;                   /* fn's non-zero answer */
};

/* libcsv's buffer may not grow past the field limit: an oversized field
 * becomes CSV_ENOMEM instead of gigabytes of memory. */
static void *bounded_realloc(void *p, size_t n)
{
    return n > CSVIN_MAX_FIELD + 64 ? NULL : realloc(p, n);
}

/* Keeps one field of the current record. */
static void on_field(void *s, size_t n, void *ctx)
{
    struct reader *r = ctx;
    if (r->stop)
        return;
    if (r->rec.nfields == CSVIN_MAX_COLS) {
        r->rec.too_many = 1;
        return;
    }
    if (r->used + n + 1 > r->cap) {
        while (r->used + n + 1 > r->cap)
            r->cap = r->cap ? r->cap * 2 : 4096;
        r->store = xrealloc(r->store, r->cap);
    }
    if (n)
        memcpy(r->store + r->used, s, n);
    r->store[r->used + n] = '\0';
    r->offs[r->rec.nfields] = r->used;
    r->rec.lens[r->rec.nfields] = n;
    r->rec.nfields++;
    r->used += n + 1;
}

/* Hands a finished record to the callback. */
static void on_record(int c, void *ctx)
{
    struct reader *r = ctx;
    (void)c;
    if (r->stop)
        return;
    r->rec.number++;
    for (int i = 0; i < r->rec.nfields; i++)
        r->rec.fields[i] = r->store + r->offs[i];
    r->stop = r->fn(&r->rec, r->ctx);
    r->rec.nfields = 0;
    r->rec.too_many = 0;
    r->used = 0;
}

char csvin_delimiter(const char *line, size_t n)
{
    size_t count[3] = {0, 0, 0};
    int quoted = 0;
    for (size_t i = 0; i < n && line[i] != '\n'; i++) {
        char ch = line[i];
        if (ch == '"')
            quoted = !quoted;
        else if (!quoted && ch == ',')
            count[0]++;
        else if (!quoted && ch == ';')
            count[1]++;
        else if (!quoted && ch == '\t')
            count[2]++;
    }
    if (count[1] > count[0] && count[1] >= count[2])
        return ';';
    if (count[2] > count[0] && count[2] > count[1])
        return '\t';
    return ',';
}

/* Only the space is padding to trim (a tab may be the delimiter). */
static int is_space(unsigned char c)
{
    return c == ' ';
}

/* Sets up the parser for the delimiter of the first chunk. */
static int start(struct csv_parser *p, const char *buf, size_t n)
{
    if (csv_init(p, CSV_STRICT_FINI | CSV_APPEND_NULL))
        return -1;
    csv_set_realloc_func(p, bounded_realloc);
    csv_set_blk_size(p, 1u << 20);  /* few reallocations for long fields */
    csv_set_space_func(p, is_space);
    csv_set_delim(p, (unsigned char)csvin_delimiter(buf, n));
    return 0;
}

int csvin_read(FILE *f, csv_record_fn fn, void *ctx, char *msg, size_t len,
               int64_t *at)
{
    struct reader r = {.fn = fn, .ctx = ctx};
    struct csv_parser p;
    char *buf = xmalloc(CHUNK);
    size_t n = fread(buf, 1, CHUNK, f), off = 0;
    int rc = 0, started = 0;
    *at = 0;
    if (n >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3))
        off = 3;                        /* the UTF-8 byte order mark */
    if (n == off) {
        snprintf(msg, len, "%s", ferror(f) ? "cannot read the file"
                                           : "the file is empty");
        *at = 1;
        free(buf);
        return -1;
    }
    if (start(&p, buf + off, n - off)) {
        snprintf(msg, len, "out of memory");
        free(buf);
        return -1;
    }
    started = 1;
    while (n > 0 && !r.stop) {
        if (csv_parse(&p, buf + off, n - off, on_field, on_record, &r) !=
            n - off) {
            rc = -1;
            break;
        }
        off = 0;
        n = fread(buf, 1, CHUNK, f);
    }
    if (!rc && !r.stop && ferror(f)) {
        snprintf(msg, len, "cannot read the file");
        rc = -1;
        *at = r.rec.number + 1;
    } else if (!rc && !r.stop &&
               csv_fini(&p, on_field, on_record, &r) != 0) {
        rc = -1;
    }
    if (rc && !*at) {
        *at = r.rec.number + 1;
        int e = csv_error(&p);
        snprintf(msg, len, "%s", e == CSV_ENOMEM || e == CSV_ETOOBIG
                 ? "a field is longer than 16 MB (an unterminated quote?)"
                 : e == CSV_EPARSE ? "a quote is not closed"
                 : csv_strerror(e));
    }
    if (!rc && r.rec.number == 0) {
        snprintf(msg, len, "the file is empty");
        rc = -1;
        *at = 1;
    }
    if (started)
        csv_free(&p);
    free(r.store);
    free(buf);
    return rc ? rc : r.stop;
}
