/* AF_PACKET sockets: whole Ethernet frames (SOCK_RAW) or their payloads (SOCK_DGRAM) straight
 * from and to a NIC, each socket with a fixed receive ring made at creation and a transmit batch
 * for MSG_MORE. */
#include "atoll/kernel.h"
#include "atoll/mm.h"
#include "atoll/net.h"
#include "atoll/packet.h"
#include "atoll/pagealloc.h"
#include "packet_internal.h"

static struct packet_sock socks[PACKET_MAX_SOCKS];
/* Sockets open: with none, every received frame skips the scan of all the slots. */
static unsigned nopen;

static uint8_t classify(const struct netdev *d, const uint8_t *dst)
{
    if (memcmp(dst, d->mac, ETH_ADDR_LEN) == 0)
        return PACKET_HOST;
    static const uint8_t broadcast[ETH_ADDR_LEN] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    if (memcmp(dst, broadcast, ETH_ADDR_LEN) == 0)
        return PACKET_BROADCAST;
    return (dst[0] & 1) ? PACKET_MULTICAST : PACKET_OTHERHOST;
}

bool packet_rx(unsigned dev, const uint8_t *frame, size_t len, const struct netdev_rx_csum *csum)
{
    bool owned = false;
    if (nopen == 0 || len < ETH_HLEN || len > PACKET_SLOT_SIZE)
        return false;
    struct netdev *d = netdev_get(dev);
    uint16_t type = (uint16_t)(frame[12] << 8 | frame[13]);
    for (unsigned i = 0; i < PACKET_MAX_SOCKS; i++) {
        struct packet_sock *p = &socks[i];
        if (!p->used || (p->ifindex && p->ifindex != dev + 1))
            continue;
        if (p->ifindex)
            owned = true;
        if (p->protocol != ETH_P_ALL && p->protocol != type)
            continue;
        p->received++;
        if (p->count == PACKET_RING_SLOTS) {
            p->drops++;
            continue;
        }
        unsigned at = (p->head + p->count) % PACKET_RING_SLOTS;
        uint8_t *copy = p->ring + (size_t)at * PACKET_SLOT_SIZE;
        memcpy(copy, frame, len);
        /* A checksum the host left undone is done here: the program may send the frame on
         * unchanged (a router), and the next host drops a bad checksum. */
        if (csum && csum->state == NETDEV_RX_CSUM_PARTIAL)
            netdev_rx_csum_complete(copy, len, csum->start, csum->offset);
        p->slots[at] = (struct packet_slot){(uint16_t)len, (uint8_t)dev,
                                            d ? classify(d, frame) : PACKET_OTHERHOST};
        p->count++;
        sock_readiness_changed(&p->sock);
    }
    return owned;
}

static int packet_bind(struct sock *s, const void *addr, unsigned len)
{
    struct packet_sock *p = to_packet(s);
    struct sockaddr_ll ll;
    if (addr == NULL)
        return -EFAULT;
    if (len < sizeof(ll))
        return -EINVAL;
    memcpy(&ll, addr, sizeof(ll));
    if (ll.family != AF_PACKET)
        return -EINVAL;
    if (ll.ifindex < 0 || (ll.ifindex > 0 && netdev_get((unsigned)ll.ifindex - 1) == NULL))
        return -ENODEV;
    p->ifindex = (unsigned)ll.ifindex;
    if (ll.protocol)
        p->protocol = swap16(ll.protocol);
    return 0;
}

static int packet_getsockname(struct sock *s, void *addr, unsigned *len)
{
    struct packet_sock *p = to_packet(s);
    struct sockaddr_ll ll = {.family = AF_PACKET,
                             .protocol = swap16(p->protocol),
                             .ifindex = (int32_t)p->ifindex,
                             .hatype = ARPHRD_ETHER};
    struct netdev *d = p->ifindex ? netdev_get(p->ifindex - 1) : NULL;
    if (d) {
        ll.halen = ETH_ADDR_LEN;
        memcpy(ll.addr, d->mac, ETH_ADDR_LEN);
    }
    unsigned full = (unsigned)sizeof(ll);
    memcpy(addr, &ll, *len < full ? *len : full);
    *len = full;
    return 0;
}

static bool has_frame(void *arg)
{
    return ((struct packet_sock *)arg)->count > 0;
}

/* Scatters bytes into the iovec; returns how many fit. */
static size_t copy_to_iov(const struct sock_msghdr *msg, const uint8_t *src, size_t len)
{
    size_t done = 0;
    for (size_t i = 0; i < msg->iovlen && done < len; i++) {
        size_t n = msg->iov[i].len < len - done ? msg->iov[i].len : len - done;
        if (n)
            memcpy(msg->iov[i].base, src + done, n);
        done += n;
    }
    return done;
}

static long packet_recvmsg(struct sock *s, struct sock_msghdr *msg, int flags)
{
    struct packet_sock *p = to_packet(s);
    if (p->count == 0) {
        if (sock_nonblocking(s, flags))
            return -EAGAIN;
        uint64_t deadline = s->rcvtimeo_ns ? clock_monotonic_ns() + s->rcvtimeo_ns : UINT64_MAX;
        if (sched_wait(has_frame, p, deadline) < 0)
            return -EAGAIN;
    }
    const struct packet_slot *slot = &p->slots[p->head];
    const uint8_t *frame = p->ring + (size_t)p->head * PACKET_SLOT_SIZE;
    /* SOCK_DGRAM hands over the payload; the header's fields go into the address. */
    size_t skip = s->type == SOCK_DGRAM ? ETH_HLEN : 0;
    size_t len = slot->len - skip;
    size_t copied = copy_to_iov(msg, frame + skip, len);
    msg->flags = copied < len ? MSG_TRUNC : 0;
    if (msg->name) {
        struct sockaddr_ll ll = {.family = AF_PACKET,
                                 .protocol = (uint16_t)(frame[13] << 8 | frame[12]),
                                 .ifindex = slot->dev + 1,
                                 .hatype = ARPHRD_ETHER,
                                 .pkttype = slot->pkttype,
                                 .halen = ETH_ADDR_LEN};
        memcpy(ll.addr, frame + ETH_ADDR_LEN, ETH_ADDR_LEN);
        uint32_t n = msg->namelen < sizeof(ll) ? msg->namelen : (uint32_t)sizeof(ll);
        memcpy(msg->name, &ll, n);
        msg->namelen = sizeof(ll);
    }
    msg->controllen = 0;
    if (!(flags & MSG_PEEK)) {
        p->head = (p->head + 1) % PACKET_RING_SLOTS;
        p->count--;
        sock_readiness_changed(s);
    }
    return (flags & MSG_TRUNC) ? (long)len : (long)copied;
}

/* Transmit: frames from the caller's buffers to the NIC, and MSG_MORE batches that reach the
 * driver in one burst (one ring publish and at most one device notification per batch). */

/* Frames assembled from several iovecs or given an Ethernet header (SOCK_DGRAM) when they go out
 * at once; the driver copies them before tx_burst returns. */
static uint8_t assembly[PACKET_SLOT_SIZE];

static bool try_pending(void *arg)
{
    struct packet_sock *p = arg;
    struct netdev *d = netdev_get(p->pending_dev);
    if (d == NULL)
        return true; /* nothing to send them on: the caller drops them */
    p->nsent += d->ops->tx_burst(d, p->pending + p->nsent, p->npending - p->nsent);
    return p->nsent == p->npending;
}

/* Hands every held frame to the driver, waiting for room as the socket allows; returns whether
 * the last one went. What does not go is dropped and counted. */
static bool send_pending(struct packet_sock *p, bool nonblocking, uint64_t timeout_ns)
{
    bool all = try_pending(p);
    if (!all && !nonblocking) {
        uint64_t deadline = timeout_ns ? clock_monotonic_ns() + timeout_ns : UINT64_MAX;
        all = sched_wait(try_pending, p, deadline) == 0 && p->nsent == p->npending;
    }
    if (!all)
        p->tx_dropped += p->npending - p->nsent;
    p->npending = 0;
    p->nsent = 0;
    return all;
}

static void packet_tx_flush(struct packet_sock *p)
{
    if (p->npending)
        (void)send_pending(p, true, 0);
}

static void packet_tx_release(struct packet_sock *p)
{
    packet_tx_flush(p);
    if (p->stage)
        pagealloc_free(&phys, (uint64_t)p->stage, PACKET_TX_PAGES);
    p->stage = NULL;
}

/* Where the frame is built: a stage slot when it is held, else the assembly buffer, or nowhere
 * (NULL) when the caller's one buffer is already the whole frame. */
static uint8_t *frame_home(struct packet_sock *p, bool hold, bool whole)
{
    if (hold)
        return p->stage + (size_t)p->npending * PACKET_SLOT_SIZE;
    return whole ? NULL : assembly;
}

static long packet_sendmsg(struct sock *s, const struct sock_msghdr *msg, int flags)
{
    struct packet_sock *p = to_packet(s);
    struct sockaddr_ll ll = {0};
    unsigned ifindex = p->ifindex;
    if (msg->name && msg->namelen) { /* an empty address is none, as on Linux */
        if (msg->namelen < sizeof(ll))
            return -EINVAL;
        memcpy(&ll, msg->name, sizeof(ll));
        if (ll.family != AF_PACKET)
            return -EINVAL;
        ifindex = (unsigned)ll.ifindex;
    } else if (s->type == SOCK_DGRAM) {
        return -EDESTADDRREQ; /* no destination MAC to put in the header */
    }
    if (ifindex == 0)
        return -ENXIO;
    struct netdev *d = netdev_get(ifindex - 1);
    if (d == NULL)
        return -ENXIO;
    size_t total = 0;
    for (size_t i = 0; i < msg->iovlen; i++) {
        if (msg->iov[i].len > PACKET_SLOT_SIZE)
            return -EMSGSIZE;
        total += msg->iov[i].len;
    }
    size_t header = s->type == SOCK_DGRAM ? ETH_HLEN : 0;
    /* The interface's MTU as configured (what SIOCGIFMTU reports), else the device's. */
    struct net_if_info info;
    size_t mtu = net_if_get(ifindex - 1, &info) ? info.mtu : d->mtu;
    if (total + header > mtu + ETH_HLEN || total + header > PACKET_SLOT_SIZE)
        return -EMSGSIZE;
    if (total + header < ETH_HLEN)
        return -EINVAL;
    bool nonblocking = sock_nonblocking(s, flags);
    /* A batch goes to one device: one for another is sent first. */
    if (p->npending && p->pending_dev != ifindex - 1)
        (void)send_pending(p, nonblocking, s->sndtimeo_ns);
    bool hold = (flags & MSG_MORE) != 0;
    if (hold && p->stage == NULL) {
        uint64_t stage = pagealloc_alloc(&phys, PACKET_TX_PAGES, 1, false);
        p->stage = (uint8_t *)stage;
        hold = stage != 0; /* without memory, frames simply go one at a time */
    }
    bool whole = header == 0 && msg->iovlen == 1;
    uint8_t *frame = frame_home(p, hold, whole);
    if (frame) {
        size_t at = header;
        for (size_t i = 0; i < msg->iovlen; i++) {
            if (msg->iov[i].len)
                memcpy(frame + at, msg->iov[i].base, msg->iov[i].len);
            at += msg->iov[i].len;
        }
        if (header) {
            uint16_t type = ll.protocol ? swap16(ll.protocol) : p->protocol;
            memcpy(frame, ll.addr, ETH_ADDR_LEN);
            memcpy(frame + ETH_ADDR_LEN, d->mac, ETH_ADDR_LEN);
            frame[12] = (uint8_t)(type >> 8);
            frame[13] = (uint8_t)type;
        }
    } else {
        frame = msg->iov[0].base; /* the driver copies it before tx_burst returns */
    }
    p->pending[p->npending++] = (struct netbuf){
        .data = frame, .len = (uint16_t)(total + header), .dev = (uint16_t)(ifindex - 1)};
    p->pending_dev = ifindex - 1;
    if (hold && p->npending < PACKET_TX_BATCH)
        return (long)total;
    if (!send_pending(p, nonblocking, s->sndtimeo_ns) && !hold)
        return -EAGAIN;
    return (long)total;
}

static unsigned packet_poll(struct sock *s, uint64_t *wake_ns)
{
    (void)wake_ns;
    unsigned mask = POLLOUT | POLLWRNORM;
    /* A caller about to wait has no more frames to add to a MSG_MORE batch. */
    packet_tx_flush(to_packet(s));
    if (to_packet(s)->count)
        mask |= POLLIN | POLLRDNORM;
    return mask;
}

static void packet_release(struct sock *s)
{
    struct packet_sock *p = to_packet(s);
    packet_tx_release(p);
    pagealloc_free(&phys, (uint64_t)p->ring, PACKET_RING_PAGES);
    p->used = false;
    nopen--;
}

/* What Linux's packet sockets answer to stream-style calls. */
static int packet_connect(struct sock *s, const void *addr, unsigned len)
{
    (void)s;
    (void)addr;
    (void)len;
    return -EOPNOTSUPP;
}

static int packet_getpeername(struct sock *s, void *addr, unsigned *len)
{
    (void)s;
    (void)addr;
    (void)len;
    return -EOPNOTSUPP;
}

static int packet_shutdown(struct sock *s, int how)
{
    (void)s;
    (void)how;
    return -EOPNOTSUPP;
}

static const struct sock_ops packet_ops = {
    .bind = packet_bind,
    .connect = packet_connect,
    .getpeername = packet_getpeername,
    .shutdown = packet_shutdown,
    .sendmsg = packet_sendmsg,
    .recvmsg = packet_recvmsg,
    .getsockname = packet_getsockname,
    .setsockopt = packet_setsockopt,
    .getsockopt = packet_getsockopt,
    .ioctl = packet_ioctl,
    .poll = packet_poll,
    .release = packet_release,
};

int packet_sock_create(int type, int protocol, struct sock **out)
{
    if (type != SOCK_RAW && type != SOCK_DGRAM)
        return -ESOCKTNOSUPPORT;
    if (protocol < 0 || protocol > 0xffff)
        return -EINVAL;
    struct packet_sock *p = NULL;
    for (unsigned i = 0; i < PACKET_MAX_SOCKS && !p; i++)
        if (!socks[i].used)
            p = &socks[i];
    if (p == NULL)
        return -ENOBUFS;
    uint64_t ring = pagealloc_alloc(&phys, PACKET_RING_PAGES, 1, false);
    if (ring == 0)
        return -ENOMEM;
    memset(p, 0, sizeof(*p));
    p->used = true;
    nopen++;
    p->ring = (uint8_t *)ring;
    p->protocol = swap16((uint16_t)protocol);
    p->sock.ops = &packet_ops;
    *out = &p->sock;
    return 0;
}
