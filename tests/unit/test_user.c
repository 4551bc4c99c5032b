/* Unit tests for model/user.c: body validation, normalisation and the
 * rules of who may change what (SPEC §1, App. C). */
#include <criterion/criterion.h>
#include <string.h>

#include "model/user.h"

static struct arena a;
static struct err err;
static json_t *doc;     /* the last parsed body; *in may point into it */

static void setup(void)
{
    arena_init(&a);
    memset(&err, 0, sizeof(err));
}

static void teardown(void)
{
    arena_release(&a);
    json_decref(doc);
    doc = NULL;
}

/* Parses text as JSON and runs user_from_json on it. */
static int parse(const char *text, int creating, struct user_in *in)
{
    json_error_t je;
    json_t *v = json_loads(text, 0, &je);
    cr_assert_not_null(v, "test JSON is malformed: %s", text);
    json_decref(doc);
    doc = v;
    return user_from_json(v, creating, in, &a, &err);
}

TestSuite(user, .init = setup, .fini = teardown);

Test(user, create_needs_email_name_role)
{
    struct user_in in;
    cr_assert_eq(parse("{\"name\":\"An\",\"role\":\"admin\"}", 1, &in),
                 E_INVALID);
    cr_assert_str_eq(err.field, "email");
    cr_assert_eq(parse("{\"email\":\"a@b.vn\",\"role\":\"admin\"}", 1, &in),
                 E_INVALID);
    cr_assert_str_eq(err.field, "name");
    cr_assert_eq(parse("{\"email\":\"a@b.vn\",\"name\":\"An\"}", 1, &in),
                 E_INVALID);
    cr_assert_str_eq(err.field, "role");
}

Test(user, email_is_lower_cased_and_name_nfc)
{
    struct user_in in;
    /* "Nguyễn" written decomposed (NFD): e + circumflex + tilde */
    cr_assert_eq(parse("{\"email\":\"An.Nguyen@Demo.VN\",\"name\":"
                       "\"Nguye\\u0302\\u0303n\",\"role\":\"sales_rep\"}",
                       1, &in), 0);
    cr_assert_str_eq(in.email, "an.nguyen@demo.vn");
    cr_assert_str_eq(in.name, "Nguy\xe1\xbb\x85n");
    cr_assert_eq(in.role, ROLE_SALES_REP);
}

Test(user, unknown_field_is_refused_by_name)
{
    struct user_in in;
    cr_assert_eq(parse("{\"email\":\"a@b.vn\",\"name\":\"An\",\"role\":"
                       "\"admin\",\"salary\":1}", 1, &in), E_INVALID);
    cr_assert_str_eq(err.field, "salary");
}

Test(user, bad_values_name_their_field)
{
    static const struct {
        const char *body, *field;
        int code;
    } cases[] = {
        {"{\"role\":\"boss\"}", "role", E_INVALID},
        {"{\"role\":7}", "role", E_INVALID},
        {"{\"email\":\"no-at-sign\"}", "email", E_RULE},
        {"{\"email\":\"a b@c.vn\"}", "email", E_RULE},
        {"{\"email\":\"\\u00e1@c.vn\"}", "email", E_RULE},
        {"{\"password\":\"short\"}", "password", E_RULE},
        {"{\"locale\":\"fr\"}", "locale", E_INVALID},
        {"{\"sales_mode\":\"hybrid\"}", "sales_mode", E_INVALID},
        {"{\"team_id\":0}", "team_id", E_INVALID},
        {"{\"team_id\":\"3\"}", "team_id", E_INVALID},
        {"{\"active\":1}", "active", E_INVALID},
        {"{\"name\":\"\"}", "name", E_INVALID},
        {"{\"name\":\"a\\u0007b\"}", "name", E_INVALID},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct user_in in;
        memset(&err, 0, sizeof(err));
        cr_expect_eq(parse(cases[i].body, 0, &in), cases[i].code,
                     "body %s", cases[i].body);
        cr_expect_str_eq(err.field ? err.field : "(none)", cases[i].field,
                         "body %s", cases[i].body);
    }
}

Test(user, update_fields_are_optional_and_null_clears_team)
{
    struct user_in in;
    cr_assert_eq(parse("{\"team_id\":null,\"locale\":\"en\"}", 0, &in), 0);
    cr_assert(in.has_team);
    cr_assert_eq(in.team_id, 0);
    cr_assert_str_eq(in.locale, "en");
    cr_assert_eq(in.role, ROLE_NONE);
    cr_assert_null(in.email);
}

Test(user, to_json_has_the_api_fields_and_no_secret)
{
    struct user u = {.id = 7, .email = "a@b.vn", .name = "An",
                     .role = ROLE_MARKETER, .team_id = 0, .locale = "vi",
                     .active = 1, .created_at = 1772353800000LL,
                     .updated_at = 1772353800000LL};
    json_t *j = user_to_json(&u);
    char *s = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
    cr_assert_str_eq(s, "{\"active\":true,\"created_at\":"
                     "\"2026-03-01T08:30:00Z\",\"email\":\"a@b.vn\","
                     "\"id\":7,\"locale\":\"vi\",\"name\":\"An\","
                     "\"phone\":null,\"role\":\"marketer\",\"sales_mode\":"
                     "null,\"team_id\":null,\"updated_at\":"
                     "\"2026-03-01T08:30:00Z\"}");
    free(s);
    json_decref(j);
}
