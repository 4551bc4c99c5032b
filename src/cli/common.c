/* Helpers shared by the commands. */
#include "cli/cli.h"
#include "store/migrate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QUERY_MAX_ARGS 64   /* arguments in one --filter */

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

/* The value of a hex digit, or -1. */
static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes %XX escapes of s in place ('+' stays a plus: phone numbers);
 * -1 on a malformed or NUL escape. */
static int unescape(char *s)
{
    char *w = s;
    for (const char *r = s; *r; r++) {
        if (*r != '%') {
            *w++ = *r;
            continue;
        }
        int hi = r[1] ? hexval(r[1]) : -1, lo = hi >= 0 ? hexval(r[2]) : -1;
        if (hi < 0 || lo < 0 || (hi | lo) == 0)
            return -1;
        *w++ = (char)(hi * 16 + lo);
        r += 2;
    }
    *w = '\0';
    return 0;
}

int cli_read_query(const char *query, cli_query_fn fn, void *ctx,
                   struct db_conn *c, struct err *err)
{
    char *copy = strdup(query), *save = NULL;
    const char *seen[QUERY_MAX_ARGS];
    int nseen = 0, rc = 0;
    if (!copy)
        return err_set(err, E_INTERNAL, NULL, "out of memory");
    for (char *p = strtok_r(copy, "&", &save); p && !rc;
         p = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(p, '=');
        if (!eq) {
            rc = err_set(err, E_INVALID, "filter", "'%.40s' is not "
                         "key=value", p);
            break;
        }
        *eq = '\0';
        if (unescape(p) || unescape(eq + 1)) {
            rc = err_set(err, E_INVALID, "filter", "bad %%-escape in "
                         "'%.40s'", p);
            break;
        }
        for (int i = 0; i < nseen && !rc; i++)
            if (!strcmp(seen[i], p))
                rc = err_set(err, E_INVALID, "filter", "'%.40s' is given "
                             "twice", p);
        if (!rc && nseen == QUERY_MAX_ARGS)
            rc = err_set(err, E_INVALID, "filter", "too many arguments");
        if (!rc) {
            seen[nseen++] = p;
            rc = fn(p, eq + 1, ctx, c, err);
        }
    }
    free(copy);
    return rc;
}

int cli_report(const char *url, const char *format, cli_report_run_fn run,
               void *ctx, cli_report_print_fn print)
{
    struct db *db = NULL;
    struct db_conn *c;
    struct err err = {0};
    json_t *doc = NULL;
    int rc = 0;
    if (strcmp(format, "table") && strcmp(format, "csv") &&
        strcmp(format, "json")) {
        fprintf(stderr, "pheu: --format must be table, csv or json\n");
        return 2;
    }
    if (cli_open_db(url, &db))
        return 1;
    if (db_conn_get(db, &c, &err) || run(c, ctx, &doc, &err))
        rc = cli_fail(&err);
    if (!rc && strcmp(format, "json")) {
        rc = print(doc, format);
    } else if (!rc) {
        char *s = json_dumps(doc, JSON_COMPACT);
        rc = s && printf("%s\n", s) > 0 ? 0 : 1;
        free(s);
    }
    json_decref(doc);
    db_close(db);
    return rc;
}
