/* Helpers shared by the commands. */
#include "cli/cli.h"
#include "store/migrate.h"

#include <stdio.h>
#include <string.h>

int cli_open_db(const char *url, struct db **out)
{
    struct err err = {0};
    int applied = 0;
    int rc = db_open(url, out, &err);
    if (rc)
        return cli_fail(&err);
    rc = migrate_run(*out, &applied, &err);
    if (rc) {
        db_close(*out);
        *out = NULL;
        return cli_fail(&err);
    }
    return 0;
}

int cli_fail(const struct err *err)
{
    if (err->field)
        fprintf(stderr, "pheu: %s: %s\n", err->field, err->msg);
    else
        fprintf(stderr, "pheu: %s\n", err->msg[0] ? err->msg : "failed");
    return 1;
}

int cli_read_stdin_line(char *buf, size_t len)
{
    if (!fgets(buf, (int)len, stdin)) {
        fprintf(stderr, "pheu: expected the password on standard input\n");
        return 1;
    }
    size_t n = strcspn(buf, "\r\n");
    if (buf[n] == '\0' && n == len - 1) {
        fprintf(stderr, "pheu: password too long\n");
        return 1;
    }
    buf[n] = '\0';
    return 0;
}
