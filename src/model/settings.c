/* Business settings: reading and validating the keys of the settings
 * table that the API exposes, and the in-memory tracking_origins the
 * tracking endpoints consult without a database round trip (see
 * settings.h; docs/decisions/0016-tracking.md). */
#include "model/settings.h"
#include "model/crm.h"
#include "store/audit.h"
#include "util/arena.h"
#include "util/origin.h"
#include "util/xalloc.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define RATE_MAX 1e12           /* one unit worth more is a typo */

/* The JSON stored under key, or dflt (a new reference either way). */
static int read_json(struct db_conn *c, const char *key, json_t *dflt,
                     json_t **out, struct err *err)
{
    struct db_stmt *st;
    *out = NULL;
    int rc = db_query(c, &st, err, "SELECT value FROM settings WHERE "
                      "key = ?", "t", key);
    if (rc) {
        json_decref(dflt);
        return rc;
    }
    int r = db_step(st, err);
    if (r == DB_ROW)
        *out = json_loads(db_col_text(st, 0), 0, NULL);
    db_done(st);
    if (r < 0) {
        json_decref(*out);
        json_decref(dflt);
        *out = NULL;
        return err->code;
    }
    if (*out)
        json_decref(dflt);
    else
        *out = dflt;            /* absent, or not JSON: the default */
    return 0;
}

/* A text setting into *out (arena), or dflt. */
static int read_text(struct db_conn *c, const char *key, const char *dflt,
                     json_t *obj, struct err *err)
{
    struct db_stmt *st;
    int rc = db_query(c, &st, err, "SELECT value FROM settings WHERE "
                      "key = ?", "t", key);
    if (rc)
        return rc;
    int r = db_step(st, err);
    json_object_set_new(obj, key, json_string(r == DB_ROW ?
                                              db_col_text(st, 0) : dflt));
    db_done(st);
    return r < 0 ? err->code : 0;
}

int settings_get(struct db_conn *c, int all, json_t **out, struct err *err)
{
    json_t *o = json_object(), *v;
    *out = NULL;
    int rc = read_text(c, "currency", "VND", o, err);
    if (!rc)
        rc = read_text(c, "time_zone", "Asia/Ho_Chi_Minh", o, err);
    if (!rc && !(rc = read_json(c, "fx_rates", json_object(), &v, err)))
        json_object_set_new(o, "fx_rates", v);
    if (!rc && all &&
        !(rc = read_json(c, "tracking_origins", json_array(), &v, err)))
        json_object_set_new(o, "tracking_origins", v);
    if (rc) {
        json_decref(o);
        return rc;
    }
    *out = o;
    return 0;
}

/* ---- validation ---- */

/* Checks and normalises the tracking_origins value into a new array. */
static int check_origins(json_t *x, json_t **out, struct err *err)
{
    static const char *const F = "tracking_origins";
    size_t i, used;
    json_t *e;
    char o[300];
    *out = NULL;
    if (!json_is_array(x))
        return err_set(err, E_INVALID, F, "must be an array of origins");
    if (json_array_size(x) > SETTINGS_MAX_ORIGINS)
        return err_set(err, E_RULE, F, "lists more than %d origins",
                       SETTINGS_MAX_ORIGINS);
    json_t *arr = json_array();
    json_array_foreach(x, i, e) {
        if (!json_is_string(e)) {
            json_decref(arr);
            return err_set(err, E_INVALID, F, "must be an array of strings");
        }
        const char *s = json_string_value(e);
        size_t n = origin_of(s, o, sizeof(o), &used);
        if (!n || !(s[used] == '\0' || (s[used] == '/' && !s[used + 1]))) {
            json_decref(arr);
            return err_set(err, E_RULE, F, "'%.60s' is not an origin such "
                           "as https://shop.example.vn", s);
        }
        int dup = 0;
        size_t j;
        json_t *d;
        json_array_foreach(arr, j, d)
            dup |= !strcmp(json_string_value(d), o);
        if (!dup)
            json_array_append_new(arr, json_string(o));
    }
    *out = arr;
    return 0;
}

/* Whether s is three capital ASCII letters (ISO 4217's form). */
static int is_code(const char *s)
{
    return strlen(s) == 3 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' &&
           s[1] <= 'Z' && s[2] >= 'A' && s[2] <= 'Z';
}

/* Checks the fx_rates value against the default currency. */
static int check_rates(struct db_conn *c, json_t *x, struct arena *a,
                       struct err *err)
{
    static const char *const F = "fx_rates";
    const char *k;
    json_t *v;
    if (!json_is_object(x))
        return err_set(err, E_INVALID, F, "must be an object of currency "
                       "codes to rates");
    if (json_object_size(x) > SETTINGS_MAX_RATES)
        return err_set(err, E_RULE, F, "has more than %d rates",
                       SETTINGS_MAX_RATES);
    const char *home = crm_default_currency(c, a);
    json_object_foreach(x, k, v) {
        if (!json_is_number(v))
            return err_set(err, E_INVALID, F, "%.40s: must be a number", k);
        double r = json_number_value(v);
        if (!is_code(k))
            return err_set(err, E_RULE, F, "'%.40s' is not an ISO 4217 "
                           "code such as USD", k);
        if (!strcmp(k, home))
            return err_set(err, E_RULE, F, "%s is the default currency", k);
        if (!(r > 0) || !isfinite(r) || r > RATE_MAX)
            return err_set(err, E_RULE, F, "%s: must be a positive number "
                           "(the value of 1 %s in %s)", k, k, home);
    }
    return 0;
}

/* Stores value (JSON) under key, noting old and new for the audit row. */
static int store(struct db_conn *c, const char *key, json_t *value,
                 json_t *old_v, json_t *new_v, struct err *err)
{
    json_t *before;
    int rc = read_json(c, key, json_null(), &before, err);
    if (rc) {
        json_decref(value);
        return rc;
    }
    char *text = json_dumps(value, JSON_COMPACT | JSON_SORT_KEYS |
                            JSON_REAL_PRECISION(15));
    json_object_set_new(old_v, key, before);
    json_object_set_new(new_v, key, value);
    rc = db_run(c, err, "INSERT INTO settings (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                "tt", key, text);
    free(text);
    return rc;
}

int settings_patch(struct db_conn *c, int64_t actor, json_t *body,
                   struct arena *a, struct err *err)
{
    const char *k;
    json_t *x, *norm = NULL;
    int rc = 0;
    json_object_foreach(body, k, x) {
        if (!strcmp(k, "currency"))
            return err_set(err, E_RULE, "currency", "is read-only");
        if (!strcmp(k, "time_zone"))
            return err_set(err, E_RULE, "time_zone", "is read-only");
        if (strcmp(k, "tracking_origins") && strcmp(k, "fx_rates"))
            return err_set(err, E_INVALID, arena_strdup(a, k), "unknown "
                           "setting");
    }
    json_t *old_v = json_object(), *new_v = json_object();
    x = json_object_get(body, "tracking_origins");
    if (x && !(rc = check_origins(x, &norm, err)))
        rc = store(c, "tracking_origins", norm, old_v, new_v, err);
    x = json_object_get(body, "fx_rates");
    if (!rc && x && !(rc = check_rates(c, x, a, err)))
        rc = store(c, "fx_rates", json_incref(x), old_v, new_v, err);
    if (!rc && json_object_size(new_v))
        rc = audit_write(c, actor, "update", "settings", 0, old_v, new_v,
                         err);
    json_decref(old_v);
    json_decref(new_v);
    return rc;
}

/* ---- the in-memory tracking_origins ---- */

static pthread_rwlock_t origins_lock = PTHREAD_RWLOCK_INITIALIZER;
static char **origins;          /* malloc'd strings */
static size_t *origin_lens;
static size_t norigins;

/* Frees a list of n strings and its lengths. */
static void free_list(char **list, size_t *lens, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(list[i]);
    free(list);
    free(lens);
}

int settings_reload(struct db_conn *c, struct err *err)
{
    json_t *arr, *e;
    size_t i, n = 0;
    int rc = read_json(c, "tracking_origins", json_array(), &arr, err);
    if (rc)
        return rc;
    size_t cap = json_is_array(arr) ? json_array_size(arr) : 0;
    char **list = xcalloc(cap + 1, sizeof(*list));
    size_t *lens = xcalloc(cap + 1, sizeof(*lens));
    for (i = 0; i < cap; i++) {
        e = json_array_get(arr, i);
        if (json_is_string(e)) {
            list[n] = xstrdup(json_string_value(e));
            lens[n] = strlen(list[n]);
            n++;
        }
    }
    json_decref(arr);
    pthread_rwlock_wrlock(&origins_lock);
    char **old = origins;
    size_t *old_lens = origin_lens, old_n = norigins;
    origins = list;
    origin_lens = lens;
    norigins = n;
    pthread_rwlock_unlock(&origins_lock);
    free_list(old, old_lens, old_n);
    return 0;
}

int settings_origin_allowed(const char *origin, size_t len, void *arg)
{
    int ok = 0;
    (void)arg;
    pthread_rwlock_rdlock(&origins_lock);
    if (norigins == 0)
        ok = -1;
    for (size_t i = 0; i < norigins && !ok; i++)
        ok = origin_lens[i] == len && !memcmp(origins[i], origin, len);
    pthread_rwlock_unlock(&origins_lock);
    return ok;
}

void settings_clear(void)
{
    pthread_rwlock_wrlock(&origins_lock);
    free_list(origins, origin_lens, norigins);
    origins = NULL;
    origin_lens = NULL;
    norigins = 0;
    pthread_rwlock_unlock(&origins_lock);
}
