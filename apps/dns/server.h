/* dns: the serving loop: UDP in batches (recvmmsg/sendmmsg) and TCP connections (RFC 7766). */
#pragma once
#include <signal.h>
#include <sys/socket.h>

#include "query.h"

#define SERVER_MAX_ADDRESSES 16

struct server_options {
    struct sockaddr_storage addresses[SERVER_MAX_ADDRESSES];
    socklen_t address_lengths[SERVER_MAX_ADDRESSES];
    int address_count;
    int defaulted; /* no -a: the wildcard addresses, IPv6 only where it exists */
    int tcp_idle_seconds;
    int tcp_max_connections;
};

/* Set from signal handlers: stop serving / print the counters. */
extern volatile sig_atomic_t server_stop, server_print_stats;

/* Opens the sockets; returns 0, or -1 after printing why. */
int server_open(const struct server_options *opts);
/* Serves until server_stop is set; returns the exit status. */
int server_run(const struct dns_server_config *cfg, struct dns_stats *stats,
               const struct server_options *opts);
