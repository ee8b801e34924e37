/* IPv4: header validation on input, delivery to ICMP/UDP/TCP, output with TTL and fragmentation. */
#include "net_internal.h"
#include "tcp.h"

static uint16_t next_id;
/* One outgoing frame is built here at a time (the tx hook copies it). */
static uint8_t tx_frame[NET_ETH_HLEN + NET_ETH_MAX_PAYLOAD];
/* A datagram to one of our own addresses is assembled here whole and delivered directly. */
static uint8_t loop_buf[NET_IP_MAX_LEN];
/* Set while a looped datagram is being delivered: what that delivery sends to ourselves (an
 * ICMP error about it) would overwrite loop_buf, so it is not sent. */
static bool loop_busy;

void ip_reset(void)
{
    next_id = 1;
    loop_busy = false;
}

void ip_input(unsigned dev, const uint8_t *pkt, size_t len, bool csum_ok)
{
    net_counters.ip_rx++;
    if (len < IP_HLEN) {
        net_counters.ip_truncated++;
        return;
    }
    if (pkt[0] >> 4 != 4) {
        net_counters.ip_bad_version++;
        return;
    }
    size_t hlen = (size_t)(pkt[0] & 0xf) * 4;
    if (hlen < IP_HLEN) {
        net_counters.ip_bad_ihl++;
        return;
    }
    if (hlen > len) {
        net_counters.ip_truncated++;
        return;
    }
    size_t total = get16(pkt + 2);
    if (total < hlen) {
        net_counters.ip_bad_length++;
        return;
    }
    if (total > len) {
        net_counters.ip_truncated++;
        return;
    }
    if (csum_fold(csum_add(0, pkt, hlen)) != 0) {
        net_counters.ip_bad_checksum++;
        return;
    }
    uint32_t src = get32(pkt + 12), dst = get32(pkt + 16);
    if (src == NET_IP_BROADCAST || (src >> 28) == 0xe || (src >> 24) == 127 ||
        net_addr_is_broadcast(src)) {
        net_counters.ip_bad_source++;
        return;
    }
    bool to_broadcast = net_addr_is_broadcast(dst);
    if (!to_broadcast && (!dst || net_if_by_addr(dst) < 0)) {
        net_counters.ip_not_for_us++;
        return;
    }
    /* Options (hlen > 20) are skipped: nothing here needs them. Padding after total is cut. */
    uint16_t frag = get16(pkt + 6);
    if (frag & 0x3fff) { /* MF set or a non-zero offset */
        reasm_input(dev, pkt, hlen, pkt + hlen, total - hlen);
        return;
    }
    struct ip_rx ip = {
        .dev = dev,
        .src = src,
        .dst = dst,
        .proto = pkt[9],
        .ttl = pkt[8],
        .hdr = pkt,
        .hdr_len = hlen,
        .payload = pkt + hlen,
        .len = total - hlen,
        .to_broadcast = to_broadcast,
        .csum_ok = csum_ok,
    };
    ip_deliver(&ip);
}

void ip_deliver(const struct ip_rx *ip)
{
    if (ip->proto == IP_PROTO_UDP)
        udp_input(ip);
    else if (ip->proto == IP_PROTO_TCP)
        tcp_input(ip);
    else if (ip->proto == IP_PROTO_ICMP)
        icmp_input(ip);
    else
        net_counters.ip_unknown_protocol++;
}

/* Copies len bytes starting at byte offset `off` of the payload (pre, then iov) into dst. */
static void payload_copy(uint8_t *dst, const uint8_t *pre, size_t pre_len,
                         const struct net_iov *iov, unsigned iovcnt, size_t off, size_t len)
{
    if (off < pre_len) {
        size_t n = MIN(pre_len - off, len);
        memcpy(dst, pre + off, n);
        dst += n;
        len -= n;
        off = 0;
    } else {
        off -= pre_len;
    }
    for (unsigned i = 0; i < iovcnt && len; i++) {
        if (off >= iov[i].len) {
            off -= iov[i].len;
            continue;
        }
        size_t n = MIN(iov[i].len - off, len);
        memcpy(dst, (const uint8_t *)iov[i].base + off, n);
        dst += n;
        len -= n;
        off = 0;
    }
}

static void build_header(uint8_t *h, size_t total, uint16_t id, uint16_t frag, uint8_t ttl,
                         uint8_t proto, uint32_t src, uint32_t dst)
{
    h[0] = 0x45;
    h[1] = 0;
    put16(h + 2, (uint16_t)total);
    put16(h + 4, id);
    put16(h + 6, frag);
    h[8] = ttl;
    h[9] = proto;
    put16(h + 10, 0);
    put32(h + 12, src);
    put32(h + 16, dst);
    put16(h + 10, csum_fold(csum_add(0, h, IP_HLEN)));
}

/* Delivers a datagram sent to one of our own addresses without touching a link. */
static void loop_output(uint32_t src, uint32_t dst, uint8_t proto, uint8_t ttl, size_t len,
                        const uint8_t *pre, size_t pre_len, const struct net_iov *iov,
                        unsigned iovcnt)
{
    if (loop_busy)
        return;
    loop_busy = true;
    build_header(loop_buf, IP_HLEN + len, next_id++, 0, ttl, proto, src, dst);
    payload_copy(loop_buf + IP_HLEN, pre, pre_len, iov, iovcnt, 0, len);
    int dev = net_if_by_addr(dst);
    struct ip_rx ip = {
        .dev = dev < 0 ? 0 : (unsigned)dev,
        .src = src,
        .dst = dst,
        .proto = proto,
        .ttl = ttl,
        .hdr = loop_buf,
        .hdr_len = IP_HLEN,
        .payload = loop_buf + IP_HLEN,
        .len = len,
    };
    net_counters.ip_tx++;
    ip_deliver(&ip);
    loop_busy = false;
}

int ip_output(uint32_t src, uint32_t dst, uint8_t proto, uint8_t ttl, const void *pre,
              size_t pre_len, const struct net_iov *iov, unsigned iovcnt)
{
    size_t len = pre_len;
    for (unsigned i = 0; i < iovcnt; i++)
        len += iov[i].len;
    if (len > NET_IP_MAX_LEN - IP_HLEN) {
        net_counters.ip_too_big++;
        return -EMSGSIZE;
    }
    if (!ttl)
        ttl = IP_DEFAULT_TTL;
    if (net_addr_is_local(dst)) {
        loop_output(src ? src : dst, dst, proto, ttl, len, pre, pre_len, iov, iovcnt);
        return 0;
    }
    struct net_route_result route;
    if (net_route_lookup(dst, &route) < 0) {
        net_counters.ip_no_route++;
        return -ENETUNREACH;
    }
    if (!src)
        src = route.src;
    size_t mtu = net_ifs[route.dev].mtu;
    /* Every fragment but the last carries a multiple of 8 bytes. */
    size_t chunk_max = (mtu - IP_HLEN) & ~(size_t)7;
    uint16_t id = next_id++;
    size_t off = 0;
    do {
        size_t chunk = len - off;
        bool more = false;
        if (IP_HLEN + chunk > mtu) {
            chunk = chunk_max;
            more = true;
        }
        uint16_t frag = (uint16_t)((more ? 0x2000 : 0) | (off / 8));
        uint8_t *h = tx_frame + NET_ETH_HLEN;
        build_header(h, IP_HLEN + chunk, id, frag, ttl, proto, src, dst);
        payload_copy(h + IP_HLEN, pre, pre_len, iov, iovcnt, off, chunk);
        if (more || off)
            net_counters.frag_tx++;
        net_counters.ip_tx++;
        arp_output(route.dev, route.next_hop, tx_frame, NET_ETH_HLEN + IP_HLEN + chunk);
        off += chunk;
    } while (off < len);
    return 0;
}

unsigned ip_route_offloads(uint32_t dst)
{
    struct net_route_result route;
    if (!net_hooks_active || !net_hooks_active->tx_gather || net_addr_is_local(dst) ||
        net_route_lookup(dst, &route) < 0)
        return 0;
    return net_ifs[route.dev].offloads;
}

int ip_output_offload(uint32_t src, uint32_t dst, uint8_t proto, uint8_t *l4, size_t l4_len,
                      const struct net_iov *iov, unsigned iovcnt, uint16_t csum_offset,
                      uint16_t gso_size)
{
    enum { MAX_FRAGS = 6 };
    size_t len = l4_len;
    for (unsigned i = 0; i < iovcnt; i++)
        len += iov[i].len;
    struct net_route_result route;
    if (iovcnt > MAX_FRAGS - 2 || !net_hooks_active || !net_hooks_active->tx_gather ||
        net_addr_is_local(dst) || net_route_lookup(dst, &route) < 0)
        return -EOPNOTSUPP;
    const struct net_if *nif = &net_ifs[route.dev];
    /* A TSO frame whenever the caller cut the payload (gso_size): the path MTU may be below the
     * interface's, so even a frame that fits the link is cut. */
    bool tso = gso_size != 0;
    if (!(nif->offloads & NETDEV_F_CSUM) || len > NET_IP_MAX_LEN - IP_HLEN ||
        (!tso && IP_HLEN + len > nif->mtu) ||
        (tso && (!(nif->offloads & NETDEV_F_TSO4) || proto != IP_PROTO_TCP ||
                 IP_HLEN + l4_len + gso_size > nif->mtu)))
        return -EOPNOTSUPP;
    uint8_t head[NET_ETH_HLEN + IP_HLEN];
    if (!arp_lookup_mac(route.dev, route.next_hop, head))
        return -EOPNOTSUPP; /* the software path queues it behind the ARP request */
    if (!src)
        src = route.src;
    memcpy(head + 6, nif->mac, ETH_ADDR_LEN);
    put16(head + 12, ETH_TYPE_IPV4);
    /* The device copies this header into every segment and numbers them from its ID, as Linux
     * does for its own TSO frames; DF, since the pieces are cut to the path MTU already. */
    uint16_t segs = tso ? (uint16_t)((len - l4_len + gso_size - 1) / gso_size) : 1;
    build_header(head + NET_ETH_HLEN, IP_HLEN + len, next_id, tso ? 0x4000 : 0, IP_DEFAULT_TTL,
                 proto, src, dst);
    next_id = (uint16_t)(next_id + segs);
    /* The device sums from the transport header on, the field included: it starts as the
     * pseudo-header sum (RFC 1071's sum before the final complement), with the whole length. */
    put16(l4 + csum_offset, (uint16_t)~csum_fold(csum_pseudo(src, dst, proto, (uint16_t)len)));
    struct netdev_frag frags[MAX_FRAGS];
    unsigned n = 0;
    frags[n++] = (struct netdev_frag){head, sizeof(head)};
    frags[n++] = (struct netdev_frag){l4, l4_len};
    for (unsigned i = 0; i < iovcnt; i++)
        if (iov[i].len)
            frags[n++] = (struct netdev_frag){iov[i].base, iov[i].len};
    struct netdev_offload off = {
        .csum_start = NET_ETH_HLEN + IP_HLEN,
        .csum_offset = csum_offset,
        .gso_size = tso ? gso_size : 0,
        .hdr_len = (uint16_t)(NET_ETH_HLEN + IP_HLEN + l4_len),
    };
    net_counters.ip_tx++;
    net_counters.eth_tx++;
    return net_hooks_active->tx_gather(route.dev, frags, n, &off);
}
