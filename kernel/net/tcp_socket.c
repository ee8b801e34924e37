/* AF_INET SOCK_STREAM sockets: creation, addresses, connect, listen, accept, shutdown, readiness
 * and close, with Linux's semantics, over the TCP engine (tcp.h). */
#include "tcp_socket.h"

#include "atoll/errno.h"
#include "atoll/kernel.h"
#include "atoll/mm.h"
#include "net_internal.h"

/* A socket record is small; records come from pages kept for reuse, at most one per descriptor. */
#define TCP_SOCK_MAX    FD_MAX
#define SOMAXCONN       4096 /* Linux's net.core.somaxconn: listen's backlog is capped at it */
#define LINUX_SYN_SENT  2
#define LINUX_SYN_RECV  3
#define LINUX_FIN_WAIT1 4
#define LINUX_CLOSE     7
#define LINUX_LAST_ACK  9
#define LINUX_CLOSING   11

struct sockaddr_in_k {
    uint16_t family;
    uint16_t port; /* network order */
    uint32_t addr; /* network order */
    uint8_t zero[8];
};

static const struct sock_ops tcp_sock_ops;
static struct tcp_sock *free_socks;
static unsigned sock_records;

/* ---- records ---- */

static struct tcp_sock *sock_alloc(void)
{
    if (!free_socks) {
        size_t per_page = PAGE_SIZE / sizeof(struct tcp_sock);
        if (sock_records >= TCP_SOCK_MAX)
            return NULL;
        uint64_t page = pagealloc_alloc(&phys, 1, 1, false);
        if (!page)
            return NULL;
        struct tcp_sock *recs = (struct tcp_sock *)page;
        for (size_t i = 0; i < per_page; i++) {
            recs[i].next_free = free_socks;
            free_socks = &recs[i];
        }
        sock_records += (unsigned)per_page;
    }
    struct tcp_sock *t = free_socks;
    free_socks = t->next_free;
    memset(t, 0, sizeof(*t));
    return t;
}

static void sock_free(struct tcp_sock *t)
{
    t->conn = NULL;
    t->next_free = free_socks;
    free_socks = t;
}

static void tcp_sock_notify(void *arg)
{
    sock_readiness_changed(arg);
}

/* A socket record around conn, with Linux's defaults. */
static void sock_init(struct tcp_sock *t, struct tcp_conn *conn)
{
    t->conn = conn;
    t->sock.ops = &tcp_sock_ops;
    t->sock.rcvbuf = TCP_SOCK_RCVBUF_DEFAULT;
    t->sock.sndbuf = TCP_SOCK_SNDBUF_DEFAULT;
    tcp_set_notify(conn, tcp_sock_notify, &t->sock);
}

/* ---- waiting ---- */

struct wait_arg {
    struct tcp_sock *t;
    unsigned events;
};

static bool conn_ready(void *arg)
{
    struct wait_arg *w = arg;
    return (tcp_poll(w->t->conn) & w->events) != 0;
}

int tcp_sock_wait(struct tcp_sock *t, unsigned events, uint64_t deadline)
{
    struct wait_arg w = {t, events};
    for (;;) {
        if (conn_ready(&w))
            return 0;
        if (clock_monotonic_ns() >= deadline)
            return -EAGAIN;
        /* The halt also ends at the stack's next timer (retransmission, delayed ACK, TIME_WAIT),
         * which the wait loop's poll of the network then runs. */
        uint64_t until = MIN(deadline, net_next_deadline());
        if (sched_wait(conn_ready, &w, until) == 0)
            return 0;
    }
}

/* ---- addresses ---- */

static void put_sockaddr(void *dst, unsigned *len, uint32_t addr, uint16_t port)
{
    struct sockaddr_in_k sin = {AF_INET, __builtin_bswap16(port), __builtin_bswap32(addr), {0}};
    if (dst)
        memcpy(dst, &sin, MIN(*len, (unsigned)sizeof(sin)));
    *len = sizeof(sin);
}

static int get_sockaddr(const void *src, unsigned len, struct sockaddr_in_k *sin)
{
    if (len < sizeof(*sin))
        return -EINVAL;
    memcpy(sin, src, sizeof(*sin));
    return 0;
}

static int tcp_sock_bind(struct sock *s, const void *a, unsigned len)
{
    struct sockaddr_in_k sin;
    int rc = get_sockaddr(a, len, &sin);
    if (rc < 0)
        return rc;
    /* Linux takes AF_UNSPEC only with INADDR_ANY. */
    if (sin.family != AF_INET && (sin.family != AF_UNSPEC || sin.addr != 0))
        return -EAFNOSUPPORT;
    return tcp_bind(tcp_sock_of(s)->conn, __builtin_bswap32(sin.addr), __builtin_bswap16(sin.port));
}

/* Replaces the connection with a fresh one (connect(AF_UNSPEC), shutdown of a listener): the old
 * one is reset, as Linux's disconnect does. */
static int sock_disconnect(struct tcp_sock *t)
{
    struct tcp_conn *fresh;
    int rc = tcp_open(&fresh);
    if (rc < 0)
        return rc;
    tcp_close(t->conn, true);
    t->conn = fresh;
    tcp_set_notify(fresh, tcp_sock_notify, &t->sock);
    t->listening = t->connecting = false;
    t->sock.shut = 0;
    sock_readiness_changed(&t->sock);
    return 0;
}

/* How a connect in progress ended: 0 (connected), the error, or -EALREADY (still going). */
static int connect_outcome(struct tcp_sock *t)
{
    struct tcp_conn_info info;
    tcp_get_info(t->conn, &info);
    if (info.state == LINUX_SYN_SENT || info.state == LINUX_SYN_RECV)
        return -EALREADY;
    t->connecting = false;
    if (info.state == LINUX_CLOSE) {
        int err = tcp_take_error(t->conn);
        sock_readiness_changed(&t->sock);
        return err ? -err : -ECONNABORTED;
    }
    return 0;
}

static int tcp_sock_connect(struct sock *s, const void *a, unsigned len)
{
    struct tcp_sock *t = tcp_sock_of(s);
    if (len < sizeof(uint16_t))
        return -EINVAL;
    if (((const struct sockaddr_in_k *)a)->family == AF_UNSPEC)
        return sock_disconnect(t);
    struct sockaddr_in_k sin;
    int rc = get_sockaddr(a, len, &sin);
    if (rc < 0)
        return rc;
    if (sin.family != AF_INET)
        return -EAFNOSUPPORT;
    if (t->listening)
        return -EISCONN;
    bool nonblock = sock_nonblocking(s, 0);
    if (t->connecting) {
        rc = connect_outcome(t);
        if (rc != -EALREADY || nonblock)
            return rc;
    } else {
        uint32_t addr = __builtin_bswap32(sin.addr);
        if (!addr) /* Linux connects to INADDR_ANY as to the local host */
            addr = NET_IPV4(127, 0, 0, 1);
        if ((rc = tcp_connect(t->conn, addr, __builtin_bswap16(sin.port))) < 0)
            return rc;
        t->connecting = true;
        if (nonblock)
            return -EINPROGRESS;
    }
    /* As Linux: SO_SNDTIMEO bounds a blocking connect, which then reports EINPROGRESS. */
    if (tcp_sock_wait(t, TCP_EV_OUT | TCP_EV_ERR | TCP_EV_HUP, tcp_sock_deadline(s->sndtimeo_ns)) <
        0)
        return -EINPROGRESS;
    rc = connect_outcome(t);
    return rc == -EALREADY ? -EINPROGRESS : rc;
}

static int tcp_sock_getsockname(struct sock *s, void *addr, unsigned *len)
{
    uint32_t a = 0;
    uint16_t port = 0;
    if (tcp_getname(tcp_sock_of(s)->conn, false, &a, &port) < 0)
        a = 0, port = 0; /* unbound: 0.0.0.0:0 */
    put_sockaddr(addr, len, a, port);
    return 0;
}

static int tcp_sock_getpeername(struct sock *s, void *addr, unsigned *len)
{
    struct tcp_sock *t = tcp_sock_of(s);
    uint32_t a;
    uint16_t port;
    if (t->listening)
        return -ENOTCONN;
    int rc = tcp_getname(t->conn, true, &a, &port);
    if (rc < 0)
        return rc;
    put_sockaddr(addr, len, a, port);
    return 0;
}

/* ---- passive open ---- */

static int tcp_sock_listen(struct sock *s, int backlog)
{
    struct tcp_sock *t = tcp_sock_of(s);
    if ((unsigned)backlog > SOMAXCONN) /* a negative backlog too, as Linux */
        backlog = SOMAXCONN;
    int rc = tcp_listen(t->conn, backlog);
    if (rc == 0) {
        t->listening = true;
        t->connecting = false;
    }
    return rc;
}

static int tcp_sock_accept(struct sock *s, struct sock **out, bool nonblock)
{
    struct tcp_sock *t = tcp_sock_of(s);
    if (!t->listening)
        return -EINVAL;
    struct tcp_sock *n = sock_alloc();
    if (!n)
        return sock_records >= TCP_SOCK_MAX ? -ENFILE : -ENOMEM;
    uint64_t deadline = tcp_sock_deadline(s->rcvtimeo_ns); /* SO_RCVTIMEO bounds accept */
    for (;;) {
        struct tcp_conn *c;
        int rc = tcp_accept(t->conn, &c);
        if (rc == 0) {
            sock_init(n, c);
            /* The new socket inherits the listener's socket-level settings, as Linux's clone. */
            n->sock.rcvbuf = s->rcvbuf, n->sock.sndbuf = s->sndbuf;
            n->sock.rcvtimeo_ns = s->rcvtimeo_ns, n->sock.sndtimeo_ns = s->sndtimeo_ns;
            n->linger_on = t->linger_on, n->linger_secs = t->linger_secs;
            *out = &n->sock;
            return 0;
        }
        if (rc != -EAGAIN || nonblock || !t->listening ||
            tcp_sock_wait(t, TCP_EV_IN, deadline) < 0) {
            sock_free(n);
            return rc;
        }
    }
}

/* ---- shutdown, readiness, close ---- */

static int tcp_sock_shutdown(struct sock *s, int how)
{
    struct tcp_sock *t = tcp_sock_of(s);
    if (t->listening) {
        /* Linux: SHUT_RD on a listener stops it (queued connections are reset); SHUT_WR does
         * nothing. */
        return how == SHUT_WR ? 0 : sock_disconnect(t);
    }
    int rc = tcp_shutdown(t->conn, how);
    s->shut |= how + 1; /* SHUT_RD -> 1, SHUT_WR -> 2, SHUT_RDWR -> 3; set even on ENOTCONN */
    sock_readiness_changed(s);
    return rc;
}

static unsigned tcp_sock_poll(struct sock *s, uint64_t *wake_ns)
{
    unsigned ev = tcp_poll(tcp_sock_of(s)->conn);
    unsigned mask = ev & (POLLERR | POLLHUP | POLLRDHUP);
    if (ev & TCP_EV_IN)
        mask |= POLLIN | POLLRDNORM;
    if (ev & TCP_EV_OUT)
        mask |= POLLOUT | POLLWRNORM;
    if (s->shut & SHUT_RCV_BIT)
        mask |= POLLIN | POLLRDNORM | POLLRDHUP;
    /* No wake time of its own: the stack's timers, which may change readiness (a retransmission
     * gives up, a connect times out), already end every halt (sched_wait), and the wait loop
     * then scans again. Asking for them here cost a scan of every timer per socket polled. */
    (void)wake_ns;
    return mask;
}

/* Whether a close that lingers is over: the FIN was acknowledged (Linux's sk_stream_closing), or
 * the connection failed. */
static bool close_finished(void *arg)
{
    struct tcp_sock *t = arg;
    struct tcp_conn_info info;
    tcp_get_info(t->conn, &info);
    bool closing = info.state == LINUX_FIN_WAIT1 || info.state == LINUX_CLOSING ||
                   info.state == LINUX_LAST_ACK;
    return !closing || (tcp_poll(t->conn) & TCP_EV_ERR);
}

static void tcp_sock_release(struct sock *s)
{
    struct tcp_sock *t = tcp_sock_of(s);
    bool abort = t->linger_on && t->linger_secs == 0;
    /* SO_LINGER with a time: as Linux, close sends FIN after the data and waits, at most that
     * long, until the peer acknowledged it (non-blocking sockets too). Unread data still resets. */
    if (t->linger_on && t->linger_secs > 0 && !t->listening && !tcp_unread(t->conn) &&
        tcp_shutdown(t->conn, SHUT_WR) == 0) {
        uint64_t deadline = clock_monotonic_ns() + (uint64_t)t->linger_secs * NET_NS_PER_SEC;
        while (!close_finished(t) && clock_monotonic_ns() < deadline)
            sched_wait(close_finished, t, MIN(deadline, net_next_deadline()));
    }
    tcp_close(t->conn, abort);
    sock_free(t);
}

static const struct sock_ops tcp_sock_ops = {
    .bind = tcp_sock_bind,
    .connect = tcp_sock_connect,
    .sendmsg = tcp_sock_sendmsg,
    .recvmsg = tcp_sock_recvmsg,
    .getsockname = tcp_sock_getsockname,
    .getpeername = tcp_sock_getpeername,
    .setsockopt = tcp_sock_setsockopt,
    .getsockopt = tcp_sock_getsockopt,
    .shutdown = tcp_sock_shutdown,
    .ioctl = tcp_sock_ioctl,
    .poll = tcp_sock_poll,
    .release = tcp_sock_release,
    .listen = tcp_sock_listen,
    .accept = tcp_sock_accept,
    .sendfile = tcp_sock_sendfile,
};

int sock_create_inet_stream(int protocol, struct sock **out)
{
    if (protocol != 0 && protocol != IPPROTO_TCP)
        return -EPROTONOSUPPORT;
    struct tcp_sock *t = sock_alloc();
    if (!t)
        return sock_records >= TCP_SOCK_MAX ? -ENFILE : -ENOMEM;
    struct tcp_conn *c;
    int rc = tcp_open(&c);
    if (rc < 0) {
        sock_free(t);
        return rc;
    }
    sock_init(t, c);
    *out = &t->sock;
    return 0;
}
