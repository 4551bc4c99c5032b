/* pheu user add|passwd|list: manage users from the shell (the first admin
 * of a new installation is made here). */
#include "cli/cli.h"
#include "model/user.h"
#include "store/q_team.h"
#include "store/q_user.h"
#include "util/opt.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Resolves --team given as an id or an exact team name. */
static int team_lookup(struct db *db, const char *t, int64_t *id)
{
    struct db_conn *c;
    struct err err = {0};
    char *end;
    long long v = strtoll(t, &end, 10);
    if (db_conn_get(db, &c, &err))
        return cli_fail(&err);
    if (*t && !*end && v > 0) {
        *id = v;
        return 0;
    }
    if (db_int(c, &err, id, "SELECT id FROM teams WHERE name = ?", "t", t)) {
        fprintf(stderr, "pheu: no team named '%s'\n", t);
        return 1;
    }
    return 0;
}

/* pheu user add --email E --name N --role R [--team T] [--password-stdin] */
static int user_add(int argc, char **argv)
{
    const char *url = DEFAULT_DB, *email = NULL, *name = NULL, *role = NULL;
    const char *team = NULL;
    int pw_stdin = 0;
    struct opt opts[] = {
        OPT_STR("db", &url, "PHEU_DB", DB_HELP),
        OPT_STR("email", &email, NULL, "login email"),
        OPT_STR("name", &name, NULL, "full name"),
        OPT_STR("role", &role, NULL, "one of the roles of SPEC §1"),
        OPT_STR("team", &team, NULL, "team id or name"),
        OPT_FLAG("password-stdin", &pw_stdin, "read the password from stdin"),
        OPT_END,
    };
    const char *usage = "pheu user add --email E --name N --role R "
                        "[--team T] [--password-stdin]";
    int rc = opt_parse(argc, argv, opts, usage, NULL);
    if (rc)
        return rc == 1 ? 0 : rc;
    if (!email || !name || !role) {
        fprintf(stderr, "pheu: --email, --name and --role are required\n");
        return 2;
    }
    if (role_parse(role) == ROLE_NONE) {
        fprintf(stderr, "pheu: unknown role '%s'\n", role);
        return 2;
    }
    char pw[1100] = "";
    if (pw_stdin && cli_read_stdin_line(pw, sizeof(pw)))
        return 1;
    struct db *db;
    if (cli_open_db(url, &db))
        return 1;
    struct err err = {0};
    struct arena a;
    arena_init(&a);
    json_t *body = json_pack("{s:s, s:s, s:s}", "email", email, "name", name,
                             "role", role);
    if (pw_stdin)
        json_object_set_new(body, "password", json_string(pw));
    int64_t tid = 0, id = 0;
    rc = team ? team_lookup(db, team, &tid) : 0;
    if (!rc && tid)
        json_object_set_new(body, "team_id", json_integer(tid));
    struct user_in in;
    struct user u = {0};
    struct db_conn *c;
    if (!rc) {
        rc = user_from_json(body, 1, &in, &a, &err);
        if (!rc)
            rc = db_conn_get(db, &c, &err);
        if (!rc)
            rc = user_create(c, NULL, &in, &u, &a, &err);
        id = u.id;
        rc = rc ? cli_fail(&err) : 0;
    }
    if (!rc)
        printf("%lld\n", (long long)id);
    sodium_memzero(pw, sizeof(pw));
    json_decref(body);
    arena_release(&a);
    db_close(db);
    return rc;
}

/* pheu user passwd --email E --password-stdin */
static int user_passwd(int argc, char **argv)
{
    const char *url = DEFAULT_DB, *email = NULL;
    int pw_stdin = 0;
    struct opt opts[] = {
        OPT_STR("db", &url, "PHEU_DB", DB_HELP),
        OPT_STR("email", &email, NULL, "the user's email"),
        OPT_FLAG("password-stdin", &pw_stdin, "read the password from stdin"),
        OPT_END,
    };
    int rc = opt_parse(argc, argv, opts, "pheu user passwd --email E "
                       "--password-stdin", NULL);
    if (rc)
        return rc == 1 ? 0 : rc;
    if (!email || !pw_stdin) {
        fprintf(stderr, "pheu: --email and --password-stdin are required\n");
        return 2;
    }
    char pw[1100];
    if (cli_read_stdin_line(pw, sizeof(pw)))
        return 1;
    struct db *db;
    if (cli_open_db(url, &db))
        return 1;
    struct err err = {0};
    struct arena a;
    struct db_conn *c;
    struct user u, out;
    arena_init(&a);
    json_t *body = json_pack("{s:s}", "email", email);
    struct user_in in;
    rc = user_from_json(body, 0, &in, &a, &err);
    if (!rc)
        rc = db_conn_get(db, &c, &err);
    if (!rc)
        rc = q_user_by_email(c, in.email, &u, NULL, &a, &err);
    if (rc == E_NOTFOUND)
        err_set(&err, E_NOTFOUND, NULL, "no user with email %s", email);
    struct user_in pin = {.role = ROLE_NONE, .password = pw};
    if (!rc)
        rc = user_check_password(pw, &err);
    if (!rc)
        rc = user_update(c, NULL, u.id, &pin, &out, &a, &err);
    rc = rc ? cli_fail(&err) : 0;
    if (!rc)
        printf("password changed for %s\n", u.email);
    sodium_memzero(pw, sizeof(pw));
    json_decref(body);
    arena_release(&a);
    db_close(db);
    return rc;
}

/* pheu user list: one user a line, ordered by email. */
static int user_list(int argc, char **argv)
{
    const char *url = DEFAULT_DB;
    struct opt opts[] = {
        OPT_STR("db", &url, "PHEU_DB", DB_HELP),
        OPT_END,
    };
    int rc = opt_parse(argc, argv, opts, "pheu user list [--db PATH]", NULL);
    if (rc)
        return rc == 1 ? 0 : rc;
    struct db *db;
    if (cli_open_db(url, &db))
        return 1;
    struct err err = {0};
    struct arena a;
    struct db_conn *c;
    struct user *list;
    int n = 0;
    arena_init(&a);
    rc = db_conn_get(db, &c, &err);
    if (!rc)
        rc = q_user_all(c, &list, &n, &a, &err);
    if (rc)
        rc = cli_fail(&err);
    for (int i = 0; !rc && i < n; i++)
        printf("%s\t%s\t%s\t%s\n", list[i].email, list[i].name,
               role_name(list[i].role), list[i].active ? "active"
                                                        : "inactive");
    arena_release(&a);
    db_close(db);
    return rc;
}

/* pheu user add|passwd|list */
int cmd_user(int argc, char **argv)
{
    static const char usage[] = "usage: pheu user add|passwd|list "
                                "[options]\n";
    if (argc < 1 || !strcmp(argv[0], "--help")) {
        fputs(usage, argc < 1 ? stderr : stdout);
        return argc < 1 ? 2 : 0;
    }
    if (!strcmp(argv[0], "add"))
        return user_add(argc - 1, argv + 1);
    if (!strcmp(argv[0], "passwd"))
        return user_passwd(argc - 1, argv + 1);
    if (!strcmp(argv[0], "list"))
        return user_list(argc - 1, argv + 1);
    fprintf(stderr, "pheu: unknown user command '%s'\n", argv[0]);
    return 2;
}
