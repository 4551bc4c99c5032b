/* /api/v1/pipelines (App. A): the deal pipelines with their ordered
 * stages, and the per-stage totals the board shows. */
#include "api/api.h"
#include "store/visibility.h"

/* Reads every stage into a map pipeline id -> array of stages. */
static int load_stages(struct db_conn *c, json_t *by_pipeline,
                       struct err *err)
{
    struct db_stmt *st;
    int rc = db_query(c, &st, err, "SELECT id, pipeline_id, name, position, "
                      "probability, kind FROM pipeline_stages ORDER BY "
                      "pipeline_id, position", NULL);
    if (rc)
        return rc;
    int r;
    while ((r = db_step(st, err)) == DB_ROW) {
        char key[24];
        snprintf(key, sizeof(key), "%lld", (long long)db_col_int(st, 1));
        json_t *arr = json_object_get(by_pipeline, key);
        if (!arr) {
            arr = json_array();
            json_object_set_new(by_pipeline, key, arr);
        }
        json_array_append_new(arr, json_pack(
            "{sIsssIsIss}", "id", (json_int_t)db_col_int(st, 0), "name",
            db_col_text(st, 2), "position", (json_int_t)db_col_int(st, 3),
            "probability", (json_int_t)db_col_int(st, 4), "kind",
            db_col_text(st, 5)));
    }
    db_done(st);
    return r < 0 ? err->code : 0;
}

/* GET /api/v1/pipelines: every pipeline with its stages in order. */
static int pipelines_list(struct req *rq, struct resp *rs)
{
    struct err err = {0};
    json_t *stages = json_object(), *data = json_array();
    struct db_stmt *st;
    int rc = load_stages(rq->dbc, stages, &err), r = DB_DONE;
    if (!rc)
        rc = db_query(rq->dbc, &st, &err, "SELECT id, name FROM pipelines "
                      "ORDER BY position, id", NULL);
    while (!rc && (r = db_step(st, &err)) == DB_ROW) {
        char key[24];
        snprintf(key, sizeof(key), "%lld", (long long)db_col_int(st, 0));
        json_t *s = json_object_get(stages, key);
        json_array_append_new(data, json_pack(
            "{sIssso}", "id", (json_int_t)db_col_int(st, 0), "name",
            db_col_text(st, 1), "stages", s ? json_incref(s)
                                            : json_array()));
    }
    if (!rc)
        db_done(st);
    if (!rc && r < 0)
        rc = err.code;
    json_decref(stages);
    if (rc) {
        json_decref(data);
        return resp_fail(rs, &err);
    }
    return resp_list(rs, data, 0);
}

/* GET /api/v1/pipelines/{id}/totals: count and amount per stage (and
 * currency) of the deals the caller may see. */
static int pipelines_totals(struct req *rq, struct resp *rs)
{
    struct err err = {0};
    int64_t id, n = 0;
    int rc = req_param_id(rq, "id", &id, &err);
    if (!rc)
        rc = db_int(rq->dbc, &err, &n, "SELECT COUNT(*) FROM pipelines "
                    "WHERE id = ?", "i", id);
    if (!rc && !n)
        rc = err_set(&err, E_NOTFOUND, NULL, "no such pipeline");
    if (rc)
        return resp_fail(rs, &err);
    const char *sql = arena_printf(
        &rq->arena, "SELECT t.stage_id, t.currency, COUNT(*), "
        "SUM(t.amount) FROM deals t WHERE t.pipeline_id = ? AND %s GROUP BY "
        "t.stage_id, t.currency ORDER BY t.stage_id, t.currency",
        vis_where_rec(&rq->who->vis, VIS_DEAL, "t.owner_id", "t.id",
                      &rq->arena));
    struct db_stmt *st;
    rc = db_query(rq->dbc, &st, &err, sql, "i", id);
    if (rc)
        return resp_fail(rs, &err);
    json_t *data = json_array();
    int r;
    while ((r = db_step(st, &err)) == DB_ROW)
        json_array_append_new(data, json_pack(
            "{sIsssIsI}", "stage_id", (json_int_t)db_col_int(st, 0),
            "currency", db_col_text(st, 1), "count",
            (json_int_t)db_col_int(st, 2), "amount",
            (json_int_t)db_col_int(st, 3)));
    db_done(st);
    if (r < 0) {
        json_decref(data);
        return resp_fail(rs, &err);
    }
    return resp_list(rs, data, 0);
}

const struct route pipelines_routes[] = {
    {"GET", "/api/v1/pipelines", pipelines_list, R_AUTH, NULL},
    {"GET", "/api/v1/pipelines/{id}/totals", pipelines_totals, R_AUTH, NULL},
    {0},
};
