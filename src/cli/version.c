/* pheu version: the version and the libraries it runs on. */
#include "cli/cli.h"
#include "util/opt.h"

#include <jansson.h>
#include <microhttpd.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>

/* pheu version: one line. */
int cmd_version(int argc, char **argv)
{
    static const struct opt opts[] = {OPT_END};
    int rc = opt_parse(argc, argv, opts, "pheu version", NULL);
    if (rc)
        return rc == 1 ? 0 : rc;
    printf("pheu %s (sqlite %s, libmicrohttpd %s, jansson %s, libsodium "
           "%s)\n", PHEU_VERSION, sqlite3_libversion(), MHD_get_version(),
           JANSSON_VERSION, sodium_version_string());
    return 0;
}
