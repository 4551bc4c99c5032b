/* A report's currency and exchange rates (see fx.h; decision 0014). */
#include "report/fx.h"

#include <jansson.h>
#include <string.h>

/* The text of settings key, an arena copy, or NULL. */
static int setting(struct db_conn *c, const char *key, const char **out,
                   struct arena *a, struct err *err)
{
    struct db_stmt *st;
    *out = NULL;
    int rc = db_query(c, &st, err, "SELECT value FROM settings WHERE "
                      "key = ?", "t", key);
    if (rc)
        return rc;
    int s = db_step(st, err);
    if (s == DB_ROW)
        *out = arena_strdup(a, db_col_text(st, 0));
    db_done(st);
    return s < 0 ? err->code : 0;
}

/* Reads settings "fx_rates" ({"USD": 25400, ...}: the value of one
 * major unit in major units of the settings currency). */
static int load_rates(struct db_conn *c, struct fx *fx, struct arena *a,
                      struct err *err)
{
    const char *text, *k;
    json_t *v;
    int rc = setting(c, "fx_rates", &text, a, err);
    if (rc || !text)
        return rc;
    json_t *o = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(o)) {
        json_decref(o);
        return err_set(err, E_RULE, "fx_rates", "settings fx_rates is not "
                       "a JSON object of rates");
    }
    fx->rates = arena_alloc(a, (json_object_size(o) + 1) *
                            sizeof(*fx->rates));
    json_object_foreach(o, k, v) {
        struct fx_rate *x = &fx->rates[fx->nrates];
        int bad = !money_code_valid(k);
        if (!bad && json_is_integer(v))
            bad = money_rate_from_int(json_integer_value(v), &x->r);
        else if (!bad && json_is_real(v))
            bad = money_rate_from_double(json_real_value(v), &x->r);
        else
            bad = 1;
        if (bad) {
            rc = err_set(err, E_RULE, "fx_rates", "settings fx_rates: "
                         "\"%.8s\" needs a positive number", k);
            break;
        }
        memcpy(x->code, k, 4);
        fx->nrates++;
    }
    json_decref(o);
    return rc;
}

int fx_load(struct db_conn *c, const char *currency, struct fx *fx,
            struct arena *a, struct err *err)
{
    memset(fx, 0, sizeof(*fx));
    int rc = setting(c, "currency", &fx->base, a, err);
    if (rc)
        return rc;
    if (!fx->base || !money_code_valid(fx->base))
        fx->base = "VND";
    fx->currency = currency ? currency : fx->base;
    return load_rates(c, fx, a, err);
}

/* The rate of currency code against the base, or NULL when unknown. */
static const struct money_rate *rate_of(const struct fx *fx,
                                        const char *code)
{
    static const struct money_rate one = {1, 0};
    if (!strcmp(code, fx->base))
        return &one;
    for (int i = 0; i < fx->nrates; i++)
        if (!strcmp(fx->rates[i].code, code))
            return &fx->rates[i].r;
    return NULL;
}

int fx_convert(const struct fx *fx, const char *cur, int64_t amount,
               int64_t *out)
{
    if (!strcmp(cur, fx->currency)) {
        *out = amount;
        return 0;
    }
    const struct money_rate *from = rate_of(fx, cur);
    const struct money_rate *to = rate_of(fx, fx->currency);
    if (!from || !to)
        return -1;
    return money_convert(amount, money_decimals(cur), *from,
                         money_decimals(fx->currency), *to, out);
}
