/* The tracking queue and its writer thread (see writer.h): a bounded
 * ring of hits under one mutex, and a thread that takes them in batches
 * of up to BATCH_MAX, resolves campaigns and visitors, and stores each
 * batch in one write transaction with the engine's bulk path (COPY on
 * PostgreSQL, a prepared INSERT on SQLite). */
#include "track/writer.h"
#include "model/settings.h"
#include "model/touchpoint.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/xalloc.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BATCH_MIN 500           /* written at once when this many wait */
#define BATCH_MAX 2000          /* hits per transaction */
#define QUEUE_BYTES (64u << 20)
#define CACHE_SLOTS 1024        /* direct-mapped, per cache */
#define CAMPAIGN_TTL_MS 10000   /* a new or renamed campaign: seen in 10 s */
#define VISITOR_TTL_MS 60000
#define RELOAD_MS 5000          /* tracking_origins from other processes */
#define LOOKUP_CHUNK 32         /* visitor ids per lookup query */

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
    size_t cap, head, len, bytes;
    int64_t first_us;           /* when the oldest queued hit arrived */
    atomic_int running;
    int stop;
    pthread_t thread;
    struct db *db;
    struct track_options o;
    unsigned char key[TRACK_KEYBYTES];
    struct cslot campaigns[CACHE_SLOTS], visitors[CACHE_SLOTS];
    atomic_llong queued, written, failed, batches, write_us, high;
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
    long long len = (long long)T.len;
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
        T.bytes + h->size <= QUEUE_BYTES) {
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

/* Takes the next batch into out: its size, 0 when idle for RELOAD_MS,
 * or -1 once stopped and empty. A batch is taken when BATCH_MIN hits
 * wait, when the oldest has waited batch_ms, or at once when stopping. */
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
    pthread_mutex_unlock(&T.mu);
    return n;
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
        snprintf(channel, chlen, "%s", s->channel);
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
            snprintf(key, sizeof(key), "%s", h[i]->utm[2]);
        for (char *p = key; h[i]->campaign == 0 && *p; p++)
            if (*p >= 'A' && *p <= 'Z')
                *p = (char)(*p + 32);   /* as campaigns.utm_key */
        if (key[0])
            rc = campaign_of(c, key, &rows[i].campaign, rows[i].channel,
                             sizeof(rows[i].channel), err);
        if (!rows[i].campaign && h[i]->kind != TRACK_PAGE_VIEW)
            snprintf(rows[i].channel, sizeof(rows[i].channel), "email");
    }
    return rc;
}

/* Tokens name contacts that may since have been deleted or merged away:
 * such an email event is dropped, such a pk ignored. */
static int check_contacts(struct db_conn *c, struct track_hit **h,
                          struct row *rows, int n, struct err *err)
{
    for (int i = 0; i < n; i++) {
        int64_t id = 0;
        if (!h[i]->contact)
            continue;
        int rc = db_int(c, err, &id, "SELECT id FROM contacts WHERE id = ?",
                        "i", h[i]->contact);
        if (rc && rc != E_NOTFOUND)
            return rc;
        rows[i].contact = rc ? 0 : id;
        rows[i].drop = rc && h[i]->kind != TRACK_PAGE_VIEW;
    }
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Looks up the contacts of the visitors vids[0..n) (sorted, distinct)
 * into found[], LOOKUP_CHUNK at a time; the latest identified touch of a
 * visitor wins. */
static int lookup_visitors(struct db_conn *c, const char **vids,
                           int64_t *found, int n, struct err *err)
{
    static char sql[LOOKUP_CHUNK * 3 + 256];
    struct db_stmt *st;
    if (!sql[0]) {
        size_t w = (size_t)snprintf(sql, sizeof(sql), "SELECT visitor_id, "
                                    "contact_id FROM touchpoints WHERE "
                                    "visitor_id IN (?");
        for (int i = 1; i < LOOKUP_CHUNK; i++)
            w += (size_t)snprintf(sql + w, sizeof(sql) - w, ",?");
        snprintf(sql + w, sizeof(sql) - w, ") AND contact_id IS NOT NULL "
                 "ORDER BY at DESC, id DESC");
    }
    for (int at = 0; at < n; at += LOOKUP_CHUNK) {
        int rc = db_prepare(c, sql, &st, err), r;
        for (int i = 0; !rc && i < LOOKUP_CHUNK; i++)    /* pad: same SQL */
            rc = db_bind_text(st, i + 1, vids[at + i < n ? at + i : n - 1],
                              err);
        while (!rc && (r = db_step(st, err)) == DB_ROW) {
            const char *v = db_col_text(st, 0);
            const char **p = bsearch(&v, vids, (size_t)n, sizeof(*vids),
                                     cmp_str);
            if (p && !found[p - vids])
                found[p - vids] = db_col_int(st, 1);
        }
        db_done(st);
        if (rc || r < 0)
            return rc ? rc : err->code;
    }
    return 0;
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

/* Stores the rows through the engine's bulk path. */
static int insert_rows(struct db_conn *c, struct track_hit **h,
                       const struct row *rows, int n, struct err *err)
{
    struct db_copy *cp;
    char contact[24], campaign[24], at[24], created[24];
    snprintf(created, sizeof(created), "%lld", (long long)clock_now_ms());
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

static int cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* After the insert: a pk joins its visitor's anonymous touches to the
 * contact; every other contact of the batch lets its original source
 * follow its first touch if that is one of the batch's. */
static int after_insert(struct db_conn *c, struct track_hit **h,
                        const struct row *rows, int n, int64_t before,
                        struct err *err)
{
    int64_t *ids = xcalloc((size_t)n + 1, sizeof(*ids));
    int m = 0, rc = 0;
    for (int i = 0; i < n && !rc; i++) {
        if (rows[i].drop || !rows[i].contact)
            continue;
        if (h[i]->identify)
            rc = touchpoint_join_visitor(c, h[i]->vid, rows[i].contact, err);
        else
            ids[m++] = rows[i].contact;
    }
    qsort(ids, (size_t)m, sizeof(*ids), cmp_id);
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
    int rc = db_begin_write(c, err);
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
        rc = insert_rows(c, h, rows, n, err);
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
        if (n)
            write_all(batch, n);
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
    struct track_options d = {20, 100, 50000, 50};
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
    T.head = T.len = T.bytes = 0;
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
    log_info("tracking started rate=%d burst=%d queue=%d batch_ms=%d",
             d.rate, d.burst, d.queue_max, d.batch_ms);
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
    settings_clear();
    log_info("tracking stopped queued=%lld written=%lld failed=%lld "
             "batches=%lld high_water=%lld", atomic_load(&T.queued),
             atomic_load(&T.written), atomic_load(&T.failed),
             atomic_load(&T.batches), atomic_load(&T.high));
}
