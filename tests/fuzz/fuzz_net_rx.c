/* libFuzzer harness: arbitrary frames into net_rx, with timers run between them and checksums
 * optionally repaired so the fuzzer reaches reassembly, ICMP and UDP past the header checks. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "atoll/errno.h"
#include "atoll/net.h"
#include "atoll/netcounters.h"
#include "atoll/udp.h"

static uint64_t now_ns;
static size_t bytes_sent;

static uint64_t fake_now(void)
{
    return now_ns;
}

static void fake_tx(unsigned dev, const uint8_t *frame, size_t len)
{
    /* What the stack sends must be a sane Ethernet frame within the interface's MTU. */
    assert(dev < 2);
    assert(len >= 14 && len <= 14 + 1500);
    bytes_sent += len;
    (void)frame;
}

static const struct net_hooks hooks = {fake_now, fake_tx, NULL};
static uint8_t rx_a[8192], rx_b[70000];
static struct udp_endpoint ep_a, ep_b;

static uint16_t csum(uint32_t sum, const uint8_t *p, size_t len)
{
    for (size_t i = 0; i + 1 < len; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (len & 1)
        sum += (uint32_t)p[len - 1] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

/* Rewrites the IPv4 header checksum and, for an unfragmented UDP/ICMP packet, its checksum. */
static void repair(uint8_t *f, size_t len)
{
    if (len < 34 || f[12] != 0x08 || f[13] != 0x00)
        return;
    uint8_t *h = f + 14;
    size_t hlen = (size_t)(h[0] & 15) * 4;
    if (hlen < 20 || 14 + hlen > len)
        return;
    h[10] = h[11] = 0;
    uint16_t c = csum(0, h, hlen);
    h[10] = (uint8_t)(c >> 8);
    h[11] = (uint8_t)c;
    size_t total = (size_t)(h[2] << 8 | h[3]);
    if (total < hlen || 14 + total > len || (h[6] & 0x3f) || h[7])
        return;
    uint8_t *t = h + hlen;
    size_t tlen = total - hlen;
    if (h[9] == 1 && tlen >= 8) {
        t[2] = t[3] = 0;
        c = csum(0, t, tlen);
        t[2] = (uint8_t)(c >> 8);
        t[3] = (uint8_t)c;
    } else if (h[9] == 17 && tlen >= 8) {
        t[6] = t[7] = 0;
        uint32_t ps = (uint32_t)(h[12] << 8 | h[13]) + (uint32_t)(h[14] << 8 | h[15]) +
                      (uint32_t)(h[16] << 8 | h[17]) + (uint32_t)(h[18] << 8 | h[19]) + 17 +
                      (uint32_t)tlen;
        c = csum(ps, t, tlen);
        t[6] = (uint8_t)(c >> 8);
        t[7] = (uint8_t)c;
    }
}

static void drain(struct udp_endpoint *ep)
{
    struct udp_datagram_info info;
    uint8_t out[64];
    while (udp_peek(ep, &info)) {
        assert(info.len <= UDP_MAX_PAYLOAD);
        udp_copy_at(ep, info.len / 2, out, sizeof(out));
        udp_pop(ep);
    }
}

/* Input: a sequence of records [flags][len hi][len lo][frame...]. Flags bit 0: repair the
 * checksums; bit 1: deliver on device 1; bits 2-7: advance the clock by that many seconds. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t frame[1600];
    const uint8_t mac0[6] = {0x52, 0x54, 0, 0x12, 0x34, 0x56}, mac1[6] = {0x52, 0x54, 0, 0, 0, 1};
    now_ns = 1000000000000ull;
    net_init(&hooks);
    net_if_attach(0, mac0, 0);
    net_if_attach(1, mac1, 576);
    net_if_configure(0, NET_IPV4(10, 0, 0, 2), 24, 0);
    net_if_configure(1, NET_IPV4(192, 168, 1, 2), 16, 0);
    net_route_add(0, 0, NET_IPV4(10, 0, 0, 1), 0);
    udp_endpoint_init(&ep_a, rx_a, sizeof(rx_a));
    udp_endpoint_init(&ep_b, rx_b, sizeof(rx_b));
    udp_bind(&ep_a, 0, 7);
    udp_bind(&ep_b, NET_IPV4(10, 0, 0, 2), 53);

    size_t pos = 0;
    uint64_t frames = 0;
    while (pos + 3 <= size) {
        uint8_t flags = data[pos];
        size_t len = (size_t)(data[pos + 1] << 8 | data[pos + 2]) % sizeof(frame);
        pos += 3;
        if (len > size - pos)
            len = size - pos;
        memcpy(frame, data + pos, len);
        pos += len;
        if (flags & 1)
            repair(frame, len);
        net_rx(flags & 2 ? 1 : 0, frame, len);
        frames++;
        now_ns += (uint64_t)(flags >> 2) * 1000000000ull;
        net_poll(now_ns);
        if (flags & 0x80) { /* answer what arrived, as an echo server would */
            struct udp_datagram_info info;
            static uint8_t echo[UDP_MAX_PAYLOAD];
            if (udp_peek(&ep_b, &info)) {
                size_t n = udp_copy_at(&ep_b, 0, echo, sizeof(echo));
                struct net_iov iov = {echo, n};
                udp_sendv(&ep_b, info.src_addr, info.src_port ? info.src_port : 1, &iov, 1);
            }
        }
    }
    assert(net_counters.eth_rx == frames);
    drain(&ep_a);
    drain(&ep_b);
    udp_close(&ep_a);
    udp_close(&ep_b);
    return 0;
}
