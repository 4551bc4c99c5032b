/* Column and value mapping of imports. */
#include "import/mapping.h"
#include "util/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUSINESS_OFFSET_MS (7LL * 3600 * 1000)  /* Asia/Ho_Chi_Minh */

struct alias {
    const char *object;     /* plural, or "*" for every object */
    const char *key;        /* mapping_key form of the header */
    enum col_kind kind;
    const char *target;
};

/* Header aliases: ours without underscores, HubSpot's and Salesforce's
 * export names. First match wins. */
static const struct alias ALIASES[] = {
    {"contacts", "firstname", COL_FIELD, "first_name"},
    {"contacts", "lastname", COL_FIELD, "last_name"},
    {"contacts", "email", COL_FIELD, "email"},
    {"contacts", "emailaddress", COL_FIELD, "email"},
    {"contacts", "phonenumber", COL_FIELD, "phone"},
    {"contacts", "phone", COL_FIELD, "phone"},
    {"contacts", "mobilephonenumber", COL_FIELD, "phone"},
    {"contacts", "mobilephone", COL_FIELD, "phone"},
    {"contacts", "mobile", COL_FIELD, "phone"},
    {"contacts", "jobtitle", COL_FIELD, "title"},
    {"contacts", "title", COL_FIELD, "title"},
    {"contacts", "companyname", COL_COMPANY, NULL},
    {"contacts", "company", COL_COMPANY, NULL},
    {"contacts", "accountname", COL_COMPANY, NULL},
    {"contacts", "associatedcompany", COL_COMPANY, NULL},
    {"contacts", "lifecyclestage", COL_FIELD, "lifecycle_stage"},
    {"contacts", "leadstatus", COL_FIELD, "lead_status"},
    {"contacts", "originalsource", COL_FIELD, "source"},
    {"contacts", "leadsource", COL_FIELD, "source"},
    {"contacts", "source", COL_FIELD, "source"},
    {"contacts", "contactowner", COL_OWNER, NULL},
    {"contacts", "leadowner", COL_OWNER, NULL},
    {"contacts", "becameasubscriberdate", COL_BECAME, "subscriber"},
    {"contacts", "becamealeaddate", COL_BECAME, "lead"},
    {"contacts", "becameamarketingqualifiedleaddate", COL_BECAME,
     "marketing_qualified_lead"},
    {"contacts", "becameasalesqualifiedleaddate", COL_BECAME,
     "sales_qualified_lead"},
    {"contacts", "becameanopportunitydate", COL_BECAME, "opportunity"},
    {"contacts", "becameacustomerdate", COL_BECAME, "customer"},
    {"contacts", "becameanevangelistdate", COL_BECAME, "evangelist"},
    {"contacts", "becameaotherlifecycledate", COL_BECAME, "other"},
    {"contacts", "becameanotherlifecycledate", COL_BECAME, "other"},
    /* our own export's columns (became_lead_at) */
    {"contacts", "becamesubscriberat", COL_BECAME, "subscriber"},
    {"contacts", "becameleadat", COL_BECAME, "lead"},
    {"contacts", "becamemarketingqualifiedleadat", COL_BECAME,
     "marketing_qualified_lead"},
    {"contacts", "becamesalesqualifiedleadat", COL_BECAME,
     "sales_qualified_lead"},
    {"contacts", "becameopportunityat", COL_BECAME, "opportunity"},
    {"contacts", "becamecustomerat", COL_BECAME, "customer"},
    {"contacts", "becameevangelistat", COL_BECAME, "evangelist"},
    {"contacts", "becameotherat", COL_BECAME, "other"},
    {"contacts", "higheststage", COL_IGNORE, NULL},    /* derived */
    /* Salesforce's lead export: converting a lead is sales accepting
     * it (decision 0010) */
    {"contacts", "converteddate", COL_BECAME, "sales_qualified_lead"},
    {"companies", "companyname", COL_FIELD, "name"},
    {"companies", "accountname", COL_FIELD, "name"},
    {"companies", "name", COL_FIELD, "name"},
    {"companies", "companydomainname", COL_FIELD, "domain"},
    {"companies", "domain", COL_FIELD, "domain"},
    {"companies", "websiteurl", COL_FIELD, "domain"},
    {"companies", "website", COL_FIELD, "domain"},
    {"companies", "numberofemployees", COL_FIELD, "size_band"},
    {"companies", "employees", COL_FIELD, "size_band"},
    {"companies", "phonenumber", COL_FIELD, "phone"},
    {"companies", "companyowner", COL_OWNER, NULL},
    {"companies", "accountowner", COL_OWNER, NULL},
    {"companies", "parentcompany", COL_IGNORE, NULL},
    {"deals", "dealname", COL_FIELD, "name"},
    {"deals", "opportunityname", COL_FIELD, "name"},
    {"deals", "dealstage", COL_STAGE, NULL},
    {"deals", "stage", COL_STAGE, NULL},
    {"deals", "pipeline", COL_PIPELINE, NULL},
    {"deals", "dealowner", COL_OWNER, NULL},
    {"deals", "opportunityowner", COL_OWNER, NULL},
    {"deals", "companyname", COL_COMPANY, NULL},
    {"deals", "accountname", COL_COMPANY, NULL},
    {"deals", "associatedcompany", COL_COMPANY, NULL},
    {"deals", "contactemail", COL_CONTACT, NULL},
    {"deals", "associatedcontact", COL_CONTACT, NULL},
    {"deals", "closedate", COL_FIELD, "close_date"},
    {"deals", "dealcurrencycode", COL_FIELD, "currency"},
    {"activities", "activitytype", COL_FIELD, "kind"},
    {"activities", "type", COL_FIELD, "kind"},
    {"activities", "notes", COL_FIELD, "body"},
    {"activities", "description", COL_FIELD, "body"},
    {"activities", "duedate", COL_FIELD, "due_at"},
    {"activities", "completeddate", COL_FIELD, "done_at"},
    {"activities", "contactemail", COL_CONTACT, NULL},
    {"activities", "email", COL_CONTACT, NULL},
    {"activities", "companyname", COL_COMPANY, NULL},
    {"*", "owner", COL_OWNER, NULL},
    {"*", "owneremail", COL_OWNER, NULL},
    {"*", "createdate", COL_FIELD, "created_at"},
    {"*", "createddate", COL_FIELD, "created_at"},
    {"*", "countryregion", COL_FIELD, "country"},
    {NULL, NULL, COL_IGNORE, NULL},
};

void mapping_key(const char *s, char *out, size_t len)
{
    size_t n = 0;
    for (; *s && n + 1 < len; s++) {
        char c = *s;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            out[n++] = c;
    }
    out[n] = '\0';
}

/* Whether f is a field an import may fill. */
static int importable(const struct field *f)
{
    return !(f->flags & (FF_RO | FF_HIDDEN | FF_VIRTUAL)) &&
           f->type != FT_ID && f->type != FT_CUSTOM && f->type != FT_IDS;
}

/* Maps a target name as --map gives it. */
static struct col_map by_target(const struct object *o, const char *t)
{
    static const struct { const char *name; enum col_kind kind; } V[] = {
        {"owner", COL_OWNER}, {"company", COL_COMPANY},
        {"contact", COL_CONTACT}, {"pipeline", COL_PIPELINE},
        {"stage", COL_STAGE}, {"ignore", COL_IGNORE}};
    struct col_map m = {COL_IGNORE, NULL};
    for (size_t i = 0; i < sizeof(V) / sizeof(V[0]); i++)
        if (!strcmp(t, V[i].name)) {
            m.kind = V[i].kind;
            m.target = V[i].kind == COL_IGNORE ? "ignore" : NULL;
            return m;
        }
    if (!strncmp(t, "became_", 7) && lifecycle_rank(t + 7) >= 0) {
        m.kind = COL_BECAME;
        m.target = LIFECYCLE_STAGES[lifecycle_rank(t + 7) ?
                                    lifecycle_rank(t + 7) - 1 : 7];
        return m;
    }
    int i = object_field(o, t);
    if (i >= 0 && importable(&o->fields[i])) {
        m.kind = COL_FIELD;
        m.target = o->fields[i].name;
    }
    return m;
}

/* Finds header in the --map list; 1 and *m when found. */
static int from_map(const struct object *o, const char *header,
                    const char *map, struct col_map *m)
{
    if (!map)
        return 0;
    char hk[128], buf[1024];
    mapping_key(header, hk, sizeof(hk));
    snprintf(buf, sizeof(buf), "%s", map);
    char *save = NULL;
    for (char *p = strtok_r(buf, ",", &save); p;
         p = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(p, '=');
        if (!eq)
            continue;
        *eq = '\0';
        char k[128];
        mapping_key(p, k, sizeof(k));
        if (!strcmp(k, hk)) {
            *m = by_target(o, eq + 1);
            /* the field names are static; keep them, not buf */
            return 1;
        }
    }
    return 0;
}

struct col_map mapping_column(const struct object *o, const char *header,
                              const char *map)
{
    struct col_map m = {COL_IGNORE, NULL};
    char k[128];
    if (from_map(o, header, map, &m))
        return m;
    mapping_key(header, k, sizeof(k));
    for (const struct alias *a = ALIASES; a->key; a++)
        if ((!strcmp(a->object, o->plural) || !strcmp(a->object, "*")) &&
            !strcmp(a->key, k)) {
            m.kind = a->kind;
            m.target = a->target;
            return m;
        }
    /* our own field names, written with or without underscores */
    for (int i = 0; i < o->nfields; i++) {
        char fk[64];
        mapping_key(o->fields[i].name, fk, sizeof(fk));
        if (!strcmp(fk, k) && importable(&o->fields[i])) {
            m.kind = COL_FIELD;
            m.target = o->fields[i].name;
            return m;
        }
    }
    if (!strcmp(k, "ownerid") && object_field(o, "owner_id") >= 0)
        m = (struct col_map){COL_FIELD, "owner_id"};
    return m;
}

int mapping_check(const struct object *o, const char *map, char *msg,
                  size_t len)
{
    if (!map)
        return 0;
    char buf[1024];
    if (strlen(map) >= sizeof(buf)) {
        snprintf(msg, len, "--map is too long");
        return -1;
    }
    snprintf(buf, sizeof(buf), "%s", map);
    char *save = NULL;
    for (char *p = strtok_r(buf, ",", &save); p;
         p = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(p, '=');
        if (!eq || eq == p || !eq[1]) {
            snprintf(msg, len, "\"%s\" is not COLUMN=FIELD", p);
            return -1;
        }
        struct col_map m = by_target(o, eq + 1);
        if (m.kind == COL_IGNORE && !m.target) {
            snprintf(msg, len, "\"%s\" is not a field of %s", eq + 1,
                     o->plural);
            return -1;
        }
    }
    return 0;
}

const char *mapping_stage(const char *v)
{
    static const struct { const char *k, *stage; } S[] = {
        {"subscriber", "subscriber"}, {"lead", "lead"},
        {"marketingqualifiedlead", "marketing_qualified_lead"},
        {"mql", "marketing_qualified_lead"},
        {"salesqualifiedlead", "sales_qualified_lead"},
        {"sql", "sales_qualified_lead"}, {"opportunity", "opportunity"},
        {"customer", "customer"}, {"evangelist", "evangelist"},
        {"other", "other"}};
    char k[64];
    mapping_key(v, k, sizeof(k));
    for (size_t i = 0; i < sizeof(S) / sizeof(S[0]); i++)
        if (!strcmp(k, S[i].k))
            return S[i].stage;
    return NULL;
}

const char *mapping_source(const char *v)
{
    static const struct { const char *k, *src; } S[] = {
        {"organicsearch", "organic_search"}, {"paidsearch", "paid_search"},
        {"socialmedia", "social"}, {"paidsocial", "social"},
        {"social", "social"}, {"organicsocial", "social"},
        {"emailmarketing", "email"}, {"email", "email"},
        {"referrals", "referral"}, {"referral", "referral"},
        {"directtraffic", "direct"}, {"direct", "direct"},
        {"offlinesources", "offline"}, {"offline", "offline"}};
    char k[64];
    mapping_key(v, k, sizeof(k));
    for (size_t i = 0; i < sizeof(S) / sizeof(S[0]); i++)
        if (!strcmp(k, S[i].k))
            return S[i].src;
    return "other";
}

int mapping_time(const char *v, int64_t *ms)
{
    char buf[40];
    size_t n = strlen(v);
    if (n > 30)
        return -1;
    /* with an offset or Z: as written */
    if (n > 19 && (v[n - 1] == 'Z' || v[n - 6] == '+' || v[n - 6] == '-'))
        return clock_parse_iso(v, ms);
    if (n == 10)
        snprintf(buf, sizeof(buf), "%sT00:00:00Z", v);
    else if (n == 16 && (v[10] == ' ' || v[10] == 'T'))
        snprintf(buf, sizeof(buf), "%.10sT%.5s:00Z", v, v + 11);
    else if (n == 19 && (v[10] == ' ' || v[10] == 'T'))
        snprintf(buf, sizeof(buf), "%.10sT%.8sZ", v, v + 11);
    else
        return -1;
    if (clock_parse_iso(buf, ms))
        return -1;
    char back[40];
    clock_iso(*ms, back, sizeof(back));
    if (strncmp(back, buf, 10))         /* 2026-02-30 is not a date */
        return -1;
    *ms -= BUSINESS_OFFSET_MS;
    return 0;
}

int mapping_amount(const char *v, int decimals, int64_t *out)
{
    int64_t whole = 0, frac = 0;
    int seen = 0, fd = 0, dot = 0;
    const char *p = v;
    /* a "," is a thousands separator unless it is the last separator
     * followed by one or two digits (European decimals) */
    const char *last_comma = strrchr(v, ','), *last_dot = strrchr(v, '.');
    int dots = 0;
    for (const char *q = v; *q; q++)
        dots += *q == '.';
    char dec = '.';
    if (last_comma && !last_dot && strlen(last_comma + 1) <= 2)
        dec = ',';
    else if (dots > 1 || (last_dot && last_comma && last_dot < last_comma))
        dec = ',';      /* Vietnamese "80.000.000" or "1.250,50" */
    for (; *p; p++) {
        if (*p >= '0' && *p <= '9') {
            if (dot) {
                if (fd < decimals) {
                    frac = frac * 10 + (*p - '0');
                    fd++;
                } else if (*p != '0') {
                    return -1;      /* more precision than the currency */
                }
            } else {
                if (whole > (INT64_MAX - 9) / 10)
                    return -1;
                whole = whole * 10 + (*p - '0');
            }
            seen = 1;
        } else if (*p == dec && !dot) {
            dot = 1;
        } else if ((*p == ',' || *p == '.' || *p == ' ') && !dot) {
            continue;
        } else {
            return -1;
        }
    }
    if (!seen)
        return -1;
    for (; fd < decimals; fd++)
        frac *= 10;
    int64_t scale = 1;
    for (int i = 0; i < decimals; i++)
        scale *= 10;
    if (whole > INT64_MAX / scale - 1)
        return -1;
    *out = whole * scale + frac;
    return 0;
}

const char *mapping_size_band(const char *v)
{
    static const char *const BANDS[] = {"1-10", "11-50", "51-200",
        "201-1000", "1001-5000", "5001+"};
    for (size_t i = 0; i < 6; i++)
        if (!strcmp(v, BANDS[i]))
            return BANDS[i];
    char *end;
    long n = strtol(v, &end, 10);
    if (end == v || *end || n < 1)
        return NULL;
    return n <= 10 ? BANDS[0] : n <= 50 ? BANDS[1] : n <= 200 ? BANDS[2]
         : n <= 1000 ? BANDS[3] : n <= 5000 ? BANDS[4] : BANDS[5];
}
