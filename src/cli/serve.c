/* pheu serve: open (and migrate) the database, then run the HTTP server
 * until SIGINT or SIGTERM. */
#include "api/api.h"
#include "cli/cli.h"
#include "api/imports.h"
#include "api/track.h"
#include "api/forms.h"
#include "http/server.h"
#include "model/principal.h"
#include "util/log.h"
#include "util/opt.h"

#include <limits.h>
#include <stdio.h>

/* Prints the URL on standard output once listening. */
static void ready(const char *url)
{
    printf("Phễu is running at %s\n", url);
    fflush(stdout);
}

/* Whether option value v is LONG_MIN (not given) or within [lo, hi]. */
static int given_in(long v, long lo, long hi)
{
    return v == LONG_MIN || (v >= lo && v <= hi);
}

/* v, or 0 (the default) when not given. */
static long or_default(long v)
{
    return v == LONG_MIN ? 0 : v;
}

/* pheu serve [--db PATH] [--listen HOST:PORT] [--workers N] */
int cmd_serve(int argc, char **argv)
{
    const char *url = DEFAULT_DB, *listen = "127.0.0.1:8080";
    const char *level = "info", *proxies = NULL;
    long workers = 2;
    /* LONG_MIN: not given (the default); any given value is checked, so
     * a 0 or -1 cannot pass for "default" */
    long track_rate = LONG_MIN, track_burst = LONG_MIN, track_ms = LONG_MIN;
    long track_mb = LONG_MIN, track_busy = LONG_MIN, track_defer = LONG_MIN;
    long form_rate = LONG_MIN, form_burst = LONG_MIN;
    int secure = 0;
    struct opt opts[] = {
        OPT_STR("db", &url, "PHEU_DB", DB_HELP),
        OPT_STR("listen", &listen, "PHEU_LISTEN", "address to serve on"),
        OPT_INT("workers", &workers, "PHEU_WORKERS", "HTTP worker threads"),
        OPT_STR("log-level", &level, "PHEU_LOG",
                "debug, info, warn, error or off"),
        OPT_FLAG("secure-cookies", &secure,
                 "mark cookies Secure (behind TLS)"),
        OPT_STR("trusted-proxies", &proxies, "PHEU_TRUSTED_PROXIES",
                "reverse proxies whose X-Forwarded-For names the client: "
                "addresses or CIDR ranges, comma-separated"),
        OPT_INT("track-rate", &track_rate, "PHEU_TRACK_RATE",
                "tracking hits per second per client address (20)"),
        OPT_INT("track-burst", &track_burst, "PHEU_TRACK_BURST",
                "tracking hits a client address may send at once (100)"),
        OPT_INT("track-batch-ms", &track_ms, "PHEU_TRACK_BATCH_MS",
                "longest wait before tracking hits are written (50)"),
        OPT_INT("track-queue-mb", &track_mb, "PHEU_TRACK_QUEUE_MB",
                "memory for tracking hits waiting to be written, MiB (256)"),
        OPT_INT("track-busy-rate", &track_busy, "PHEU_TRACK_BUSY_RATE",
                "tracking hits per second above which writing waits for "
                "the burst to pass (5000)"),
        OPT_INT("track-defer-ms", &track_defer, "PHEU_TRACK_DEFER_MS",
                "longest such wait for a hit; 0: never wait (30000)"),
        OPT_INT("form-rate", &form_rate, "PHEU_FORM_RATE",
                "form submissions per second per client address (1)"),
        OPT_INT("form-burst", &form_burst, "PHEU_FORM_BURST",
                "form submissions a client address may send at once (20)"),
        OPT_END,
    };
    int rc = opt_parse(argc, argv, opts, "pheu serve [--db PATH] [--listen "
                       "HOST:PORT] [--workers N]", NULL);
    if (rc)
        return rc == 1 ? 0 : rc;
    enum log_level lvl;
    if (log_parse_level(level, &lvl)) {
        fprintf(stderr, "pheu: unknown log level '%s'\n", level);
        return 2;
    }
    if (workers < 1 || workers > 256) {
        fprintf(stderr, "pheu: --workers must be from 1 to 256\n");
        return 2;
    }
    if (!given_in(track_rate, 1, 1000000) ||
        !given_in(track_burst, 1, 1000000) || !given_in(track_ms, 1, 60000)) {
        fprintf(stderr, "pheu: --track-rate and --track-burst must be from "
                "1 to 1000000, --track-batch-ms from 1 to 60000\n");
        return 2;
    }
    if ((track_mb != LONG_MIN && (track_mb < 1 || track_mb > 65536)) ||
        (track_busy != LONG_MIN && (track_busy < 1 ||
                                    track_busy > 100000000)) ||
        (track_defer != LONG_MIN && (track_defer < 0 ||
                                     track_defer > 3600000))) {
        fprintf(stderr, "pheu: --track-queue-mb must be from 1 to 65536, "
                "--track-busy-rate from 1 to 100000000, --track-defer-ms "
                "from 0 to 3600000\n");
        return 2;
    }
    if (!given_in(form_rate, 1, 1000000) ||
        !given_in(form_burst, 1, 1000000)) {
        fprintf(stderr, "pheu: --form-rate and --form-burst must be from "
                "1 to 1000000\n");
        return 2;
    }
    if (server_check_listen(listen))
        return 2;
    struct proxy_list plist;
    struct err perr = {0};
    if (proxy_parse(proxies, &plist, &perr)) {
        fprintf(stderr, "pheu: --trusted-proxies: %s\n", perr.msg);
        return 2;
    }
    log_set_level(lvl);
    struct db *db;
    if (cli_open_db(url, &db))
        return 1;
    struct router *router = router_new();
    api_routes(router);
    struct server_config cfg = {
        .listen = listen, .workers = (int)workers, .secure_cookies = secure,
        .db = db, .router = router, .proxies = &plist,
    };
    struct err err = {0};
    struct track_options topt = {
        .rate = (int)or_default(track_rate),
        .burst = (int)or_default(track_burst),
        .batch_ms = (int)or_default(track_ms),
        .queue_mb = (int)or_default(track_mb),
        .busy_rate = (int)or_default(track_busy),
        /* 0 in the options: the default; -1: never wait (given 0) */
        .defer_ms = track_defer == LONG_MIN ? 0 : track_defer == 0 ? -1
                                                   : (int)track_defer,
    };
    rc = db_start_upkeep(db, &err) || imports_resume(db, &err) ||
         tracking_start(db, &topt, &err) ||
         forms_start((int)or_default(form_rate),
                     (int)or_default(form_burst), &err)
             ? cli_fail(&err) : server_run(&cfg, ready);
    tracking_stop();            /* after the last request: writes the queue */
    forms_stop();
    imports_stop();
    router_free(router);
    principal_cache_clear();
    db_close(db);
    return rc;
}
