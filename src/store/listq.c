/* List queries: parsing of filters, sort and cursor, and the SQL they
 * become. Column names come from the field tables and custom field
 * names are checked identifiers; every value is a bound parameter. */
#include "store/listq.h"
#include "store/q_record.h"
#include "store/search.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/phone.h"
#include "util/xalloc.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Vietnam's offset (Asia/Ho_Chi_Minh, no daylight saving since 1975):
 * the business time zone dates are read in (docs/decisions/0007). */
#define BUSINESS_OFFSET_MS (7LL * 3600 * 1000)
#define DAY_MS (86400LL * 1000)

static const char *const OP_NAMES[] = {"eq", "ne", "lt", "lte", "gt", "gte",
    "in", "contains", "starts", "empty", NULL};

void sqlp_int(struct sqlp *p, int64_t v)
{
    if (p->n == LISTQ_MAX_PARAMS)
        BUG("too many SQL parameters");
    p->kinds[p->n] = 'i';
    p->ints[p->n++] = v;
}

void sqlp_text(struct sqlp *p, const char *s)
{
    if (p->n == LISTQ_MAX_PARAMS)
        BUG("too many SQL parameters");
    p->kinds[p->n] = 't';
    p->texts[p->n++] = s;
}

int sqlp_bind(struct db_stmt *st, const struct sqlp *p, int first,
              struct err *err)
{
    for (int i = 0; i < p->n; i++) {
        int rc = p->kinds[i] == 'i'
            ? db_bind_int(st, first + i, p->ints[i], err)
            : db_bind_text(st, first + i, p->texts[i], err);
        if (rc)
            return rc;
    }
    return 0;
}

void listq_init(struct listq *lq, const struct object *o)
{
    memset(lq, 0, sizeof(*lq));
    lq->o = o;
    lq->limit = 50;
    lq->cf.n = -1;              /* not loaded yet */
}

void listq_release(struct listq *lq)
{
    if (lq->cf.n > 0)
        cf_set_release(&lq->cf);
}

int listq_parse_time(const char *s, int64_t *ms, int *date_only)
{
    char buf[40];
    *date_only = 0;
    if (strlen(s) == 10) {
        snprintf(buf, sizeof(buf), "%sT00:00:00Z", s);
        if (clock_parse_iso(buf, ms))
            return -1;
        clock_iso(*ms, buf, sizeof(buf));
        if (strncmp(buf, s, 10))
            return -1;
        *ms -= BUSINESS_OFFSET_MS;
        *date_only = 1;
        return 0;
    }
    return clock_parse_iso(s, ms);
}

/* Parses a decimal int64 (optional '-'); -1 when not one. */
static int parse_i64(const char *s, int64_t *out)
{
    char *end;
    if (!*s || strlen(s) > 19)
        return -1;
    long long v = strtoll(s, &end, 10);
    if (*end)
        return -1;
    *out = v;
    return 0;
}

/* Whether s is a decimal number: [-]digits[.digits][e[+-]digits], with
 * a digit on one side of the point (no hex, inf or nan, which strtod
 * takes and the databases do not). */
static int decimal(const char *s)
{
    int digits = 0;
    if (*s == '-')
        s++;
    for (; *s >= '0' && *s <= '9'; s++)
        digits++;
    if (*s == '.')
        for (s++; *s >= '0' && *s <= '9'; s++)
            digits++;
    if (!digits)
        return 0;
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '+' || *s == '-')
            s++;
        if (*s < '0' || *s > '9')
            return 0;
        while (*s >= '0' && *s <= '9')
            s++;
    }
    return *s == '\0';
}

/* The value type a condition compares: 'i' integer, 't' time, 'd' date,
 * 's' text, 'e' enum, 'n' number, 'b' bool, 'm' multiselect. */
static char cond_kind(const struct listq *lq, const struct cond *cd)
{
    if (cd->field < 0) {
        const char *t = cd->cf->type;
        if (!strcmp(t, "number") || !strcmp(t, "money"))
            return 'n';
        if (!strcmp(t, "date"))
            return 'd';
        if (!strcmp(t, "bool"))
            return 'b';
        if (!strcmp(t, "multiselect"))
            return 'm';
        return strcmp(t, "select") ? 's' : 'e';
    }
    switch (lq->o->fields[cd->field].type) {
    case FT_ID: case FT_INT: case FT_MONEY: case FT_REF: case FT_IDS:
        return 'i';
    case FT_TIME:
        return 't';
    case FT_DATE:
        return 'd';
    case FT_ENUM:
        return 'e';
    default:
        return 's';
    }
}

/* Whether op applies to values of kind k. */
static int op_allowed(enum listq_op op, char k)
{
    switch (op) {
    case OP_LT: case OP_LTE: case OP_GT: case OP_GTE:
        return strchr("itdn", k) != NULL;
    case OP_CONTAINS:
        return k == 's' || k == 'm';
    case OP_STARTS:
        return k == 's';
    case OP_EQ: case OP_NE: case OP_IN:
        return k != 'm';
    default:
        return 1;
    }
}

/* Checks one filter value against its kind; E_INVALID naming key. */
static int check_value(const struct listq *lq, const struct cond *cd,
                       char k, const char *v, const char *key,
                       struct err *err)
{
    int64_t x;
    int d;
    switch (k) {
    case 'i':
        if (parse_i64(v, &x))
            return err_set(err, E_INVALID, key, "must be an integer");
        return 0;
    case 't':
        if (listq_parse_time(v, &x, &d))
            return err_set(err, E_INVALID, key, "must be a date or an ISO "
                           "8601 time");
        return 0;
    case 'd':
        if (listq_parse_time(v, &x, &d) || !d)
            return err_set(err, E_INVALID, key, "must be a date "
                           "(YYYY-MM-DD)");
        return 0;
    case 'n':
        return decimal(v) ? 0 : err_set(err, E_INVALID, key, "must be a "
                                        "number");
    case 'b':
        if (strcmp(v, "true") && strcmp(v, "false"))
            return err_set(err, E_INVALID, key, "must be true or false");
        return 0;
    case 'e': {
        const char *const *vals = cd->field >= 0
            ? lq->o->fields[cd->field].values : NULL;
        if (!vals)
            return 0;
        for (int i = 0; vals[i]; i++)
            if (!strcmp(vals[i], v))
                return 0;
        return err_set(err, E_INVALID, key, "\"%.40s\" is not an allowed "
                       "value", v);
    }
    default:
        return strlen(v) > 1000
            ? err_set(err, E_INVALID, key, "is too long") : 0;
    }
}

/* Splits key "name[op]" into name and op; -1 when malformed. */
static int split_key(const char *key, char *name, size_t nlen,
                     enum listq_op *op)
{
    const char *br = strchr(key, '[');
    *op = OP_EQ;
    size_t n = br ? (size_t)(br - key) : strlen(key);
    if (n == 0 || n >= nlen)
        return -1;
    memcpy(name, key, n);
    name[n] = '\0';
    if (!br)
        return 0;
    size_t ol = strlen(br + 1);
    if (ol < 2 || br[ol] != ']')
        return -1;
    for (int i = 0; OP_NAMES[i]; i++)
        if (strlen(OP_NAMES[i]) == ol - 1 &&
            !strncmp(OP_NAMES[i], br + 1, ol - 1)) {
            *op = (enum listq_op)i;
            return 0;
        }
    return -1;
}

/* Decodes a cursor made by make_cursor for the current sort. */
static int read_cursor(struct listq *lq, const char *value, struct arena *a,
                       struct err *err)
{
    unsigned char bin[1200];
    size_t len;
    if (strlen(value) > 1500 ||
        sodium_base642bin(bin, sizeof(bin) - 1, value, strlen(value), NULL,
                          &len, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING))
        return err_set(err, E_INVALID, "cursor", "is not a cursor this "
                       "server gave");
    bin[len] = '\0';
    json_t *j = json_loadb((const char *)bin, len, 0, NULL);
    int ok = json_is_array(j) && json_array_size(j) == 3;
    json_t *s = ok ? json_array_get(j, 0) : NULL;
    json_t *v = ok ? json_array_get(j, 1) : NULL;
    json_t *id = ok ? json_array_get(j, 2) : NULL;
    ok = ok && json_is_string(s) && json_is_integer(id);
    if (ok) {
        lq->has_cursor = 1;
        lq->cursor_id = json_integer_value(id);
        lq->cursor_null = json_is_null(v);
        if (!strcmp(json_string_value(s), "~q")) {
            ok = json_is_integer(v) && json_integer_value(v) >= 0;
            lq->cursor_off = ok ? json_integer_value(v) : 0;
        } else if (json_is_integer(v)) {
            lq->cursor_i = json_integer_value(v);
        } else if (json_is_string(v)) {
            lq->cursor_s = arena_strdup(a, json_string_value(v));
        } else {
            ok = json_is_null(v);
        }
        /* the sort is checked against the cursor in listq_run */
        lq->cursor_sort = ok ? arena_strdup(a, json_string_value(s)) : NULL;
    }
    json_decref(j);
    return ok ? 0 : err_set(err, E_INVALID, "cursor", "is not a cursor this "
                            "server gave");
}

/* Reads the control arguments limit, cursor, sort and q: returns 1 when
 * key was one of them, with the result in *rc, else 0. */
static int control_arg(struct listq *lq, const char *key, const char *value,
                       struct arena *a, struct err *err, int *rc)
{
    *rc = 0;
    if (!strcmp(key, "limit")) {
        int64_t v;
        if (parse_i64(value, &v) || v < 1 || v > 500)
            *rc = err_set(err, E_INVALID, "limit", "must be a whole number "
                          "from 1 to 500");
        else
            lq->limit = (int)v;
        return 1;
    }
    if (!strcmp(key, "cursor")) {
        *rc = read_cursor(lq, value, a, err);
        return 1;
    }
    if (!strcmp(key, "sort")) {
        int desc = value[0] == '-';
        int i = object_field(lq->o, value + desc);
        const struct field *f = i < 0 ? NULL : &lq->o->fields[i];
        if (!f || f->flags & (FF_VIRTUAL | FF_HIDDEN | FF_NOFILTER |
                              FF_WRITEONLY) || f->type == FT_CUSTOM)
            *rc = err_set(err, E_INVALID, "sort", "cannot sort by "
                          "\"%.40s\"", value);
        lq->sort = i < 0 ? 0 : i;
        lq->desc = desc;
        return 1;
    }
    if (!strcmp(key, "q")) {
        *rc = search_check_query(value, err);
        lq->q = value;
        return 1;
    }
    return 0;
}

/* Finds the field or custom field a filter names; E_INVALID if none. */
static int find_target(struct listq *lq, struct db_conn *c, const char *name,
                       const char *key, struct cond *cd, struct arena *a,
                       struct err *err)
{
    if (!strncmp(name, "custom.", 7)) {
        if (lq->cf.n < 0) {
            int rc = cf_load(c, lq->o->name, &lq->cf, a, err);
            if (rc) {
                lq->cf.n = -1;
                return rc;
            }
        }
        cd->field = -1;
        cd->cf = cf_find(&lq->cf, name + 7);
        return cd->cf ? 0 : err_set(err, E_INVALID, key, "no such custom "
                                    "field");
    }
    int i = object_field(lq->o, name);
    const struct field *f = i < 0 ? NULL : &lq->o->fields[i];
    if (f && f->type == FT_IDS && (cd->op == OP_EQ || cd->op == OP_IN)) {
        cd->field = i;          /* a deal's contacts: by membership */
        return 0;
    }
    if (!f || f->flags & (FF_VIRTUAL | FF_HIDDEN | FF_NOFILTER |
                          FF_WRITEONLY) || f->type == FT_CUSTOM)
        return err_set(err, E_INVALID, key, "unknown field");
    cd->field = i;
    return 0;
}

int listq_arg(struct listq *lq, struct db_conn *c, const char *key,
              const char *value, struct arena *a, struct err *err)
{
    int rc;
    const char *k = arena_strdup(a, key);
    if (control_arg(lq, key, value, a, err, &rc))
        return rc;
    char name[80];
    struct cond cd = {0};
    if (split_key(key, name, sizeof(name), &cd.op))
        return err_set(err, E_INVALID, k, "unknown filter operator");
    if (lq->nconds == LISTQ_MAX_CONDS)
        return err_set(err, E_INVALID, k, "too many filters");
    rc = find_target(lq, c, name, k, &cd, a, err);
    if (rc)
        return rc;
    char kind = cond_kind(lq, &cd);
    if (!op_allowed(cd.op, kind))
        return err_set(err, E_INVALID, k, "this operator does not apply to "
                       "this field");
    if (cd.op == OP_EMPTY) {
        if (strcmp(value, "true") && strcmp(value, "false"))
            return err_set(err, E_INVALID, k, "must be true or false");
        cd.vals[cd.nvals++] = arena_strdup(a, value);
    } else if (cd.op == OP_IN) {
        char *copy = arena_strdup(a, value), *save = NULL;
        for (char *t = strtok_r(copy, ",", &save); t;
             t = strtok_r(NULL, ",", &save)) {
            if (cd.nvals == 64)
                return err_set(err, E_INVALID, k, "at most 64 values");
            cd.vals[cd.nvals++] = t;
        }
        if (!cd.nvals)
            return err_set(err, E_INVALID, k, "needs at least one value");
    } else {
        cd.vals[cd.nvals++] = arena_strdup(a, value);
    }
    for (int i = 0; i < cd.nvals && cd.op != OP_EMPTY; i++)
        if ((rc = check_value(lq, &cd, kind, cd.vals[i], k, err)))
            return rc;
    lq->conds[lq->nconds++] = cd;
    return 0;
}

/* ---- SQL ---- */

/* Writes the SQL expression of a condition's column into out. */
static void cond_expr(struct db_conn *c, const struct listq *lq,
                      const struct cond *cd, char kind, char *out,
                      size_t len)
{
    if (cd->field >= 0) {
        snprintf(out, len, "t.%s", lq->o->fields[cd->field].name);
        return;
    }
    char type = kind == 'n' ? 'n' : kind == 'b' ? 'b' : 't';
    db_json_get(db_conn_db(c), out, len, "t.custom", cd->cf->name, type);
}

/* Binds one comparison value of kind k (times and numbers converted). */
static void add_value(struct sqlp *p, const struct cond *cd, char k,
                      const char *v, struct arena *a)
{
    int64_t x = 0;
    int d;
    (void)cd;
    if (k == 'i') {
        parse_i64(v, &x);
        sqlp_int(p, x);
    } else if (k == 't') {
        listq_parse_time(v, &x, &d);
        sqlp_int(p, x);
    } else if (k == 'b') {
        sqlp_int(p, !strcmp(v, "true"));
    } else if (k == 'n') {
        sqlp_text(p, v);
    } else {
        sqlp_text(p, arena_strdup(a, v));
    }
}

/* Escapes LIKE wildcards of v with '\'. */
static const char *like_escape(const char *v, struct arena *a)
{
    char *out = arena_alloc(a, strlen(v) * 2 + 1), *o = out;
    for (; *v; v++) {
        if (*v == '%' || *v == '_' || *v == '\\')
            *o++ = '\\';
        *o++ = *v;
    }
    *o = '\0';
    return out;
}

/* Appends the SQL of a date-only time comparison: the whole day counts
 * (lte and gt move to the next day, eq and ne cover the day). */
static void time_cond(struct buf *sql, struct sqlp *p, const char *e,
                      enum listq_op op, int64_t ms, int date_only)
{
    int64_t end = date_only ? ms + DAY_MS : ms + 1;
    switch (op) {
    case OP_EQ:
        buf_addf(sql, "(%s >= ? AND %s < ?)", e, e);
        sqlp_int(p, ms);
        sqlp_int(p, end);
        return;
    case OP_NE:
        buf_addf(sql, "(%s < ? OR %s >= ?)", e, e);
        sqlp_int(p, ms);
        sqlp_int(p, end);
        return;
    case OP_LT:
    case OP_GTE:
        buf_addf(sql, "%s %s ?", e, op == OP_LT ? "<" : ">=");
        sqlp_int(p, ms);
        return;
    default:    /* lte, gt */
        buf_addf(sql, "%s %s ?", e, op == OP_LTE ? "<" : ">=");
        sqlp_int(p, end);
        return;
    }
}

/* A value compared whole with a field as it is stored: a phone number
 * in E.164, an email lower-cased (both are kept so). */
static const char *stored_form(const struct listq *lq, const struct cond *cd,
                               const char *v, struct arena *a)
{
    enum ftype t = cd->field >= 0 ? lq->o->fields[cd->field].type : FT_TEXT;
    char e164[32];
    if (t == FT_PHONE && !phone_e164(v, e164, sizeof(e164)))
        return arena_strdup(a, e164);
    if (t == FT_EMAIL) {
        char *s = arena_strdup(a, v);
        for (char *q = s; *q; q++)
            if (*q >= 'A' && *q <= 'Z')
                *q = (char)(*q - 'A' + 'a');
        return s;
    }
    return v;
}

/* Appends one condition. */
static void add_cond(struct db_conn *c, const struct listq *lq,
                     const struct cond *cd, struct buf *sql, struct sqlp *p,
                     struct arena *a)
{
    char e[160];
    char k = cond_kind(lq, cd);
    cond_expr(c, lq, cd, k, e, sizeof(e));
    const char *v0 = cd->vals[0];
    if (cd->field >= 0 && lq->o->fields[cd->field].type == FT_IDS) {
        /* contact_ids=N / contact_ids[in]=N,M: deals linked to them */
        buf_adds(sql, " AND t.id IN (SELECT deal_id FROM deal_contacts "
                 "WHERE contact_id IN (");
        for (int i = 0; i < cd->nvals; i++) {
            int64_t x = strtoll(cd->vals[i], NULL, 10);
            buf_adds(sql, i ? ", ?" : "?");
            sqlp_int(p, x);
        }
        buf_adds(sql, "))");
        return;
    }
    if (cd->op != OP_CONTAINS && cd->op != OP_STARTS && cd->op != OP_EMPTY)
        v0 = stored_form(lq, cd, v0, a);
    buf_adds(sql, " AND ");
    switch (cd->op) {
    case OP_EMPTY:
        buf_addf(sql, "%s IS %sNULL", e, strcmp(v0, "true") ? "NOT " : "");
        return;
    case OP_IN:
        if (k == 't') {     /* each value as eq: a date is a whole day */
            buf_adds(sql, "(");
            for (int i = 0; i < cd->nvals; i++) {
                int64_t ms;
                int d;
                listq_parse_time(cd->vals[i], &ms, &d);
                buf_adds(sql, i ? " OR " : "");
                time_cond(sql, p, e, OP_EQ, ms, d);
            }
            buf_adds(sql, ")");
            return;
        }
        buf_addf(sql, "%s IN (", e);
        for (int i = 0; i < cd->nvals; i++) {
            buf_addf(sql, "%s%s", i ? ", " : "",
                     k == 'n' ? "CAST(? AS NUMERIC)" : "?");
            add_value(p, cd, k, stored_form(lq, cd, cd->vals[i], a), a);
        }
        buf_adds(sql, ")");
        return;
    case OP_CONTAINS:
    case OP_STARTS:
        buf_addf(sql, "%s %s ? ESCAPE '\\'", e,
                 db_ilike(db_conn_db(c)));
        sqlp_text(p, arena_printf(a, "%s%s%%", cd->op == OP_CONTAINS
                                  ? "%" : "", k == 'm'
                                  ? arena_printf(a, "\"%s\"",
                                                 like_escape(v0, a))
                                  : like_escape(v0, a)));
        return;
    default:
        break;
    }
    if (k == 't') {
        int64_t ms;
        int d;
        listq_parse_time(v0, &ms, &d);
        time_cond(sql, p, e, cd->op, ms, d);
        return;
    }
    static const char *const SYM[] = {"=", "<>", "<", "<=", ">", ">="};
    const char *ph = k == 'n' ? "CAST(? AS NUMERIC)" : "?";
    if (cd->op == OP_NE)
        buf_addf(sql, "(%s IS NULL OR %s <> %s)", e, e, ph);
    else
        buf_addf(sql, "%s %s %s", e, SYM[cd->op], ph);
    add_value(p, cd, k, v0, a);
}

int listq_where(struct db_conn *c, const struct listq *lq,
                const struct vis *v, struct buf *sql, struct sqlp *p,
                struct arena *a, struct err *err)
{
    (void)err;
    const char *vw = v ? vis_where_rec(v, lq->o->vis, "t.owner_id", "t.id",
                                       a) : "1=1";
    if (strcmp(vw, "1=1"))      /* nothing for who sees everything */
        buf_addf(sql, " AND %s", vw);
    for (int i = 0; i < lq->nconds; i++)
        add_cond(c, lq, &lq->conds[i], sql, p, a);
    return 0;
}

/* Encodes the cursor after record r for the current sort. */
static const char *make_cursor(const struct listq *lq, const struct rec *r,
                               struct arena *a)
{
    const struct field *f = &lq->o->fields[lq->sort];
    const struct val *v = &r->v[lq->sort];
    json_t *val;
    if (v->null)
        val = json_null();
    else if (f->type == FT_ID || f->type == FT_INT || f->type == FT_MONEY ||
             f->type == FT_REF || f->type == FT_TIME)
        val = json_integer(v->i);
    else
        val = json_string(v->s);
    json_t *j = json_pack("[soI]", f->name, val, (json_int_t)r->id);
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    size_t n = sodium_base64_encoded_len(strlen(s),
                                         sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *out = arena_alloc(a, n);
    sodium_bin2base64(out, n, (const unsigned char *)s, strlen(s),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    free(s);
    return out;
}

/* Appends the keyset condition and ORDER BY of the sort. */
static int add_order(struct db_conn *c, const struct listq *lq,
                     struct buf *sql, struct sqlp *p, struct err *err)
{
    const struct field *f = &lq->o->fields[lq->sort];
    int is_int = f->type == FT_ID || f->type == FT_INT ||
                 f->type == FT_MONEY || f->type == FT_REF ||
                 f->type == FT_TIME;
    const char *coll = is_int ? "" : db_bytes_collate(db_conn_db(c));
    const char *cmp = lq->desc ? "<" : ">", *dir = lq->desc ? " DESC" : "";
    int notnull = f->type == FT_ID || (f->flags & FF_NOTNULL);
    if (lq->has_cursor) {
        if (strcmp(lq->cursor_sort, f->name) ||
            (!lq->cursor_null && is_int != !lq->cursor_s) ||
            (lq->cursor_null && notnull))
            return err_set(err, E_INVALID, "cursor", "belongs to another "
                           "sort order");
        if (f->type == FT_ID) {
            buf_addf(sql, " AND t.id %s ?", cmp);
            sqlp_int(p, lq->cursor_id);
        } else if (lq->cursor_null) {
            buf_addf(sql, " AND t.%s IS NULL AND t.id %s ?", f->name, cmp);
            sqlp_int(p, lq->cursor_id);
        } else {
            buf_addf(sql, " AND (%s(t.%s%s, t.id) %s (?%s, ?)%s)",
                     notnull ? "" : "(", f->name, coll, cmp, coll,
                     notnull ? "" : "");
            if (!notnull)
                buf_addf(sql, " OR t.%s IS NULL)", f->name);
            if (is_int)
                sqlp_int(p, lq->cursor_i);
            else
                sqlp_text(p, lq->cursor_s);
            sqlp_int(p, lq->cursor_id);
        }
    }
    if (f->type == FT_ID)
        buf_addf(sql, " ORDER BY t.id%s", dir);
    else if (notnull)
        buf_addf(sql, " ORDER BY t.%s%s%s, t.id%s", f->name, coll, dir, dir);
    else
        buf_addf(sql, " ORDER BY (t.%s IS NULL), t.%s%s%s, t.id%s", f->name,
                 f->name, coll, dir, dir);
    return 0;
}

/* Runs a search list: the ranked candidates of q, one page by offset. */
static int run_search(struct db_conn *c, struct listq *lq,
                      const struct vis *v, struct rec *out, int *n,
                      const char **next, struct arena *a, struct err *err)
{
    struct buf where;
    struct sqlp p = {0};
    buf_init(&where, 1 << 20);
    int64_t *ids = NULL;
    int nids = 0;
    int rc = listq_where(c, lq, v, &where, &p, a, err);
    if (!rc)
        rc = search_ranked(c, lq->o, lq->q, buf_cstr(&where), &p, &ids,
                           &nids, a, err);
    buf_release(&where);
    if (rc)
        return rc;
    int64_t off = lq->has_cursor ? lq->cursor_off : 0;
    *n = 0;
    for (int64_t i = off; i < nids && *n < lq->limit; i++) {
        rec_init(&out[*n], lq->o);
        rc = q_rec_get(c, lq->o, ids[i], &out[*n], a, err);
        if (rc == E_NOTFOUND)
            continue;   /* deleted since */
        if (rc)
            return rc;
        if (lq->o->load && (rc = lq->o->load(c, &out[*n], a, err)))
            return rc;
        (*n)++;
    }
    *next = NULL;
    if (off + lq->limit < nids) {
        json_t *j = json_pack("[siI]", "~q", (int)(off + lq->limit),
                              (json_int_t)0);
        char *s = json_dumps(j, JSON_COMPACT);
        json_decref(j);
        size_t len = sodium_base64_encoded_len(
            strlen(s), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
        char *cur = arena_alloc(a, len);
        sodium_bin2base64(cur, len, (const unsigned char *)s, strlen(s),
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING);
        free(s);
        *next = cur;
    }
    return 0;
}

int listq_run(struct db_conn *c, struct listq *lq, const struct vis *v,
              struct rec *out, int *n, const char **next, struct arena *a,
              struct err *err)
{
    *n = 0;
    *next = NULL;
    if (lq->q) {
        if (lq->has_cursor && strcmp(lq->cursor_sort, "~q"))
            return err_set(err, E_INVALID, "cursor", "belongs to another "
                           "list");
        return run_search(c, lq, v, out, n, next, a, err);
    }
    if (lq->has_cursor && !strcmp(lq->cursor_sort, "~q"))
        return err_set(err, E_INVALID, "cursor", "belongs to a search");
    struct buf sql;
    struct sqlp p = {0};
    buf_init(&sql, 1 << 20);
    buf_addf(&sql, "SELECT %s FROM %s t WHERE 1=1",
             q_rec_cols(lq->o, "t", a), lq->o->table);
    int rc = listq_where(c, lq, v, &sql, &p, a, err);
    if (!rc)
        rc = add_order(c, lq, &sql, &p, err);
    buf_addf(&sql, " LIMIT %d", lq->limit + 1);
    struct db_stmt *st = NULL;
    if (!rc)
        rc = db_prepare(c, buf_cstr(&sql), &st, err);
    buf_release(&sql);
    if (!rc)
        rc = sqlp_bind(st, &p, 1, err);
    int r = DB_DONE, more = 0;
    while (!rc && (r = db_step(st, err)) == DB_ROW) {
        if (*n == lq->limit) {
            more = 1;
            break;
        }
        rec_init(&out[*n], lq->o);
        q_rec_read_row(st, 0, &out[*n], a);
        (*n)++;
    }
    db_done(st);
    if (!rc && r < 0)
        rc = err->code;
    for (int i = 0; !rc && lq->o->load && i < *n; i++)
        rc = lq->o->load(c, &out[i], a, err);
    if (!rc && more)
        *next = make_cursor(lq, &out[*n - 1], a);
    return rc;
}
