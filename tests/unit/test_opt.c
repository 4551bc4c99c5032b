/* Unit tests for util/opt.c: "--name value" and "--name=value", flags,
 * integers, environment fallbacks, positional arguments, bad usage (2)
 * and --help (1). */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdlib.h>
#include <string.h>

#include "util/opt.h"

#define ENV_DB "PHEU_TEST_OPT_DB"
#define ENV_PORT "PHEU_TEST_OPT_PORT"

static const char *db;
static long port;
static int verbose;

static const struct opt opts[] = {
    OPT_STR("db", &db, ENV_DB, "database file"),
    OPT_INT("port", &port, ENV_PORT, "port to listen on"),
    OPT_FLAG("verbose", &verbose, "say more"),
    OPT_END,
};

static void setup(void)
{
    db = NULL;
    port = -1;
    verbose = 0;
    unsetenv(ENV_DB);
    unsetenv(ENV_PORT);
    cr_redirect_stderr();
}

static void teardown(void)
{
    unsetenv(ENV_DB);
    unsetenv(ENV_PORT);
}

TestSuite(opt, .init = setup, .fini = teardown);

/* Parses argc arguments (opt_parse reorders argv in place). */
static int parse(int *npos, char **argv, int argc)
{
    return opt_parse(argc, argv, opts, "pheu test [options]", npos);
}

#define ARGV(...) ((char *[]){__VA_ARGS__})
#define ARGC(...) ((int)(sizeof((char *[]){__VA_ARGS__}) / sizeof(char *)))
#define PARSE(npos, ...) parse((npos), ARGV(__VA_ARGS__), ARGC(__VA_ARGS__))

Test(opt, name_space_value)
{
    cr_assert_eq(PARSE(NULL, "--db", "a.db", "--port", "8080"), 0);
    cr_assert_str_eq(db, "a.db");
    cr_assert_eq(port, 8080);
    cr_assert_eq(verbose, 0);
}

Test(opt, name_equals_value)
{
    cr_assert_eq(PARSE(NULL, "--db=b.db", "--port=-3"), 0);
    cr_assert_str_eq(db, "b.db");
    cr_assert_eq(port, -3);
}

Test(opt, equals_value_may_contain_equals_and_be_empty)
{
    cr_assert_eq(PARSE(NULL, "--db=sqlite:x=y.db"), 0);
    cr_assert_str_eq(db, "sqlite:x=y.db");
    cr_assert_eq(PARSE(NULL, "--db="), 0);
    cr_assert_str_eq(db, "");
}

Test(opt, value_may_start_with_dashes)
{
    cr_assert_eq(PARSE(NULL, "--db", "--weird"), 0);
    cr_assert_str_eq(db, "--weird");
}

Test(opt, flag_sets_one)
{
    cr_assert_eq(PARSE(NULL, "--verbose"), 0);
    cr_assert_eq(verbose, 1);
}

Test(opt, flag_with_value_is_bad_usage)
{
    cr_assert_eq(PARSE(NULL, "--verbose=yes"), 2);
}

Test(opt, no_arguments_leave_defaults)
{
    char *argv[] = {NULL};
    int npos = -1;
    cr_assert_eq(opt_parse(0, argv, opts, "u", &npos), 0);
    cr_assert_eq(npos, 0);
    cr_assert_null(db);
    cr_assert_eq(port, -1);
}

Test(opt, later_value_wins)
{
    cr_assert_eq(PARSE(NULL, "--db", "one", "--db=two"), 0);
    cr_assert_str_eq(db, "two");
}

Test(opt, unknown_option_is_bad_usage)
{
    cr_assert_eq(PARSE(NULL, "--nope"), 2);
    cr_assert_eq(PARSE(NULL, "--nope=1"), 2);
    cr_assert_eq(PARSE(NULL, "--d", "x"), 2); /* no prefix match */
    cr_assert_eq(PARSE(NULL, "--dbx", "x"), 2);
    cr_assert_eq(PARSE(NULL, "--DB", "x"), 2);
}

Test(opt, missing_value_is_bad_usage)
{
    cr_assert_eq(PARSE(NULL, "--db"), 2);
    cr_assert_eq(PARSE(NULL, "--verbose", "--port"), 2);
}

Test(opt, bad_integer_is_bad_usage)
{
    static const char *const bad[] = {"",    "abc", "12x",
                                      "1.5", " ",   "99999999999999999999999"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char *argv[] = {"--port", (char *)bad[i]};
        cr_expect_eq(opt_parse(2, argv, opts, "u", NULL), 2, "'%s'", bad[i]);
    }
}

Test(opt, help_returns_one_and_prints_usage)
{
    cr_redirect_stdout();
    cr_assert_eq(PARSE(NULL, "--db", "x", "--help"), 1);
    fflush(stdout);
    cr_assert_stdout_eq_str(
        "usage: pheu test [options]\n"
        "  --db <value>             database file [env " ENV_DB "]\n"
        "  --port <value>           port to listen on [env " ENV_PORT "]\n"
        "  --verbose                say more\n"
        "  --help                   show this help\n");
}

Test(opt, env_fills_options_not_given)
{
    setenv(ENV_DB, "env.db", 1);
    setenv(ENV_PORT, "9090", 1);
    cr_assert_eq(PARSE(NULL, "--verbose"), 0);
    cr_assert_str_eq(db, "env.db");
    cr_assert_eq(port, 9090);
}

Test(opt, command_line_beats_env)
{
    setenv(ENV_DB, "env.db", 1);
    setenv(ENV_PORT, "9090", 1);
    cr_assert_eq(PARSE(NULL, "--db", "line.db", "--port=1"), 0);
    cr_assert_str_eq(db, "line.db");
    cr_assert_eq(port, 1);
}

Test(opt, empty_env_is_ignored)
{
    setenv(ENV_DB, "", 1);
    cr_assert_eq(PARSE(NULL, "--verbose"), 0);
    cr_assert_null(db);
}

Test(opt, bad_integer_in_env_is_bad_usage)
{
    setenv(ENV_PORT, "eighty", 1);
    cr_assert_eq(PARSE(NULL, "--verbose"), 2);
}

Test(opt, bad_env_is_not_read_when_given_on_the_line)
{
    setenv(ENV_PORT, "eighty", 1);
    cr_assert_eq(PARSE(NULL, "--port", "80"), 0);
    cr_assert_eq(port, 80);
}

Test(opt, positionals_move_to_the_front_in_order)
{
    char *argv[] = {"first", "--db", "x.db", "second", "--verbose", "third"};
    int npos = -1;
    cr_assert_eq(opt_parse(6, argv, opts, "u", &npos), 0);
    cr_assert_eq(npos, 3);
    cr_assert_str_eq(argv[0], "first");
    cr_assert_str_eq(argv[1], "second");
    cr_assert_str_eq(argv[2], "third");
    cr_assert_str_eq(db, "x.db");
    cr_assert_eq(verbose, 1);
}

Test(opt, single_dash_and_double_dash_alone_are_positional)
{
    char *argv[] = {"-", "--", "-x"};
    int npos = -1;
    cr_assert_eq(opt_parse(3, argv, opts, "u", &npos), 0);
    cr_assert_eq(npos, 3);
    cr_assert_str_eq(argv[0], "-");
    cr_assert_str_eq(argv[1], "--");
    cr_assert_str_eq(argv[2], "-x");
}

Test(opt, positional_refused_when_none_allowed)
{
    cr_assert_eq(PARSE(NULL, "--db", "x", "stray"), 2);
}

Test(opt, usage_lists_every_option)
{
    cr_redirect_stdout();
    opt_usage(opts, "pheu x");
    fflush(stdout);
    cr_assert_stdout_eq_str(
        "usage: pheu x\n"
        "  --db <value>             database file [env " ENV_DB "]\n"
        "  --port <value>           port to listen on [env " ENV_PORT "]\n"
        "  --verbose                say more\n"
        "  --help                   show this help\n");
}
