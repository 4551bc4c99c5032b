/* /api/v1/imports (SPEC §12, App. A): a CSV body streamed to a file
 * (http/server.c), imported on a background thread by import/import.c
 * (touchpoints by import/touchpoints.c); its status and error report.
 * Admins, managers and marketing roles may import (touchpoints: those
 * who may record them); each caller sees their own imports (admins all). An import
 * interrupted by a shutdown or a crash resumes when the server starts. */
#include "api/api.h"
#include "api/imports.h"
#include "import/import.h"
#include "import/touchpoints.h"
#include "model/touchpoint.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/xalloc.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const QUERY_IMPORT[] = {"object", "dry_run", "map", NULL};

static atomic_int running;          /* import threads alive */
static atomic_int stopping;         /* shutdown asked them to stop */

struct job {
    struct db *db;
    struct principal *who;          /* a reference of the job's own */
    int64_t id, uid;
    const struct object *o;         /* NULL: touchpoints */
    int touch;                      /* touchpoints (import/touchpoints.c) */
    int dry_run;
    char *path, *map, *name;
    char sha[65];
};

/* Frees a job. */
static void job_free(struct job *j)
{
    principal_put(j->who);
    free(j->path);
    free(j->map);
    free(j->name);
    free(j);
}

/* Marks import id failed with msg (when the job cannot even start). */
static void mark_failed(struct db_conn *c, int64_t id, const char *msg)
{
    struct err err = {0};
    if (db_begin_write(c, &err))
        return;
    if (db_run(c, &err, "UPDATE imports SET status = 'failed', message = "
               "?, updated_at = ? WHERE id = ?", "tii", msg, clock_now_ms(),
               id) || db_commit(c, &err))
        db_rollback(c);
}

/* The thread of one import. */
static void *run_job(void *arg)
{
    struct job *j = arg;
    struct db_conn *c;
    struct err err = {0};
    struct import_result res;
    if (!db_conn_get(j->db, &c, &err)) {
        FILE *f = fopen(j->path, "rb");
        struct import_opts o = {.o = j->o, .dry_run = j->dry_run,
                                .map = j->map, .file_name = j->name,
                                .who = j->who, .import_id = j->id,
                                .stop = &stopping};
        int rc = !f ? err_set(&err, E_INTERNAL, NULL, "the upload is gone")
               : j->o ? import_run(c, f, j->sha, &o, &res, &err)
                      : import_touchpoints(c, f, &o, &res, &err);
        if (!f)
            mark_failed(c, j->id, err.msg);
        if (f)
            fclose(f);
        if (rc)
            log_msg(LOG_WARN, "import id=%lld failed: %s", (long long)j->id,
                    err.msg);
        if (!atomic_load(&stopping))
            unlink(j->path);        /* kept only to resume */
    }
    job_free(j);
    atomic_fetch_sub(&running, 1);
    return NULL;
}

/* Starts the thread of job j (taking it). */
static int start_job(struct job *j, struct err *err)
{
    pthread_t t;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    atomic_fetch_add(&running, 1);
    int rc = pthread_create(&t, &attr, run_job, j);
    pthread_attr_destroy(&attr);
    if (rc) {
        atomic_fetch_sub(&running, 1);
        job_free(j);
        return err_set(err, E_INTERNAL, NULL, "cannot start the import");
    }
    return 0;
}

/* Whether role may import. */
static int may_import(enum role r)
{
    return r == ROLE_ADMIN || r == ROLE_SALES_MANAGER ||
           r == ROLE_MARKETING_MANAGER || r == ROLE_MARKETER;
}

/* POST /api/v1/imports?object=contacts[&dry_run=1][&map=…] with a CSV
 * body: 202 {"id","status"}. */
static int imports_post(struct req *rq, struct resp *rs)
{
    struct err err = {0};
    const char *obj = req_query(rq, "object"), *dry = req_query(rq,
                                                             "dry_run");
    const char *map = req_query(rq, "map");
    const struct object *o = obj ? object_by_plural(obj) : NULL;
    int touch = obj && !strcmp(obj, "touchpoints");
    if (o && o->no_import)
        o = NULL;
    if (!may_import(rq->who->user.role) ||
        (touch && !touchpoint_may_write(rq->who)))
        return resp_error(rs, E_FORBIDDEN, NULL, "your role cannot import");
    if (!o && !touch)
        return resp_error(rs, E_INVALID, "object", "must be contacts, "
                          "companies, deals, activities or touchpoints");
    if (touch && map)
        return resp_error(rs, E_INVALID, "map", "touchpoint columns are "
                          "named after their fields; no mapping");
    if (dry && strcmp(dry, "0") && strcmp(dry, "1"))
        return resp_error(rs, E_INVALID, "dry_run", "must be 0 or 1");
    if (!rq->upload || rq->upload_len == 0)
        return resp_error(rs, E_INVALID, NULL, "send the CSV file as the "
                          "request body");
    struct job *j = xcalloc(1, sizeof(*j));
    j->db = rq->db;
    j->o = o;
    j->touch = touch;
    j->dry_run = dry && !strcmp(dry, "1");
    j->map = xstrdup(map);
    j->name = xstrdup(req_header(rq, "X-File-Name"));
    fflush(rq->upload);
    int rc = import_sha256(rq->upload, j->sha) ? err_set(&err, E_INTERNAL,
                                                        NULL, "cannot read "
                                                        "the upload") : 0;
    int64_t now = clock_now_ms();
    if (!rc)
        rc = db_begin_write(rq->dbc, &err);
    if (!rc)
        rc = db_int(rq->dbc, &err, &j->id, "INSERT INTO imports (object, "
                    "status, dry_run, file_name, file_path, file_sha256, "
                    "mapping, created_by, created_at, updated_at) VALUES "
                    "(?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    "tittttiii", obj, (int64_t)j->dry_run, j->name,
                    rq->upload_path, j->sha, map, rq->who->user.id, now,
                    now);
    if (api_finish(rq, rs, rc, &err)) {
        job_free(j);
        return 0;
    }
    j->path = xstrdup(rq->upload_path);
    rq->upload_path[0] = '\0';      /* the job owns the file now */
    principal_hold(rq->who);
    j->who = rq->who;
    int64_t id = j->id;
    if (start_job(j, &err))
        return resp_fail(rs, &err);
    resp_header(rs, "Location", arena_printf(&rq->arena, "/api/v1/imports/"
                                             "%lld", (long long)id));
    return resp_json(rs, 202, json_pack("{sIss}", "id", (json_int_t)id,
                                        "status", "queued"));
}

#define IMPORT_COLS "id, object, status, dry_run, file_name, rows_total, " \
    "rows_ok, rows_failed, created, updated, message, created_at, " \
    "created_by"

/* The JSON of the current import row (IMPORT_COLS). */
static json_t *import_json(struct db_stmt *st)
{
    char iso[40], url[64];
    clock_iso(db_col_int(st, 11), iso, sizeof(iso));
    snprintf(url, sizeof(url), "/api/v1/imports/%lld/errors",
             (long long)db_col_int(st, 0));
    json_t *j = json_pack("{sIsssssbsIsIsIsIsIssss}",
        "id", (json_int_t)db_col_int(st, 0), "object", db_col_text(st, 1),
        "status", db_col_text(st, 2), "dry_run", (int)db_col_int(st, 3),
        "rows_total", (json_int_t)db_col_int(st, 5),
        "rows_ok", (json_int_t)db_col_int(st, 6),
        "rows_failed", (json_int_t)db_col_int(st, 7),
        "created", (json_int_t)db_col_int(st, 8),
        "updated", (json_int_t)db_col_int(st, 9),
        "errors_url", url, "created_at", iso);
    json_object_set_new(j, "file_name", db_col_null(st, 4) ? json_null()
                        : json_string(db_col_text(st, 4)));
    json_object_set_new(j, "message", db_col_null(st, 10) ? json_null()
                        : json_string(db_col_text(st, 10)));
    return j;
}

/* Reads import id if the caller may see it (own, or any for admins). */
static int visible_import(struct req *rq, int64_t id, struct db_stmt **st,
                          struct err *err)
{
    int rc = db_query(rq->dbc, st, err, "SELECT " IMPORT_COLS " FROM "
                      "imports WHERE id = ?", "i", id);
    if (rc)
        return rc;
    int r = db_step(*st, err);
    if (r == DB_ROW && (rq->who->user.role == ROLE_ADMIN ||
                        db_col_int(*st, 12) == rq->who->user.id))
        return 0;
    db_done(*st);
    return r < 0 ? err->code : err_set(err, E_NOTFOUND, NULL,
                                       "no such import");
}

/* GET /api/v1/imports/{id}. */
static int imports_get(struct req *rq, struct resp *rs)
{
    struct err err = {0};
    struct db_stmt *st;
    int64_t id;
    int rc = req_param_id(rq, "id", &id, &err);
    if (!rc)
        rc = visible_import(rq, id, &st, &err);
    if (rc)
        return resp_fail(rs, &err);
    json_t *j = import_json(st);
    db_done(st);
    return resp_json(rs, 200, j);
}

/* GET /api/v1/imports: the caller's imports (admins: all), newest first. */
static int imports_list(struct req *rq, struct resp *rs)
{
    struct err err = {0};
    int limit;
    int64_t after;
    struct db_stmt *st;
    int rc = req_page(rq, &limit, &after, &err);
    int admin = rq->who->user.role == ROLE_ADMIN;
    if (!rc)
        rc = db_query(rq->dbc, &st, &err, "SELECT " IMPORT_COLS " FROM "
                      "imports WHERE (? = 1 OR created_by = ?) AND (? = 0 OR "
                      "id < ?) ORDER BY id DESC LIMIT ?", "iiiii",
                      (int64_t)admin, rq->who->user.id, after, after,
                      (int64_t)limit + 1);
    if (rc)
        return resp_fail(rs, &err);
    json_t *data = json_array();
    int r, n = 0;
    int64_t last = 0, next = 0;
    while ((r = db_step(st, &err)) == DB_ROW) {
        if (n++ == limit) {
            next = last;
            break;
        }
        last = db_col_int(st, 0);
        json_array_append_new(data, import_json(st));
    }
    db_done(st);
    if (r < 0) {
        json_decref(data);
        return resp_fail(rs, &err);
    }
    return resp_list(rs, data, next);
}

/* GET /api/v1/imports/{id}/errors: the per-row report as CSV. */
static int imports_errors(struct req *rq, struct resp *rs)
{
    struct err err = {0};
    struct db_stmt *st;
    int64_t id;
    int rc = req_param_id(rq, "id", &id, &err);
    if (!rc)
        rc = visible_import(rq, id, &st, &err);
    if (rc)
        return resp_fail(rs, &err);
    db_done(st);
    char *body = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&body, &len);
    if (!f)
        return resp_error(rs, E_INTERNAL, NULL, "out of memory");
    rc = import_errors_csv(rq->dbc, id, f, &err);
    fclose(f);
    if (rc) {
        free(body);
        return resp_fail(rs, &err);
    }
    rs->status = 200;
    rs->content_type = "text/csv; charset=utf-8";
    rs->body = body;
    rs->len = len;
    return 0;
}

int imports_resume(struct db *db, struct err *err)
{
    struct db_conn *c;
    struct db_stmt *st;
    int rc = db_conn_get(db, &c, err), r = DB_DONE;
    if (!rc)
        rc = db_query(c, &st, err, "SELECT id, object, dry_run, file_path, "
                      "file_sha256, mapping, file_name, created_by FROM "
                      "imports WHERE status IN ('queued', 'running') AND "
                      "file_path IS NOT NULL ORDER BY id", NULL);
    if (rc)
        return rc;
    struct job *jobs[64];
    int n = 0;
    while (n < 64 && (r = db_step(st, err)) == DB_ROW) {
        struct job *j = xcalloc(1, sizeof(*j));
        j->db = db;
        j->id = db_col_int(st, 0);
        j->o = object_by_plural(db_col_text(st, 1));
        j->touch = !strcmp(db_col_text(st, 1), "touchpoints");
        j->dry_run = (int)db_col_int(st, 2);
        j->path = xstrdup(db_col_text(st, 3));
        snprintf(j->sha, sizeof(j->sha), "%s", db_col_text(st, 4));
        j->map = xstrdup(db_col_text(st, 5));
        j->name = xstrdup(db_col_text(st, 6));
        j->uid = db_col_int(st, 7);
        jobs[n++] = j;
    }
    db_done(st);
    if (r < 0) {
        for (int i = 0; i < n; i++)
            job_free(jobs[i]);
        return err->code;
    }
    for (int i = 0; i < n; i++) {
        struct job *j = jobs[i];
        if ((!j->o && !j->touch) || access(j->path, R_OK) ||
            principal_load(c, j->uid, AUTH_CLI, &j->who, err)) {
            mark_failed(c, j->id, "cannot resume: the upload or its user "
                        "is gone");
            job_free(j);
            continue;
        }
        log_msg(LOG_INFO, "import id=%lld resumes", (long long)j->id);
        start_job(j, err);
    }
    return 0;
}

void imports_stop(void)
{
    atomic_store(&stopping, 1);
    for (int i = 0; i < 600 && atomic_load(&running) > 0; i++)
        usleep(50000);
}

const struct route imports_routes[] = {
    {"POST", "/api/v1/imports", imports_post, R_AUTH, QUERY_IMPORT},
    {"GET", "/api/v1/imports", imports_list, R_AUTH, QUERY_PAGE},
    {"GET", "/api/v1/imports/{id}", imports_get, R_AUTH, NULL},
    {"GET", "/api/v1/imports/{id}/errors", imports_errors, R_AUTH, NULL},
    {0},
};
