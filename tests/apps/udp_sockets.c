/* Checks UDP socket semantics over loopback: creation, binding, sending, receiving, options,
 * connect, shutdown and errors, each as Linux defines them. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
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

static struct sockaddr_in loopback(uint16_t port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

/* A socket bound to 127.0.0.1 on an ephemeral port; *port gets the port. */
static int bound_socket(uint16_t *port)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = loopback(0);
    socklen_t len = sizeof(a);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) < 0)
        return -1;
    *port = ntohs(a.sin_port);
    return fd;
}

static ssize_t send_to(int fd, const void *buf, size_t len, uint16_t port)
{
    struct sockaddr_in a = loopback(port);
    return sendto(fd, buf, len, MSG_NOSIGNAL, (struct sockaddr *)&a, sizeof(a));
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

static void check_creation(void)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    check(fd >= 0, "socket(AF_INET, SOCK_DGRAM, 0) opens");
    check(get_int(fd, SOL_SOCKET, SO_TYPE) == SOCK_DGRAM, "SO_TYPE is SOCK_DGRAM");
    check(get_int(fd, SOL_SOCKET, SO_DOMAIN) == AF_INET, "SO_DOMAIN is AF_INET");
    check(get_int(fd, SOL_SOCKET, SO_PROTOCOL) == IPPROTO_UDP, "SO_PROTOCOL is IPPROTO_UDP");
    check(get_int(fd, SOL_SOCKET, SO_ERROR) == 0, "SO_ERROR starts at 0");
    check(get_int(fd, IPPROTO_IP, IP_TTL) == 64, "IP_TTL defaults to 64");
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    check(getsockname(fd, (struct sockaddr *)&a, &len) == 0 && len == sizeof(a) &&
              a.sin_port == 0 && a.sin_addr.s_addr == 0,
          "an unbound socket's name is 0.0.0.0:0");
    check(getpeername(fd, (struct sockaddr *)&a, &len) == -1 && errno == ENOTCONN,
          "getpeername of an unconnected socket is ENOTCONN");
    check(send(fd, "x", 1, MSG_NOSIGNAL) == -1 && errno == EDESTADDRREQ,
          "send without a destination is EDESTADDRREQ");
    check(listen(fd, 1) == -1 && errno == EOPNOTSUPP, "listen on a datagram socket is EOPNOTSUPP");
    close(fd);
    check(socket(1000, SOCK_DGRAM, 0) == -1 && errno == EAFNOSUPPORT,
          "an unknown family is EAFNOSUPPORT");
    check(socket(AF_INET, SOCK_DGRAM, IPPROTO_TCP) == -1 && errno == EPROTONOSUPPORT,
          "SOCK_DGRAM with IPPROTO_TCP is EPROTONOSUPPORT");
    check(socket(AF_INET, SOCK_DGRAM | 0x100000, 0) == -1 && errno == EINVAL,
          "an unknown type flag is EINVAL");
    check(getsockname(0, (struct sockaddr *)&a, &len) == -1 && errno == ENOTSOCK,
          "getsockname on a non-socket is ENOTSOCK");
    check(getsockname(999, (struct sockaddr *)&a, &len) == -1 && errno == EBADF,
          "getsockname on a closed descriptor is EBADF");
    fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    check((fcntl(fd, F_GETFL) & O_NONBLOCK) && (fcntl(fd, F_GETFD) & FD_CLOEXEC),
          "SOCK_NONBLOCK and SOCK_CLOEXEC set O_NONBLOCK and FD_CLOEXEC");
    close(fd);
}

static void check_binding(void)
{
    uint16_t port = 0;
    int a = bound_socket(&port);
    check(a >= 0 && port >= 1024, "binding to port 0 picks an ephemeral port");
    struct sockaddr_in addr = loopback(0);
    check(bind(a, (struct sockaddr *)&addr, sizeof(addr)) == -1 && errno == EINVAL,
          "binding twice is EINVAL");
    int b = socket(AF_INET, SOCK_DGRAM, 0);
    addr = loopback(port);
    check(bind(b, (struct sockaddr *)&addr, sizeof(addr)) == -1 && errno == EADDRINUSE,
          "binding a taken port is EADDRINUSE");
    check(bind(b, (struct sockaddr *)&addr, 8) == -1 && errno == EINVAL,
          "a short address is EINVAL");
    struct sockaddr_in far = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(0xc0000201)};
    check(bind(b, (struct sockaddr *)&far, sizeof(far)) == -1 && errno == EADDRNOTAVAIL,
          "binding a foreign address is EADDRNOTAVAIL");
    struct sockaddr_in six = {.sin_family = AF_INET6};
    check(bind(b, (struct sockaddr *)&six, sizeof(six)) == -1 && errno == EAFNOSUPPORT,
          "binding an AF_INET6 address is EAFNOSUPPORT");
    close(a), close(b);

    a = socket(AF_INET, SOCK_DGRAM, 0);
    b = socket(AF_INET, SOCK_DGRAM, 0);
    set_int(a, SOL_SOCKET, SO_REUSEADDR, 1);
    set_int(b, SOL_SOCKET, SO_REUSEADDR, 1);
    check(get_int(a, SOL_SOCKET, SO_REUSEADDR) == 1, "SO_REUSEADDR reads back");
    addr = loopback(0);
    socklen_t len = sizeof(addr);
    bind(a, (struct sockaddr *)&addr, sizeof(addr));
    getsockname(a, (struct sockaddr *)&addr, &len);
    check(bind(b, (struct sockaddr *)&addr, sizeof(addr)) == 0,
          "two SO_REUSEADDR sockets share a port");
    close(a), close(b);

    a = socket(AF_INET, SOCK_DGRAM, 0);
    b = socket(AF_INET, SOCK_DGRAM, 0);
    set_int(a, SOL_SOCKET, SO_REUSEPORT, 1);
    set_int(b, SOL_SOCKET, SO_REUSEPORT, 1);
    addr = loopback(0);
    bind(a, (struct sockaddr *)&addr, sizeof(addr));
    getsockname(a, (struct sockaddr *)&addr, &len);
    check(bind(b, (struct sockaddr *)&addr, sizeof(addr)) == 0,
          "two SO_REUSEPORT sockets share a port");
    close(a), close(b);
}

static void check_datagrams(void)
{
    uint16_t pa, pb;
    int a = bound_socket(&pa), b = bound_socket(&pb);
    check(send_to(a, "hello", 5, pb) == 5, "sendto returns the length");
    struct pollfd pfd = {.fd = b, .events = POLLIN};
    check(poll(&pfd, 1, 1000) == 1 && (pfd.revents & POLLIN), "poll sees the datagram");
    int avail = -1;
    check(ioctl(b, FIONREAD, &avail) == 0 && avail == 5, "FIONREAD is the next datagram's size");
    char buf[100] = {0};
    check(recv(b, buf, sizeof(buf), MSG_PEEK) == 5 && !memcmp(buf, "hello", 5),
          "MSG_PEEK reads the datagram");
    struct sockaddr_in from;
    socklen_t len = sizeof(from);
    memset(buf, 0, sizeof(buf));
    check(recvfrom(b, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len) == 5 &&
              !memcmp(buf, "hello", 5),
          "recvfrom after a peek reads it again");
    check(len == sizeof(from) && from.sin_family == AF_INET && ntohs(from.sin_port) == pa &&
              from.sin_addr.s_addr == htonl(INADDR_LOOPBACK),
          "recvfrom names the sender");
    check(recv(b, buf, sizeof(buf), MSG_DONTWAIT) == -1 && errno == EAGAIN,
          "an empty queue with MSG_DONTWAIT is EAGAIN");

    char big[100];
    memset(big, 'z', sizeof(big));
    send_to(a, big, sizeof(big), pb);
    struct iovec iov = {buf, 10};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
    check(recvmsg(b, &msg, MSG_PEEK) == 10 && (msg.msg_flags & MSG_TRUNC),
          "a short buffer gets 10 bytes and MSG_TRUNC in msg_flags");
    check(recv(b, buf, 10, MSG_TRUNC) == 100, "the MSG_TRUNC flag returns the real length 100");

    check(send_to(a, "", 0, pb) == 0, "an empty datagram is sent");
    check(recv(b, buf, sizeof(buf), 0) == 0, "an empty datagram is received as 0 bytes");

    len = 4;
    send_to(a, "n", 1, pb);
    check(recvfrom(b, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len) == 1 && len == 16,
          "a short address buffer still learns the full length 16");

    char two[2][3] = {{'a', 'b', 'c'}, {'d', 'e', 'f'}};
    struct iovec out[2] = {{two[0], 3}, {two[1], 3}};
    struct sockaddr_in to = loopback(pb);
    struct msghdr smsg = {
        .msg_name = &to, .msg_namelen = sizeof(to), .msg_iov = out, .msg_iovlen = 2};
    check(sendmsg(a, &smsg, 0) == 6, "sendmsg gathers two pieces");
    char r1[4] = {0}, r2[4] = {0};
    struct iovec in[2] = {{r1, 2}, {r2, 4}};
    struct msghdr rmsg = {.msg_iov = in, .msg_iovlen = 2};
    check(recvmsg(b, &rmsg, 0) == 6 && !memcmp(r1, "ab", 2) && !memcmp(r2, "cdef", 4),
          "recvmsg scatters into two pieces");

    static char huge[65508];
    memset(huge, 'h', sizeof(huge));
    check(send_to(a, huge, 65508, pb) == -1 && errno == EMSGSIZE,
          "a 65508-byte datagram is EMSGSIZE");
    static char back[65507];
    check(send_to(a, huge, 65507, pb) == 65507, "a 65507-byte datagram is sent");
    check(recv(b, back, sizeof(back), 0) == 65507 && !memcmp(back, huge, sizeof(back)),
          "a 65507-byte datagram arrives whole");
    close(a), close(b);
}

static void check_pktinfo(void)
{
    uint16_t pa, pb;
    int a = bound_socket(&pa), b = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in any = {.sin_family = AF_INET};
    bind(b, (struct sockaddr *)&any, sizeof(any));
    socklen_t len = sizeof(any);
    getsockname(b, (struct sockaddr *)&any, &len);
    pb = ntohs(any.sin_port);
    check(set_int(b, IPPROTO_IP, IP_PKTINFO, 1) == 0 && get_int(b, IPPROTO_IP, IP_PKTINFO) == 1,
          "IP_PKTINFO can be set");
    send_to(a, "p", 1, pb);
    char buf[8];
    union {
        struct cmsghdr align;
        char space[CMSG_SPACE(sizeof(struct in_pktinfo))];
    } control;
    struct iovec iov = {buf, sizeof(buf)};
    struct msghdr msg = {.msg_iov = &iov,
                         .msg_iovlen = 1,
                         .msg_control = &control,
                         .msg_controllen = sizeof(control)};
    check(recvmsg(b, &msg, 0) == 1, "a datagram with IP_PKTINFO arrives");
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    bool found = c && c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO;
    struct in_pktinfo pi = {0};
    if (found)
        memcpy(&pi, CMSG_DATA(c), sizeof(pi));
    check(found && pi.ipi_addr.s_addr == htonl(INADDR_LOOPBACK) && pi.ipi_ifindex > 0,
          "IP_PKTINFO names the destination 127.0.0.1 and an interface");
    send_to(a, "q", 1, pb);
    msg.msg_controllen = 4;
    check(recvmsg(b, &msg, 0) == 1 && (msg.msg_flags & MSG_CTRUNC),
          "too little control space sets MSG_CTRUNC");
    close(a), close(b);
}

static void check_connect(void)
{
    uint16_t pa, pb, pc;
    int a = bound_socket(&pa), b = bound_socket(&pb), c = bound_socket(&pc);
    struct sockaddr_in peer = loopback(pb);
    check(connect(a, (struct sockaddr *)&peer, sizeof(peer)) == 0, "connect succeeds");
    struct sockaddr_in got;
    socklen_t len = sizeof(got);
    check(getpeername(a, (struct sockaddr *)&got, &len) == 0 && ntohs(got.sin_port) == pb,
          "getpeername names the peer");
    check(write(a, "w", 1) == 1, "write on a connected socket sends");
    char buf[8];
    check(read(b, buf, sizeof(buf)) == 1 && buf[0] == 'w', "read receives it");
    send_to(c, "3", 1, pa); /* from a stranger: dropped */
    send_to(b, "2", 1, pa);
    check(recv(a, buf, sizeof(buf), 0) == 1 && buf[0] == '2',
          "a connected socket receives only from its peer");
    struct iovec iov[2] = {{"ab", 2}, {"cd", 2}};
    check(writev(a, iov, 2) == 4, "writev sends one datagram");
    check(recv(b, buf, sizeof(buf), 0) == 4 && !memcmp(buf, "abcd", 4), "it arrives as one");
    struct sockaddr_in ignored = loopback(1);
    struct iovec one = {"m", 1};
    struct msghdr unnamed = {
        .msg_name = &ignored, .msg_namelen = 0, .msg_iov = &one, .msg_iovlen = 1};
    check(sendmsg(a, &unnamed, 0) == 1 && recv(b, buf, sizeof(buf), 0) == 1 && buf[0] == 'm',
          "sendmsg with msg_namelen 0 goes to the peer");
    check(sendto(a, "t", 1, 0, (struct sockaddr *)&ignored, 0) == -1 && errno == EINVAL,
          "sendto with an address of length 0 is EINVAL");

    struct sockaddr unspec = {.sa_family = AF_UNSPEC};
    check(connect(a, &unspec, sizeof(unspec)) == 0, "connect(AF_UNSPEC) succeeds");
    check(getpeername(a, (struct sockaddr *)&got, &len) == -1 && errno == ENOTCONN,
          "after AF_UNSPEC the socket is unconnected");
    check(send(a, "x", 1, MSG_NOSIGNAL) == -1 && errno == EDESTADDRREQ,
          "and send without an address is EDESTADDRREQ");
    close(a), close(b), close(c);

    int d = socket(AF_INET, SOCK_DGRAM, 0);
    check(connect(d, (struct sockaddr *)&peer, sizeof(peer)) == 0,
          "connect binds an unbound socket");
    len = sizeof(got);
    check(getsockname(d, (struct sockaddr *)&got, &len) == 0 && got.sin_port != 0 &&
              got.sin_addr.s_addr == htonl(INADDR_LOOPBACK),
          "to 127.0.0.1 and an ephemeral port");
    close(d);

    /* Nobody listens on pb any more: the port-unreachable error reaches the connected socket. */
    uint16_t pe;
    int e = bound_socket(&pe);
    struct timeval tv = {1, 0};
    setsockopt(e, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    connect(e, (struct sockaddr *)&peer, sizeof(peer));
    send(e, "?", 1, MSG_NOSIGNAL);
    check(recv(e, buf, sizeof(buf), 0) == -1 && errno == ECONNREFUSED,
          "a connected socket learns ECONNREFUSED");
    close(e);
}

static void check_options(void)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    set_int(fd, SOL_SOCKET, SO_RCVBUF, 10000);
    check(get_int(fd, SOL_SOCKET, SO_RCVBUF) == 20000, "SO_RCVBUF 10000 reads back doubled");
    set_int(fd, SOL_SOCKET, SO_RCVBUF, 1);
    check(get_int(fd, SOL_SOCKET, SO_RCVBUF) == 2304, "SO_RCVBUF has a minimum of 2304");
    set_int(fd, SOL_SOCKET, SO_SNDBUF, 10000);
    check(get_int(fd, SOL_SOCKET, SO_SNDBUF) == 20000, "SO_SNDBUF 10000 reads back doubled");
    set_int(fd, SOL_SOCKET, SO_SNDBUF, 1);
    check(get_int(fd, SOL_SOCKET, SO_SNDBUF) == 4608, "SO_SNDBUF has a minimum of 4608");
    check(set_int(fd, IPPROTO_IP, IP_TTL, 5) == 0 && get_int(fd, IPPROTO_IP, IP_TTL) == 5,
          "IP_TTL 5 reads back");
    check(set_int(fd, IPPROTO_IP, IP_TTL, 0) == -1 && errno == EINVAL, "IP_TTL 0 is EINVAL");
    check(set_int(fd, IPPROTO_IP, IP_TTL, -1) == 0 && get_int(fd, IPPROTO_IP, IP_TTL) == 64,
          "IP_TTL -1 restores 64");
    check(set_int(fd, SOL_SOCKET, SO_TYPE, 1) == -1 && errno == ENOPROTOOPT,
          "setting SO_TYPE is ENOPROTOOPT");
    check(set_int(fd, SOL_SOCKET, 12345, 1) == -1 && errno == ENOPROTOOPT,
          "an unknown option is ENOPROTOOPT");
    short tiny = 1;
    check(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &tiny, sizeof(tiny)) == -1 && errno == EINVAL,
          "a 2-byte int option is EINVAL");
    check(getsockopt(fd, SOL_SOCKET, SO_TYPE, &tiny, NULL) == -1 && errno == EFAULT,
          "getsockopt without a length is EFAULT");
    struct sockaddr_in bcast = {
        .sin_family = AF_INET, .sin_port = htons(9), .sin_addr.s_addr = htonl(INADDR_BROADCAST)};
    check(sendto(fd, "b", 1, 0, (struct sockaddr *)&bcast, sizeof(bcast)) == -1 && errno == EACCES,
          "broadcast without SO_BROADCAST is EACCES");
    check(set_int(fd, SOL_SOCKET, SO_BROADCAST, 1) == 0 &&
              get_int(fd, SOL_SOCKET, SO_BROADCAST) == 1,
          "SO_BROADCAST reads back");
    struct timeval tv = {0, 1000000};
    check(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == -1 && errno == EDOM,
          "SO_RCVTIMEO with 1000000 us is EDOM");
    tv = (struct timeval){0, 50000};
    struct timeval back = {0};
    socklen_t len = sizeof(back);
    check(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0 &&
              getsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &back, &len) == 0 && back.tv_sec == 0 &&
              back.tv_usec >= 49000 && back.tv_usec <= 60000,
          "SO_RCVTIMEO 50 ms reads back");
    struct sockaddr_in any = loopback(0);
    bind(fd, (struct sockaddr *)&any, sizeof(any));
    char buf[4];
    uint64_t t0 = now_ms();
    check(recv(fd, buf, sizeof(buf), 0) == -1 && errno == EAGAIN,
          "a receive past SO_RCVTIMEO is EAGAIN");
    check(now_ms() - t0 >= 40, "after about 50 ms");
    tv = (struct timeval){0, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    int on = 1;
    check(ioctl(fd, FIONBIO, &on) == 0 && recv(fd, buf, sizeof(buf), 0) == -1 && errno == EAGAIN,
          "FIONBIO makes receives non-blocking");
    on = 0;
    ioctl(fd, FIONBIO, &on);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    check(recv(fd, buf, sizeof(buf), 0) == -1 && errno == EAGAIN,
          "O_NONBLOCK makes receives non-blocking");
    close(fd);
}

static void check_mmsg_and_shutdown(void)
{
    uint16_t pa, pb;
    int a = bound_socket(&pa), b = bound_socket(&pb);
    struct sockaddr_in to = loopback(pb);
    char data[3][4] = {"one", "two", "six"};
    struct iovec iov[3];
    struct mmsghdr out[3];
    memset(out, 0, sizeof(out));
    for (int i = 0; i < 3; i++) {
        iov[i] = (struct iovec){data[i], 3};
        out[i].msg_hdr = (struct msghdr){
            .msg_name = &to, .msg_namelen = sizeof(to), .msg_iov = &iov[i], .msg_iovlen = 1};
    }
    check(sendmmsg(a, out, 3, 0) == 3 && out[2].msg_len == 3, "sendmmsg sends three datagrams");
    char got[3][8];
    struct iovec in[3];
    struct mmsghdr vec[3];
    memset(vec, 0, sizeof(vec));
    for (int i = 0; i < 3; i++) {
        in[i] = (struct iovec){got[i], sizeof(got[i])};
        vec[i].msg_hdr = (struct msghdr){.msg_iov = &in[i], .msg_iovlen = 1};
    }
    check(recvmmsg(b, vec, 3, 0, NULL) == 3 && vec[1].msg_len == 3 && !memcmp(got[1], "two", 3) &&
              !memcmp(got[2], "six", 3),
          "recvmmsg receives them in order");
    send_to(a, "1", 1, pb);
    check(recvmmsg(b, vec, 3, MSG_WAITFORONE, NULL) == 1,
          "recvmmsg with MSG_WAITFORONE returns after one");

    check(shutdown(b, 7) == -1 && errno == EINVAL, "shutdown with a bad how is EINVAL");
    check(shutdown(b, SHUT_RD) == -1 && errno == ENOTCONN,
          "shutdown of an unconnected socket is ENOTCONN");
    struct sockaddr_in peer = loopback(pb);
    connect(a, (struct sockaddr *)&peer, sizeof(peer));
    check(shutdown(a, SHUT_WR) == 0, "shutdown of a connected socket succeeds");
    check(send(a, "x", 1, MSG_NOSIGNAL) == -1 && errno == EPIPE, "sending after SHUT_WR is EPIPE");
    struct pollfd pfd = {.fd = a, .events = POLLIN | POLLOUT | POLLRDHUP};
    check(shutdown(a, SHUT_RD) == 0 && poll(&pfd, 1, 0) == 1 &&
              pfd.revents == (POLLIN | POLLOUT | POLLRDHUP | POLLHUP),
          "shut both ways it polls POLLIN|POLLOUT|POLLRDHUP|POLLHUP");
    char buf[4];
    check(recv(a, buf, sizeof(buf), 0) == 0, "a blocking receive after SHUT_RD returns 0");
    check(recv(a, buf, sizeof(buf), MSG_DONTWAIT) == -1 && errno == EAGAIN,
          "a non-blocking one is EAGAIN");
    close(a), close(b);
}

static void check_readiness(void)
{
    uint16_t pa, pb;
    int a = bound_socket(&pa), b = bound_socket(&pb);
    struct pollfd pfd = {.fd = b, .events = POLLIN | POLLOUT};
    check(poll(&pfd, 1, 0) == 1 && pfd.revents == POLLOUT, "an idle socket polls writable only");
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN | EPOLLET, .data.fd = b};
    check(epoll_ctl(ep, EPOLL_CTL_ADD, b, &ev) == 0, "a socket joins an epoll set");
    struct epoll_event got;
    check(epoll_wait(ep, &got, 1, 0) == 0, "nothing is ready before a datagram");
    send_to(a, "1", 1, pb);
    check(epoll_wait(ep, &got, 1, 1000) == 1 && (got.events & EPOLLIN), "a datagram wakes epoll");
    check(epoll_wait(ep, &got, 1, 0) == 0, "edge-triggered: not again without a new datagram");
    send_to(a, "2", 1, pb);
    check(epoll_wait(ep, &got, 1, 1000) == 1, "edge-triggered: a second datagram is a new edge");
    char buf[4];
    recv(b, buf, sizeof(buf), 0);
    recv(b, buf, sizeof(buf), 0);
    pfd.events = POLLIN;
    check(poll(&pfd, 1, 0) == 0, "a drained socket is not readable");
    close(ep), close(a), close(b);
}

/* With a configured NIC: datagrams to the instance's own address are delivered locally. */
static void check_own_address(const char *gateway)
{
    int probe = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in gw = {.sin_family = AF_INET, .sin_port = htons(9)};
    inet_pton(AF_INET, gateway, &gw.sin_addr);
    struct sockaddr_in own;
    socklen_t len = sizeof(own);
    check(connect(probe, (struct sockaddr *)&gw, sizeof(gw)) == 0 &&
              getsockname(probe, (struct sockaddr *)&own, &len) == 0 &&
              own.sin_addr.s_addr != htonl(INADDR_ANY) &&
              own.sin_addr.s_addr != htonl(INADDR_LOOPBACK),
          "connecting toward %s fixes the NIC's address", gateway);
    close(probe);
    char text[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &own.sin_addr, text, sizeof(text));
    int b = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in any = {.sin_family = AF_INET};
    bind(b, (struct sockaddr *)&any, sizeof(any));
    len = sizeof(any);
    getsockname(b, (struct sockaddr *)&any, &len);
    set_int(b, IPPROTO_IP, IP_PKTINFO, 1);
    int a = socket(AF_INET, SOCK_DGRAM, 0);
    own.sin_port = any.sin_port;
    check(sendto(a, "self", 4, 0, (struct sockaddr *)&own, sizeof(own)) == 4,
          "a datagram to our own address %s is sent", text);
    char buf[8];
    union {
        struct cmsghdr align;
        char space[CMSG_SPACE(sizeof(struct in_pktinfo))];
    } control;
    struct sockaddr_in from;
    struct iovec iov = {buf, sizeof(buf)};
    struct msghdr msg = {.msg_name = &from,
                         .msg_namelen = sizeof(from),
                         .msg_iov = &iov,
                         .msg_iovlen = 1,
                         .msg_control = &control,
                         .msg_controllen = sizeof(control)};
    struct cmsghdr *c;
    struct in_pktinfo pi = {0};
    bool ok = recvmsg(b, &msg, MSG_DONTWAIT) == 4 && !memcmp(buf, "self", 4) &&
              from.sin_addr.s_addr == own.sin_addr.s_addr && (c = CMSG_FIRSTHDR(&msg)) != NULL;
    if (ok)
        memcpy(&pi, CMSG_DATA(c), sizeof(pi));
    check(ok && pi.ipi_addr.s_addr == own.sin_addr.s_addr, "it arrives at once, from and to %s",
          text);
    close(a), close(b);
}

/* With an argument (a gateway address), also checks delivery to the NIC's own address. */
int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    check_creation();
    check_binding();
    check_datagrams();
    check_pktinfo();
    check_connect();
    check_options();
    check_mmsg_and_shutdown();
    check_readiness();
    if (argc > 1)
        check_own_address(argv[1]);
    return checks_finish("udp_sockets");
}
