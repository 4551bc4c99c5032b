/* The tracking queue and its writer thread (see writer.h): a bounded
 * ring of hits under one mutex, and a thread that takes them in batches
 * of up to BATCH_MAX, resolves campaigns and visitors, and stores each
 * batch in one write transaction with the engine's bulk path (COPY on
 * PostgreSQL, a prepared INSERT on SQLite). While hits arrive faster
 * than busy_rate the writer waits (up to defer_ms for a hit, and while
 * the queue is under half its memory): a burst is answered by the HTTP
 * threads alone and written after it. */
#include "track/writer.h"
#include "model/settings.h"
#include "model/touchpoint.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/xalloc.h"

#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BATCH_MIN 500           /* written at once when this many wait */
#define BATCH_MAX 2000          /* hits per transaction */
#define RATE_WINDOW_US 100000   /* arrivals are counted over 100 ms */
#define TRIM_BYTES (16u << 20)  /* a drained queue this large: malloc_trim */
#define CACHE_SLOTS 1024        /* direct-mapped, per cache */
#define CAMPAIGN_TTL_MS 10000   /* a new or renamed campaign: seen in 10 s */
#define VISITOR_TTL_MS 60000
#define RELOAD_MS 5000          /* tracking_origins from other processes */
#define LOOKUP_CHUNK 1000       /* visitor ids per lookup query */
#define INSERT_ROWS 32          /* rows per INSERT on SQLite */

/* One cache entry: key -> id (0: known to have none) and channel. */
struct cslot {
    char *key;
    int64_t id;
    char channel[24];
    int64_t until_ms;
};

/* What the writer decided for one hit of a batch. */
struct row {
    int64_t contact, campaign;
    char channel[24];
    int drop;                   /* an email event of a deleted contact */
};

static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct track_hit **ring;
    size_t cap, head, len, bytes, max_bytes, peak_bytes;
    int64_t first_us;           /* when the oldest queued hit arrived */
    long long seen_n;           /* arrivals counted at seen_us (writer) */
    int64_t seen_us;
    int busy;                   /* arrivals over busy_rate (writer) */
    atomic_int running;
    int stop;
    pthread_t thread;
    struct db *db;
    struct db_conn *checks_off; /* the writer's connection, once set */
    struct track_options o;
    unsigned char key[TRACK_KEYBYTES];
    struct cslot campaigns[CACHE_SLOTS], visitors[CACHE_SLOTS];
    atomic_llong queued, written, failed, batches, write_us, high;
    atomic_llong deferred_us;
    atomic_llong refused[TRACK_NREFUSALS];
} T = {.mu = PTHREAD_MUTEX_INITIALIZER};

/* ---- counters ---- */

void track_refused(int r)
{
    if (r > 0 && r < TRACK_NREFUSALS)
        atomic_fetch_add(&T.refused[r], 1);
}

json_t *track_stats_json(void)
{
    json_t *o = json_object(), *r = json_object();
    pthread_mutex_lock(&T.mu);
    long long len = (long long)T.len, bytes = (long long)T.bytes;
    pthread_mutex_unlock(&T.mu);
    json_object_set_new(o, "queued", json_integer(atomic_load(&T.queued)));
    json_object_set_new(o, "written", json_integer(atomic_load(&T.written)));
    json_object_set_new(o, "failed", json_integer(atomic_load(&T.failed)));
    json_object_set_new(o, "batches", json_integer(atomic_load(&T.batches)));
    json_object_set_new(o, "write_ms",
                        json_integer(atomic_load(&T.write_us) / 1000));
    json_object_set_new(o, "queue_length", json_integer(len));
    json_object_set_new(o, "queue_high_water",
                        json_integer(atomic_load(&T.high)));
    json_object_set_new(o, "queue_bytes", json_integer(bytes));
    json_object_set_new(o, "deferred_ms",
                        json_integer(atomic_load(&T.deferred_us) / 1000));
    for (int i = 1; i < TRACK_NREFUSALS; i++)
        json_object_set_new(r, track_refusal_name(i),
                            json_integer(atomic_load(&T.refused[i])));
    json_object_set_new(o, "refused", r);
    return o;
}

/* ---- the queue ---- */

int track_enqueue(struct track_hit *h)
{
    int wake = 0, ok = 0;
    pthread_mutex_lock(&T.mu);
    if (T.running && !T.stop && T.len < T.cap &&
        T.bytes + h->size <= T.max_bytes) {
        T.ring[(T.head + T.len) % T.cap] = h;
        T.len++;
        T.bytes += h->size;
        if (T.len == 1)
            T.first_us = clock_mono_us();
        if ((long long)T.len > atomic_load(&T.high))
            atomic_store(&T.high, (long long)T.len);
        wake = T.len == 1 || T.len == BATCH_MIN;
        ok = 1;
    }
    pthread_mutex_unlock(&T.mu);
    if (wake)
        pthread_cond_signal(&T.cv);
    if (!ok) {
        free(h);
        track_refused(TRACK_FULL);
        return TRACK_FULL;
    }
    atomic_fetch_add(&T.queued, 1);
    return TRACK_OK;
}

/* Waits on the queue's condition until the monotonic time us. */
static void wait_until(int64_t us)
{
    struct timespec ts = {(time_t)(us / 1000000), (long)(us % 1000000) * 1000};
    pthread_cond_timedwait(&T.cv, &T.mu, &ts);
}

/* Whether hits arrived faster than busy_rate over the last window
 * (counted from T.queued every RATE_WINDOW_US; writer thread, T.mu). */
static int arriving_fast(int64_t now)
{
    if (now - T.seen_us >= RATE_WINDOW_US) {
        long long n = atomic_load(&T.queued);
        T.busy = (n - T.seen_n) * 1000000LL >
                 (long long)T.o.busy_rate * (now - T.seen_us);
        T.seen_n = n;
        T.seen_us = now;
    }
    return T.busy;
}

/* Whether the writer should wait for the burst to pass (T.mu held): hits
 * arrive fast, the queue is under half its memory, and its oldest hit
 * has waited less than defer_ms. Writing then would take CPU from the
 * HTTP threads answering the burst (7 us a hit on SQLite, against the
 * request's 20). */
static int defer_now(int64_t now)
{
    if (T.stop || T.o.defer_ms < 0 || T.bytes >= T.max_bytes / 2 ||
        !arriving_fast(now))
        return 0;
    return clock_now_ms() - T.ring[T.head]->at < T.o.defer_ms;
}

/* Takes the next batch into out: its size, 0 when idle for RELOAD_MS,
 * or -1 once stopped and empty. A batch is taken when BATCH_MIN hits
 * wait, when the oldest has waited batch_ms, or at once when stopping;
 * not while defer_now holds. */
static int take(struct track_hit **out)
{
    int n = 0;
    pthread_mutex_lock(&T.mu);
    for (;;) {
        int64_t now = clock_mono_us();
        if (T.len == 0) {
            if (T.stop) {
                n = -1;
                break;
            }
            wait_until(now + RELOAD_MS * 1000LL);
            if (T.len == 0 && !T.stop)
                break;
            continue;
        }
        if (defer_now(now)) {
            wait_until(now + RATE_WINDOW_US);
            atomic_fetch_add(&T.deferred_us, clock_mono_us() - now);
            continue;
        }
        int64_t due = T.first_us + T.o.batch_ms * 1000LL;
        if (T.stop || T.len >= BATCH_MIN || now >= due)
            break;
        wait_until(due);
    }
    while (n >= 0 && T.len > 0 && n < BATCH_MAX) {
        out[n++] = T.ring[T.head];
        T.bytes -= T.ring[T.head]->size;
        T.head = (T.head + 1) % T.cap;
        T.len--;
    }
    if (T.len)
        T.first_us = clock_mono_us();
    if (T.bytes > T.peak_bytes)
        T.peak_bytes = T.bytes;
    pthread_mutex_unlock(&T.mu);
    return n;
}

/* After a large backlog is written, gives the freed memory back to the
 * system (the hits were allocated by the HTTP threads' arenas). */
static void trim_after_backlog(void)
{
    pthread_mutex_lock(&T.mu);
    int drained = T.len == 0 && T.peak_bytes >= TRIM_BYTES;
    if (drained)
        T.peak_bytes = 0;
    pthread_mutex_unlock(&T.mu);
    if (drained)
        malloc_trim(0);
}

/* ---- caches (writer thread only) ---- */

/* The slot of key in cache (FNV-1a, direct-mapped). */
static struct cslot *slot(struct cslot *cache, const char *key)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const char *p = key; *p; p++)
        h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
    return &cache[h % CACHE_SLOTS];
}

/* The live entry for key, or NULL. */
static struct cslot *cache_get(struct cslot *cache, const char *key,
                               int64_t now)
{
    struct cslot *s = slot(cache, key);
    return s->key && s->until_ms > now && !strcmp(s->key, key) ? s : NULL;
}

static void cache_put(struct cslot *cache, const char *key, int64_t id,
                      const char *channel, int64_t until)
{
    struct cslot *s = slot(cache, key);
    free(s->key);
    s->key = xstrdup(key);
    s->id = id;
    snprintf(s->channel, sizeof(s->channel), "%s", channel ? channel : "");
    s->until_ms = until;
}

static void cache_clear(struct cslot *cache)
{
    for (int i = 0; i < CACHE_SLOTS; i++) {
        free(cache[i].key);
        cache[i].key = NULL;
    }
}

/* ---- one batch ---- */

/* The campaign (id, channel) for key: "#<id>" for a token's campaign,
 * else a utm_key (utm_campaign with ASCII letters lower-cased). */
static int campaign_of(struct db_conn *c, const char *key, int64_t *id,
                       char *channel, size_t chlen, struct err *err)
{
    int64_t now = clock_now_ms();
    struct cslot *s = cache_get(T.campaigns, key, now);
    struct db_stmt *st;
    if (s) {
        *id = s->id;
        memcpy(channel, s->channel, chlen < sizeof(s->channel)
               ? chlen : sizeof(s->channel));
        channel[chlen - 1] = '\0';
        return 0;
    }
    int rc = key[0] == '#'
        ? db_query(c, &st, err, "SELECT id, channel FROM campaigns WHERE "
                   "id = ?", "i", (int64_t)strtoll(key + 1, NULL, 10))
        : db_query(c, &st, err, "SELECT id, channel FROM campaigns WHERE "
                   "utm_key = ?", "t", key);
    if (rc)
        return rc;
    int r = db_step(st, err);
    *id = 0;
    channel[0] = '\0';
    if (r == DB_ROW) {
        *id = db_col_int(st, 0);
        snprintf(channel, chlen, "%s", db_col_text(st, 1));
    }
    db_done(st);
    if (r < 0)
        return err->code;
    cache_put(T.campaigns, key, *id, channel, now + CAMPAIGN_TTL_MS);
    return 0;
}

/* Copies utm_campaign v into key as campaigns.utm_key holds it: ASCII
 * letters lower-cased (without snprintf: once per hit). */
static void utm_key(char *key, size_t size, const char *v)
{
    size_t i = 0;
    for (; v[i] && i + 1 < size; i++)
        key[i] = v[i] >= 'A' && v[i] <= 'Z' ? (char)(v[i] + 32) : v[i];
    key[i] = '\0';
}

/* Campaign and channel of every row. */
static int resolve_campaigns(struct db_conn *c, struct track_hit **h,
                             struct row *rows, int n, struct err *err)
{
    char key[TRACK_UTM_MAX + 8];
    int rc = 0;
    for (int i = 0; i < n && !rc; i++) {
        key[0] = '\0';
        if (h[i]->campaign)
            snprintf(key, sizeof(key), "#%lld", (long long)h[i]->campaign);
        else if (h[i]->utm[2])
            utm_key(key, sizeof(key), h[i]->utm[2]);
        if (key[0])
            rc = campaign_of(c, key, &rows[i].campaign, rows[i].channel,
                             sizeof(rows[i].channel), err);
        if (!rows[i].campaign && h[i]->kind != TRACK_PAGE_VIEW)
            snprintf(rows[i].channel, sizeof(rows[i].channel), "email");
    }
    return rc;
}

static int cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Reads the first column of every row of st (at most max) into out,
 * sorted, and returns the statement to its cache; 0 or an error. */
static int collect_ids(struct db_stmt *st, int64_t *out, int max, int *n,
                       struct err *err)
{
    int r;
    *n = 0;
    while ((r = db_step(st, err)) == DB_ROW && *n < max)
        out[(*n)++] = db_col_int(st, 0);
    db_done(st);
    qsort(out, (size_t)*n, sizeof(*out), cmp_id);
    return r < 0 ? err->code : 0;
}

/* Tokens name contacts that may since have been deleted or merged away:
 * such an email event is dropped, such a pk ignored. One query for the
 * batch's distinct contacts. */
static int check_contacts(struct db_conn *c, struct track_hit **h,
                          struct row *rows, int n, struct err *err)
{
    int64_t *ids = xcalloc((size_t)n + 1, sizeof(*ids)), *live;
    int m = 0, u = 0, nlive = 0, rc = 0;
    struct db_stmt *st;
    struct buf list;
    for (int i = 0; i < n; i++)
        if (h[i]->contact)
            ids[m++] = h[i]->contact;
    if (!m) {
        free(ids);
        return 0;
    }
    qsort(ids, (size_t)m, sizeof(*ids), cmp_id);
    buf_init(&list, (size_t)-1);
    for (int i = 0; i < m; i++)
        if (!u || ids[i] != ids[u - 1]) {
            buf_adds(&list, u ? "," : "[");
            buf_add_int(&list, ids[i]);
            ids[u++] = ids[i];
        }
    buf_adds(&list, "]");
    live = xcalloc((size_t)u, sizeof(*live));
    char sql[192];
    snprintf(sql, sizeof(sql), "SELECT id FROM contacts WHERE id %s",
             db_in_ints(db_conn_db(c)));
    rc = db_query(c, &st, err, sql, "t", buf_cstr(&list));
    if (!rc)
        rc = collect_ids(st, live, u, &nlive, err);
    for (int i = 0; !rc && i < n; i++) {
        if (!h[i]->contact)
            continue;
        int ok = bsearch(&h[i]->contact, live, (size_t)nlive, sizeof(*live),
                         cmp_id) != NULL;
        rows[i].contact = ok ? h[i]->contact : 0;
        rows[i].drop = !ok && h[i]->kind != TRACK_PAGE_VIEW;
    }
    buf_release(&list);
    free(live);
    free(ids);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Looks up the contacts of the visitors vids[0..n) (sorted, distinct)
 * into found[]; the latest identified touch of a visitor (at, then id)
 * wins. The ids go as one JSON array parameter, LOOKUP_CHUNK at a time:
 * a round trip per query costs milliseconds on a busy PostgreSQL. No
 * ORDER BY: with one, PostgreSQL's generic plan walked the (at, id)
 * index of every touch. Visitor ids are [A-Za-z0-9_-]: no escaping. */
static int lookup_visitors(struct db_conn *c, const char **vids,
                           int64_t *found, int n, struct err *err)
{
    char sql[256];
    snprintf(sql, sizeof(sql), "SELECT visitor_id, contact_id, at, id FROM "
             "touchpoints WHERE visitor_id %s AND contact_id IS NOT NULL",
             db_in_texts(db_conn_db(c)));
    struct db_stmt *st;
    struct buf list;
    int64_t *at = xcalloc((size_t)n, 2 * sizeof(*at)), *id = at + n;
    int rc = 0;
    buf_init(&list, (size_t)-1);
    for (int from = 0; !rc && from < n; from += LOOKUP_CHUNK) {
        int r = DB_DONE;
        list.len = 0;
        for (int i = from; i < n && i < from + LOOKUP_CHUNK; i++) {
            buf_adds(&list, i > from ? ",\"" : "[\"");
            buf_adds(&list, vids[i]);
            buf_adds(&list, "\"");
        }
        buf_adds(&list, "]");
        rc = db_query(c, &st, err, sql, "t", buf_cstr(&list));
        while (!rc && (r = db_step(st, err)) == DB_ROW) {
            const char *v = db_col_text(st, 0);
            const char **p = bsearch(&v, vids, (size_t)n, sizeof(*vids),
                                     cmp_str);
            int64_t a = db_col_int(st, 2), k = db_col_int(st, 3);
            size_t j = p ? (size_t)(p - vids) : 0;
            if (p && (!found[j] || a > at[j] || (a == at[j] && k > id[j]))) {
                found[j] = db_col_int(st, 1);
                at[j] = a;
                id[j] = k;
            }
        }
        if (!rc)
            db_done(st);
        if (!rc && r < 0)
            rc = err->code;
    }
    buf_release(&list);
    free(at);
    return rc;
}

/* The contact a visitor identified as in this batch (a pk), or 0. */
static int64_t batch_identity(struct track_hit **h, const struct row *rows,
                              int n, const char *vid)
{
    int64_t who = 0;
    for (int i = 0; i < n; i++)
        if (h[i]->identify && rows[i].contact && !strcmp(h[i]->vid, vid))
            who = rows[i].contact;      /* the latest of the batch */
    return who;
}

/* The contact of every page view whose visitor is already known: from a
 * pk in this batch, the cache, or the visitor's latest identified touch
 * (read under the write lock, so a join that commits before this batch
 * is seen and one after it sees this batch's rows). */
static int resolve_visitors(struct db_conn *c, struct track_hit **h,
                            struct row *rows, int n, int nid,
                            struct err *err)
{
    const char **vids = xcalloc((size_t)n + 1, sizeof(*vids));
    int64_t *found = xcalloc((size_t)n + 1, sizeof(*found));
    int64_t now = clock_now_ms();
    int m = 0, rc = 0;
    for (int i = 0; i < n; i++)     /* the latest identity wins */
        if (h[i]->identify && rows[i].contact)
            cache_put(T.visitors, h[i]->vid, rows[i].contact, NULL,
                      now + VISITOR_TTL_MS);
    for (int i = 0; i < n; i++) {
        if (!h[i]->vid || rows[i].contact)
            continue;
        struct cslot *s = cache_get(T.visitors, h[i]->vid, now);
        rows[i].contact = nid ? batch_identity(h, rows, n, h[i]->vid) : 0;
        if (!rows[i].contact && s)
            rows[i].contact = s->id;
        if (!rows[i].contact)
            vids[m++] = h[i]->vid;
    }
    qsort(vids, (size_t)m, sizeof(*vids), cmp_str);
    int u = 0;
    for (int i = 0; i < m; i++)
        if (!u || strcmp(vids[u - 1], vids[i]))
            vids[u++] = vids[i];
    if (u)
        rc = lookup_visitors(c, vids, found, u, err);
    for (int i = 0; !rc && i < u; i++)
        if (found[i])
            cache_put(T.visitors, vids[i], found[i], NULL,
                      now + VISITOR_TTL_MS);
    for (int i = 0; !rc && u && i < n; i++) {
        if (!h[i]->vid || rows[i].contact)
            continue;
        const char **p = bsearch(&h[i]->vid, vids, (size_t)u, sizeof(*vids),
                                 cmp_str);
        rows[i].contact = p ? found[p - vids] : 0;
    }
    free(vids);
    free(found);
    return rc;
}

static const char *const COLS[] = {"contact_id", "visitor_id", "kind",
    "channel", "campaign_id", "utm_source", "utm_medium", "utm_campaign",
    "utm_term", "utm_content", "url", "referrer", "at", "created_at"};
static const char *const KINDS[] = {"page_view", "email_open",
                                    "email_click"};

/* SQLite evaluates a CHECK with an IN list (touchpoints' kind and
 * channel) by building a temporary b-tree of the list for every row:
 * about 40% of the cost of storing a page view. The writer's values are
 * valid by construction (kind one of KINDS, channel 'email' or copied
 * from a campaign row, which passed the same CHECK; the contact updates
 * of after_insert write a source derived by model/touchpoint.c), so the
 * writer's own connection compiles its statements without the CHECKs
 * (db_skip_checks); every other connection, and PostgreSQL, keeps them.
 * It is set once: each change of SQLite's pragma expires every prepared
 * statement of the connection, which then cost a re-prepare per batch
 * (10% of the writer's time). Decision 0016. */
static int skip_checks(struct db_conn *c, struct err *err)
{
    if (T.checks_off == c)
        return 0;
    int rc = db_skip_checks(c, err);
    if (!rc)
        T.checks_off = c;
    return rc;
}

/* Stores the rows with COPY (PostgreSQL). */
static int copy_rows(struct db_conn *c, struct track_hit **h,
                     const struct row *rows, int n, const char *created,
                     struct err *err)
{
    struct db_copy *cp;
    char contact[24], campaign[24], at[24];
    int rc = db_copy_begin(c, "touchpoints", COLS, 14, &cp, err);
    for (int i = 0; !rc && i < n; i++) {
        if (rows[i].drop)
            continue;
        snprintf(contact, sizeof(contact), "%lld",
                 (long long)rows[i].contact);
        snprintf(campaign, sizeof(campaign), "%lld",
                 (long long)rows[i].campaign);
        snprintf(at, sizeof(at), "%lld", (long long)h[i]->at);
        const char *vals[14] = {rows[i].contact ? contact : NULL, h[i]->vid,
            KINDS[h[i]->kind], rows[i].channel[0] ? rows[i].channel : NULL,
            rows[i].campaign ? campaign : NULL, h[i]->utm[0], h[i]->utm[1],
            h[i]->utm[2], h[i]->utm[3], h[i]->utm[4], h[i]->url, h[i]->ref,
            at, created};
        rc = db_copy_row(cp, vals, err);
    }
    if (!rc)
        return db_copy_end(cp, err);
    struct err ignored;
    db_copy_end(cp, &ignored);
    return rc;
}

/* The multi-row INSERT of k rows (SQLite), built once per k. */
static const char *insert_sql(int k)
{
    static char *sql[INSERT_ROWS + 1];
    if (!sql[k]) {
        struct buf b;
        buf_init(&b, (size_t)-1);
        buf_adds(&b, "INSERT INTO touchpoints (");
        for (int i = 0; i < 14; i++)
            buf_addf(&b, "%s%s", i ? ", " : "", COLS[i]);
        buf_adds(&b, ") VALUES ");
        for (int r = 0; r < k; r++)
            buf_addf(&b, "%s(?,?,?,?,?,?,?,?,?,?,?,?,?,?)", r ? "," : "");
        sql[k] = buf_detach(&b, NULL);
    }
    return sql[k];
}

/* Binds one row's 14 values from parameter p on. */
static int bind_row(struct db_stmt *st, int p, const struct track_hit *h,
                    const struct row *r, int64_t created, struct err *err)
{
    const char *text[14] = {NULL, h->vid, KINDS[h->kind],
        r->channel[0] ? r->channel : NULL, NULL, h->utm[0], h->utm[1],
        h->utm[2], h->utm[3], h->utm[4], h->url, h->ref, NULL, NULL};
    int rc = 0;
    for (int i = 0; !rc && i < 14; i++) {
        if (i == 0 && r->contact)
            rc = db_bind_int(st, p + i, r->contact, err);
        else if (i == 4 && r->campaign)
            rc = db_bind_int(st, p + i, r->campaign, err);
        else if (i == 12 || i == 13)
            rc = db_bind_int(st, p + i, i == 12 ? h->at : created, err);
        else
            rc = db_bind_text(st, p + i, text[i], err);
    }
    return rc;
}

/* Stores the rows with prepared INSERTs of INSERT_ROWS rows, then of
 * one (SQLite: integers bound as integers, one statement per
 * INSERT_ROWS rows). */
static int insert_rows(struct db_conn *c, struct track_hit **h,
                       const struct row *rows, int n, int64_t created,
                       struct err *err)
{
    int *idx = xcalloc((size_t)n + 1, sizeof(*idx)), m = 0, rc = 0;
    for (int i = 0; i < n; i++)
        if (!rows[i].drop)
            idx[m++] = i;
    for (int at = 0; !rc && at < m;) {
        int k = m - at >= INSERT_ROWS ? INSERT_ROWS : 1;
        struct db_stmt *st;
        rc = db_prepare(c, insert_sql(k), &st, err);
        if (rc)
            break;
        for (int j = 0; !rc && j < k; j++)
            rc = bind_row(st, 1 + 14 * j, h[idx[at + j]], &rows[idx[at + j]],
                          created, err);
        if (!rc)
            rc = db_step_nowait(st, err);
        db_done(st);
        at += k;
    }
    free(idx);
    return rc;
}

/* Stores the rows: COPY on PostgreSQL; on SQLite multi-row INSERTs
 * compiled without the CHECKs (see skip_checks). */
static int store_rows(struct db_conn *c, struct track_hit **h,
                      const struct row *rows, int n, struct err *err)
{
    int64_t now = clock_now_ms();
    char created[24];
    if (!db_embedded(db_conn_db(c))) {
        snprintf(created, sizeof(created), "%lld", (long long)now);
        return copy_rows(c, h, rows, n, created, err);
    }
    return insert_rows(c, h, rows, n, now, err);
}

/* After the insert: a pk joins its visitor's anonymous touches to the
 * contact; every other contact whose first touch is now one of the
 * batch's rows (ids above before) lets its original source follow it.
 * Those are found in one query driven by the batch's own ids, each row
 * probing the (contact_id, at, id) index for an earlier touch. */
static int after_insert(struct db_conn *c, struct track_hit **h,
                        const struct row *rows, int n, int64_t before,
                        struct err *err)
{
    struct db_stmt *st;
    int64_t *ids = xcalloc((size_t)n + 1, sizeof(*ids));
    int m = 0, rc = 0;
    for (int i = 0; i < n && !rc; i++)
        if (!rows[i].drop && rows[i].contact && h[i]->identify)
            rc = touchpoint_join_visitor(c, h[i]->vid, rows[i].contact, err);
    if (!rc)
        rc = db_query(c, &st, err, "SELECT t.contact_id FROM touchpoints t "
                      "WHERE t.id > ? AND t.contact_id IS NOT NULL AND NOT "
                      "EXISTS (SELECT 1 FROM touchpoints e WHERE "
                      "e.contact_id = t.contact_id AND (e.at < t.at OR "
                      "(e.at = t.at AND e.id < t.id)))", "i", before);
    if (!rc)
        rc = collect_ids(st, ids, n, &m, err);
    for (int i = 0; i < m && !rc; i++)
        if (!i || ids[i] != ids[i - 1])
            rc = touchpoint_follow_new_first(c, ids[i], before, err);
    free(ids);
    return rc;
}

/* Writes hits h[0..n) in one transaction; 0 or an error (rolled back). */
static int write_batch(struct db_conn *c, struct track_hit **h, int n,
                       struct err *err)
{
    struct row *rows = xcalloc((size_t)n, sizeof(*rows));
    int64_t before = 0;
    int nid = 0, any = 0;
    for (int i = 0; i < n; i++)
        nid += h[i]->identify;
    int rc = skip_checks(c, err);
    if (!rc)
        rc = db_begin_write(c, err);
    if (!rc)
        rc = resolve_campaigns(c, h, rows, n, err);
    if (!rc)
        rc = check_contacts(c, h, rows, n, err);
    if (!rc)
        rc = resolve_visitors(c, h, rows, n, nid, err);
    for (int i = 0; i < n; i++)
        any |= rows[i].contact != 0;
    if (!rc && any)
        rc = db_int(c, err, &before, "SELECT COALESCE(MAX(id), 0) FROM "
                    "touchpoints", NULL);
    if (!rc)
        rc = store_rows(c, h, rows, n, err);
    if (!rc && any)
        rc = after_insert(c, h, rows, n, before, err);
    if (!rc)
        rc = db_commit(c, err);
    if (rc) {
        db_rollback(c);
    } else {
        for (int i = 0; i < n; i++)
            atomic_fetch_add(rows[i].drop ? &T.failed : &T.written, 1);
    }
    free(rows);
    return rc;
}

/* Writes a batch; after a failure (a cached campaign or contact that
 * was deleted meanwhile, a lost connection) clears the caches and tries
 * again, then one hit at a time, dropping (and counting) what fails. */
static void write_all(struct track_hit **h, int n)
{
    struct err err = {0};
    struct db_conn *c = NULL;
    int64_t t0 = clock_mono_us();
    int rc = db_conn_get(T.db, &c, &err);
    if (!rc)
        rc = write_batch(c, h, n, &err);
    if (rc) {
        log_warn("tracking batch of %d failed, retrying: %s", n, err.msg);
        cache_clear(T.campaigns);
        cache_clear(T.visitors);
        rc = c ? write_batch(c, h, n, &err) : rc;
    }
    for (int i = 0; rc && c && i < n; i++) {
        if (write_batch(c, h + i, 1, &err)) {
            atomic_fetch_add(&T.failed, 1);
            log_error("tracking hit dropped: %s", err.msg);
        }
    }
    if (rc && !c)
        atomic_fetch_add(&T.failed, n);
    atomic_fetch_add(&T.batches, 1);
    atomic_fetch_add(&T.write_us, clock_mono_us() - t0);
    for (int i = 0; i < n; i++)
        free(h[i]);
}

/* Reloads the tracked origins (other processes may have changed them). */
static void reload(void)
{
    struct err err = {0};
    struct db_conn *c;
    if (db_conn_get(T.db, &c, &err) || settings_reload(c, &err))
        log_warn("tracking: cannot reload settings: %s", err.msg);
}

static void *writer_main(void *arg)
{
    struct track_hit **batch = xcalloc(BATCH_MAX, sizeof(*batch));
    int64_t last = clock_mono_us();
    (void)arg;
    pthread_setname_np(pthread_self(), "pheu-track");
    for (;;) {
        int n = take(batch);
        if (n < 0)
            break;
        if (n) {
            write_all(batch, n);
            trim_after_backlog();
        }
        if (clock_mono_us() - last > RELOAD_MS * 1000LL) {
            reload();
            last = clock_mono_us();
        }
    }
    free(batch);
    return NULL;
}

/* ---- start and stop ---- */

int track_start(struct db *db, const struct track_options *o,
                struct err *err)
{
    struct db_conn *c;
    struct track_options d = {20, 100, 2000000, 50, 256, 5000, 30000};
    int rc = db_conn_get(db, &c, err);
    if (!rc)
        rc = track_secret(c, T.key, err);
    if (!rc)
        rc = settings_reload(c, err);
    if (rc)
        return rc;
    if (o) {
        d.rate = o->rate > 0 ? o->rate : d.rate;
        d.burst = o->burst > 0 ? o->burst : d.burst;
        d.queue_max = o->queue_max > 0 ? o->queue_max : d.queue_max;
        d.batch_ms = o->batch_ms > 0 ? o->batch_ms : d.batch_ms;
        d.queue_mb = o->queue_mb > 0 ? o->queue_mb : d.queue_mb;
        d.busy_rate = o->busy_rate > 0 ? o->busy_rate : d.busy_rate;
        d.defer_ms = o->defer_ms ? o->defer_ms : d.defer_ms;
    }
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&T.cv, &ca);
    pthread_condattr_destroy(&ca);
    T.o = d;
    T.db = db;
    T.cap = (size_t)d.queue_max;
    T.ring = xcalloc(T.cap, sizeof(*T.ring));
    T.head = T.len = T.bytes = T.peak_bytes = 0;
    T.max_bytes = (size_t)d.queue_mb << 20;
    T.seen_n = atomic_load(&T.queued);
    T.seen_us = clock_mono_us();
    T.busy = 0;
    T.stop = 0;
    if (pthread_create(&T.thread, NULL, writer_main, NULL)) {
        free(T.ring);
        T.ring = NULL;
        pthread_cond_destroy(&T.cv);
        return err_set(err, E_INTERNAL, NULL, "cannot start the tracking "
                       "writer");
    }
    pthread_mutex_lock(&T.mu);
    T.running = 1;
    pthread_mutex_unlock(&T.mu);
    log_msg(LOG_DEBUG, "tracking started rate=%d burst=%d queue=%d "
            "queue_mb=%d batch_ms=%d busy_rate=%d defer_ms=%d", d.rate,
            d.burst, d.queue_max, d.queue_mb, d.batch_ms, d.busy_rate,
            d.defer_ms);
    return 0;
}

const struct track_options *track_options(void)
{
    return T.running ? &T.o : NULL;
}

const unsigned char *track_key(void)
{
    return T.running ? T.key : NULL;
}

void track_stop(void)
{
    pthread_mutex_lock(&T.mu);
    int was = T.running;
    T.stop = 1;
    pthread_mutex_unlock(&T.mu);
    if (!was)
        return;
    pthread_cond_signal(&T.cv);
    pthread_join(T.thread, NULL);
    pthread_mutex_lock(&T.mu);
    T.running = 0;
    pthread_mutex_unlock(&T.mu);
    free(T.ring);
    T.ring = NULL;
    pthread_cond_destroy(&T.cv);
    cache_clear(T.campaigns);
    cache_clear(T.visitors);
    T.checks_off = NULL;
    settings_clear();
    /* a server that never tracked (or did not start) says nothing */
    log_msg(atomic_load(&T.batches) ? LOG_INFO : LOG_DEBUG, "tracking "
            "stopped queued=%lld written=%lld failed=%lld batches=%lld "
            "high_water=%lld", atomic_load(&T.queued),
            atomic_load(&T.written), atomic_load(&T.failed),
            atomic_load(&T.batches), atomic_load(&T.high));
}
