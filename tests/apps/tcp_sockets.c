/* Checks TCP socket semantics over loopback, each as Linux defines it: creation, binding, listen
 * and accept, connect (blocking and not), data with MSG_PEEK/DONTWAIT/WAITALL, readv/writev,
 * flow control, shutdown, resets, SIGPIPE, poll and epoll readiness, options and TCP_INFO.
 * `tcp_sockets sigpipe` instead ends by SIGPIPE (status 141) when sending on a reset connection. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

#ifndef SIOCOUTQ
#define SIOCOUTQ TIOCOUTQ /* linux/sockios.h */
#endif

#define WAIT_MS 5000 /* how long a check waits for something the peer does (TCG is slow) */

static struct sockaddr_in loopback(uint16_t port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

static uint16_t port_of(int fd, int peer)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    int rc = peer ? getpeername(fd, (struct sockaddr *)&a, &len)
                  : getsockname(fd, (struct sockaddr *)&a, &len);
    return rc == 0 ? ntohs(a.sin_port) : 0;
}

static int get_int(int fd, int level, int name)
{
    int v = -12345;
    socklen_t len = sizeof(v);
    return getsockopt(fd, level, name, &v, &len) == 0 ? v : -12345;
}

static int set_int(int fd, int level, int name, int v)
{
    return setsockopt(fd, level, name, &v, sizeof(v));
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The revents of fd once any of events shows, or 0 after WAIT_MS. */
static short wait_for(int fd, short events)
{
    struct pollfd p = {.fd = fd, .events = events};
    return poll(&p, 1, WAIT_MS) == 1 ? p.revents : 0;
}

static int listener(uint16_t *port)
{
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = loopback(0);
    if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(l, 16) < 0)
        return -1;
    *port = port_of(l, 0);
    return l;
}

/* A connected pair over loopback: *client and *server (accepted from l). */
static int pair(int l, uint16_t port, int *client, int *server)
{
    *client = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = loopback(port);
    if (*client < 0 || connect(*client, (struct sockaddr *)&a, sizeof(a)) < 0)
        return -1;
    *server = accept(l, NULL, NULL);
    return *server < 0 ? -1 : 0;
}

static void check_creation(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    check(fd >= 0, "socket(AF_INET, SOCK_STREAM, 0) opens");
    check(get_int(fd, SOL_SOCKET, SO_TYPE) == SOCK_STREAM, "SO_TYPE is SOCK_STREAM");
    check(get_int(fd, SOL_SOCKET, SO_DOMAIN) == AF_INET, "SO_DOMAIN is AF_INET");
    check(get_int(fd, SOL_SOCKET, SO_PROTOCOL) == IPPROTO_TCP, "SO_PROTOCOL is IPPROTO_TCP");
    check(get_int(fd, SOL_SOCKET, SO_ERROR) == 0, "SO_ERROR starts at 0");
    check(get_int(fd, SOL_SOCKET, SO_ACCEPTCONN) == 0, "SO_ACCEPTCONN starts at 0");
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    check(getsockname(fd, (struct sockaddr *)&a, &len) == 0 && len == sizeof(a) &&
              a.sin_port == 0 && a.sin_addr.s_addr == 0,
          "an unbound socket's name is 0.0.0.0:0");
    check(getpeername(fd, (struct sockaddr *)&a, &len) == -1 && errno == ENOTCONN,
          "getpeername of an unconnected socket is ENOTCONN");
    check(send(fd, "x", 1, MSG_NOSIGNAL) == -1 && errno == EPIPE,
          "send on an unconnected socket is EPIPE");
    char c;
    check(recv(fd, &c, 1, 0) == -1 && errno == ENOTCONN,
          "recv on an unconnected socket is ENOTCONN");
    check(shutdown(fd, SHUT_RDWR) == -1 && errno == ENOTCONN,
          "shutdown of an unconnected socket is ENOTCONN");
    check(accept(fd, NULL, NULL) == -1 && errno == EINVAL,
          "accept on a socket that does not listen is EINVAL");
    close(fd);
    check(socket(AF_INET, SOCK_STREAM, IPPROTO_UDP) == -1 && errno == EPROTONOSUPPORT,
          "SOCK_STREAM with IPPROTO_UDP is EPROTONOSUPPORT");
    fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
    check((fcntl(fd, F_GETFL) & O_NONBLOCK) && (fcntl(fd, F_GETFD) & FD_CLOEXEC),
          "SOCK_NONBLOCK and SOCK_CLOEXEC set O_NONBLOCK and FD_CLOEXEC");
    close(fd);
}

static void check_binding(void)
{
    int a = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = loopback(0);
    check(bind(a, (struct sockaddr *)&addr, sizeof(addr)) == 0, "bind to 127.0.0.1:0");
    uint16_t port = port_of(a, 0);
    check(port >= 32768 && port <= 60999, "the port is from the ephemeral range 32768-60999");
    check(bind(a, (struct sockaddr *)&addr, sizeof(addr)) == -1 && errno == EINVAL,
          "binding twice is EINVAL");
    check(listen(a, 4) == 0 && get_int(a, SOL_SOCKET, SO_ACCEPTCONN) == 1,
          "listen sets SO_ACCEPTCONN");
    int b = socket(AF_INET, SOCK_STREAM, 0);
    set_int(a, SOL_SOCKET, SO_REUSEADDR, 1);
    set_int(b, SOL_SOCKET, SO_REUSEADDR, 1);
    addr = loopback(port);
    check(bind(b, (struct sockaddr *)&addr, sizeof(addr)) == -1 && errno == EADDRINUSE,
          "binding a listening port is EADDRINUSE even with SO_REUSEADDR on both");
    check(bind(b, (struct sockaddr *)&addr, 8) == -1 && errno == EINVAL,
          "a short address is EINVAL");
    struct sockaddr_in far = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(0xc0000201)};
    check(bind(b, (struct sockaddr *)&far, sizeof(far)) == -1 && errno == EADDRNOTAVAIL,
          "binding a foreign address is EADDRNOTAVAIL");
    struct sockaddr_in six = {.sin_family = AF_INET6};
    check(bind(b, (struct sockaddr *)&six, sizeof(six)) == -1 && errno == EAFNOSUPPORT,
          "binding an AF_INET6 address is EAFNOSUPPORT");
    close(b);
    close(a);
    b = socket(AF_INET, SOCK_STREAM, 0);
    check(listen(b, 4) == 0 && port_of(b, 0) >= 32768, "listen on an unbound socket binds it");
    close(b);
}

static void check_connect_accept(void)
{
    uint16_t port;
    int l = listener(&port);
    check(l >= 0, "a listener on 127.0.0.1");
    struct tcp_info ti;
    socklen_t len = sizeof(ti);
    check(getsockopt(l, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0 && ti.tcpi_state == 10,
          "TCP_INFO of a listener says TCP_LISTEN");
    fcntl(l, F_SETFL, O_NONBLOCK);
    check(accept(l, NULL, NULL) == -1 && errno == EAGAIN,
          "accept on an empty non-blocking listener is EAGAIN");
    fcntl(l, F_SETFL, 0);
    struct timeval tv = {0, 100000};
    setsockopt(l, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    uint64_t t0 = now_ms();
    check(accept(l, NULL, NULL) == -1 && errno == EAGAIN && now_ms() - t0 >= 90,
          "SO_RCVTIMEO ends a blocking accept with EAGAIN");
    tv.tv_usec = 0;
    setsockopt(l, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));

    int c = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = loopback(port);
    check(connect(c, (struct sockaddr *)&a, sizeof(a)) == 0, "a blocking connect succeeds");
    check(wait_for(l, POLLIN) & POLLIN, "the listener polls readable");
    struct sockaddr_in from;
    socklen_t flen = sizeof(from);
    int s = accept4(l, (struct sockaddr *)&from, &flen, SOCK_NONBLOCK | SOCK_CLOEXEC);
    check(s >= 0 && (fcntl(s, F_GETFL) & O_NONBLOCK) && (fcntl(s, F_GETFD) & FD_CLOEXEC),
          "accept4 with SOCK_NONBLOCK | SOCK_CLOEXEC");
    check(flen == sizeof(from) && ntohs(from.sin_port) == port_of(c, 0) &&
              from.sin_addr.s_addr == htonl(INADDR_LOOPBACK),
          "accept gives the client's address");
    check(port_of(c, 1) == port && port_of(s, 0) == port && port_of(s, 1) == port_of(c, 0),
          "getsockname and getpeername of both ends agree");
    len = sizeof(ti);
    check(getsockopt(s, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0 && ti.tcpi_state == 1 &&
              ti.tcpi_snd_mss > 0,
          "TCP_INFO of an accepted socket says TCP_ESTABLISHED with an MSS");
    check(connect(c, (struct sockaddr *)&a, sizeof(a)) == -1 && errno == EISCONN,
          "connect on a connected socket is EISCONN");
    check(listen(c, 1) == -1 && errno == EINVAL, "listen on a connected socket is EINVAL");
    check(connect(l, (struct sockaddr *)&a, sizeof(a)) == -1 && errno == EISCONN,
          "connect on a listener is EISCONN");
    check(get_int(s, SOL_SOCKET, SO_ACCEPTCONN) == 0, "an accepted socket does not listen");
    close(s);
    close(c);

    /* Non-blocking connect: EINPROGRESS, then writable with SO_ERROR 0. */
    c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int rc = connect(c, (struct sockaddr *)&a, sizeof(a));
    check(rc == -1 && errno == EINPROGRESS, "a non-blocking connect is EINPROGRESS");
    check(wait_for(c, POLLOUT) & POLLOUT, "it polls writable once connected");
    check(get_int(c, SOL_SOCKET, SO_ERROR) == 0, "SO_ERROR is 0 after it connected");
    check(connect(c, (struct sockaddr *)&a, sizeof(a)) == 0,
          "connect again after it connected reports the success: 0");
    check(connect(c, (struct sockaddr *)&a, sizeof(a)) == -1 && errno == EISCONN,
          "a third connect is EISCONN");
    s = accept(l, NULL, NULL);
    check(s >= 0, "the listener accepts it");
    close(s);
    close(c);
    close(l);

    /* Nobody listens: refused, blocking or not. */
    c = socket(AF_INET, SOCK_STREAM, 0);
    check(connect(c, (struct sockaddr *)&a, sizeof(a)) == -1 && errno == ECONNREFUSED,
          "a blocking connect to a closed port is ECONNREFUSED");
    close(c);
    c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    rc = connect(c, (struct sockaddr *)&a, sizeof(a));
    check(rc == -1 && errno == EINPROGRESS, "a non-blocking one is EINPROGRESS first");
    short ev = wait_for(c, POLLOUT);
    check((ev & POLLERR) && (ev & POLLHUP), "then polls POLLERR and POLLHUP");
    check(get_int(c, SOL_SOCKET, SO_ERROR) == ECONNREFUSED, "SO_ERROR says ECONNREFUSED");
    check(get_int(c, SOL_SOCKET, SO_ERROR) == 0, "reading SO_ERROR cleared it");
    close(c);
}

static void check_data(int c, int s)
{
    char buf[64];
    check(send(c, "hello", 5, 0) == 5, "send 5 bytes");
    check(wait_for(s, POLLIN) & POLLIN, "the other end polls readable");
    int n = -1;
    check(ioctl(s, FIONREAD, &n) == 0 && n == 5, "FIONREAD says 5");
    check(recv(s, buf, sizeof(buf), MSG_PEEK) == 5 && !memcmp(buf, "hello", 5),
          "MSG_PEEK sees them");
    memset(buf, 0, sizeof(buf));
    check(recv(s, buf, sizeof(buf), 0) == 5 && !memcmp(buf, "hello", 5),
          "recv takes the same bytes");
    check(recv(s, buf, sizeof(buf), MSG_DONTWAIT) == -1 && errno == EAGAIN,
          "MSG_DONTWAIT on nothing is EAGAIN");
    struct timeval tv = {0, 100000};
    setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    uint64_t t0 = now_ms();
    check(recv(c, buf, sizeof(buf), 0) == -1 && errno == EAGAIN && now_ms() - t0 >= 90,
          "SO_RCVTIMEO ends a blocking recv with EAGAIN");
    tv.tv_usec = 0;
    setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));

    struct iovec out[3] = {{"ab", 2}, {"cde", 3}, {"f", 1}};
    check(writev(c, out, 3) == 6, "writev gathers 6 bytes");
    char x[2], y[10];
    struct iovec in[2] = {{x, 2}, {y, 10}};
    wait_for(s, POLLIN);
    check(readv(s, in, 2) == 6 && !memcmp(x, "ab", 2) && !memcmp(y, "cdef", 4),
          "readv scatters them");
    send(c, "abc", 3, 0);
    send(c, "def", 3, 0);
    check(recv(s, buf, 6, MSG_WAITALL) == 6 && !memcmp(buf, "abcdef", 6),
          "MSG_WAITALL collects two sends");
    struct msghdr m = {0};
    struct sockaddr_in from;
    struct iovec iov = {buf, sizeof(buf)};
    m.msg_name = &from, m.msg_namelen = sizeof(from), m.msg_iov = &iov, m.msg_iovlen = 1;
    send(c, "z", 1, 0);
    wait_for(s, POLLIN);
    check(recvmsg(s, &m, 0) == 1 && m.msg_namelen == 0, "recvmsg names no sender on a stream");
}

/* The sender fills the receiver's window and its own buffer, then the reader drains it all. */
static void check_flow_control(int c, int s)
{
    static unsigned char chunk[65536], got[65536];
    fcntl(c, F_SETFL, O_NONBLOCK);
    size_t sent = 0;
    for (int i = 0; i < 10000; i++) {
        for (size_t k = 0; k < sizeof(chunk); k++)
            chunk[k] = (unsigned char)((sent + k) * 7);
        ssize_t n = send(c, chunk, sizeof(chunk), 0);
        if (n < 0)
            break;
        sent += (size_t)n;
    }
    check(sent > 0 && errno == EAGAIN, "a non-blocking sender fills the buffers until EAGAIN");
    struct pollfd p = {.fd = c, .events = POLLOUT};
    check(poll(&p, 1, 0) == 0, "a full sender does not poll writable");
    int outq = 0;
    check(ioctl(c, SIOCOUTQ, &outq) == 0 && outq > 0, "SIOCOUTQ counts unacknowledged bytes");
    size_t received = 0;
    int bad = 0;
    while (received < sent && (wait_for(s, POLLIN) & POLLIN)) {
        ssize_t n = recv(s, got, sizeof(got), MSG_DONTWAIT);
        if (n <= 0)
            break;
        for (ssize_t k = 0; k < n; k++)
            bad |= got[k] != (unsigned char)((received + (size_t)k) * 7);
        received += (size_t)n;
    }
    check(received == sent && !bad, "the reader gets every byte in order");
    check(wait_for(c, POLLOUT) & POLLOUT, "the sender polls writable again");
    fcntl(c, F_SETFL, 0);
}

static void check_shutdown(int c, int s)
{
    char buf[16];
    check(shutdown(c, SHUT_WR) == 0, "shutdown(SHUT_WR)");
    short ev = wait_for(s, POLLIN | POLLRDHUP);
    check((ev & POLLIN) && (ev & POLLRDHUP), "the other end polls POLLIN | POLLRDHUP");
    check(recv(s, buf, sizeof(buf), 0) == 0, "and reads the end of the stream");
    check(send(s, "back", 4, 0) == 4, "it can still send");
    check(wait_for(c, POLLIN) & POLLIN, "the half-closed end polls readable");
    check(recv(c, buf, sizeof(buf), 0) == 4 && !memcmp(buf, "back", 4),
          "the half-closed end still receives");
    check(send(c, "x", 1, MSG_NOSIGNAL) == -1 && errno == EPIPE, "sending after SHUT_WR is EPIPE");
    close(s);
    ev = wait_for(c, POLLIN);
    check(recv(c, buf, sizeof(buf), 0) == 0, "the peer's close reads as the end of the stream");
    check(wait_for(c, POLLHUP) & POLLHUP, "both directions shut: POLLHUP");
    close(c);
}

static void check_resets(int l, uint16_t port)
{
    int c, s;
    char buf[16];
    pair(l, port, &c, &s);
    struct linger lg = {1, 0};
    check(setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) == 0, "SO_LINGER {1, 0}");
    close(c);
    check(wait_for(s, POLLIN) != 0, "the peer sees the reset");
    check(recv(s, buf, sizeof(buf), 0) == -1 && errno == ECONNRESET,
          "close with SO_LINGER 0 resets: ECONNRESET");
    check(send(s, "x", 1, MSG_NOSIGNAL) == -1 && errno == EPIPE,
          "sending on a reset connection is EPIPE");
    signal(SIGPIPE, SIG_IGN);
    check(send(s, "x", 1, 0) == -1 && errno == EPIPE,
          "with SIGPIPE ignored, send without MSG_NOSIGNAL is EPIPE too");
    signal(SIGPIPE, SIG_DFL);
    close(s);

    pair(l, port, &c, &s);
    send(c, "unread", 6, 0);
    wait_for(s, POLLIN);
    close(s);
    check(wait_for(c, POLLIN) != 0, "closing with unread data resets the connection");
    check(recv(c, buf, sizeof(buf), 0) == -1 && errno == ECONNRESET, "the peer: ECONNRESET");
    close(c);
}

static void check_epoll(int c, int s)
{
    char buf[16];
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN | EPOLLET | EPOLLRDHUP, .data.fd = s}, got[4];
    epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev);
    send(c, "a", 1, 0);
    check(epoll_wait(ep, got, 4, WAIT_MS) == 1 && (got[0].events & EPOLLIN),
          "edge-triggered epoll reports data");
    check(epoll_wait(ep, got, 4, 0) == 0, "only once while no new data comes");
    send(c, "b", 1, 0);
    check(epoll_wait(ep, got, 4, WAIT_MS) == 1, "and again for new data");
    recv(s, buf, sizeof(buf), 0);
    int lt = epoll_create1(0);
    struct epoll_event lev = {.events = EPOLLOUT, .data.fd = s};
    epoll_ctl(lt, EPOLL_CTL_ADD, s, &lev);
    check(epoll_wait(lt, got, 4, 0) == 1 && epoll_wait(lt, got, 4, 0) == 1,
          "level-triggered EPOLLOUT repeats");
    shutdown(c, SHUT_WR);
    check(epoll_wait(ep, got, 4, WAIT_MS) == 1 && (got[0].events & EPOLLRDHUP),
          "epoll reports EPOLLRDHUP when the peer shuts down");
    close(lt);
    close(ep);
}

static void check_options(int fd)
{
    check(set_int(fd, IPPROTO_TCP, TCP_NODELAY, 1) == 0 &&
              get_int(fd, IPPROTO_TCP, TCP_NODELAY) == 1,
          "TCP_NODELAY");
    check(set_int(fd, IPPROTO_TCP, TCP_CORK, 1) == 0 && get_int(fd, IPPROTO_TCP, TCP_CORK) == 1,
          "TCP_CORK");
    set_int(fd, IPPROTO_TCP, TCP_CORK, 0);
    check(set_int(fd, SOL_SOCKET, SO_KEEPALIVE, 1) == 0 &&
              get_int(fd, SOL_SOCKET, SO_KEEPALIVE) == 1,
          "SO_KEEPALIVE");
    check(set_int(fd, IPPROTO_TCP, TCP_KEEPIDLE, 30) == 0 &&
              get_int(fd, IPPROTO_TCP, TCP_KEEPIDLE) == 30,
          "TCP_KEEPIDLE");
    check(set_int(fd, IPPROTO_TCP, TCP_KEEPINTVL, 5) == 0 &&
              get_int(fd, IPPROTO_TCP, TCP_KEEPINTVL) == 5,
          "TCP_KEEPINTVL");
    check(set_int(fd, IPPROTO_TCP, TCP_KEEPCNT, 4) == 0 &&
              get_int(fd, IPPROTO_TCP, TCP_KEEPCNT) == 4,
          "TCP_KEEPCNT");
    check(set_int(fd, IPPROTO_TCP, TCP_KEEPIDLE, 0) == -1 && errno == EINVAL,
          "TCP_KEEPIDLE 0 is EINVAL");
    check(set_int(fd, IPPROTO_TCP, TCP_KEEPCNT, 128) == -1 && errno == EINVAL,
          "TCP_KEEPCNT 128 is EINVAL");
    check(set_int(fd, IPPROTO_TCP, TCP_MAXSEG, 10) == -1 && errno == EINVAL,
          "TCP_MAXSEG 10 is EINVAL");
    check(set_int(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, -1) == -1 && errno == EINVAL,
          "TCP_USER_TIMEOUT -1 is EINVAL");
    struct linger lg = {1, 5}, back = {0, 0};
    socklen_t len = sizeof(back);
    check(setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) == 0 &&
              getsockopt(fd, SOL_SOCKET, SO_LINGER, &back, &len) == 0 && back.l_onoff == 1 &&
              back.l_linger == 5,
          "SO_LINGER");
    check(set_int(fd, SOL_SOCKET, SO_RCVBUF, 10000) == 0 &&
              get_int(fd, SOL_SOCKET, SO_RCVBUF) == 20000,
          "SO_RCVBUF reads back doubled");
    check(set_int(fd, SOL_SOCKET, SO_SNDBUF, 10000) == 0 &&
              get_int(fd, SOL_SOCKET, SO_SNDBUF) == 20000,
          "SO_SNDBUF reads back doubled");
    check(set_int(fd, SOL_SOCKET, SO_REUSEADDR, 1) == 0 &&
              get_int(fd, SOL_SOCKET, SO_REUSEADDR) == 1,
          "SO_REUSEADDR");
    check(set_int(fd, IPPROTO_TCP, 9999, 1) == -1 && errno == ENOPROTOOPT,
          "an unknown TCP option is ENOPROTOOPT");
}

static void check_cycles(int l, uint16_t port)
{
    int first = -1, leaked = 0, failed = 0;
    for (int i = 0; i < 200; i++) {
        int c, s;
        char b = 0;
        if (pair(l, port, &c, &s) < 0 || send(c, "q", 1, 0) != 1 || recv(s, &b, 1, 0) != 1) {
            failed++;
            break;
        }
        if (first < 0)
            first = c;
        leaked |= c != first;
        close(s);
        close(c);
    }
    check(!failed && !leaked, "200 connect/accept/transfer/close cycles reuse the descriptors");
}

static int sigpipe_dies(void)
{
    uint16_t port;
    int l = listener(&port), c, s;
    pair(l, port, &c, &s);
    struct linger lg = {1, 0};
    setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    close(c);
    wait_for(s, POLLIN);
    char buf[4];
    recv(s, buf, sizeof(buf), 0);
    printf("tcp_sockets: sending on a reset connection with SIGPIPE's default action\n");
    fflush(stdout);
    send(s, "x", 1, 0);
    printf("tcp_sockets: still alive after the send\n");
    return 1;
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "sigpipe"))
        return sigpipe_dies();
    check_creation();
    check_binding();
    check_connect_accept();
    uint16_t port;
    int l = listener(&port), c, s;
    check(pair(l, port, &c, &s) == 0, "a connected pair");
    check_data(c, s);
    check_flow_control(c, s);
    check_options(c);
    struct linger off = {0, 0};
    setsockopt(c, SOL_SOCKET, SO_LINGER, &off, sizeof(off));
    check_shutdown(c, s);
    check_resets(l, port);
    pair(l, port, &c, &s);
    check_epoll(c, s);
    close(c);
    close(s);
    check_cycles(l, port);
    close(l);
    return checks_finish("tcp_sockets");
}
