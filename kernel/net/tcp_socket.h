/* AF_INET SOCK_STREAM sockets: what the socket layer's files (life, data, options) share. */
#ifndef ATOLL_NET_TCP_SOCKET_H
#define ATOLL_NET_TCP_SOCKET_H

#include "atoll/kernel.h"
#include "socket.h"
#include "tcp.h"

#define IPPROTO_TCP 6
#define SOL_SOCKET  1
#define SIGPIPE     13

#define SHUT_RCV_BIT  1
#define SHUT_SEND_BIT 2

struct tcp_sock {
    struct sock sock; /* first: the generic layer's pointer is this socket's */
    struct tcp_conn *conn;
    struct tcp_sock *next_free;
    bool listening;
    bool connecting; /* connect() started it; a later connect() reports how it ended */
    bool linger_on;  /* SO_LINGER */
    int linger_secs;
};

static inline struct tcp_sock *tcp_sock_of(struct sock *s)
{
    return (struct tcp_sock *)s;
}

/* The monotonic deadline of a wait bounded by SO_RCVTIMEO / SO_SNDTIMEO (0: none). */
static inline uint64_t tcp_sock_deadline(uint64_t timeout_ns)
{
    return timeout_ns ? clock_monotonic_ns() + timeout_ns : UINT64_MAX;
}

/* tcp_socket.c: waits until the connection shows one of events (TCP_EV_*; errors and hang-ups
 * always end the wait) or the deadline passes (-EAGAIN). The protocol's timers keep running. */
int tcp_sock_wait(struct tcp_sock *t, unsigned events, uint64_t deadline);

/* tcp_socket_io.c: the data path. */
long tcp_sock_sendmsg(struct sock *s, const struct sock_msghdr *msg, int flags);
long tcp_sock_recvmsg(struct sock *s, struct sock_msghdr *msg, int flags);
long tcp_sock_sendfile(struct sock *s, struct file *in, uint64_t *off, size_t count);

/* tcp_socket_opts.c: options and ioctls. */
int tcp_sock_setsockopt(struct sock *s, int level, int name, const void *val, unsigned len);
int tcp_sock_getsockopt(struct sock *s, int level, int name, void *val, unsigned *len);
long tcp_sock_ioctl(struct sock *s, unsigned long req, unsigned long arg);
/* Linux's default SO_RCVBUF / SO_SNDBUF of a TCP socket (tcp_rmem[1], tcp_wmem[1]). */
#define TCP_SOCK_RCVBUF_DEFAULT 131072
#define TCP_SOCK_SNDBUF_DEFAULT 16384

#endif
