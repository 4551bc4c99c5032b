/* Unit tests for http/router.c: static and {id} patterns, captures copied
 * into the request's arena, trailing slashes and empty segments, 405
 * detection through path_known, and HEAD served by GET routes. */
#include <criterion/criterion.h>
#include <string.h>

#include "http/router.h"

static int h_users_list(struct req *rq, struct resp *rs)
{
    (void)rq;
    (void)rs;
    return 0;
}

static int h_users_post(struct req *rq, struct resp *rs)
{
    (void)rq;
    (void)rs;
    return 0;
}

static int h_users_get(struct req *rq, struct resp *rs)
{
    (void)rq;
    (void)rs;
    return 0;
}

static int h_other(struct req *rq, struct resp *rs)
{
    (void)rq;
    (void)rs;
    return 0;
}

static const struct route table[] = {
    {"GET", "/", h_other, R_PUBLIC, NULL},
    {"GET", "/healthz", h_other, R_PUBLIC, NULL},
    {"POST", "/api/v1/auth/login", h_other, R_PUBLIC, NULL},
    {"GET", "/api/v1/me", h_other, R_AUTH, NULL},
    {"GET", "/api/v1/users", h_users_list, R_AUTH, QUERY_PAGE},
    {"POST", "/api/v1/users", h_users_post, R_AUTH, NULL},
    {"GET", "/api/v1/users/{id}", h_users_get, R_AUTH, NULL},
    {"PATCH", "/api/v1/users/{id}", h_other, R_AUTH, NULL},
    {"DELETE", "/api/v1/tokens/{id}", h_other, R_AUTH, NULL},
    {"GET", "/api/v1/teams/{team}/members/{user}", h_other, R_AUTH, NULL},
    {0},
};

static struct router *r;
static struct req rq;

static void setup(void)
{
    memset(&rq, 0, sizeof(rq));
    arena_init(&rq.arena);
    r = router_new();
    router_add(r, table);
}

static void teardown(void)
{
    router_free(r);
    r = NULL;
    arena_release(&rq.arena);
}

/* Matches method and path; returns the route and sets *known. */
static const struct route *match(const char *method, const char *path,
                                 int *known)
{
    *known = -1;
    return router_match(r, method, path, &rq, known);
}

TestSuite(router, .init = setup, .fini = teardown);

Test(router, matches_static_path)
{
    int known;
    const struct route *rt = match("GET", "/api/v1/users", &known);
    cr_assert_not_null(rt);
    cr_assert_eq(rt->fn, h_users_list);
    cr_assert_eq(known, 1);
    cr_assert_eq(rq.nparams, 0);
    cr_assert_eq(rt->query, QUERY_PAGE);
}

Test(router, picks_route_by_method)
{
    int known;
    const struct route *rt = match("POST", "/api/v1/users", &known);
    cr_assert_not_null(rt);
    cr_assert_eq(rt->fn, h_users_post);
}

Test(router, matches_root)
{
    int known;
    const struct route *rt = match("GET", "/", &known);
    cr_assert_not_null(rt);
    cr_assert_str_eq(rt->pattern, "/");
    cr_assert_eq(rq.nparams, 0);
}

Test(router, captures_id_segment)
{
    int known;
    const struct route *rt = match("GET", "/api/v1/users/42", &known);
    cr_assert_not_null(rt);
    cr_assert_eq(rt->fn, h_users_get);
    cr_assert_eq(rq.nparams, 1);
    cr_assert_str_eq(rq.param_names[0], "id");
    cr_assert_str_eq(rq.param_values[0], "42");
    cr_assert_str_eq(req_param(&rq, "id"), "42");
    cr_assert_null(req_param(&rq, "team"));
}

Test(router, null_request_only_tests_for_a_match)
{
    int known = -1;
    const struct route *rt =
        router_match(r, "GET", "/api/v1/users/42", NULL, &known);
    cr_assert_not_null(rt);
    cr_assert_eq(rt->fn, h_users_get);
    cr_assert_eq(known, 1);
    cr_assert_null(router_match(r, "POST", "/api/v1/users/42", NULL, &known));
    cr_assert_eq(known, 1);
    cr_assert_null(router_match(r, "GET", "/api/v1/users/", NULL, &known));
    cr_assert_eq(known, 0);
}

Test(router, captures_are_copies_not_views_into_the_path)
{
    char path[] = "/api/v1/users/1234";
    int known;
    cr_assert_not_null(match("GET", path, &known));
    memset(path, 'x', sizeof(path) - 1);
    cr_assert_str_eq(req_param(&rq, "id"), "1234");
}

Test(router, captures_several_segments_in_order)
{
    int known;
    cr_assert_not_null(match("GET", "/api/v1/teams/7/members/9", &known));
    cr_assert_eq(rq.nparams, 2);
    cr_assert_str_eq(rq.param_names[0], "team");
    cr_assert_str_eq(rq.param_values[0], "7");
    cr_assert_str_eq(rq.param_names[1], "user");
    cr_assert_str_eq(rq.param_values[1], "9");
}

Test(router, capture_takes_any_nonempty_segment)
{
    int known;
    cr_assert_not_null(match("GET", "/api/v1/users/abc", &known));
    cr_assert_str_eq(req_param(&rq, "id"), "abc");
    /* the router captures text; req_param_id decides what is an id */
    int64_t id = 0;
    struct err err = {0};
    cr_assert_eq(req_param_id(&rq, "id", &id, &err), E_INVALID);
    cr_assert_str_eq(err.field, "id");
}

Test(router, captured_id_reads_as_integer)
{
    int known;
    cr_assert_not_null(match("GET", "/api/v1/users/9007", &known));
    int64_t id = 0;
    struct err err = {0};
    cr_assert_eq(req_param_id(&rq, "id", &id, &err), 0);
    cr_assert_eq(id, 9007);
}

Test(router, trailing_slash_never_matches)
{
    static const char *const paths[] = {
        "/api/v1/users/",
        "/healthz/",
        "/api/v1/users/42/",
        "/api/v1/me/",
    };
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        int known;
        cr_expect_null(match("GET", paths[i], &known), "%s", paths[i]);
        cr_expect_eq(known, 0, "%s", paths[i]);
    }
}

Test(router, empty_segments_never_match)
{
    static const char *const paths[] = {
        "//",
        "//healthz",
        "/api//v1/users",
        "/api/v1//users",
        "/api/v1/users//42",
        "/api/v1/users//",
        "",
    };
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        int known;
        cr_expect_null(match("GET", paths[i], &known), "'%s'", paths[i]);
        cr_expect_eq(known, 0, "'%s'", paths[i]);
    }
}

Test(router, path_without_leading_slash_never_matches)
{
    int known;
    cr_assert_null(match("GET", "healthz", &known));
    cr_assert_eq(known, 0);
    cr_assert_null(match("GET", "api/v1/users", &known));
    cr_assert_eq(known, 0);
}

Test(router, segments_compare_exactly)
{
    static const char *const paths[] = {
        "/HEALTHZ",     "/healthz2",     "/health",
        "/api/v1/user", "/api/v2/users", "/api/v1/users/42/extra",
        "/api/v1",
    };
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        int known;
        cr_expect_null(match("GET", paths[i], &known), "%s", paths[i]);
        cr_expect_eq(known, 0, "%s", paths[i]);
    }
}

Test(router, unknown_path_is_not_known)
{
    int known;
    cr_assert_null(match("GET", "/nowhere", &known));
    cr_assert_eq(known, 0);
}

Test(router, other_method_sets_path_known_for_405)
{
    int known;
    cr_assert_null(match("DELETE", "/api/v1/users", &known));
    cr_assert_eq(known, 1);
    cr_assert_null(match("POST", "/healthz", &known));
    cr_assert_eq(known, 1);
    cr_assert_null(match("GET", "/api/v1/tokens/5", &known));
    cr_assert_eq(known, 1);
}

Test(router, method_compare_is_exact)
{
    int known;
    cr_assert_null(match("get", "/healthz", &known));
    cr_assert_eq(known, 1);
}

Test(router, head_matches_get_route)
{
    int known;
    const struct route *rt = match("HEAD", "/api/v1/users/5", &known);
    cr_assert_not_null(rt);
    cr_assert_eq(rt->fn, h_users_get);
    cr_assert_str_eq(req_param(&rq, "id"), "5");
    cr_assert_not_null(match("HEAD", "/healthz", &known));
}

Test(router, head_does_not_match_other_methods)
{
    int known;
    cr_assert_null(match("HEAD", "/api/v1/auth/login", &known));
    cr_assert_eq(known, 1);
    cr_assert_null(match("HEAD", "/api/v1/tokens/3", &known));
    cr_assert_eq(known, 1);
}

Test(router, path_known_is_reset_on_each_call)
{
    int known = 1;
    cr_assert_null(router_match(r, "GET", "/nope", &rq, &known));
    cr_assert_eq(known, 0);
    known = 1;
    cr_assert_null(router_match(r, "GET", "/api/v1/users/", &rq, &known));
    cr_assert_eq(known, 0);
}

Test(router, too_many_segments_never_match)
{
    int known;
    cr_assert_null(match("GET", "/a/b/c/d/e/f/g/h/i/j/k/l/m/n", &known));
    cr_assert_eq(known, 0);
}

Test(router, first_added_route_wins)
{
    static const struct route extra[] = {
        {"GET", "/x/me", h_users_list, R_AUTH, NULL},
        {"GET", "/x/{id}", h_users_get, R_AUTH, NULL},
        {0},
    };
    router_add(r, extra);
    int known;
    const struct route *rt = match("GET", "/x/me", &known);
    cr_assert_not_null(rt);
    cr_assert_eq(rt->fn, h_users_list);
    rt = match("GET", "/x/12", &known);
    cr_assert_not_null(rt);
    cr_assert_eq(rt->fn, h_users_get);
    cr_assert_str_eq(req_param(&rq, "id"), "12");
}

Test(router, many_tables_grow_the_router)
{
    static const struct route big[] = {
        {"GET", "/t/0", h_other, 0, NULL},
        {"GET", "/t/1", h_other, 0, NULL},
        {"GET", "/t/2", h_other, 0, NULL},
        {"GET", "/t/3", h_other, 0, NULL},
        {"GET", "/t/4", h_other, 0, NULL},
        {"GET", "/t/5", h_other, 0, NULL},
        {"GET", "/t/6", h_other, 0, NULL},
        {"GET", "/t/7", h_other, 0, NULL},
        {"GET", "/t/8", h_other, 0, NULL},
        {"GET", "/t/9", h_other, 0, NULL},
        {"GET", "/t/10", h_other, 0, NULL},
        {"GET", "/t/11", h_other, 0, NULL},
        {"GET", "/t/12", h_other, 0, NULL},
        {"GET", "/t/13", h_other, 0, NULL},
        {"GET", "/t/14", h_other, 0, NULL},
        {"GET", "/t/15", h_other, 0, NULL},
        {"GET", "/t/16", h_other, 0, NULL},
        {"GET", "/t/17", h_other, 0, NULL},
        {"GET", "/t/18", h_other, 0, NULL},
        {"GET", "/t/19", h_other, 0, NULL},
        {"GET", "/t/20", h_other, 0, NULL},
        {"GET", "/t/21", h_other, 0, NULL},
        {"GET", "/t/22", h_other, 0, NULL},
        {"GET", "/t/23", h_other, 0, NULL},
        {"GET", "/t/24", h_users_get, 0, NULL},
        {0},
    };
    router_add(r, big); /* 10 + 25 routes: past the first capacity */
    int known;
    const struct route *rt = match("GET", "/t/24", &known);
    cr_assert_not_null(rt);
    cr_assert_eq(rt->fn, h_users_get);
    cr_assert_not_null(match("GET", "/healthz", &known));
}

Test(router, empty_router_matches_nothing)
{
    struct router *e = router_new();
    int known = 1;
    cr_assert_null(router_match(e, "GET", "/", &rq, &known));
    cr_assert_eq(known, 0);
    router_free(e);
    router_free(NULL);
}
