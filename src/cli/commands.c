/* The command table (git.c style): name, function, one-line summary. */
#include "cli/cli.h"

#include <stddef.h>

const struct cli_command cli_commands[] = {
    {"serve", cmd_serve, "run the web server and API"},
    {"init", cmd_init, "create or upgrade the database"},
    {"demo", cmd_demo, "load a realistic Vietnamese demo business"},
    {"export", cmd_export, "write contacts, companies, deals or activities "
     "as CSV or JSON"},
    {"report", cmd_report, "print a report: funnel (table, CSV or JSON)"},
    {"user", cmd_user, "add users, set passwords, list users"},
    {"token", cmd_token, "create API tokens"},
    {"import", cmd_import,
     "import contacts, companies, deals or activities from CSV"},
    {"migrate-data", cmd_migrate_data,
     "copy a database to another engine (SQLite to PostgreSQL)"},
    {"track", cmd_track, "print a tracked email link or open pixel URL"},
    {"version", cmd_version, "print the version"},
    {"help", cmd_help, "show help for a command"},
    {NULL, NULL, NULL},
};
