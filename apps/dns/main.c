/* dns: an authoritative DNS server: the command line, loading the zones, signals, serving. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"
#include "zone.h"

static void usage(void)
{
    fprintf(stderr, "usage: dns [-a ADDR]... [-p PORT] [-s] [-t SECONDS] ZONEFILE...\n"
                    "       dns --check ZONEFILE...\n"
                    "  -a ADDR  serve on this IPv4 or IPv6 address (repeatable; default: all)\n"
                    "  -p PORT  port (default 53)\n"
                    "  -s       answer the counters to CHAOS TXT queries for stats.atoll.\n"
                    "  -t SECONDS  close TCP connections idle this long (default 10)\n");
    exit(2);
}

static int parse_port(const char *text)
{
    char *end;
    errno = 0;
    long port = strtol(text, &end, 10);
    if (errno || *end || end == text || port < 1 || port > 65535) {
        fprintf(stderr, "dns: -p %s: not a port number (1-65535)\n", text);
        exit(2);
    }
    return (int)port;
}

static int parse_seconds(const char *text)
{
    char *end;
    errno = 0;
    long seconds = strtol(text, &end, 10);
    if (errno || *end || end == text || seconds < 1 || seconds > 3600) {
        fprintf(stderr, "dns: -t %s: not a number of seconds (1-3600)\n", text);
        exit(2);
    }
    return (int)seconds;
}

static void add_address(struct server_options *opts, const char *text)
{
    if (opts->address_count == SERVER_MAX_ADDRESSES) {
        fprintf(stderr, "dns: at most %d -a addresses\n", SERVER_MAX_ADDRESSES);
        exit(2);
    }
    struct sockaddr_storage *a = &opts->addresses[opts->address_count];
    memset(a, 0, sizeof(*a));
    struct sockaddr_in *in = (struct sockaddr_in *)a;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)a;
    if (inet_pton(AF_INET, text, &in->sin_addr) == 1) {
        in->sin_family = AF_INET;
        opts->address_lengths[opts->address_count++] = sizeof(*in);
    } else if (inet_pton(AF_INET6, text, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        opts->address_lengths[opts->address_count++] = sizeof(*in6);
    } else {
        fprintf(stderr, "dns: -a %s: not an IPv4 or IPv6 address\n", text);
        exit(2);
    }
}

static void set_port(struct server_options *opts, int port)
{
    for (int i = 0; i < opts->address_count; i++) {
        if (opts->addresses[i].ss_family == AF_INET)
            ((struct sockaddr_in *)&opts->addresses[i])->sin_port = htons((uint16_t)port);
        else
            ((struct sockaddr_in6 *)&opts->addresses[i])->sin6_port = htons((uint16_t)port);
    }
}

static void on_stop(int sig)
{
    (void)sig;
    server_stop = 1;
}

static void on_stats(int sig)
{
    (void)sig;
    server_print_stats = 1;
}

static int load_zones(struct db *db, char **files, int count)
{
    static char err[4096];
    for (int i = 0; i < count; i++) {
        if (zone_load(db, files[i], err, sizeof(err)) < 0) {
            fprintf(stderr, "%s\n", err);
            return -1;
        }
    }
    if (db_finish(db, err, sizeof(err)) < 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    static struct server_options opts = {.tcp_idle_seconds = 10, .tcp_max_connections = 128};
    static struct db db;
    int port = 53, check = 0, stats_query = 0, i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--") == 0) {
            i++;
            break;
        }
        if (strcmp(arg, "--check") == 0)
            check = 1;
        else if (strcmp(arg, "-s") == 0)
            stats_query = 1;
        else if (strcmp(arg, "-a") == 0 && i + 1 < argc)
            add_address(&opts, argv[++i]);
        else if (strcmp(arg, "-p") == 0 && i + 1 < argc)
            port = parse_port(argv[++i]);
        else if (strcmp(arg, "-t") == 0 && i + 1 < argc)
            opts.tcp_idle_seconds = parse_seconds(argv[++i]);
        else
            usage();
    }
    if (i == argc)
        usage();
    if (load_zones(&db, argv + i, argc - i) < 0) {
        fprintf(stderr, "dns: the zones have errors: not serving\n");
        return 1;
    }
    if (check) {
        for (uint32_t z = 0; z < db.zone_count; z++)
            printf("dns: %s: zone %s is valid\n", argv[i + (int)z], db.zones[z].origin_text);
        printf("dns: %u zones, %u names, %u records\n", db.zone_count, db.node_count,
               db.rdata_count);
        return 0;
    }
    if (opts.address_count == 0) {
        opts.defaulted = 1;
        add_address(&opts, "0.0.0.0");
        add_address(&opts, "::");
    }
    set_port(&opts, port);

    struct sigaction sa = {.sa_handler = on_stop};
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sa.sa_handler = on_stats;
    sigaction(SIGUSR1, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (server_open(&opts) < 0)
        return 1;
    printf("dns: %u zones loaded, %u records\n", db.zone_count, db.rdata_count);
    fflush(stdout);
    static struct dns_stats stats;
    struct dns_server_config cfg = {.db = &db, .stats_query = stats_query};
    return server_run(&cfg, &stats, &opts);
}
