/* TCP as a client of a Linux server (tests/e2e/tcp/scenario_peer.py): refused connects,
 * non-blocking connect, half-close in both directions, resets received and sent, TCP_INFO of a
 * real path. tcp_client HOST [BASE_PORT] (scenarios on BASE+1..BASE+5, BASE+9 closed). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"

#define WAIT_MS 10000

static struct sockaddr_in server;
static int base = 6000;

static struct sockaddr_in at(int offset)
{
    struct sockaddr_in a = server;
    a.sin_port = htons((uint16_t)(base + offset));
    return a;
}

static int connect_to(int offset)
{
    struct sockaddr_in a = at(offset);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0)
        return fd;
    close(fd);
    return -1;
}

static short wait_for(int fd, short events)
{
    struct pollfd p = {.fd = fd, .events = events};
    return poll(&p, 1, WAIT_MS) == 1 ? p.revents : 0;
}

/* Reads until the end of the stream (or an error) into buf; returns the count or -errno. */
static long read_to_end(int fd, char *buf, size_t size)
{
    size_t n = 0;
    for (;;) {
        ssize_t r = recv(fd, buf + n, size - n, 0);
        if (r < 0)
            return -errno;
        if (r == 0 || (n += (size_t)r) == size)
            return (long)n;
    }
}

int main(int argc, char **argv)
{
    if (argc < 2 || inet_pton(AF_INET, argv[1], &server.sin_addr) != 1) {
        fprintf(stderr, "usage: tcp_client HOST [BASE_PORT]\n");
        return 2;
    }
    if (argc > 2)
        base = atoi(argv[2]);
    server.sin_family = AF_INET;
    char buf[70000];

    struct sockaddr_in closed = at(9);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    check(connect(fd, (struct sockaddr *)&closed, sizeof(closed)) == -1 && errno == ECONNREFUSED,
          "connect to a closed port of the Linux peer is ECONNREFUSED");
    close(fd);

    fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in a = at(1);
    check(connect(fd, (struct sockaddr *)&a, sizeof(a)) == -1 && errno == EINPROGRESS,
          "a non-blocking connect is EINPROGRESS");
    check(wait_for(fd, POLLOUT) & POLLOUT, "it polls writable once connected");
    int err = -1;
    socklen_t len = sizeof(err);
    check(getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0, "with SO_ERROR 0");
    struct tcp_info ti;
    len = sizeof(ti);
    check(getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0 && ti.tcpi_state == 1 &&
              ti.tcpi_snd_mss >= 536 && ti.tcpi_snd_mss <= 1460,
          "TCP_INFO: established, an MSS for a 1500-byte MTU");
    close(fd);

    /* The client half-closes; the server answers after the end of the stream. */
    fd = connect_to(1);
    memset(buf, 'c', 1000);
    check(fd >= 0 && send(fd, buf, 1000, 0) == 1000, "send 1000 bytes");
    check(shutdown(fd, SHUT_WR) == 0, "shutdown(SHUT_WR)");
    long n = read_to_end(fd, buf, sizeof(buf));
    check(n == 9 && !memcmp(buf, "got 1000\n", 9),
          "the server read them to the end and its answer arrives after our FIN");
    close(fd);

    /* The server half-closes first; we still send after its FIN. */
    fd = connect_to(2);
    n = read_to_end(fd, buf, sizeof(buf));
    check(n == 6 && !memcmp(buf, "hello\n", 6), "the server's data, then the end of the stream");
    check(wait_for(fd, POLLRDHUP) & POLLRDHUP, "POLLRDHUP after the server's FIN");
    check(send(fd, "after-eof", 9, 0) == 9, "sending after the server's FIN works");
    close(fd);

    /* The server resets the connection. */
    fd = connect_to(3);
    send(fd, "line\n", 5, 0);
    check(wait_for(fd, POLLIN | POLLERR) != 0, "the reset arrives");
    check(recv(fd, buf, sizeof(buf), 0) == -1 && errno == ECONNRESET,
          "recv after the server's RST is ECONNRESET");
    check(send(fd, "x", 1, MSG_NOSIGNAL) == -1 && errno == EPIPE, "send after it is EPIPE");
    close(fd);

    /* We close with unread data: a reset. */
    fd = connect_to(4);
    check(wait_for(fd, POLLIN) & POLLIN, "the server's data arrives");
    check(close(fd) == 0, "close with unread data");

    /* SO_LINGER 0: a reset. */
    fd = connect_to(5);
    struct linger lg = {1, 0};
    check(setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) == 0, "SO_LINGER {1, 0}");
    check(close(fd) == 0, "close with SO_LINGER 0");
    return checks_finish("tcp_client");
}
