/* UDP: checksums, demultiplexing to bound endpoints, binding and ephemeral ports, sending. */
#include "net_internal.h"

#define UDP_HLEN 8

static struct udp_endpoint *table[UDP_MAX_ENDPOINTS];
static unsigned table_end; /* one past the last slot in use: lookups scan only that far */
static uint16_t next_ephemeral;

void udp_reset(void)
{
    memset(table, 0, sizeof(table));
    table_end = 0;
    next_ephemeral = UDP_EPHEMERAL_LOW;
}

void udp_endpoint_init(struct udp_endpoint *ep, void *rx_buf, size_t size)
{
    memset(ep, 0, sizeof(*ep));
    udp_set_rxbuf(ep, rx_buf, size);
}

/* How well ep matches a datagram (higher is more specific), or -1 when it does not. */
static int match_score(const struct udp_endpoint *ep, uint32_t dst, uint16_t dport, uint32_t src,
                       uint16_t sport)
{
    if (ep->local_port != dport || (ep->local_addr && ep->local_addr != dst))
        return -1;
    if (ep->remote_port && (ep->remote_addr != src || ep->remote_port != sport))
        return -1;
    return (ep->local_addr ? 1 : 0) + (ep->remote_port ? 2 : 0);
}

struct udp_endpoint *udp_lookup(uint32_t dst, uint16_t dst_port, uint32_t src, uint16_t src_port)
{
    struct udp_endpoint *best = NULL;
    int best_score = -1;
    for (unsigned i = 0; i < table_end; i++) {
        if (!table[i])
            continue;
        int score = match_score(table[i], dst, dst_port, src, src_port);
        if (score > best_score) {
            best = table[i];
            best_score = score;
        }
    }
    if (!best || !best->reuse_port)
        return best;
    /* A SO_REUSEPORT group shares the datagrams: each peer (address and port) sticks to one
     * member chosen by a hash, as on Linux. */
    unsigned members = 0;
    for (unsigned i = 0; i < table_end; i++)
        if (table[i] && table[i]->reuse_port &&
            match_score(table[i], dst, dst_port, src, src_port) == best_score)
            members++;
    uint32_t hash = (src ^ ((uint32_t)src_port << 16) ^ src_port) * 0x9e3779b1u;
    unsigned pick = (unsigned)(((uint64_t)hash * members) >> 32);
    for (unsigned i = 0; i < table_end; i++)
        if (table[i] && table[i]->reuse_port &&
            match_score(table[i], dst, dst_port, src, src_port) == best_score && pick-- == 0)
            return table[i];
    return best;
}

static void deliver(struct udp_endpoint *ep, const struct udp_datagram_info *info,
                    const uint8_t *payload)
{
    if (!udp_queue_push(ep, info, payload)) {
        net_counters.udp_rcvbuf_full++;
        return;
    }
    net_counters.udp_rx++;
    if (ep->notify)
        ep->notify(ep);
}

void udp_input(const struct ip_rx *ip)
{
    if (ip->len < UDP_HLEN) {
        net_counters.udp_truncated++;
        return;
    }
    const uint8_t *h = ip->payload;
    size_t ulen = get16(h + 4);
    if (ulen < UDP_HLEN || ulen > ip->len) {
        net_counters.udp_bad_length++;
        return;
    }
    /* A zero checksum means the sender computed none (allowed over IPv4). */
    if (get16(h + 6) != 0 && !csum_vouched(ip)) {
        uint32_t sum = csum_pseudo(ip->src, ip->dst, IP_PROTO_UDP, (uint16_t)ulen);
        if (csum_fold(csum_add(sum, h, ulen)) != 0) {
            net_counters.udp_bad_checksum++;
            return;
        }
    }
    uint16_t sport = get16(h), dport = get16(h + 2);
    struct udp_datagram_info info = {
        .src_addr = ip->src,
        .src_port = sport,
        .dst_addr = ip->dst,
        .dev = ip->dev,
        .len = ulen - UDP_HLEN,
    };
    const uint8_t *payload = h + UDP_HLEN;
    if (ip->to_broadcast) { /* every endpoint that would take it gets a copy */
        bool any = false;
        for (unsigned i = 0; i < table_end; i++)
            if (table[i] && match_score(table[i], ip->dst, dport, ip->src, sport) >= 0) {
                deliver(table[i], &info, payload);
                any = true;
            }
        if (!any)
            net_counters.udp_no_port++;
        return;
    }
    struct udp_endpoint *ep = udp_lookup(ip->dst, dport, ip->src, sport);
    if (!ep) {
        net_counters.udp_no_port++;
        icmp_send_unreachable(ip, 3);
        return;
    }
    deliver(ep, &info, payload);
}

void udp_icmp_error(uint32_t local, uint16_t lport, uint32_t remote, uint16_t rport, int err,
                    uint32_t info)
{
    struct udp_endpoint *ep = udp_lookup(local, lport, remote, rport);
    if (!ep) {
        net_counters.icmp_ignored++;
        return;
    }
    net_counters.icmp_errors_reported++;
    ep->error = err;
    ep->error_info = info;
    if (ep->notify)
        ep->notify(ep);
}

int udp_take_error(struct udp_endpoint *ep)
{
    int err = ep->error;
    ep->error = 0;
    return err;
}

static bool port_in_use(uint16_t port)
{
    for (unsigned i = 0; i < table_end; i++)
        if (table[i] && table[i]->local_port == port)
            return true;
    return false;
}

static bool conflicts(const struct udp_endpoint *ep, uint32_t addr, uint16_t port)
{
    for (unsigned i = 0; i < table_end; i++) {
        const struct udp_endpoint *o = table[i];
        if (!o || o == ep || o->local_port != port)
            continue;
        if (o->local_addr && addr && o->local_addr != addr)
            continue;
        if ((ep->reuse_addr && o->reuse_addr) || (ep->reuse_port && o->reuse_port))
            continue;
        return true;
    }
    return false;
}

int udp_bind(struct udp_endpoint *ep, uint32_t addr, uint16_t port)
{
    if (ep->local_port)
        return -EINVAL;
    if (addr && !net_addr_is_local(addr) && !net_addr_is_broadcast(addr))
        return -EADDRNOTAVAIL;
    if (port == 0) {
        unsigned range = UDP_EPHEMERAL_HIGH - UDP_EPHEMERAL_LOW + 1;
        for (unsigned tries = 0; tries < range && !port; tries++) {
            uint16_t candidate = next_ephemeral;
            next_ephemeral = candidate == UDP_EPHEMERAL_HIGH ? UDP_EPHEMERAL_LOW : candidate + 1;
            if (!port_in_use(candidate))
                port = candidate;
        }
        if (!port)
            return -EADDRINUSE;
    } else if (conflicts(ep, addr, port)) {
        return -EADDRINUSE;
    }
    unsigned slot = 0;
    while (slot < UDP_MAX_ENDPOINTS && table[slot])
        slot++;
    if (slot == UDP_MAX_ENDPOINTS)
        return -ENOSPC;
    table[slot] = ep;
    table_end = MAX(table_end, slot + 1);
    ep->in_table = true;
    ep->local_addr = addr;
    ep->local_port = port;
    return 0;
}

/* The source address for a datagram to dst from an endpoint bound to `bound` (0 = any). */
static int source_for(uint32_t bound, uint32_t dst, uint32_t *src)
{
    if (bound && !net_addr_is_broadcast(bound)) {
        *src = bound;
        return 0;
    }
    if (net_addr_is_local(dst)) {
        *src = (dst >> 24) == 127 ? NET_IPV4(127, 0, 0, 1) : dst;
        return 0;
    }
    struct net_route_result route;
    int rc = net_route_lookup(dst, &route);
    if (rc < 0)
        return rc;
    *src = route.src;
    return 0;
}

int udp_connect(struct udp_endpoint *ep, uint32_t addr, uint16_t port)
{
    if (!addr) {
        ep->remote_addr = 0;
        ep->remote_port = 0;
        return 0;
    }
    uint32_t src;
    int rc = source_for(0, addr, &src); /* also proves addr reachable */
    if (rc < 0)
        return rc;
    if (!ep->local_port && (rc = udp_bind(ep, 0, 0)) < 0)
        return rc;
    if (!ep->local_addr) /* as Linux: connect fixes the local address too */
        ep->local_addr = src;
    ep->remote_addr = addr;
    ep->remote_port = port;
    return 0;
}

void udp_close(struct udp_endpoint *ep)
{
    for (unsigned i = 0; i < table_end; i++)
        if (table[i] == ep)
            table[i] = NULL;
    while (table_end && !table[table_end - 1])
        table_end--;
    ep->in_table = false;
    ep->local_port = 0;
    ep->remote_port = 0;
    udp_set_rxbuf(ep, ep->rx_buf, ep->rx_size);
}

static int udp_output(uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport, uint8_t ttl,
                      const struct net_iov *iov, unsigned iovcnt)
{
    size_t len = 0;
    for (unsigned i = 0; i < iovcnt && len <= UDP_MAX_PAYLOAD; i++)
        len += MIN(iov[i].len, (size_t)UDP_MAX_PAYLOAD + 1);
    if (len > UDP_MAX_PAYLOAD) {
        net_counters.ip_too_big++;
        return -EMSGSIZE;
    }
    if (!dport)
        return -EINVAL;
    uint8_t h[UDP_HLEN];
    put16(h, sport);
    put16(h + 2, dport);
    put16(h + 4, (uint16_t)(UDP_HLEN + len));
    put16(h + 6, 0);
    uint32_t sum = csum_pseudo(src, dst, IP_PROTO_UDP, (uint16_t)(UDP_HLEN + len));
    sum = csum_add(sum, h, UDP_HLEN);
    size_t off = 0;
    for (unsigned i = 0; i < iovcnt; i++) {
        sum = csum_add_at(sum, iov[i].base, iov[i].len, off & 1);
        off += iov[i].len;
    }
    uint16_t check = csum_fold(sum);
    put16(h + 6, check ? check : 0xffff); /* 0 would mean "no checksum" */
    int rc = ip_output(src, dst, IP_PROTO_UDP, ttl, h, UDP_HLEN, iov, iovcnt);
    if (rc < 0)
        return rc;
    net_counters.udp_tx++;
    return (int)len;
}

int udp_sendv(struct udp_endpoint *ep, uint32_t dst, uint16_t dst_port, const struct net_iov *iov,
              unsigned iovcnt)
{
    if (!dst && !dst_port) {
        if (!ep->remote_port)
            return -EDESTADDRREQ;
        dst = ep->remote_addr;
        dst_port = ep->remote_port;
    }
    uint32_t src;
    int rc = source_for(ep->local_addr, dst, &src);
    if (rc < 0) {
        net_counters.ip_no_route++;
        return rc;
    }
    if (!ep->local_port && (rc = udp_bind(ep, 0, 0)) < 0)
        return rc;
    return udp_output(src, ep->local_port, dst, dst_port, ep->ttl, iov, iovcnt);
}

int udp_send(uint32_t src, uint16_t src_port, uint32_t dst, uint16_t dst_port, const void *payload,
             size_t len)
{
    int rc = source_for(src, dst, &src);
    if (rc < 0) {
        net_counters.ip_no_route++;
        return rc;
    }
    struct net_iov iov = {payload, len};
    return udp_output(src, src_port, dst, dst_port, 0, &iov, 1);
}
