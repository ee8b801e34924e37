/* A packet's view for connection tracking and rule matching: 5-tuple, TCP fields, ICMP type,
 * and for ICMP errors the key of the packet they quote. */
#include "conntrack.h"
#include "icmp.h"
#include "rules.h"
#include "wire.h"

#include <string.h>

/* The window scale option of a SYN, or -1. Options are walked with every length checked. */
static int8_t window_scale(const uint8_t *opt, size_t len)
{
    size_t i = 0;
    while (i < len) {
        uint8_t kind = opt[i];
        if (kind == 0)
            break;
        if (kind == 1) {
            i++;
            continue;
        }
        if (i + 1 >= len || opt[i + 1] < 2 || i + opt[i + 1] > len)
            break;
        if (kind == 3 && opt[i + 1] == 3)
            return (int8_t)(opt[i + 2] > 14 ? 14 : opt[i + 2]);
        i += opt[i + 1];
    }
    return -1;
}

/* The ports (or echo identifier) of an L4 header of `avail` bytes; -1 when too short. */
static int l4_key(uint8_t proto, const uint8_t *l4, size_t avail, struct ct_key *k)
{
    if (proto == IP_PROTO_TCP || proto == IP_PROTO_UDP) {
        if (avail < 4)
            return -1;
        k->sport = get16(l4);
        k->dport = get16(l4 + 2);
    } else if (proto == IP_PROTO_ICMP) {
        if (avail < 8)
            return -1;
        uint8_t type = l4[0];
        if (type == ICMP_ECHO_REQUEST || type == ICMP_ECHO_REPLY)
            k->sport = k->dport = get16(l4 + 4);
    }
    return 0;
}

int ct_parse(const uint8_t *ip, size_t len, struct ct_packet *p)
{
    memset(p, 0, sizeof(*p));
    p->wscale = -1;
    unsigned ihl = (ip[0] & 15u) * 4;
    if (len < ihl || (get16(ip + IP_FRAG) & IP_FRAG_OFF_MASK))
        return -1; /* later fragments carry no ports */
    const uint8_t *l4 = ip + ihl;
    size_t avail = len - ihl;
    p->key = (struct ct_key){
        .src = get32(ip + IP_SRC), .dst = get32(ip + IP_DST), .proto = ip[IP_PROTO]};
    switch (p->key.proto) {
    case IP_PROTO_TCP: {
        if (avail < 20)
            return -1; /* a first fragment too short for the header hides it: refused */
        unsigned doff = (l4[12] >> 4) * 4u;
        if (doff < 20 || doff > avail)
            return -1;
        l4_key(IP_PROTO_TCP, l4, avail, &p->key);
        p->seq = get32(l4 + 4);
        p->ack = get32(l4 + 8);
        p->tcp_flags = l4[13] & 0x3f;
        p->window = get16(l4 + 14);
        p->payload_len = (uint32_t)(avail - doff);
        if (p->tcp_flags & TCPF_SYN)
            p->wscale = window_scale(l4 + 20, doff - 20);
        return 0;
    }
    case IP_PROTO_UDP:
        if (avail < 8)
            return -1;
        l4_key(IP_PROTO_UDP, l4, avail, &p->key);
        p->payload_len = (uint32_t)(avail - 8);
        return 0;
    case IP_PROTO_ICMP:
        if (avail < 8)
            return -1;
        p->icmp_type = l4[0];
        if (icmp_is_error(l4[0])) {
            const uint8_t *inner = l4 + 8;
            size_t inner_avail = avail - 8;
            if (inner_avail < 20 || inner[0] >> 4 != 4)
                return -1;
            unsigned inner_ihl = (inner[0] & 15u) * 4;
            if (inner_ihl < 20 || inner_ihl > inner_avail)
                return -1;
            p->icmp_error = 1;
            p->inner = (struct ct_key){.src = get32(inner + IP_SRC),
                                       .dst = get32(inner + IP_DST),
                                       .proto = inner[IP_PROTO]};
            return l4_key(inner[IP_PROTO], inner + inner_ihl, inner_avail - inner_ihl, &p->inner);
        }
        l4_key(IP_PROTO_ICMP, l4, avail, &p->key);
        return 0;
    default:
        return 0; /* other protocols: addresses only */
    }
}
