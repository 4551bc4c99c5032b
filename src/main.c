/* pheu: the command table (git.c style). argv[1] names the command; the
 * rest is handed to it. */
#include "cli/cli.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

const struct cli_command cli_commands[] = {
    {"serve", cmd_serve, "run the web server and API"},
    {"init", cmd_init, "create or upgrade the database"},
    {"demo", cmd_demo, "load a realistic Vietnamese demo business"},
    {"user", cmd_user, "add users, set passwords, list users"},
    {"token", cmd_token, "create API tokens"},
    {"version", cmd_version, "print the version"},
    {"help", cmd_help, "show help for a command"},
    {NULL, NULL, NULL},
};

int main(int argc, char **argv)
{
    if (sodium_init() < 0) {
        fprintf(stderr, "pheu: cannot initialise libsodium\n");
        return 1;
    }
    if (argc < 2) {
        cmd_help(0, NULL);
        return 2;
    }
    const char *name = argv[1];
    if (!strcmp(name, "--help") || !strcmp(name, "-h"))
        return cmd_help(0, NULL);
    if (!strcmp(name, "--version"))
        return cmd_version(0, NULL);
    for (const struct cli_command *c = cli_commands; c->name; c++)
        if (!strcmp(c->name, name))
            return c->fn(argc - 2, argv + 2);
    fprintf(stderr, "pheu: unknown command '%s' (see 'pheu help')\n", name);
    return 2;
}
