/* The data path of AF_INET SOCK_STREAM sockets: send, receive (MSG_PEEK, MSG_WAITALL, MSG_DONTWAIT,
 * MSG_MORE, MSG_NOSIGNAL), SIGPIPE, and sendfile straight from a file into the send ring. */
#include "tcp_socket.h"

#include "atoll/errno.h"
#include "atoll/kernel.h"
#include "atoll/netdev.h"
#include "net_internal.h"

#define SOCK_IOV_MAX 1024

static struct net_iov iov_scratch[SOCK_IOV_MAX]; /* one vCPU, one syscall at a time */

/* The message's iovec from byte skip on, as the engine's net_iov; returns the element count. */
static unsigned iov_from(const struct sock_msghdr *msg, size_t skip)
{
    unsigned n = 0;
    for (size_t i = 0; i < msg->iovlen && n < SOCK_IOV_MAX; i++) {
        size_t len = msg->iov[i].len;
        if (skip >= len) {
            skip -= len;
            continue;
        }
        iov_scratch[n++] = (struct net_iov){(const uint8_t *)msg->iov[i].base + skip, len - skip};
        skip = 0;
    }
    return n;
}

static size_t msg_bytes(const struct sock_msghdr *msg)
{
    size_t total = 0;
    for (size_t i = 0; i < msg->iovlen; i++)
        total += msg->iov[i].len;
    return total;
}

/* EPIPE, with Linux's SIGPIPE unless MSG_NOSIGNAL: Atoll's signal layer ends the program when the
 * signal has its default action, and returns (EPIPE follows) when it is ignored or handled. */
static long broken_pipe(int flags)
{
    if (!(flags & MSG_NOSIGNAL))
        signal_raise(SIGPIPE);
    return -EPIPE;
}

/* What a failed send returns: bytes already sent first, as Linux; EPIPE raises SIGPIPE. */
static long send_error(long err, size_t done, int flags)
{
    if (err == -ENOTCONN) /* Linux: sending on a socket that never connected is EPIPE */
        err = -EPIPE;
    if (err == -EPIPE && !done)
        return broken_pipe(flags);
    return done ? (long)done : err;
}

long tcp_sock_sendmsg(struct sock *s, const struct sock_msghdr *msg, int flags)
{
    struct tcp_sock *t = tcp_sock_of(s);
    if (flags & MSG_OOB)
        return -EOPNOTSUPP;
    if (t->listening)
        return broken_pipe(flags);
    size_t want = msg_bytes(msg), done = 0;
    bool nonblock = sock_nonblocking(s, flags);
    uint64_t deadline = 0;
    for (;;) {
        unsigned n = iov_from(msg, done);
        /* The segments wait for the device notification until the program's next wait (or a
         * batch's worth), as UDP's do: an event loop answering many connections then costs one
         * notification (an exit to the hypervisor) per round instead of one per reply. */
        netdev_tx_deferred = true;
        long rc = tcp_send(t->conn, iov_scratch, n, (flags & MSG_MORE) != 0);
        netdev_tx_deferred = false;
        if (rc > 0)
            done += (size_t)rc;
        else if (rc < 0 && rc != -EAGAIN)
            return send_error(rc, done, flags);
        if (done >= want && (want || rc >= 0))
            return (long)done;
        if (rc > 0)
            continue; /* the engine may take more now that a segment left */
        if (nonblock)
            return done ? (long)done : -EAGAIN;
        if (!deadline)
            deadline = tcp_sock_deadline(s->sndtimeo_ns);
        if (tcp_sock_wait(t, TCP_EV_OUT | TCP_EV_ERR | TCP_EV_HUP, deadline) < 0)
            return done ? (long)done : -EAGAIN;
    }
}

long tcp_sock_recvmsg(struct sock *s, struct sock_msghdr *msg, int flags)
{
    struct tcp_sock *t = tcp_sock_of(s);
    if (flags & MSG_OOB)
        return -EOPNOTSUPP;
    if (flags & MSG_ERRQUEUE) /* without IP_RECVERR the error queue is always empty */
        return -EAGAIN;
    msg->namelen = 0; /* a stream socket names no sender */
    msg->controllen = 0;
    if (t->listening)
        return -ENOTCONN;
    bool peek = flags & MSG_PEEK;
    bool waitall = (flags & MSG_WAITALL) && !peek;
    bool nonblock = sock_nonblocking(s, flags);
    size_t want = msg_bytes(msg), done = 0;
    uint64_t deadline = 0;
    for (;;) {
        unsigned n = iov_from(msg, done);
        long rc = tcp_recv(t->conn, iov_scratch, n, peek);
        if (rc > 0) {
            done += (size_t)rc;
            if (!waitall || done >= want)
                return (long)done;
            continue;
        }
        if (rc == 0 || (rc == -EAGAIN && (s->shut & SHUT_RCV_BIT)))
            return (long)done; /* end of stream, or SHUT_RD: what came, or 0 */
        if (rc != -EAGAIN)
            return done ? (long)done : rc;
        if (!want)
            return 0;
        if (nonblock)
            return done ? (long)done : -EAGAIN;
        if (!deadline)
            deadline = tcp_sock_deadline(s->rcvtimeo_ns);
        if (tcp_sock_wait(t, TCP_EV_IN | TCP_EV_ERR | TCP_EV_HUP | TCP_EV_RDHUP, deadline) < 0)
            return done ? (long)done : -EAGAIN;
    }
}

/* Reads the file into the send ring's free areas: bytes committed, *eof set at the file's end. */
static long fill_from_file(struct tcp_conn *c, struct file *in, uint64_t off, size_t max, bool more,
                           bool *eof)
{
    struct net_iov area[2];
    int n = tcp_send_space(c, area, max);
    if (n <= 0)
        return n == 0 ? -EAGAIN : n;
    size_t wrote = 0;
    long err = 0;
    for (int i = 0; i < n && !*eof; i++) {
        long got = in->ops->pread(in, (void *)area[i].base, area[i].len, off + wrote);
        if (got < 0) {
            err = got;
            break;
        }
        wrote += (size_t)got;
        *eof = (size_t)got < area[i].len;
    }
    if (wrote) {
        netdev_tx_deferred = true; /* as in tcp_sock_sendmsg */
        tcp_send_commit(c, wrote, more && !*eof && wrote < max);
        netdev_tx_deferred = false;
    }
    return wrote ? (long)wrote : err;
}

long tcp_sock_sendfile(struct sock *s, struct file *in, uint64_t *off, size_t count)
{
    struct tcp_sock *t = tcp_sock_of(s);
    if (t->listening)
        return broken_pipe(0);
    bool nonblock = sock_nonblocking(s, 0), eof = false;
    size_t done = 0;
    uint64_t deadline = 0;
    while (done < count && !eof) {
        long rc = fill_from_file(t->conn, in, *off, count - done, true, &eof);
        if (rc > 0) {
            done += (size_t)rc;
            *off += (uint64_t)rc;
            continue;
        }
        if (rc == 0)
            break; /* the file ends here */
        if (rc != -EAGAIN)
            return send_error(rc, done, 0);
        if (nonblock)
            return done ? (long)done : -EAGAIN;
        if (!deadline)
            deadline = tcp_sock_deadline(s->sndtimeo_ns);
        if (tcp_sock_wait(t, TCP_EV_OUT | TCP_EV_ERR | TCP_EV_HUP, deadline) < 0)
            return done ? (long)done : -EAGAIN;
    }
    return (long)done;
}
