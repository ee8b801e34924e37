/* web: a static file and REST server (HTTP/1.1), one thread, epoll; the command line. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "files.h"
#include "server.h"

static const char usage_text[] =
    "usage: web [-a ADDR] [-p PORT] [-r ROOT] [-s NAME] [-l FILE] [-c CONNS] [-t SECONDS] [-k "
    "SECONDS]\n"
    "\n"
    "Serves the files under ROOT and a small REST API (/api/status, /api/notes) over HTTP/1.1.\n"
    "\n"
    "  -a ADDR     listen on this IPv4 or IPv6 address (default: every address)\n"
    "  -p PORT     TCP port (default: 80)\n"
    "  -r ROOT     web root folder (default: /www, the image's web root)\n"
    "  -s NAME     value of the Server field (default: atoll-web)\n"
    "  -l FILE     append an access log line per request to FILE ('-': standard output; default: "
    "off)\n"
    "  -c CONNS    most connections open at once; more are shed (default: 1024)\n"
    "  -t SECONDS  time a client has to send a whole request, from its first byte (default: 10)\n"
    "  -k SECONDS  idle time allowed between kept-alive requests (default: 15)\n"
    "  -h, --help  this text\n";

static long number(const char *opt, const char *text, long min, long max)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || *end || end == text || v < min || v > max) {
        fprintf(stderr, "web: %s %s: expected a number from %ld to %ld\n", opt, text, min, max);
        exit(2);
    }
    return v;
}

int main(int argc, char **argv)
{
    struct server_config cfg = {
        .addr = NULL,
        .port = 80,
        .root = "/www",
        .server_name = "atoll-web",
        .access_log = NULL,
        .max_conns = 1024,
        .header_timeout_ms = 10000,
        .idle_timeout_ms = 15000,
    };
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0) {
            fputs(usage_text, stdout);
            return 0;
        }
        if (strcmp(argv[i], "--") == 0)
            break;
    }
    int opt;
    while ((opt = getopt(argc, argv, "a:p:r:s:l:c:t:k:h")) != -1) {
        switch (opt) {
        case 'a':
            cfg.addr = optarg;
            break;
        case 'p':
            cfg.port = (int)number("-p", optarg, 1, 65535);
            break;
        case 'r':
            cfg.root = optarg;
            break;
        case 's':
            cfg.server_name = optarg;
            break;
        case 'l':
            cfg.access_log = optarg;
            break;
        case 'c':
            cfg.max_conns = (int)number("-c", optarg, 1, 1000000);
            break;
        case 't':
            cfg.header_timeout_ms = (int)number("-t", optarg, 1, 3600) * 1000;
            break;
        case 'k':
            cfg.idle_timeout_ms = (int)number("-k", optarg, 1, 3600) * 1000;
            break;
        case 'h':
            fputs(usage_text, stdout);
            return 0;
        default:
            fputs(usage_text, stderr);
            return 2;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "web: unexpected argument '%s'\n", argv[optind]);
        fputs(usage_text, stderr);
        return 2;
    }
    if (strlen(cfg.server_name) > 64 || strpbrk(cfg.server_name, "\r\n")) {
        fprintf(stderr, "web: -s: a name of at most 64 characters on one line\n");
        return 2;
    }
    web.cfg = cfg;
    web.server_line_len = (size_t)snprintf(web.server_line, sizeof(web.server_line),
                                           "Server: %s\r\n", cfg.server_name);
    int rc = files_init(cfg.root);
    if (rc != 0) {
        fprintf(stderr, "web: -r %s: %s (give the web root folder with -r)\n", cfg.root,
                strerror(-rc));
        return 2;
    }
    if (cfg.access_log) {
        web.log = strcmp(cfg.access_log, "-") == 0 ? stdout : fopen(cfg.access_log, "a");
        if (!web.log) {
            fprintf(stderr, "web: -l %s: %s\n", cfg.access_log, strerror(errno));
            return 2;
        }
    }
    /* A peer that goes away mid-answer is an error on that write, not the end of the server. */
    signal(SIGPIPE, SIG_IGN);
    web.runtime = runtime_detect();
    notes_init(&web.notes);
    return server_run();
}
