/* SYN cookies: the listener's state for a half-open connection folded into its ISN (and, when the
 * peer uses timestamps, into TSval), so a full SYN queue need not drop legitimate clients. */
#include "tcp_syncookie.h"

#include "net_internal.h"
#include "tcp_isn.h"

/* Common MSS values (Ethernet minus IPv4/IPv6 and options, PPPoE, tunnels, jumbo frames): the
 * largest not above the peer's MSS is kept, so little is lost by the rounding. */
const uint16_t tcp_cookie_mss_table[TCP_COOKIE_MSS_COUNT] = {536,  1200, 1300, 1400,
                                                             1440, 1460, 4312, 8960};

#define MSS_BITS 3
#define MSS_MASK ((1u << MSS_BITS) - 1)
#define WS_NONE  15u
#define SACK_BIT 0x10u
#define TS_MASK  ((1u << TCP_COOKIE_TS_BITS) - 1)

static uint32_t mac(uint32_t laddr, uint16_t lport, uint32_t raddr, uint16_t rport,
                    uint32_t peer_isn, uint64_t counter, unsigned mss_index)
{
    uint8_t msg[24];
    put32(msg, laddr);
    put16(msg + 4, lport);
    put32(msg + 6, raddr);
    put16(msg + 10, rport);
    put32(msg + 12, peer_isn);
    put32(msg + 16, (uint32_t)counter);
    put32(msg + 20, mss_index);
    return (uint32_t)tcp_siphash(tcp_secret(TCP_SECRET_COOKIE), msg, sizeof(msg)) & ~MSS_MASK;
}

uint32_t tcp_syncookie_make(uint32_t laddr, uint16_t lport, uint32_t raddr, uint16_t rport,
                            uint32_t peer_isn, uint16_t peer_mss, uint64_t now_ns,
                            uint16_t *mss_out)
{
    unsigned idx = 0;
    for (unsigned i = 0; i < TCP_COOKIE_MSS_COUNT; i++)
        if (tcp_cookie_mss_table[i] <= peer_mss)
            idx = i;
    if (mss_out)
        *mss_out = tcp_cookie_mss_table[idx];
    uint64_t counter = now_ns / TCP_COOKIE_PERIOD_NS;
    return mac(laddr, lport, raddr, rport, peer_isn, counter, idx) | idx;
}

int tcp_syncookie_check(uint32_t laddr, uint16_t lport, uint32_t raddr, uint16_t rport,
                        uint32_t peer_isn, uint32_t cookie, uint64_t now_ns, uint16_t *mss)
{
    unsigned idx = cookie & MSS_MASK;
    uint64_t counter = now_ns / TCP_COOKIE_PERIOD_NS;
    for (unsigned age = 0; age < 2 && age <= counter; age++) {
        if (mac(laddr, lport, raddr, rport, peer_isn, counter - age, idx) == (cookie & ~MSS_MASK)) {
            *mss = tcp_cookie_mss_table[idx];
            return 0;
        }
    }
    return -EINVAL;
}

uint32_t tcp_syncookie_ts_make(uint32_t ts_now, int wscale, bool sack_ok)
{
    uint32_t bits = (wscale < 0 || wscale > 14) ? WS_NONE : (uint32_t)wscale;
    if (sack_ok)
        bits |= SACK_BIT;
    if ((ts_now & TS_MASK) < bits)
        ts_now -= TS_MASK + 1;
    return (ts_now & ~TS_MASK) | bits;
}

bool tcp_syncookie_ts_check(uint32_t tsecr, int *wscale, bool *sack_ok)
{
    uint32_t bits = tsecr & TS_MASK;
    uint32_t ws = bits & 0xf;
    if ((bits & ~(SACK_BIT | 0xfu)) || (ws > 14 && ws != WS_NONE))
        return false;
    *wscale = ws == WS_NONE ? -1 : (int)ws;
    *sack_ok = (bits & SACK_BIT) != 0;
    return true;
}
