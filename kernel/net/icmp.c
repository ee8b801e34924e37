/* ICMP: echo replies of any size, rate-limited port unreachables, and incoming destination
 * unreachable / fragmentation needed reported to the UDP endpoint or TCP connection concerned. */
#include "net_internal.h"
#include "tcp.h"

#define ICMP_ECHO_REPLY   0
#define ICMP_UNREACH      3
#define ICMP_ECHO_REQUEST 8
#define ICMP_HLEN         8
/* Token bucket as Linux's icmp_msgs_per_sec / icmp_msgs_burst: 1000 per second, bursts of 50. */
#define ICMP_COST_NS  (NET_NS_PER_SEC / 1000)
#define ICMP_BURST_NS (50 * ICMP_COST_NS)
/* An error quotes the original datagram, up to a 576-byte ICMP datagram as RFC 1812 says. */
#define ICMP_QUOTE_MAX (576 - IP_HLEN - ICMP_HLEN)

static uint64_t credit_ns, credit_at;
static bool credit_started;

void icmp_reset(void)
{
    credit_ns = ICMP_BURST_NS;
    credit_at = 0;
    credit_started = false;
}

static bool rate_allows(void)
{
    uint64_t now = net_now();
    if (!credit_started) {
        credit_started = true;
        credit_at = now;
    }
    if (now > credit_at) {
        credit_ns = MIN(credit_ns + (now - credit_at), (uint64_t)ICMP_BURST_NS);
        credit_at = now;
    }
    if (credit_ns < ICMP_COST_NS)
        return false;
    credit_ns -= ICMP_COST_NS;
    return true;
}

static void echo_reply(const struct ip_rx *ip)
{
    uint8_t hdr[ICMP_HLEN];
    memcpy(hdr, ip->payload, ICMP_HLEN);
    hdr[0] = ICMP_ECHO_REPLY;
    hdr[1] = 0;
    put16(hdr + 2, 0);
    uint32_t sum = csum_add(0, hdr, ICMP_HLEN);
    sum = csum_add(sum, ip->payload + ICMP_HLEN, ip->len - ICMP_HLEN);
    put16(hdr + 2, csum_fold(sum));
    struct net_iov data = {ip->payload + ICMP_HLEN, ip->len - ICMP_HLEN};
    if (ip_output(ip->dst, ip->src, IP_PROTO_ICMP, 0, hdr, ICMP_HLEN, &data, 1) == 0)
        net_counters.icmp_echo_replies++;
}

static int unreach_errno(uint8_t code)
{
    switch (code) {
    case 0:
        return -ENETUNREACH;
    case 2:
        return -ENOPROTOOPT;
    case 3:
        return -ECONNREFUSED;
    case 4:
        return -EMSGSIZE;
    default:
        return -EHOSTUNREACH;
    }
}

/* Hands an unreachable about a UDP datagram we sent to the endpoint that sent it. */
static void unreach_input(const struct ip_rx *ip)
{
    const uint8_t *inner = ip->payload + ICMP_HLEN;
    size_t inner_len = ip->len - ICMP_HLEN;
    if (inner_len < IP_HLEN || inner[0] >> 4 != 4) {
        net_counters.icmp_ignored++;
        return;
    }
    size_t hlen = (size_t)(inner[0] & 0xf) * 4;
    if (hlen < IP_HLEN || inner_len < hlen + 8 ||
        (inner[9] != IP_PROTO_UDP && inner[9] != IP_PROTO_TCP) ||
        !net_addr_is_local(get32(inner + 12))) {
        net_counters.icmp_ignored++;
        return;
    }
    uint8_t code = ip->payload[1];
    uint32_t info = code == 4 ? get16(ip->payload + 6) : 0;
    if (inner[9] == IP_PROTO_TCP) {
        tcp_icmp_error(get32(inner + 12), get16(inner + hlen), get32(inner + 16),
                       get16(inner + hlen + 2), unreach_errno(code), info);
        return;
    }
    udp_icmp_error(get32(inner + 12), get16(inner + hlen), get32(inner + 16),
                   get16(inner + hlen + 2), unreach_errno(code), info);
}

void icmp_input(const struct ip_rx *ip)
{
    net_counters.icmp_rx++;
    if (ip->len < ICMP_HLEN) {
        net_counters.icmp_truncated++;
        return;
    }
    if (!csum_vouched(ip) && csum_fold(csum_add(0, ip->payload, ip->len)) != 0) {
        net_counters.icmp_bad_checksum++;
        return;
    }
    uint8_t type = ip->payload[0];
    if (type == ICMP_ECHO_REQUEST && !ip->to_broadcast) /* broadcast pings are ignored */
        echo_reply(ip);
    else if (type == ICMP_UNREACH)
        unreach_input(ip);
    else
        net_counters.icmp_ignored++;
}

void icmp_send_unreachable(const struct ip_rx *ip, uint8_t code)
{
    if (ip->to_broadcast)
        return;
    if (!rate_allows()) {
        net_counters.icmp_rate_limited++;
        return;
    }
    size_t quote_payload = MIN(ip->len, ICMP_QUOTE_MAX - ip->hdr_len);
    uint8_t hdr[ICMP_HLEN] = {ICMP_UNREACH, code};
    uint32_t sum = csum_add(0, hdr, ICMP_HLEN);
    sum = csum_add(sum, ip->hdr, ip->hdr_len); /* hdr_len is a multiple of 4: pieces stay even */
    sum = csum_add(sum, ip->payload, quote_payload);
    put16(hdr + 2, csum_fold(sum));
    struct net_iov quote[2] = {{ip->hdr, ip->hdr_len}, {ip->payload, quote_payload}};
    if (ip_output(ip->dst, ip->src, IP_PROTO_ICMP, 0, hdr, ICMP_HLEN, quote, 2) == 0)
        net_counters.icmp_unreach_sent++;
}
