/* pheu: argv[1] names a command of cli_commands (src/cli/commands.c); the
 * rest is handed to it. */
#include "cli/cli.h"
#include "util/log.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (sodium_init() < 0) {
        fprintf(stderr, "pheu: cannot initialise libsodium\n");
        return 1;
    }
    atexit(log_flush);
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
