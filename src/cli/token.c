/* pheu token create: an API token for a user, printed once. */
#include "cli/cli.h"
#include "model/auth.h"
#include "model/principal.h"
#include "store/q_user.h"
#include "util/opt.h"

#include <stdio.h>
#include <string.h>

/* pheu token create --email E --name N: prints only the token. */
static int token_create(int argc, char **argv)
{
    const char *url = DEFAULT_DB, *email = NULL, *name = NULL;
    struct opt opts[] = {
        OPT_STR("db", &url, "PHEU_DB", DB_HELP),
        OPT_STR("email", &email, NULL, "the user the token acts as"),
        OPT_STR("name", &name, NULL, "what the token is for"),
        OPT_END,
    };
    int rc = opt_parse(argc, argv, opts, "pheu token create --email E "
                       "--name N", NULL);
    if (rc)
        return rc == 1 ? 0 : rc;
    if (!email || !name || !*name) {
        fprintf(stderr, "pheu: --email and --name are required\n");
        return 2;
    }
    struct db *db;
    if (cli_open_db(url, &db))
        return 1;
    struct err err = {0};
    struct arena a;
    struct db_conn *c;
    struct user u;
    char tok[96], lower[256];
    int64_t id;
    snprintf(lower, sizeof(lower), "%s", email);
    for (char *p = lower; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    arena_init(&a);
    rc = db_conn_get(db, &c, &err);
    if (!rc)
        rc = q_user_by_email(c, lower, &u, NULL, &a, &err);
    if (rc == E_NOTFOUND)
        err_set(&err, E_NOTFOUND, NULL, "no user with email %s", email);
    if (!rc)
        rc = db_begin_write(c, &err);
    if (!rc) {
        rc = auth_token_create(c, 0, u.id, name, tok, sizeof(tok), &id,
                               &err);
        if (!rc)
            rc = db_commit(c, &err);
        if (rc)
            db_rollback(c);
    }
    rc = rc ? cli_fail(&err) : 0;
    if (!rc)
        printf("%s\n", tok);
    arena_release(&a);
    db_close(db);
    return rc;
}

/* pheu token create */
int cmd_token(int argc, char **argv)
{
    if (argc >= 1 && !strcmp(argv[0], "create"))
        return token_create(argc - 1, argv + 1);
    if (argc >= 1 && !strcmp(argv[0], "--help")) {
        printf("usage: pheu token create --email E --name N\n");
        return 0;
    }
    fprintf(stderr, "usage: pheu token create --email E --name N\n");
    return 2;
}
