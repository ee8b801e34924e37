/* Packets a network function answers with: ICMP errors (RFC 792, RFC 1812 4.3.2), echo replies
 * and TCP resets. Each goes back out the interface the cause came in on, to the MAC it came from:
 * the previous hop. */
#include "icmp.h"
#include "csum.h"
#include "engine.h"

#include <string.h>

int icmp_is_error(uint8_t type)
{
    return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

/* Writes an IPv4 header for a packet we originate. */
static void ip_header(struct nf_engine *e, uint8_t *ip, uint8_t proto, uint32_t src, uint32_t dst,
                      size_t total)
{
    ip[0] = 0x45;
    ip[1] = 0;
    put16(ip + IP_TOTAL_LEN, (uint16_t)total);
    put16(ip + IP_ID, e->next_ip_id++);
    put16(ip + IP_FRAG, 0);
    ip[IP_TTL] = 64;
    ip[IP_PROTO] = proto;
    put16(ip + IP_CSUM, 0);
    put32(ip + IP_SRC, src);
    put32(ip + IP_DST, dst);
    put16(ip + IP_CSUM, csum(ip, 20));
}

/* Runs the OUTPUT hook on a packet we built and sends it back to the previous hop. */
static void send_back(struct nf_engine *e, unsigned in_if, const uint8_t *orig_frame,
                      uint8_t *frame, size_t len)
{
    if (e->filter) {
        struct nf_packet p = {.hook = HOOK_OUTPUT,
                              .in_if = -1,
                              .out_if = (int)in_if,
                              .ip = frame + ETH_HDR_LEN,
                              .len = len - ETH_HDR_LEN};
        if (e->filter(e->filter_ctx, &p, e->now_ms) != VERDICT_ACCEPT) {
            nf_drop(e, DROP_FILTER);
            return;
        }
    }
    uint8_t mac[6];
    memcpy(mac, orig_frame + 6, 6);
    nf_send_ip(e, in_if, mac, frame, len);
}

void icmp_send_error(struct nf_engine *e, unsigned in_if, const uint8_t *frame, size_t len,
                     uint8_t type, uint8_t code, uint16_t mtu)
{
    const uint8_t *ip = frame + ETH_HDR_LEN;
    unsigned ihl = (ip[0] & 15u) * 4;
    size_t ip_len = len - ETH_HDR_LEN;
    if ((get16(ip + IP_FRAG) & IP_FRAG_OFF_MASK) != 0 || (frame[0] & 1))
        return; /* not about a later fragment, nor about a link broadcast */
    if (ip[IP_PROTO] == IP_PROTO_ICMP && (ip_len < ihl + 1 || icmp_is_error(ip[ihl])))
        return; /* never an error about an error */
    uint32_t src = get32(ip + IP_SRC);
    if (src >> 24 == 0 || src >> 28 >= 0xe)
        return;
    size_t quote = ip_len < ihl + 8 ? ip_len : ihl + 8;
    uint8_t *out = e->scratch;
    uint8_t *oip = out + ETH_HDR_LEN;
    uint8_t *icmp = oip + 20;
    icmp[0] = type;
    icmp[1] = code;
    put16(icmp + 2, 0);
    put32(icmp + 4, type == ICMP_UNREACH && code == UNREACH_FRAG_NEEDED ? mtu : 0);
    memmove(icmp + 8, ip, quote);
    put16(icmp + 2, csum(icmp, 8 + quote));
    ip_header(e, oip, IP_PROTO_ICMP, e->ifaces[in_if].addr, src, 20 + 8 + quote);
    e->counters.icmp_errors_sent++;
    send_back(e, in_if, frame, out, ETH_HDR_LEN + 20 + 8 + quote);
}

void icmp_send_echo_reply(struct nf_engine *e, unsigned in_if, const uint8_t *frame, size_t len)
{
    const uint8_t *ip = frame + ETH_HDR_LEN;
    unsigned ihl = (ip[0] & 15u) * 4;
    size_t icmp_len = len - ETH_HDR_LEN - ihl;
    if (csum(ip + ihl, icmp_len) != 0)
        return;
    uint8_t *out = e->scratch;
    uint8_t *oip = out + ETH_HDR_LEN;
    uint8_t *icmp = oip + 20;
    memmove(icmp, ip + ihl, icmp_len);
    icmp[0] = ICMP_ECHO_REPLY;
    put16(icmp + 2, 0);
    put16(icmp + 2, csum(icmp, icmp_len));
    ip_header(e, oip, IP_PROTO_ICMP, get32(ip + IP_DST), get32(ip + IP_SRC), 20 + icmp_len);
    send_back(e, in_if, frame, out, ETH_HDR_LEN + 20 + icmp_len);
}

void tcp_send_reset(struct nf_engine *e, unsigned in_if, const uint8_t *frame, size_t len)
{
    const uint8_t *ip = frame + ETH_HDR_LEN;
    unsigned ihl = (ip[0] & 15u) * 4;
    size_t ip_len = len - ETH_HDR_LEN;
    if (ip_len < ihl + 20 || (frame[0] & 1))
        return;
    const uint8_t *tcp = ip + ihl;
    unsigned doff = (tcp[12] >> 4) * 4u;
    uint8_t flags = tcp[13];
    if (flags & 0x04 || doff < 20 || ihl + doff > ip_len)
        return; /* never answer a reset */
    uint32_t seg_len = (uint32_t)(ip_len - ihl - doff) + !!(flags & 0x02) + !!(flags & 0x01);
    uint8_t out_tcp[20] = {0};
    put16(out_tcp, get16(tcp + 2));
    put16(out_tcp + 2, get16(tcp));
    if (flags & 0x10) {
        put32(out_tcp + 4, get32(tcp + 8));
        out_tcp[13] = 0x04;
    } else {
        put32(out_tcp + 8, get32(tcp + 4) + seg_len);
        out_tcp[13] = 0x14;
    }
    out_tcp[12] = 5 << 4;
    uint32_t src = get32(ip + IP_DST), dst = get32(ip + IP_SRC);
    uint8_t pseudo[12];
    put32(pseudo, src);
    put32(pseudo + 4, dst);
    pseudo[8] = 0;
    pseudo[9] = IP_PROTO_TCP;
    put16(pseudo + 10, 20);
    put16(out_tcp + 16, csum_finish(csum_add(csum_add(0, pseudo, 12), out_tcp, 20)));
    uint8_t *out = e->scratch;
    memcpy(out + ETH_HDR_LEN + 20, out_tcp, 20);
    ip_header(e, out + ETH_HDR_LEN, IP_PROTO_TCP, src, dst, 40);
    send_back(e, in_if, frame, out, ETH_HDR_LEN + 40);
}
