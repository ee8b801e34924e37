/* The event loop: one thread, epoll (edge-triggered for connections), accept, timeouts, shedding.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "conn.h"
#include "files.h"

struct server web;

static struct conn *oldest, *newest; /* open connections, in the order they were accepted */
static struct conn *spare;           /* closed connections kept for reuse (linked by next) */
static unsigned spare_count;
/* Beyond this many, closed connections give their memory back (after a burst of slowloris
 * clients, say), so a unikernel of a few MiB is not left holding it. */
#define SPARE_MAX 32
static int epoll_fd = -1, listen_fd = -1, reserve_fd = -1;
static int64_t mono_start_ms, wall_start_s, date_second = -1;

static int64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One clock read per loop turn; the Date field is rebuilt only when the second changes. */
static void tick(void)
{
    web.now_ms = monotonic_ms();
    web.wall_s = wall_start_s + (web.now_ms - mono_start_ms) / 1000;
    if (web.wall_s != date_second) {
        date_second = web.wall_s;
        memcpy(web.date_line, "Date: ", 6);
        size_t n = http_date_format(web.wall_s, web.date_line + 6);
        memcpy(web.date_line + 6 + n, "\r\n", 2);
        web.date_line_len = 6 + n + 2;
    }
}

static void list_remove(struct conn *c)
{
    if (c->prev)
        c->prev->next = c->next;
    else
        oldest = c->next;
    if (c->next)
        c->next->prev = c->prev;
    else
        newest = c->prev;
    c->prev = c->next = NULL;
}

static void conn_close(struct conn *c)
{
    /* Unread input would make the close a reset, which can destroy the answer still in flight. */
    char sink[4096];
    for (int i = 0; i < 16 && read(c->fd, sink, sizeof(sink)) > 0; i++)
        ;
    epoll_ctl(epoll_fd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    list_remove(c);
    web.open_conns--;
    if (spare_count >= SPARE_MAX) {
        free(c->in);
        free(c->obuf);
        free(c);
        return;
    }
    c->next = spare;
    spare = c;
    spare_count++;
}

static struct conn *conn_new(int fd)
{
    struct conn *c = spare;
    if (c) {
        spare = c->next;
        spare_count--;
    } else if (!(c = calloc(1, sizeof(*c)))) {
        return NULL;
    } else if (!(c->in = malloc(CONN_IN_START))) {
        free(c);
        return NULL;
    } else {
        c->in_cap = CONN_IN_START;
    }
    /* Everything but the buffers, which the next connection reuses. */
    memset(c, 0, offsetof(struct conn, obuf));
    c->fd = fd;
    c->deadline_ms = web.now_ms + web.cfg.header_timeout_ms;
    c->prev = newest;
    if (newest)
        newest->next = c;
    else
        oldest = c;
    newest = c;
    web.open_conns++;
    return c;
}

/* At the connection limit, an idle kept-alive connection (one that was served and waits for
 * nothing) makes room for a new one; connections in the middle of a request are never cut. */
static bool evict_idle(void)
{
    for (struct conn *c = oldest; c; c = c->next) {
        if (c->served && !c->reading_request && c->seg_count == 0 && c->in_len == 0) {
            conn_close(c);
            return true;
        }
    }
    return false;
}

static void describe_peer(struct conn *c, const struct sockaddr_storage *ss)
{
    if (ss->ss_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr, c->peer, sizeof(c->peer));
    else if (ss->ss_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ss)->sin6_addr, c->peer,
                  sizeof(c->peer));
    else
        strcpy(c->peer, "-");
}

static void accept_all(void)
{
    for (int i = 0; i < 64; i++) {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof(ss);
        int fd = accept4(listen_fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if ((errno == EMFILE || errno == ENFILE) && reserve_fd >= 0) {
                /* Out of descriptors: take the connection with the reserve and drop it at once. */
                close(reserve_fd);
                fd = accept(listen_fd, NULL, NULL);
                if (fd >= 0)
                    close(fd);
                web.shed_conns++;
                reserve_fd = open("/", O_RDONLY | O_CLOEXEC);
                continue;
            }
            return;
        }
        if ((int)web.open_conns >= web.cfg.max_conns && !evict_idle()) {
            close(fd); /* shed the newcomer; the connections being served keep going */
            web.shed_conns++;
            continue;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        struct conn *c = conn_new(fd);
        if (!c) {
            close(fd);
            web.shed_conns++;
            continue;
        }
        describe_peer(c, &ss);
        struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
                                 .data.ptr = c};
        if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) != 0) {
            conn_close(c);
            continue;
        }
        if (!conn_drive(c))
            conn_close(c);
    }
}

static void expire_connections(void)
{
    struct conn *c = oldest;
    while (c) {
        struct conn *next = c->next;
        if (web.now_ms >= c->deadline_ms) {
            conn_expire(c);
            conn_close(c);
        }
        c = next;
    }
}

static int open_listener(void)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof(ss));
    socklen_t sl;
    int family;
    if (web.cfg.addr && strchr(web.cfg.addr, ':')) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        family = a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t)web.cfg.port);
        if (inet_pton(AF_INET6, web.cfg.addr, &a->sin6_addr) != 1)
            return -EINVAL;
        sl = sizeof(*a);
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        family = a->sin_family = AF_INET;
        a->sin_port = htons((uint16_t)web.cfg.port);
        if (web.cfg.addr && inet_pton(AF_INET, web.cfg.addr, &a->sin_addr) != 1)
            return -EINVAL;
        sl = sizeof(*a);
    }
    int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *)&ss, sl) != 0 || listen(fd, 1024) != 0) {
        int err = errno;
        close(fd);
        return -err;
    }
    return fd;
}

int server_run(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    wall_start_s = ts.tv_sec;
    mono_start_ms = monotonic_ms();
    tick();
    web.started_ms = web.now_ms;
    listen_fd = open_listener();
    if (listen_fd < 0) {
        fprintf(stderr, "web: cannot listen on %s port %d: %s\n", web.cfg.addr ? web.cfg.addr : "*",
                web.cfg.port, strerror(-listen_fd));
        return 1;
    }
    epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event lev = {.events = EPOLLIN, .data.ptr = NULL};
    if (epoll_fd < 0 || epoll_ctl(epoll_fd, EPOLL_CTL_ADD, listen_fd, &lev) != 0) {
        perror("web: epoll");
        return 1;
    }
    reserve_fd = open("/", O_RDONLY | O_CLOEXEC);
    fprintf(stderr, "web: serving %s on %s port %d (%s)\n", web.cfg.root,
            web.cfg.addr ? web.cfg.addr : "*", web.cfg.port, web.runtime);
    int64_t next_sweep = web.now_ms + 250;
    struct epoll_event events[256];
    for (;;) {
        int n = epoll_wait(epoll_fd, events, 256, 250);
        if (n < 0 && errno != EINTR) {
            perror("web: epoll_wait");
            return 1;
        }
        tick();
        for (int i = 0; i < n; i++) {
            struct conn *c = events[i].data.ptr;
            if (!c) {
                accept_all();
                continue;
            }
            if ((events[i].events & EPOLLERR) || !conn_drive(c))
                conn_close(c);
        }
        if (web.now_ms >= next_sweep) {
            expire_connections();
            next_sweep = web.now_ms + 250;
        }
    }
}
