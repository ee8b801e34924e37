/* AF_INET SOCK_DGRAM sockets: Linux's UDP socket semantics over the stack's UDP endpoints. */
#include "socket.h"

#include "atoll/errno.h"
#include "atoll/kernel.h"
#include "atoll/mm.h"
#include "atoll/netdev.h"
#include "atoll/udp.h"
#include "net_internal.h"

#define IPPROTO_IP  0
#define IPPROTO_UDP 17
#define SOL_SOCKET  1

#define SO_REUSEADDR   2
#define SO_TYPE        3
#define SO_ERROR       4
#define SO_BROADCAST   6
#define SO_SNDBUF      7
#define SO_RCVBUF      8
#define SO_REUSEPORT   15
#define SO_RCVTIMEO    20
#define SO_SNDTIMEO    21
#define SO_SNDBUFFORCE 32
#define SO_RCVBUFFORCE 33
#define SO_PROTOCOL    38
#define SO_DOMAIN      39
#define IP_TOS         1
#define IP_TTL         2
#define IP_PKTINFO     8
#define FIONREAD       0x541b
#define SIOCOUTQ       0x5411

/* Linux's defaults and bounds (net.core.rmem_max etc., SOCK_MIN_RCVBUF, SOCK_MIN_SNDBUF). */
#define BUF_DEFAULT 212992
#define RCVBUF_MIN  2304
#define SNDBUF_MIN  4608
/* The queue holds at least one largest datagram whatever SO_RCVBUF says. */
#define RX_QUEUE_MIN (UDP_MAX_PAYLOAD + 64 + sizeof(struct udp_datagram_info))
#define UDP_SOCK_MAX UDP_MAX_ENDPOINTS

#define SHUT_RCV_BIT  1
#define SHUT_SEND_BIT 2

struct sockaddr_in_k {
    uint16_t family;
    uint16_t port; /* network order */
    uint32_t addr; /* network order */
    uint8_t zero[8];
};

struct in_pktinfo_k {
    int ifindex;
    uint32_t spec_dst; /* network order */
    uint32_t addr;     /* network order */
};

struct udp_sock {
    struct sock sock; /* first: the generic layer's pointer is this socket's */
    struct udp_endpoint ep;
    bool used;
    bool connected;
    bool broadcast, pktinfo;
    bool addr_locked, port_locked; /* bound explicitly, so a disconnect keeps them */
    int tos;
    uint8_t *rx_mem;
    uint64_t rx_pages;
};

static struct udp_sock socks[UDP_SOCK_MAX];
static struct net_iov iov_scratch[1024]; /* one vCPU, one syscall at a time */

static struct udp_sock *udp_of(struct sock *s)
{
    return (struct udp_sock *)s;
}

/* Linux doubles SO_RCVBUF to leave half of it for its bookkeeping; our records carry a few bytes
 * each, so the queue holds the half the program asked for (at least one largest datagram). */
static uint64_t pages_for(int rcvbuf)
{
    size_t bytes = MAX((size_t)rcvbuf / 2, (size_t)RX_QUEUE_MIN);
    return ALIGN_UP(bytes, PAGE_SIZE) / PAGE_SIZE;
}

static void udp_sock_notify(struct udp_endpoint *ep)
{
    sock_readiness_changed(ep->owner);
}

/* ---- addresses ---- */

static void put_sockaddr(void *dst, unsigned *len, uint32_t addr, uint16_t port)
{
    struct sockaddr_in_k sin = {AF_INET, __builtin_bswap16(port), __builtin_bswap32(addr), {0}};
    if (dst)
        memcpy(dst, &sin, MIN(*len, (unsigned)sizeof(sin)));
    *len = sizeof(sin);
}

/* Reads an AF_INET address (AF_UNSPEC accepted where Linux accepts it). */
static int get_sockaddr(const void *src, unsigned len, bool unspec_ok, uint32_t *addr,
                        uint16_t *port)
{
    struct sockaddr_in_k sin;
    if (len < sizeof(sin))
        return -EINVAL;
    memcpy(&sin, src, sizeof(sin));
    if (sin.family != AF_INET && !(unspec_ok && sin.family == AF_UNSPEC))
        return -EAFNOSUPPORT;
    *addr = __builtin_bswap32(sin.addr);
    *port = __builtin_bswap16(sin.port);
    return 0;
}

static int udp_sock_bind(struct sock *s, const void *a, unsigned len)
{
    struct udp_sock *u = udp_of(s);
    uint32_t addr;
    uint16_t port;
    int rc = get_sockaddr(a, len, true, &addr, &port);
    if (rc < 0)
        return rc;
    if (((const struct sockaddr_in_k *)a)->family == AF_UNSPEC && addr)
        return -EAFNOSUPPORT; /* Linux takes AF_UNSPEC only with INADDR_ANY */
    if (u->ep.local_port)
        return -EINVAL;
    rc = udp_bind(&u->ep, addr, port);
    if (rc == -ENOSPC)
        return -ENOBUFS;
    if (rc < 0)
        return rc;
    u->addr_locked = addr != 0;
    u->port_locked = port != 0;
    return 0;
}

/* connect(AF_UNSPEC): forget the peer, and whatever of the binding connect chose itself. */
static void disconnect(struct udp_sock *u)
{
    udp_connect(&u->ep, 0, 0);
    u->connected = false;
    if (!u->port_locked) {
        udp_close(&u->ep);
    } else if (!u->addr_locked) {
        uint16_t port = u->ep.local_port;
        udp_close(&u->ep);
        udp_bind(&u->ep, 0, port);
    }
}

static int udp_sock_connect(struct sock *s, const void *a, unsigned len)
{
    struct udp_sock *u = udp_of(s);
    if (len < sizeof(uint16_t))
        return -EINVAL;
    if (((const struct sockaddr_in_k *)a)->family == AF_UNSPEC) {
        disconnect(u);
        sock_readiness_changed(s);
        return 0;
    }
    uint32_t addr;
    uint16_t port;
    int rc = get_sockaddr(a, len, false, &addr, &port);
    if (rc < 0)
        return rc;
    if (net_addr_is_broadcast(addr) && !u->broadcast)
        return -EACCES;
    if (!addr) /* Linux sends to INADDR_ANY as to the local host */
        addr = NET_IPV4(127, 0, 0, 1);
    if ((rc = udp_connect(&u->ep, addr, port)) < 0)
        return rc;
    udp_take_error(&u->ep);
    u->connected = u->ep.remote_port != 0;
    return 0;
}

static int udp_sock_getsockname(struct sock *s, void *addr, unsigned *len)
{
    struct udp_sock *u = udp_of(s);
    put_sockaddr(addr, len, u->ep.local_port ? u->ep.local_addr : 0, u->ep.local_port);
    return 0;
}

static int udp_sock_getpeername(struct sock *s, void *addr, unsigned *len)
{
    struct udp_sock *u = udp_of(s);
    if (!u->connected)
        return -ENOTCONN;
    put_sockaddr(addr, len, u->ep.remote_addr, u->ep.remote_port);
    return 0;
}

/* The pending ICMP error, which Linux reports only to connected sockets. */
static int take_error(struct udp_sock *u)
{
    int err = udp_take_error(&u->ep);
    return u->connected ? err : 0;
}

/* ---- data ---- */

/* The stack sends no ICMP error about a datagram it looped to itself; Linux does (loopback is
 * exempt from its rate limit), so a connected socket whose local peer has no listener learns
 * ECONNREFUSED as it would from the port unreachable. */
static void refuse_if_nobody_listens(struct udp_sock *u)
{
    struct udp_endpoint *ep = &u->ep;
    if (net_addr_is_local(ep->remote_addr) &&
        !udp_lookup(ep->remote_addr, ep->remote_port, ep->local_addr, ep->local_port))
        udp_icmp_error(ep->local_addr, ep->local_port, ep->remote_addr, ep->remote_port,
                       -ECONNREFUSED, 0);
}

static long udp_sock_sendmsg(struct sock *s, const struct sock_msghdr *msg, int flags)
{
    struct udp_sock *u = udp_of(s);
    if (flags & MSG_OOB)
        return -EOPNOTSUPP;
    if (s->shut & SHUT_SEND_BIT)
        return -EPIPE;
    uint32_t dst = 0;
    uint16_t port = 0;
    if (msg->name) {
        int rc = get_sockaddr(msg->name, msg->namelen, true, &dst, &port);
        if (rc < 0)
            return rc;
        if (!port)
            return -EINVAL;
        if (!dst)
            dst = NET_IPV4(127, 0, 0, 1);
    } else if (!u->connected) {
        return -EDESTADDRREQ;
    }
    int err = take_error(u);
    if (err < 0)
        return err;
    if (net_addr_is_broadcast(msg->name ? dst : u->ep.remote_addr) && !u->broadcast)
        return -EACCES;
    if (msg->iovlen > ARRAY_SIZE(iov_scratch))
        return -EMSGSIZE;
    for (size_t i = 0; i < msg->iovlen; i++)
        iov_scratch[i] = (struct net_iov){msg->iov[i].base, msg->iov[i].len};
    /* sendmmsg sends message by message: the batch's frames share one device notification, given
     * at the next receive or wait (netdev_tx_flush_all). */
    netdev_tx_deferred = true;
    int sent = udp_sendv(&u->ep, dst, port, iov_scratch, (unsigned)msg->iovlen);
    netdev_tx_deferred = false;
    if (sent >= 0 && !msg->name)
        refuse_if_nobody_listens(u);
    return sent;
}

static bool can_receive(void *arg)
{
    struct udp_sock *u = arg;
    return u->ep.rx_count || (u->connected && u->ep.error) || (u->sock.shut & SHUT_RCV_BIT);
}

/* Writes the IP_PKTINFO control message, or flags MSG_CTRUNC when it does not fit. */
static void put_pktinfo(struct sock_msghdr *msg, const struct udp_datagram_info *info)
{
    size_t room = msg->controllen;
    msg->controllen = 0;
    if (room < SOCK_CMSG_LEN(sizeof(struct in_pktinfo_k))) {
        msg->flags |= MSG_CTRUNC;
        return;
    }
    uint32_t spec_dst = info->dst_addr;
    struct net_if_info nif;
    if (!net_addr_is_local(spec_dst) && net_if_get(info->dev, &nif))
        spec_dst = nif.addr;
    struct in_pktinfo_k pi = {(int)info->dev + 1, __builtin_bswap32(spec_dst),
                              __builtin_bswap32(info->dst_addr)};
    struct sock_cmsghdr h = {SOCK_CMSG_LEN(sizeof(pi)), IPPROTO_IP, IP_PKTINFO};
    memcpy(msg->control, &h, sizeof(h));
    memcpy((uint8_t *)msg->control + sizeof(h), &pi, sizeof(pi));
    msg->controllen = MIN(room, SOCK_CMSG_SPACE(sizeof(pi)));
}

static long udp_sock_recvmsg(struct sock *s, struct sock_msghdr *msg, int flags)
{
    struct udp_sock *u = udp_of(s);
    if (flags & MSG_OOB)
        return -EOPNOTSUPP;
    if (flags & MSG_ERRQUEUE) /* without IP_RECVERR the error queue is always empty */
        return -EAGAIN;
    /* Replies to the last batch go out before the next batch is taken (recvmmsg after sendmmsg):
     * one notification for the batch, and none left waiting while the program keeps busy. */
    netdev_tx_flush_all();
    for (;;) {
        int err = take_error(u);
        if (err < 0)
            return err;
        if (u->ep.rx_count)
            break;
        /* As Linux: a non-blocking receive is EAGAIN even after SHUT_RD; a blocking one
         * returns 0 instead of waiting. */
        if (sock_nonblocking(s, flags))
            return -EAGAIN;
        if (s->shut & SHUT_RCV_BIT)
            return 0;
        uint64_t deadline = s->rcvtimeo_ns ? clock_monotonic_ns() + s->rcvtimeo_ns : UINT64_MAX;
        if (sched_wait(can_receive, u, deadline) < 0)
            return -EAGAIN;
    }
    struct udp_datagram_info info;
    udp_peek(&u->ep, &info);
    size_t copied = 0;
    for (size_t i = 0; i < msg->iovlen && copied < info.len; i++)
        copied += udp_copy_at(&u->ep, copied, msg->iov[i].base, msg->iov[i].len);
    if (copied < info.len)
        msg->flags |= MSG_TRUNC;
    if (msg->name) {
        unsigned len = msg->namelen;
        put_sockaddr(msg->name, &len, info.src_addr, info.src_port);
        msg->namelen = len;
    } else {
        msg->namelen = 0;
    }
    if (u->pktinfo)
        put_pktinfo(msg, &info);
    else
        msg->controllen = 0;
    if (!(flags & MSG_PEEK)) {
        udp_pop(&u->ep);
        sock_readiness_changed(s);
    }
    return (long)((flags & MSG_TRUNC) ? info.len : copied);
}

static int udp_sock_shutdown(struct sock *s, int how)
{
    struct udp_sock *u = udp_of(s);
    s->shut |= how + 1; /* SHUT_RD -> 1, SHUT_WR -> 2, SHUT_RDWR -> 3 */
    sock_readiness_changed(s);
    return u->connected ? 0 : -ENOTCONN; /* Linux marks it shut down anyway */
}

static long udp_sock_ioctl(struct sock *s, unsigned long req, unsigned long arg)
{
    struct udp_sock *u = udp_of(s);
    struct udp_datagram_info info;
    int value;
    switch (req) {
    case FIONREAD:
        value = udp_peek(&u->ep, &info) ? (int)info.len : 0;
        break;
    case SIOCOUTQ:
        value = 0; /* datagrams leave at once */
        break;
    default:
        return -ENOTTY;
    }
    if (!arg)
        return -EFAULT;
    memcpy((void *)arg, &value, sizeof(value));
    return 0;
}

static unsigned udp_sock_poll(struct sock *s, uint64_t *wake_ns)
{
    (void)wake_ns;
    struct udp_sock *u = udp_of(s);
    unsigned mask = POLLOUT | POLLWRNORM | POLLWRBAND;
    if (u->ep.rx_count)
        mask |= POLLIN | POLLRDNORM;
    if (u->connected && u->ep.error)
        mask |= POLLERR;
    if (s->shut & SHUT_RCV_BIT)
        mask |= POLLIN | POLLRDNORM | POLLRDHUP;
    if (s->shut == (SHUT_RCV_BIT | SHUT_SEND_BIT))
        mask |= POLLHUP;
    return mask;
}

/* ---- options ---- */

/* Moves the receive queue to a buffer sized for SO_RCVBUF (queued datagrams are dropped). */
static int resize_queue(struct udp_sock *u, int rcvbuf)
{
    uint64_t pages = pages_for(rcvbuf);
    if (pages != u->rx_pages) {
        uint64_t mem = pagealloc_alloc(&phys, pages, 1, false);
        if (!mem)
            return -ENOMEM;
        udp_set_rxbuf(&u->ep, (void *)mem, pages * PAGE_SIZE);
        pagealloc_free(&phys, (uint64_t)u->rx_mem, u->rx_pages);
        u->rx_mem = (uint8_t *)mem, u->rx_pages = pages;
    }
    u->sock.rcvbuf = rcvbuf;
    return 0;
}

static int set_socket_level(struct udp_sock *u, int name, const void *val, unsigned len)
{
    struct sock *s = &u->sock;
    if (name == SO_RCVTIMEO)
        return sock_opt_timeout(val, len, &s->rcvtimeo_ns);
    if (name == SO_SNDTIMEO)
        return sock_opt_timeout(val, len, &s->sndtimeo_ns);
    int v, rc = sock_opt_int(val, len, &v);
    switch (name) {
    case SO_REUSEADDR:
    case SO_REUSEPORT:
    case SO_BROADCAST:
    case SO_RCVBUF:
    case SO_RCVBUFFORCE:
    case SO_SNDBUF:
    case SO_SNDBUFFORCE:
        if (rc < 0)
            return rc;
        break;
    default:
        return -ENOPROTOOPT;
    }
    switch (name) {
    case SO_REUSEADDR:
        u->ep.reuse_addr = v != 0;
        return 0;
    case SO_REUSEPORT:
        u->ep.reuse_port = v != 0;
        return 0;
    case SO_BROADCAST:
        u->broadcast = v != 0;
        return 0;
    case SO_RCVBUF:
    case SO_RCVBUFFORCE:
        return resize_queue(u, sock_buffer_size(v, name == SO_RCVBUFFORCE, RCVBUF_MIN));
    default: /* SO_SNDBUF, SO_SNDBUFFORCE: sends leave at once, so the size is only reported */
        s->sndbuf = sock_buffer_size(v, name == SO_SNDBUFFORCE, SNDBUF_MIN);
        return 0;
    }
}

static int set_ip_level(struct udp_sock *u, int name, const void *val, unsigned len)
{
    int v, rc = sock_opt_int(val, len, &v);
    if (name != IP_TTL && name != IP_PKTINFO && name != IP_TOS)
        return -ENOPROTOOPT;
    if (rc < 0)
        return rc;
    switch (name) {
    case IP_TTL:
        if (v != -1 && (v < 1 || v > 255))
            return -EINVAL;
        u->ep.ttl = v == -1 ? 0 : (uint8_t)v;
        return 0;
    case IP_PKTINFO:
        u->pktinfo = v != 0;
        return 0;
    default:
        u->tos = v & 0xff;
        return 0;
    }
}

static int udp_sock_setsockopt(struct sock *s, int level, int name, const void *val, unsigned len)
{
    if (level == SOL_SOCKET)
        return set_socket_level(udp_of(s), name, val, len);
    if (level == IPPROTO_IP)
        return set_ip_level(udp_of(s), name, val, len);
    return -ENOPROTOOPT;
}

static int udp_sock_getsockopt(struct sock *s, int level, int name, void *val, unsigned *len)
{
    struct udp_sock *u = udp_of(s);
    int v;
    if (level == SOL_SOCKET) {
        switch (name) {
        case SO_RCVTIMEO:
            return sock_put_timeout(val, len, s->rcvtimeo_ns);
        case SO_SNDTIMEO:
            return sock_put_timeout(val, len, s->sndtimeo_ns);
        case SO_TYPE:
            v = SOCK_DGRAM;
            break;
        case SO_DOMAIN:
            v = AF_INET;
            break;
        case SO_PROTOCOL:
            v = IPPROTO_UDP;
            break;
        case SO_ERROR:
            v = -take_error(u);
            break;
        case SO_REUSEADDR:
            v = u->ep.reuse_addr;
            break;
        case SO_REUSEPORT:
            v = u->ep.reuse_port;
            break;
        case SO_BROADCAST:
            v = u->broadcast;
            break;
        case SO_RCVBUF:
            v = s->rcvbuf;
            break;
        case SO_SNDBUF:
            v = s->sndbuf;
            break;
        default:
            return -ENOPROTOOPT;
        }
    } else if (level == IPPROTO_IP) {
        switch (name) {
        case IP_TTL:
            v = u->ep.ttl ? u->ep.ttl : 64;
            break;
        case IP_PKTINFO:
            v = u->pktinfo;
            break;
        case IP_TOS:
            v = u->tos;
            break;
        default:
            return -ENOPROTOOPT;
        }
    } else {
        return -ENOPROTOOPT;
    }
    return sock_put_int(val, len, v);
}

/* ---- life ---- */

static void udp_sock_release(struct sock *s)
{
    struct udp_sock *u = udp_of(s);
    udp_close(&u->ep);
    pagealloc_free(&phys, (uint64_t)u->rx_mem, u->rx_pages);
    u->rx_mem = NULL;
    u->used = false;
}

static const struct sock_ops udp_sock_ops = {
    .bind = udp_sock_bind,
    .connect = udp_sock_connect,
    .sendmsg = udp_sock_sendmsg,
    .recvmsg = udp_sock_recvmsg,
    .getsockname = udp_sock_getsockname,
    .getpeername = udp_sock_getpeername,
    .setsockopt = udp_sock_setsockopt,
    .getsockopt = udp_sock_getsockopt,
    .shutdown = udp_sock_shutdown,
    .ioctl = udp_sock_ioctl,
    .poll = udp_sock_poll,
    .release = udp_sock_release,
};

int sock_create_inet_dgram(int protocol, struct sock **out)
{
    if (protocol != 0 && protocol != IPPROTO_UDP)
        return -EPROTONOSUPPORT;
    struct udp_sock *u = NULL;
    for (size_t i = 0; i < UDP_SOCK_MAX && !u; i++)
        if (!socks[i].used)
            u = &socks[i];
    if (!u)
        return -ENFILE;
    uint64_t pages = pages_for(BUF_DEFAULT);
    uint64_t mem = pagealloc_alloc(&phys, pages, 1, false);
    if (!mem)
        return -ENOMEM;
    memset(u, 0, sizeof(*u));
    u->used = true;
    u->rx_mem = (uint8_t *)mem, u->rx_pages = pages;
    udp_endpoint_init(&u->ep, u->rx_mem, pages * PAGE_SIZE);
    u->ep.notify = udp_sock_notify;
    u->ep.owner = &u->sock;
    u->sock.ops = &udp_sock_ops;
    u->sock.rcvbuf = BUF_DEFAULT;
    u->sock.sndbuf = BUF_DEFAULT;
    *out = &u->sock;
    return 0;
}
