/* bench/baseline: the bare libmicrohttpd server of SPEC §14. It answers
 * every request with a constant {"status":"ok"} using the same daemon
 * configuration as `pheu serve`, so bench_http.sh can state pheu's
 * throughput as a ratio of what the HTTP library itself can do.
 * Usage: baseline PORT [THREADS]   (listens on 127.0.0.1, THREADS = 2) */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

#include <microhttpd.h>

static const char body[] = "{\"status\":\"ok\"}";

/* The one response, created before the daemon starts and shared by every
 * connection (libmicrohttpd reference-counts it). */
static struct MHD_Response *ok_response;

/* Wraps static bytes in a response without copying them. The _static
 * call appeared after 0.9.75 (Debian 12 ships 0.9.75); PERSISTENT is the
 * same no-copy, no-free mode there. */
static struct MHD_Response *response_static(const char *buf, size_t n)
{
#if MHD_VERSION >= 0x00097701
    return MHD_create_response_from_buffer_static(n, buf);
#else
    return MHD_create_response_from_buffer(n, (void *)buf,
                                           MHD_RESPMEM_PERSISTENT);
#endif
}

/* Answers any method and URL with the constant JSON body. */
static enum MHD_Result answer(void *cls, struct MHD_Connection *conn,
                              const char *url, const char *method,
                              const char *version, const char *upload_data,
                              size_t *upload_data_size, void **req_cls)
{
    (void)cls;
    (void)url;
    (void)method;
    (void)version;
    (void)upload_data;
    /* The first call for a request only sets up state; uploads are
     * drained and ignored so POST bodies do not stall the connection. */
    if (*req_cls == NULL) {
        *req_cls = conn;
        return MHD_YES;
    }
    if (*upload_data_size) {
        *upload_data_size = 0;
        return MHD_YES;
    }
    return MHD_queue_response(conn, MHD_HTTP_OK, ok_response);
}

/* Parses a decimal in [lo, hi] into *out; returns 0 on success. */
static int parse_uint(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* Starts the daemon, waits for SIGINT or SIGTERM, stops it cleanly. */
int main(int argc, char **argv)
{
    long port, threads = 2;
    if (argc < 2 || argc > 3 || parse_uint(argv[1], 1, 65535, &port) ||
        (argc == 3 && parse_uint(argv[2], 1, 256, &threads))) {
        fprintf(stderr, "usage: baseline PORT [THREADS]\n");
        return 2;
    }

    /* Block the stop signals in every thread (the pool inherits the
     * mask) so that only sigwait below receives them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    ok_response = response_static(body, sizeof body - 1);
    if (ok_response == NULL ||
        MHD_add_response_header(ok_response, MHD_HTTP_HEADER_CONTENT_TYPE,
                                "application/json") != MHD_YES) {
        fprintf(stderr, "baseline: cannot create the response\n");
        return 1;
    }

    struct sockaddr_in addr = {0};
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

    /* Keep in step with src/http/server.c: same flags and limits. */
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_TURBO |
                     MHD_USE_ITC | MHD_USE_ERROR_LOG;
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, (uint16_t)port, NULL, NULL, answer, NULL, MHD_OPTION_SOCK_ADDR,
        (struct sockaddr *)&addr, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned)threads, MHD_OPTION_CONNECTION_LIMIT, (unsigned)1024,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
        MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)512, MHD_OPTION_END);
    if (d == NULL) {
        fprintf(stderr, "baseline: cannot listen on 127.0.0.1:%ld\n", port);
        MHD_destroy_response(ok_response);
        return 1;
    }
    fprintf(stderr, "baseline: listening on 127.0.0.1:%ld, %ld threads\n", port,
            threads);

    int sig = 0;
    while (sigwait(&stop, &sig) != 0)
        ;
    MHD_stop_daemon(d);
    MHD_destroy_response(ok_response);
    return 0;
}
