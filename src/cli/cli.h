/* The command-line interface: one file per command (git's builtin/),
 * registered in main.c. Exit codes: 0 ok, 1 failure, 2 bad usage. */
#ifndef PHEU_CLI_CLI_H
#define PHEU_CLI_CLI_H

#include <jansson.h>
#include <stddef.h>

#include "store/db.h"

#define PHEU_VERSION "0.1.0"
#define DEFAULT_DB "./pheu.db"
#define DB_HELP "database: SQLite path or postgres:// URL"

/* Each command gets the arguments after its name. */
int cmd_serve(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_report_attribution(int argc, char **argv);
int cmd_report_campaigns(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_migrate_data(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_help(int argc, char **argv);
int cmd_track(int argc, char **argv);

/* Opens url (creating a SQLite file when missing) and applies pending
 * migrations; prints the reason and returns 1 on failure. */
int cli_open_db(const char *url, struct db **out);
/* Prints "pheu: <message>" (with the field) and returns 1. */
int cli_fail(const struct err *err);
/* Reads one line (the password) from standard input into buf, without
 * the newline; returns 0 or prints why and returns 1. */
int cli_read_stdin_line(char *buf, size_t len);

/* Feeds "key=value&key=value" (percent-encoded as in a URL; '+' stays
 * a plus: phone numbers) to fn one argument at a time, as the API reads
 * a query string: a repeated key or a malformed part is E_INVALID
 * naming "filter". Stops at fn's first error. */
typedef int (*cli_query_fn)(const char *key, const char *value, void *ctx,
                            struct db_conn *c, struct err *err);
int cli_read_query(const char *query, cli_query_fn fn, void *ctx,
                   struct db_conn *c, struct err *err);

/* A report of `pheu report`: run builds its document into *doc (a new
 * reference) on connection c from the options in ctx; print writes it in
 * format "table" or "csv" and returns 0, or 1 when writing failed. */
typedef int (*cli_report_run_fn)(struct db_conn *c, void *ctx, json_t **doc,
                                 struct err *err);
typedef int (*cli_report_print_fn)(const json_t *doc, const char *format);
/* Checks format (table, csv or json; else prints why and returns 2),
 * opens url, runs the report and prints it: json as the API's document
 * on one line, the other formats with print. Returns the exit code: 0,
 * 1 when the database or the report failed (printed), 2. */
int cli_report(const char *url, const char *format, cli_report_run_fn run,
               void *ctx, cli_report_print_fn print);

/* The command table, for help. */
struct cli_command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
};
extern const struct cli_command cli_commands[];

#endif
