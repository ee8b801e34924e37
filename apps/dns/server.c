/* dns: the serving loop: UDP in batches (recvmmsg/sendmmsg) and TCP connections (RFC 7766). */
#define _GNU_SOURCE
#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define UDP_BATCH       64
#define UDP_QUERY_MAX   4096
#define TCP_QUERY_MAX   16384
#define MAX_CONNECTIONS 256

volatile sig_atomic_t server_stop, server_print_stats;

/* What an epoll event points at: a UDP socket, a listener or a connection. */
enum { HANDLE_UDP, HANDLE_LISTENER, HANDLE_CONNECTION };
struct handle {
    int kind, fd;
};

struct connection {
    struct handle handle; /* first, so that a handle pointer is the connection's */
    int fd, index, watching_output;
    int doomed; /* to be closed after this round of events, to make room for a new one */
    time_t last_active;
    size_t in_len;
    uint8_t *pending; /* reply bytes the socket did not take yet */
    size_t pending_len, pending_off;
    uint8_t in[2 + TCP_QUERY_MAX];
};

static int udp_fds[SERVER_MAX_ADDRESSES * 2], udp_count;
static int tcp_fds[SERVER_MAX_ADDRESSES * 2], tcp_count;
static struct handle socket_handles[SERVER_MAX_ADDRESSES * 4];
static int epoll_fd = -1;
static struct connection *connections[MAX_CONNECTIONS];
static int connection_count, doomed_count;

/* The UDP path's buffers: static, so that answering allocates nothing. */
static uint8_t udp_in[UDP_BATCH][UDP_QUERY_MAX];
static uint8_t udp_out[UDP_BATCH][DNS_EDNS_SIZE];
static struct sockaddr_storage udp_peers[UDP_BATCH];
static struct iovec udp_in_iov[UDP_BATCH], udp_out_iov[UDP_BATCH];
static struct mmsghdr udp_in_msgs[UDP_BATCH], udp_out_msgs[UDP_BATCH];
static uint8_t tcp_out[2 + 65535];

static void describe(const struct sockaddr_storage *a, char *out, size_t cap)
{
    char host[64] = "?";
    int port = 0;
    if (a->ss_family == AF_INET) {
        const struct sockaddr_in *in = (const void *)a;
        inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
        port = ntohs(in->sin_port);
    } else {
        const struct sockaddr_in6 *in6 = (const void *)a;
        inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
        port = ntohs(in6->sin6_port);
    }
    snprintf(out, cap, a->ss_family == AF_INET ? "%s:%d" : "[%s]:%d", host, port);
}

static int open_socket(const struct sockaddr_storage *a, socklen_t len, int type, int optional)
{
    char where[96];
    describe(a, where, sizeof(where));
    int fd = socket(a->ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        if (optional)
            return -2;
        if (type == SOCK_STREAM && (errno == EPROTONOSUPPORT || errno == EOPNOTSUPP)) {
            fprintf(stderr, "dns: no TCP here (%s): serving UDP only on %s\n", strerror(errno),
                    where);
            return -2;
        }
        fprintf(stderr, "dns: socket for %s: %s\n", where, strerror(errno));
        return -1;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (a->ss_family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
    if (type == SOCK_DGRAM) {
        /* A deeper queue absorbs bursts while a batch is being answered. */
        int rcvbuf = 1 << 20;
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
    }
    if (bind(fd, (const struct sockaddr *)a, len) < 0 ||
        (type == SOCK_STREAM && listen(fd, 128) < 0)) {
        int e = errno;
        close(fd);
        if (optional)
            return -2;
        if (type == SOCK_STREAM && (e == EOPNOTSUPP || e == EPROTONOSUPPORT)) {
            fprintf(stderr, "dns: no TCP here (%s): serving UDP only on %s\n", strerror(e), where);
            return -2;
        }
        fprintf(stderr, "dns: %s on %s %s: %s\n", type == SOCK_STREAM ? "listen" : "bind",
                type == SOCK_STREAM ? "tcp" : "udp", where, strerror(e));
        return -1;
    }
    return fd;
}

int server_open(const struct server_options *opts)
{
    for (int i = 0; i < opts->address_count; i++) {
        /* Without -a, IPv6 is tried too but may be missing (the unikernel serves IPv4). */
        int optional = opts->defaulted && opts->addresses[i].ss_family == AF_INET6;
        int u = open_socket(&opts->addresses[i], opts->address_lengths[i], SOCK_DGRAM, optional);
        if (u == -1)
            return -1;
        if (u == -2)
            continue;
        udp_fds[udp_count++] = u;
        int t = open_socket(&opts->addresses[i], opts->address_lengths[i], SOCK_STREAM, optional);
        if (t == -1)
            return -1;
        if (t >= 0)
            tcp_fds[tcp_count++] = t;
        char where[96];
        describe(&opts->addresses[i], where, sizeof(where));
        printf("dns: serving on %s (udp%s)\n", where, t >= 0 ? ", tcp" : "");
    }
    fflush(stdout);
    return 0;
}

static void serve_udp(const struct dns_server_config *cfg, struct dns_stats *stats, int fd)
{
    for (int round = 0; round < 16; round++) {
        for (int i = 0; i < UDP_BATCH; i++) {
            udp_in_iov[i] = (struct iovec){udp_in[i], UDP_QUERY_MAX};
            udp_in_msgs[i].msg_hdr = (struct msghdr){.msg_name = &udp_peers[i],
                                                     .msg_namelen = sizeof(udp_peers[i]),
                                                     .msg_iov = &udp_in_iov[i],
                                                     .msg_iovlen = 1};
        }
        int got = recvmmsg(fd, udp_in_msgs, UDP_BATCH, MSG_DONTWAIT, NULL);
        if (got <= 0)
            return;
        int replies = 0;
        for (int i = 0; i < got; i++) {
            if (udp_in_msgs[i].msg_hdr.msg_flags & MSG_TRUNC) {
                stats->queries++;
                stats->dropped++;
                continue;
            }
            size_t n =
                dns_answer(cfg, stats, udp_in[i], udp_in_msgs[i].msg_len, udp_out[replies], 0);
            if (!n)
                continue;
            udp_out_iov[replies] = (struct iovec){udp_out[replies], n};
            udp_out_msgs[replies].msg_hdr =
                (struct msghdr){.msg_name = &udp_peers[i],
                                .msg_namelen = udp_in_msgs[i].msg_hdr.msg_namelen,
                                .msg_iov = &udp_out_iov[replies],
                                .msg_iovlen = 1};
            replies++;
        }
        for (int sent = 0; sent < replies;) {
            int r = sendmmsg(fd, udp_out_msgs + sent, (unsigned)(replies - sent), 0);
            if (r < 0) {
                if (errno == EINTR)
                    continue;
                sent++; /* a reply that cannot go out is dropped like a lost datagram */
                continue;
            }
            sent += r;
        }
        if (got < UDP_BATCH)
            return; /* the queue is empty: back to epoll_wait rather than one more EAGAIN */
    }
}

static void close_connection(int index)
{
    struct connection *c = connections[index];
    epoll_ctl(epoll_fd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    free(c->pending);
    free(c);
    connections[index] = connections[--connection_count];
    if (index < connection_count)
        connections[index]->index = index;
}

/* Waits for input, or for room to send while a reply is pending. */
static void watch(struct connection *c, int output)
{
    if (c->watching_output == output)
        return;
    struct epoll_event ev = {.events = output ? EPOLLOUT : EPOLLIN, .data.ptr = &c->handle};
    epoll_ctl(epoll_fd, EPOLL_CTL_MOD, c->fd, &ev);
    c->watching_output = output;
}

static void accept_connections(int listener, const struct server_options *opts)
{
    for (;;) {
        int fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return;
        /* At the limit, the connection idle the longest makes room (RFC 7766 6.2.2), so that
         * clients that hold connections open cannot lock the others out. */
        if (connection_count - doomed_count >= opts->tcp_max_connections) {
            struct connection *oldest = NULL;
            for (int i = 0; i < connection_count; i++)
                if (!connections[i]->doomed &&
                    (!oldest || connections[i]->last_active < oldest->last_active))
                    oldest = connections[i];
            if (oldest) {
                oldest->doomed = 1;
                doomed_count++;
            }
        }
        struct connection *c = NULL;
        if (connection_count - doomed_count < opts->tcp_max_connections &&
            connection_count < MAX_CONNECTIONS)
            c = malloc(sizeof(*c));
        if (!c) {
            close(fd);
            continue;
        }
        c->doomed = 0;
        c->fd = fd;
        c->handle = (struct handle){HANDLE_CONNECTION, fd};
        c->watching_output = 0;
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &c->handle};
        if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0) {
            close(fd);
            free(c);
            continue;
        }
        c->in_len = 0;
        c->pending = NULL;
        c->pending_len = c->pending_off = 0;
        c->last_active = time(NULL);
        c->index = connection_count;
        connections[connection_count++] = c;
    }
}

/* Sends what is pending; returns -1 when the connection is dead. */
static int flush_pending(struct connection *c)
{
    while (c->pending_off < c->pending_len) {
        ssize_t w = write(c->fd, c->pending + c->pending_off, c->pending_len - c->pending_off);
        if (w < 0)
            return errno == EAGAIN || errno == EINTR ? 0 : -1;
        c->pending_off += (size_t)w;
    }
    free(c->pending);
    c->pending = NULL;
    c->pending_len = c->pending_off = 0;
    return 0;
}

static int send_reply(struct connection *c, size_t n)
{
    tcp_out[0] = (uint8_t)(n >> 8);
    tcp_out[1] = (uint8_t)n;
    size_t off = 0;
    while (off < n + 2) {
        ssize_t w = write(c->fd, tcp_out + off, n + 2 - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && errno != EAGAIN)
            return -1;
        if (w < 0)
            break;
        off += (size_t)w;
    }
    if (off < n + 2) {
        c->pending = malloc(n + 2 - off);
        if (!c->pending)
            return -1;
        memcpy(c->pending, tcp_out + off, n + 2 - off);
        c->pending_len = n + 2 - off;
        c->pending_off = 0;
    }
    return 0;
}

/* Reads and answers the complete queries on C, in order; returns -1 to close it. */
static int serve_connection(const struct dns_server_config *cfg, struct dns_stats *stats,
                            struct connection *c)
{
    if (c->pending && flush_pending(c) < 0)
        return -1;
    if (c->pending)
        return 0;
    watch(c, 0);
    ssize_t r = read(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len);
    if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
        return -1;
    if (r > 0) {
        c->in_len += (size_t)r;
        c->last_active = time(NULL);
    }
    size_t at = 0;
    while (!c->pending && c->in_len - at >= 2) {
        size_t len = ((size_t)c->in[at] << 8) | c->in[at + 1];
        if (len > TCP_QUERY_MAX)
            return -1;
        if (c->in_len - at < 2 + len)
            break;
        size_t n = dns_answer(cfg, stats, c->in + at + 2, len, tcp_out + 2, 1);
        at += 2 + len;
        if (n == 0)
            return -1; /* no reply to a malformed message: the stream is not worth keeping */
        if (send_reply(c, n) < 0)
            return -1;
    }
    memmove(c->in, c->in + at, c->in_len - at);
    c->in_len -= at;
    watch(c, c->pending != NULL);
    return 0;
}

static void print_stats(const struct dns_stats *stats)
{
    char text[512];
    dns_stats_format(stats, text, sizeof(text));
    fprintf(stderr, "dns: %s\n", text);
}

int server_run(const struct dns_server_config *cfg, struct dns_stats *stats,
               const struct server_options *opts)
{
    epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd < 0) {
        perror("dns: epoll_create1");
        return 1;
    }
    int handles = 0;
    for (int i = 0; i < udp_count + tcp_count; i++) {
        struct handle *h = &socket_handles[handles++];
        *h = i < udp_count ? (struct handle){HANDLE_UDP, udp_fds[i]}
                           : (struct handle){HANDLE_LISTENER, tcp_fds[i - udp_count]};
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = h};
        if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, h->fd, &ev) < 0) {
            perror("dns: epoll_ctl");
            return 1;
        }
    }
    static struct epoll_event events[64];
    time_t last_sweep = time(NULL);
    while (!server_stop) {
        /* Without connections nothing times out: sleep until a datagram or a signal comes. */
        int ready = epoll_wait(epoll_fd, events, 64, connection_count ? 1000 : -1);
        if (server_print_stats) {
            server_print_stats = 0;
            print_stats(stats);
        }
        if (ready < 0) {
            if (errno == EINTR)
                continue;
            perror("dns: epoll_wait");
            return 1;
        }
        for (int i = 0; i < ready; i++) {
            struct handle *h = events[i].data.ptr;
            if (!h)
                continue;
            if (h->kind == HANDLE_UDP) {
                serve_udp(cfg, stats, h->fd);
            } else if (h->kind == HANDLE_LISTENER) {
                accept_connections(h->fd, opts);
            } else {
                struct connection *c = (struct connection *)h;
                if (c->doomed)
                    continue;
                if (serve_connection(cfg, stats, c) < 0) {
                    /* Later events of this batch may name the same connection: forget them. */
                    for (int k = i + 1; k < ready; k++)
                        if (events[k].data.ptr == h)
                            events[k].data.ptr = NULL;
                    close_connection(c->index);
                }
            }
        }
        for (int i = connection_count - 1; doomed_count && i >= 0; i--)
            if (connections[i]->doomed) {
                close_connection(i);
                doomed_count--;
            }
        if (connection_count) {
            time_t now = time(NULL);
            if (now != last_sweep) {
                last_sweep = now;
                for (int i = connection_count - 1; i >= 0; i--)
                    if (now - connections[i]->last_active >= opts->tcp_idle_seconds)
                        close_connection(i); /* RFC 7766 6.2.3: idle connections are closed */
            }
        }
    }
    print_stats(stats);
    return 0;
}
