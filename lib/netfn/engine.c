/* The frame path shared by the router and the firewall: Ethernet in, ARP, IPv4 validation,
 * local delivery, forwarding by longest-prefix match, with a filter hook. Nothing is allocated:
 * frames are changed in place or built in the engine's scratch buffer. */
#include "engine.h"
#include "csum.h"
#include "frag.h"
#include "icmp.h"

#include <stdio.h>
#include <string.h>

static const uint8_t broadcast_mac[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

void nf_engine_init(struct nf_engine *e)
{
    memset(e, 0, sizeof(*e));
    lpm_init(&e->lpm);
    arp_init(&e->arp);
    e->next_ip_id = 1;
}

int nf_engine_finish(struct nf_engine *e, char *err, size_t errlen)
{
    struct nf_route configured[NF_MAX_ROUTES];
    unsigned nconfigured = e->nroutes;
    memcpy(configured, e->routes, sizeof(configured[0]) * nconfigured);
    e->nroutes = 0;
    for (unsigned i = 0; i < e->nifaces; i++) {
        const struct nf_iface *f = &e->ifaces[i];
        if (e->nroutes >= NF_MAX_ROUTES)
            break;
        e->routes[e->nroutes++] = (struct nf_route){
            .prefix = f->addr & prefix_mask(f->plen), .plen = f->plen, .ifidx = (uint8_t)i};
    }
    for (unsigned r = 0; r < nconfigured; r++) {
        struct nf_route route = configured[r];
        int found = -1;
        for (unsigned i = 0; i < e->nifaces && found < 0; i++) {
            const struct nf_iface *f = &e->ifaces[i];
            if (((route.gateway ^ f->addr) & prefix_mask(f->plen)) == 0)
                found = (int)i;
        }
        if (found < 0) {
            snprintf(err, errlen,
                     "the gateway %u.%u.%u.%u is on no interface's subnet: add an address there "
                     "or change the route",
                     route.gateway >> 24, route.gateway >> 16 & 255, route.gateway >> 8 & 255,
                     route.gateway & 255);
            return -1;
        }
        if (e->nroutes >= NF_MAX_ROUTES) {
            snprintf(err, errlen, "more than %d routes", NF_MAX_ROUTES);
            return -1;
        }
        route.ifidx = (uint8_t)found;
        e->routes[e->nroutes++] = route;
    }
    lpm_init(&e->lpm);
    for (unsigned r = 0; r < e->nroutes; r++) {
        if (lpm_add(&e->lpm, e->routes[r].prefix, e->routes[r].plen, (uint16_t)r) != 0) {
            snprintf(err, errlen, "the routing table is full");
            return -1;
        }
    }
    return 0;
}

void nf_drop(struct nf_engine *e, enum nf_drop reason)
{
    e->counters.drops[reason]++;
}

int nf_is_our_addr(const struct nf_engine *e, uint32_t addr)
{
    for (unsigned i = 0; i < e->nifaces; i++) {
        if (e->ifaces[i].addr == addr)
            return 1;
    }
    return 0;
}

void nf_send_ip(struct nf_engine *e, unsigned out_if, const uint8_t *dst_mac, uint8_t *frame,
                size_t len)
{
    struct nf_iface *f = &e->ifaces[out_if];
    memcpy(frame, dst_mac, 6);
    memcpy(frame + 6, f->mac, 6);
    put16(frame + 12, ETHERTYPE_IPV4);
    if (e->emit(e->emit_ctx, out_if, frame, len) != 0) {
        nf_drop(e, DROP_TX);
        return;
    }
    f->c.tx_frames++;
    f->c.tx_bytes += len;
}

/* Sends a frame whose next hop is known: now if its MAC is, else after ARP answers. in_if is
 * where it came from (-1: made here), for host unreachable should ARP get no answer. */
static void send_to_next_hop(struct nf_engine *e, int in_if, unsigned out_if, uint32_t next_hop,
                             uint8_t *frame, size_t len)
{
    const uint8_t *mac = arp_lookup(&e->arp, out_if, next_hop, e->now_ms);
    if (mac) {
        nf_send_ip(e, out_if, mac, frame, len);
        return;
    }
    int ask = arp_enqueue(&e->arp, out_if, next_hop, frame, len, in_if, e->now_ms);
    if (ask < 0) {
        nf_drop(e, DROP_ARP_QUEUE);
        return;
    }
    if (ask) {
        uint8_t req[64];
        struct nf_iface *f = &e->ifaces[out_if];
        size_t n = arp_build(req, 1, f->mac, f->addr, broadcast_mac, next_hop);
        if (e->emit(e->emit_ctx, out_if, req, n) == 0) {
            f->c.tx_frames++;
            f->c.tx_bytes += n;
            e->counters.arp_requests++;
        }
    }
}

static void arp_input(struct nf_engine *e, unsigned ifidx, const uint8_t *frame, size_t len)
{
    const uint8_t *a = frame + ETH_HDR_LEN;
    if (len < ETH_HDR_LEN + 28 || get16(a) != 1 || get16(a + 2) != ETHERTYPE_IPV4 || a[4] != 6 ||
        a[5] != 4) {
        nf_drop(e, DROP_ARP_MALFORMED);
        return;
    }
    struct nf_iface *f = &e->ifaces[ifidx];
    unsigned op = get16(a + 6);
    uint32_t sender_ip = get32(a + 14), target_ip = get32(a + 24);
    const uint8_t *sender_mac = a + 8;
    int for_us = target_ip == f->addr;
    /* Learn from answers and from requests that name us (RFC 826), only on-link senders. */
    if ((for_us || arp_lookup(&e->arp, ifidx, sender_ip, e->now_ms)) && sender_ip &&
        ((sender_ip ^ f->addr) & prefix_mask(f->plen)) == 0 && !(sender_mac[0] & 1)) {
        arp_learn(&e->arp, ifidx, sender_ip, sender_mac, e->now_ms);
        struct arp_pending *p;
        while ((p = arp_pending_for(&e->arp, ifidx, sender_ip)) != NULL) {
            nf_send_ip(e, ifidx, sender_mac, p->frame, p->len);
            arp_pending_done(p);
        }
    }
    if (op == 1 && for_us) {
        uint8_t reply[64];
        size_t n = arp_build(reply, 2, f->mac, f->addr, sender_mac, sender_ip);
        if (e->emit(e->emit_ctx, ifidx, reply, n) == 0) {
            f->c.tx_frames++;
            f->c.tx_bytes += n;
            e->counters.arp_replies++;
        }
    } else if (op != 1 && op != 2) {
        nf_drop(e, DROP_ARP_MALFORMED);
    }
}

/* Sources no router accepts (RFC 1812 5.3.7) and our own addresses. */
static int martian_source(const struct nf_engine *e, uint32_t src)
{
    unsigned first = src >> 24;
    return first == 0 || first == 127 || first >= 224 || nf_is_our_addr(e, src);
}

/* Destinations never forwarded: limited and directed broadcast, multicast, link-local. */
static int unforwardable_dest(const struct nf_engine *e, uint32_t dst)
{
    if (dst >> 28 == 0xe || dst == 0xffffffffu || (dst >> 16) == 0xa9fe || dst >> 24 == 0 ||
        dst >> 24 == 127)
        return 1;
    for (unsigned i = 0; i < e->nifaces; i++) {
        const struct nf_iface *f = &e->ifaces[i];
        if (f->plen < 31 && dst == (f->addr | ~prefix_mask(f->plen)))
            return 1;
    }
    return 0;
}

static enum nf_verdict run_filter(struct nf_engine *e, enum nf_hook hook, int in_if, int out_if,
                                  const uint8_t *ip, size_t len)
{
    if (!e->filter)
        return VERDICT_ACCEPT;
    struct nf_packet p = {.hook = hook, .in_if = in_if, .out_if = out_if, .ip = ip, .len = len};
    return e->filter(e->filter_ctx, &p, e->now_ms);
}

static void reject(struct nf_engine *e, unsigned in_if, const uint8_t *frame, size_t len)
{
    const uint8_t *ip = frame + ETH_HDR_LEN;
    nf_drop(e, DROP_REJECT);
    if (ip[IP_PROTO] == IP_PROTO_TCP)
        tcp_send_reset(e, in_if, frame, len);
    else
        icmp_send_error(e, in_if, frame, len, ICMP_UNREACH, UNREACH_ADMIN, 0);
}

static void local_input(struct nf_engine *e, unsigned in_if, uint8_t *frame, size_t len)
{
    uint8_t *ip = frame + ETH_HDR_LEN;
    size_t ip_len = len - ETH_HDR_LEN;
    enum nf_verdict v = run_filter(e, HOOK_INPUT, (int)in_if, -1, ip, ip_len);
    if (v == VERDICT_DROP) {
        nf_drop(e, DROP_FILTER);
        return;
    }
    if (v == VERDICT_REJECT) {
        reject(e, in_if, frame, len);
        return;
    }
    e->counters.local_in++;
    unsigned ihl = (ip[0] & 15u) * 4;
    int first_fragment = (get16(ip + IP_FRAG) & IP_FRAG_OFF_MASK) == 0;
    if (ip[IP_PROTO] == IP_PROTO_ICMP && first_fragment && !(get16(ip + IP_FRAG) & IP_FLAG_MF) &&
        ip_len >= ihl + 8 && ip[ihl] == ICMP_ECHO_REQUEST) {
        icmp_send_echo_reply(e, in_if, frame, len);
        return;
    }
    if (ip[IP_PROTO] == IP_PROTO_UDP && first_fragment)
        icmp_send_error(e, in_if, frame, len, ICMP_UNREACH, UNREACH_PORT, 0);
    else if (ip[IP_PROTO] == IP_PROTO_TCP && first_fragment)
        tcp_send_reset(e, in_if, frame, len);
    nf_drop(e, DROP_LOCAL);
}

static void forward(struct nf_engine *e, unsigned in_if, uint8_t *frame, size_t len)
{
    uint8_t *ip = frame + ETH_HDR_LEN;
    size_t ip_len = len - ETH_HDR_LEN;
    uint32_t dst = get32(ip + IP_DST);
    if (unforwardable_dest(e, dst)) {
        nf_drop(e, DROP_NO_FORWARD);
        return;
    }
    if (ip[IP_TTL] <= 1) {
        nf_drop(e, DROP_TTL);
        icmp_send_error(e, in_if, frame, len, ICMP_TIME_EXCEEDED, 0, 0);
        return;
    }
    uint16_t r = lpm_lookup(&e->lpm, dst);
    if (r == LPM_NONE) {
        nf_drop(e, DROP_NO_ROUTE);
        icmp_send_error(e, in_if, frame, len, ICMP_UNREACH, UNREACH_NET, 0);
        return;
    }
    const struct nf_route *route = &e->routes[r];
    unsigned out_if = route->ifidx;
    enum nf_verdict v = run_filter(e, HOOK_FORWARD, (int)in_if, (int)out_if, ip, ip_len);
    if (v == VERDICT_DROP) {
        nf_drop(e, DROP_FILTER);
        return;
    }
    if (v == VERDICT_REJECT) {
        reject(e, in_if, frame, len);
        return;
    }
    uint16_t mtu = e->ifaces[out_if].mtu;
    if (ip_len > mtu && (get16(ip + IP_FRAG) & IP_FLAG_DF)) {
        nf_drop(e, DROP_FRAG_NEEDED);
        icmp_send_error(e, in_if, frame, len, ICMP_UNREACH, UNREACH_FRAG_NEEDED, mtu);
        return;
    }
    /* TTL and protocol share a 16-bit word: RFC 1624 update of the header checksum. */
    uint16_t old_word = get16(ip + IP_TTL);
    ip[IP_TTL]--;
    put16(ip + IP_CSUM, csum_update16(get16(ip + IP_CSUM), old_word, get16(ip + IP_TTL)));
    e->counters.forwarded++;
    uint32_t next_hop = route->gateway ? route->gateway : dst;
    if (ip_len > mtu) {
        frag_send(e, in_if, out_if, next_hop, frame, len, mtu);
        return;
    }
    send_to_next_hop(e, (int)in_if, out_if, next_hop, frame, len);
}

/* Used by frag.c: each fragment goes the way a whole packet would. */
void nf_send_fragment(struct nf_engine *e, int in_if, unsigned out_if, uint32_t next_hop,
                      uint8_t *frame, size_t len)
{
    send_to_next_hop(e, in_if, out_if, next_hop, frame, len);
}

static void ipv4_input(struct nf_engine *e, unsigned ifidx, uint8_t *frame, size_t len)
{
    uint8_t *ip = frame + ETH_HDR_LEN;
    size_t avail = len - ETH_HDR_LEN;
    if (avail < IPV4_MIN_HDR || ip[0] >> 4 != 4) {
        nf_drop(e, DROP_IP_MALFORMED);
        return;
    }
    unsigned ihl = (ip[0] & 15u) * 4;
    unsigned total = get16(ip + IP_TOTAL_LEN);
    if (ihl < IPV4_MIN_HDR || total < ihl || total > avail) {
        nf_drop(e, DROP_IP_MALFORMED);
        return;
    }
    if (csum(ip, ihl) != 0) {
        nf_drop(e, DROP_IP_CHECKSUM);
        return;
    }
    len = ETH_HDR_LEN + total; /* Ethernet padding is not part of the packet */
    uint32_t src = get32(ip + IP_SRC), dst = get32(ip + IP_DST);
    if (martian_source(e, src)) {
        nf_drop(e, DROP_MARTIAN);
        return;
    }
    if (nf_is_our_addr(e, dst)) {
        local_input(e, ifidx, frame, len);
        return;
    }
    if (memcmp(frame, e->ifaces[ifidx].mac, 6) != 0) {
        nf_drop(e, DROP_NO_FORWARD); /* a broadcast frame is never routed on */
        return;
    }
    forward(e, ifidx, frame, len);
}

void nf_input(struct nf_engine *e, unsigned ifidx, uint8_t *frame, size_t len)
{
    if (ifidx >= e->nifaces)
        return;
    struct nf_iface *f = &e->ifaces[ifidx];
    f->c.rx_frames++;
    f->c.rx_bytes += len;
    if (len < ETH_HDR_LEN) {
        nf_drop(e, DROP_RUNT);
        return;
    }
    if (memcmp(frame, f->mac, 6) != 0 && memcmp(frame, broadcast_mac, 6) != 0) {
        nf_drop(e, DROP_NOT_FOR_US);
        return;
    }
    unsigned type = get16(frame + 12);
    if (type == ETHERTYPE_ARP)
        arp_input(e, ifidx, frame, len);
    else if (type == ETHERTYPE_IPV4)
        ipv4_input(e, ifidx, frame, len);
    else
        nf_drop(e, DROP_ETHERTYPE);
}

void nf_tick(struct nf_engine *e, uint64_t now_ms)
{
    e->now_ms = now_ms;
    struct arp_pending *p;
    while ((p = arp_pending_expired(&e->arp, now_ms)) != NULL) {
        nf_drop(e, DROP_ARP_QUEUE);
        /* The frame still has the Ethernet header it arrived with: the error goes to its sender. */
        if (p->in_ifidx >= 0)
            icmp_send_error(e, (unsigned)p->in_ifidx, p->frame, p->len, ICMP_UNREACH, UNREACH_HOST,
                            0);
        arp_pending_done(p);
    }
    arp_expire(&e->arp, now_ms);
}

void nf_print_counters(const struct nf_engine *e, FILE *out)
{
    for (unsigned i = 0; i < e->nifaces; i++) {
        const struct nf_iface *f = &e->ifaces[i];
        fprintf(out, "if %s rx_frames %llu rx_bytes %llu tx_frames %llu tx_bytes %llu\n", f->name,
                (unsigned long long)f->c.rx_frames, (unsigned long long)f->c.rx_bytes,
                (unsigned long long)f->c.tx_frames, (unsigned long long)f->c.tx_bytes);
    }
    const struct nf_counters *c = &e->counters;
    fprintf(out, "forwarded %llu\nlocal_in %llu\nicmp_errors_sent %llu\nfragments_made %llu\n",
            (unsigned long long)c->forwarded, (unsigned long long)c->local_in,
            (unsigned long long)c->icmp_errors_sent, (unsigned long long)c->fragments_made);
    fprintf(out, "arp_requests %llu\narp_replies %llu\n", (unsigned long long)c->arp_requests,
            (unsigned long long)c->arp_replies);
    for (int d = 0; d < DROP_COUNT; d++)
        fprintf(out, "drop %s %llu\n", nf_drop_name((enum nf_drop)d),
                (unsigned long long)c->drops[d]);
}
