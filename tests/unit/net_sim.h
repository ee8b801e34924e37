/* A simulated link for the network stack's unit tests: virtual time, captured frames, builders. */
#ifndef NET_SIM_H
#define NET_SIM_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "atoll/errno.h"
#include "atoll/net.h"
#include "atoll/netcounters.h"
#include "atoll/udp.h"

#define SIM_MAX_FRAMES 512
#define SIM_SEC        1000000000ull

struct sim_frame {
    unsigned dev;
    size_t len;
    uint8_t data[NET_ETH_HLEN + NET_ETH_MAX_PAYLOAD];
};

static uint64_t sim_time = 1000 * SIM_SEC;
static struct sim_frame *sim_frames; /* captured transmissions, in order */
static unsigned sim_nframes;

static const uint8_t sim_our_mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
static const uint8_t sim_peer_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};
static const uint8_t sim_bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
#define SIM_OUR_IP  NET_IPV4(10, 0, 0, 2)
#define SIM_PEER_IP NET_IPV4(10, 0, 0, 1)

static inline uint64_t sim_now(void)
{
    return sim_time;
}

static inline void sim_tx(unsigned dev, const uint8_t *frame, size_t len)
{
    assert_true(len <= sizeof(sim_frames[0].data));
    assert_true(sim_nframes < SIM_MAX_FRAMES);
    sim_frames[sim_nframes].dev = dev;
    sim_frames[sim_nframes].len = len;
    memcpy(sim_frames[sim_nframes].data, frame, len);
    sim_nframes++;
}

static const struct net_hooks sim_hooks = {sim_now, sim_tx, NULL};

static inline void sim_clear(void)
{
    sim_nframes = 0;
}

/* A fresh stack with interface 0 = 10.0.0.2/24 and MTU mtu. */
static inline void sim_setup_mtu(uint16_t mtu)
{
    if (!sim_frames)
        sim_frames = calloc(SIM_MAX_FRAMES, sizeof(*sim_frames));
    sim_time = 1000 * SIM_SEC;
    sim_nframes = 0;
    net_init(&sim_hooks);
    assert_int_equal(net_if_attach(0, sim_our_mac, mtu), 0);
    assert_int_equal(net_if_configure(0, SIM_OUR_IP, 24, 0), 0);
}

static inline int sim_setup(void **state)
{
    (void)state;
    sim_setup_mtu(1500);
    return 0;
}

static inline int sim_teardown(void **state)
{
    (void)state;
    free(sim_frames);
    sim_frames = NULL;
    return 0;
}

static inline void sim_put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}
static inline void sim_put32(uint8_t *p, uint32_t v)
{
    sim_put16(p, (uint16_t)(v >> 16));
    sim_put16(p + 2, (uint16_t)v);
}
static inline uint16_t sim_get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}
static inline uint32_t sim_get32(const uint8_t *p)
{
    return (uint32_t)sim_get16(p) << 16 | sim_get16(p + 2);
}

/* An independent Internet checksum, so the stack is not checked against itself. */
static inline uint16_t sim_csum(uint32_t sum, const uint8_t *p, size_t len)
{
    for (size_t i = 0; i + 1 < len; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (len & 1)
        sum += (uint32_t)p[len - 1] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

static inline size_t sim_eth(uint8_t *f, const uint8_t *dst, const uint8_t *src, uint16_t type)
{
    memcpy(f, dst, 6);
    memcpy(f + 6, src, 6);
    sim_put16(f + 12, type);
    return 14;
}

/* Builds an ARP packet from the peer; returns the frame length. */
static inline size_t sim_arp(uint8_t *f, uint16_t op, const uint8_t *eth_dst, const uint8_t *sha,
                             uint32_t spa, uint32_t tpa)
{
    size_t n = sim_eth(f, eth_dst, sha, 0x0806);
    uint8_t *p = f + n;
    sim_put16(p, 1);
    sim_put16(p + 2, 0x0800);
    p[4] = 6;
    p[5] = 4;
    sim_put16(p + 6, op);
    memcpy(p + 8, sha, 6);
    sim_put32(p + 14, spa);
    memset(p + 18, 0, 6);
    sim_put32(p + 24, tpa);
    return n + 28;
}

/* Builds an IPv4 frame from the peer to us with the given fragment field and payload. */
static inline size_t sim_ip(uint8_t *f, uint32_t src, uint32_t dst, uint8_t proto, uint16_t id,
                            uint16_t frag, const uint8_t *payload, size_t len)
{
    size_t n = sim_eth(f, sim_our_mac, sim_peer_mac, 0x0800);
    uint8_t *h = f + n;
    memset(h, 0, 20);
    h[0] = 0x45;
    sim_put16(h + 2, (uint16_t)(20 + len));
    sim_put16(h + 4, id);
    sim_put16(h + 6, frag);
    h[8] = 64;
    h[9] = proto;
    sim_put32(h + 12, src);
    sim_put32(h + 16, dst);
    sim_put16(h + 10, sim_csum(0, h, 20));
    memcpy(h + 20, payload, len);
    return n + 20 + len;
}

static inline uint32_t sim_pseudo(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len)
{
    return (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + proto + len;
}

/* A UDP datagram (header + payload) with a correct checksum, into out; returns its length. */
static inline size_t sim_udp(uint8_t *out, uint32_t src, uint32_t dst, uint16_t sport,
                             uint16_t dport, const uint8_t *payload, size_t len)
{
    sim_put16(out, sport);
    sim_put16(out + 2, dport);
    sim_put16(out + 4, (uint16_t)(8 + len));
    sim_put16(out + 6, 0);
    memcpy(out + 8, payload, len);
    uint16_t c = sim_csum(sim_pseudo(src, dst, 17, (uint16_t)(8 + len)), out, 8 + len);
    sim_put16(out + 6, c ? c : 0xffff);
    return 8 + len;
}

/* An ICMP echo request (header + pattern payload of len bytes) into out. */
static inline size_t sim_echo(uint8_t *out, uint16_t id, uint16_t seq, size_t len)
{
    out[0] = 8;
    out[1] = 0;
    sim_put16(out + 2, 0);
    sim_put16(out + 4, id);
    sim_put16(out + 6, seq);
    for (size_t i = 0; i < len; i++)
        out[8 + i] = (uint8_t)(i * 7 + seq);
    sim_put16(out + 2, sim_csum(0, out, 8 + len));
    return 8 + len;
}

/* Sends a whole transport payload from the peer, fragmented at frag_size data bytes (0 = not). */
static inline void sim_send_ip(uint8_t proto, uint16_t id, const uint8_t *payload, size_t len,
                               size_t frag_size)
{
    static uint8_t f[NET_ETH_HLEN + NET_ETH_MAX_PAYLOAD];
    if (!frag_size || len <= frag_size) {
        net_rx(0, f, sim_ip(f, SIM_PEER_IP, SIM_OUR_IP, proto, id, 0, payload, len));
        return;
    }
    for (size_t off = 0; off < len; off += frag_size) {
        size_t n = len - off < frag_size ? len - off : frag_size;
        uint16_t frag = (uint16_t)((off + n < len ? 0x2000 : 0) | (off / 8));
        net_rx(0, f, sim_ip(f, SIM_PEER_IP, SIM_OUR_IP, proto, id, frag, payload + off, n));
    }
}

/* Teaches the stack the peer's MAC (the peer asks for ours) and forgets what that sent. */
static inline void sim_learn_peer(void)
{
    uint8_t f[64];
    net_rx(0, f, sim_arp(f, 1, sim_bcast, sim_peer_mac, SIM_PEER_IP, SIM_OUR_IP));
    sim_clear();
}

/* Reassembles the IPv4 datagrams among the captured frames (in order, all with one id) into
 * out; returns the transport payload length and checks every fragment on the way. */
static inline size_t sim_collect_ip(unsigned first, unsigned count, uint8_t *out, uint16_t mtu)
{
    size_t total = 0;
    for (unsigned i = first; i < first + count; i++) {
        const uint8_t *h = sim_frames[i].data + 14;
        assert_int_equal(sim_get16(sim_frames[i].data + 12), 0x0800);
        assert_int_equal(h[0], 0x45);
        assert_int_equal(sim_csum(0, h, 20), 0);
        size_t tot = sim_get16(h + 2);
        assert_true(tot <= mtu);
        assert_int_equal(sim_frames[i].len, 14 + tot);
        uint16_t frag = sim_get16(h + 6);
        size_t off = (size_t)(frag & 0x1fff) * 8;
        assert_int_equal(off, total);
        memcpy(out + off, h + 20, tot - 20);
        total += tot - 20;
        assert_int_equal(!!(frag & 0x2000), i + 1 < first + count);
    }
    return total;
}

#endif
