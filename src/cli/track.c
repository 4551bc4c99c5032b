/* pheu track link|open: the tracked form of an email link and the open
 * pixel of an email to a contact (what the email feature will put in
 * each message; docs/decisions/0016-tracking.md), signed with the
 * database's tracking secret. */
#include "cli/cli.h"
#include "track/token.h"
#include "util/clock.h"
#include "util/opt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define USAGE "pheu track link|open --base URL --contact ID [--campaign ID] " \
    "[--url URL]"

/* pheu track link|open ...: prints one URL. */
int cmd_track(int argc, char **argv)
{
    const char *url = DEFAULT_DB, *base = NULL, *target = NULL;
    long contact = 0, campaign = 0;
    struct opt opts[] = {
        OPT_STR("db", &url, "PHEU_DB", DB_HELP),
        OPT_STR("base", &base, "PHEU_BASE_URL",
                "Phễu's public URL, e.g. https://crm.example.vn"),
        OPT_INT("contact", &contact, NULL, "the recipient's contact id"),
        OPT_INT("campaign", &campaign, NULL, "the email's campaign id"),
        OPT_STR("url", &target, NULL, "link: where the link goes (http(s))"),
        OPT_END,
    };
    int link = argc >= 1 && !strcmp(argv[0], "link");
    if (!link && !(argc >= 1 && !strcmp(argv[0], "open"))) {
        if (argc >= 1 && !strcmp(argv[0], "--help")) {
            opt_usage(opts, USAGE);
            return 0;
        }
        fprintf(stderr, "usage: %s\n", USAGE);
        return 2;
    }
    int rc = opt_parse(argc - 1, argv + 1, opts, USAGE, NULL);
    if (rc)
        return rc == 1 ? 0 : rc;
    if (!base || contact <= 0 || campaign < 0 || (link && !target) ||
        (!link && target)) {
        fprintf(stderr, "pheu: --base and --contact are required, and "
                "--url for a link only\n");
        return 2;
    }
    if (link && !track_url_ok(target)) {
        fprintf(stderr, "pheu: --url must be an http(s) address of "
                "printable ASCII\n");
        return 2;
    }
    size_t blen = strlen(base);
    while (blen > 0 && base[blen - 1] == '/')
        blen--;
    char *b = strndup(base, blen);
    struct db *db;
    struct db_conn *c;
    struct err err = {0};
    unsigned char key[TRACK_KEYBYTES];
    char *out = NULL;
    if (cli_open_db(url, &db)) {
        free(b);
        return 1;
    }
    rc = db_conn_get(db, &c, &err);
    if (!rc)
        rc = track_secret(c, key, &err);
    if (!rc)
        out = link ? track_link_url(key, b, contact, campaign, target,
                                    clock_now_ms())
                   : track_open_url(key, b, contact, campaign,
                                    clock_now_ms());
    rc = rc ? cli_fail(&err) : 0;
    if (out)
        printf("%s\n", out);
    free(out);
    free(b);
    db_close(db);
    return rc;
}
