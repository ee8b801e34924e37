/* A TCP echo server on epoll (level-triggered, non-blocking sockets) for many concurrent
 * connections: tcp_echo [-p PORT] [-n CONNECTIONS] [-m]. With -n it exits after that many
 * connections ended; -m reports the kernel's free memory (sysinfo) so tests see leaks. */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/sysinfo.h>
#include <time.h>
#include <unistd.h>

#define MAX_FDS   1024
#define BUF_BYTES 65536

struct conn {
    char *pending; /* bytes read but not yet written back (the peer was slow to read) */
    size_t len, off;
};

static struct conn conns[MAX_FDS];
static char buf[BUF_BYTES];
static int ep;
static long served, limit;
static unsigned long long echoed;
static bool report_memory;
static unsigned long baseline_kib;

static unsigned long free_kib(void)
{
    struct sysinfo si;
    return sysinfo(&si) == 0 ? (unsigned long)(si.freeram * si.mem_unit / 1024) : 0;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

static void watch(int fd, unsigned events, int op)
{
    struct epoll_event ev = {.events = events, .data.fd = fd};
    epoll_ctl(ep, op, fd, &ev);
}

static void finish(int fd)
{
    if (limit && served + 1 == limit) {
        /* The last one: close() waits until the peer acknowledged our FIN, since the program
         * exits next (in a unikernel, exit stops the machine and its stack with it). */
        struct linger lg = {1, 5};
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    }
    epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
    close(fd);
    free(conns[fd].pending);
    conns[fd] = (struct conn){0};
    served++;
    if (report_memory && served == (limit >= 10 ? limit / 10 : 1)) {
        baseline_kib = free_kib();
        printf("tcp_echo: free memory after %ld connections: %lu KiB\n", served, baseline_kib);
    }
}

/* Writes what is pending; true when all of it left. */
static bool flush(int fd)
{
    struct conn *c = &conns[fd];
    while (c->off < c->len) {
        ssize_t n = send(fd, c->pending + c->off, c->len - c->off, MSG_NOSIGNAL);
        if (n < 0 && errno == EAGAIN)
            return false;
        if (n <= 0)
            return true; /* the peer went away: the read side will see it */
        c->off += (size_t)n;
        echoed += (unsigned long long)n;
    }
    free(c->pending);
    c->pending = NULL;
    c->len = c->off = 0;
    return true;
}

static void on_readable(int fd)
{
    ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n < 0 && errno == EAGAIN)
        return;
    if (n <= 0) {
        finish(fd);
        return;
    }
    ssize_t sent = send(fd, buf, (size_t)n, MSG_NOSIGNAL);
    if (sent < 0 && errno != EAGAIN) {
        finish(fd);
        return;
    }
    if (sent < 0)
        sent = 0;
    echoed += (unsigned long long)sent;
    if (sent < n) { /* keep the rest and stop reading until it is written */
        struct conn *c = &conns[fd];
        c->pending = malloc((size_t)(n - sent));
        if (!c->pending) {
            finish(fd);
            return;
        }
        memcpy(c->pending, buf + sent, (size_t)(n - sent));
        c->len = (size_t)(n - sent), c->off = 0;
        watch(fd, EPOLLOUT, EPOLL_CTL_MOD);
    }
}

static void accept_all(int l)
{
    for (;;) {
        int fd = accept4(l, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return;
        if (fd >= MAX_FDS) {
            close(fd);
            continue;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        watch(fd, EPOLLIN | EPOLLRDHUP, EPOLL_CTL_ADD);
    }
}

int main(int argc, char **argv)
{
    int port = 7, opt;
    while ((opt = getopt(argc, argv, "p:n:m")) != -1) {
        if (opt == 'p')
            port = atoi(optarg);
        else if (opt == 'n')
            limit = atol(optarg);
        else if (opt == 'm')
            report_memory = true;
        else {
            fprintf(stderr, "usage: tcp_echo [-p PORT] [-n CONNECTIONS] [-m]\n");
            return 2;
        }
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    int l = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(l, 1024) < 0) {
        perror("tcp_echo: listen");
        return 1;
    }
    ep = epoll_create1(EPOLL_CLOEXEC);
    watch(l, EPOLLIN, EPOLL_CTL_ADD);
    printf("tcp_echo: listening on tcp port %d\n", port);
    struct epoll_event events[64];
    while (!limit || served < limit) {
        int n = epoll_wait(ep, events, 64, -1);
        for (int i = 0; i < n; i++) {
            int fd = events[i].data.fd;
            if (fd == l)
                accept_all(l);
            else if (conns[fd].pending && (events[i].events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
                if (flush(fd))
                    watch(fd, EPOLLIN | EPOLLRDHUP, EPOLL_CTL_MOD);
            } else if (!conns[fd].pending) {
                on_readable(fd);
            }
        }
    }
    printf("tcp_echo: %ld connections served, %llu bytes echoed\n", served, echoed);
    if (report_memory) {
        /* The last connections' closing handshakes finish after close(): poll, bounded, until
         * the memory is back where it was after the first tenth of them. */
        unsigned long now = free_kib();
        for (int i = 0; i < 500 && now < baseline_kib; i++) {
            sleep_ms(10);
            now = free_kib();
        }
        printf("tcp_echo: free memory after %ld connections: %lu KiB\n", served, now);
    }
    return 0;
}
