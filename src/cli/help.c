/* pheu help [command]: the command list, or one command's options. */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

/* pheu help [command] */
int cmd_help(int argc, char **argv)
{
    if (argc > 0) {
        for (const struct cli_command *c = cli_commands; c->name; c++) {
            if (!strcmp(c->name, argv[0]) && c->fn != cmd_help) {
                char help[] = "--help";
                char *args[] = {help, NULL};
                c->fn(1, args);
                return 0;
            }
        }
        if (strcmp(argv[0], "help") != 0) {
            fprintf(stderr, "pheu: unknown command '%s'\n", argv[0]);
            return 2;
        }
    }
    printf("Phễu — sales & marketing platform\n\n"
           "usage: pheu <command> [options]\n\ncommands:\n");
    for (const struct cli_command *c = cli_commands; c->name; c++)
        printf("  %-13s %s\n", c->name, c->summary);
    printf("\n'pheu help <command>' or 'pheu <command> --help' shows its "
           "options.\nEvery command takes --db: a SQLite path or a "
           "postgres:// URL\n(default %s, or PHEU_DB).\n", DEFAULT_DB);
    return 0;
}
