/* A simulated NIC with checksum offload and TSO for the stack's unit tests: it checks what the
 * stack hands it (headers, the pseudo-header sum) and cuts large frames as a host would, so the
 * captured frames are plain segments with full checksums. */
#ifndef NET_SIM_TSO_H
#define NET_SIM_TSO_H

#include "net_sim.h"

static struct {
    unsigned gathered; /* frames the stack handed over with offload metadata */
    unsigned tso;      /* of those, TSO frames */
    unsigned segments; /* segments cut from TSO frames */
    size_t largest;    /* the largest frame handed over */
    uint16_t gso_size; /* of the last TSO frame */
    int fail_next;     /* when not 0: the next gather fails with this error */
} sim_tso;

/* The checksum field of the transport header at l4 must hold the folded pseudo-header sum. */
static inline void sim_tso_check_pseudo(const uint8_t *ip, const uint8_t *field, size_t l4_len)
{
    uint16_t want = (uint16_t)~sim_csum(
        sim_pseudo(sim_get32(ip + 12), sim_get32(ip + 16), ip[9], (uint16_t)l4_len), NULL, 0);
    assert_int_equal(sim_get16(field), want);
}

/* Fills in a segment's checksum from scratch, as a device completing a partial one would. */
static inline void sim_tso_fill(uint8_t *ip, size_t l4_len, uint16_t csum_offset)
{
    uint8_t *l4 = ip + 20;
    sim_put16(l4 + csum_offset, 0);
    sim_put16(l4 + csum_offset,
              sim_csum(sim_pseudo(sim_get32(ip + 12), sim_get32(ip + 16), ip[9], (uint16_t)l4_len),
                       l4, l4_len));
}

static inline int sim_tx_gather(unsigned dev, const struct netdev_frag *frags, unsigned n,
                                const struct netdev_offload *off)
{
    static uint8_t frame[NETDEV_GATHER_MAX];
    static uint8_t seg[NET_ETH_HLEN + NET_ETH_MAX_PAYLOAD];
    if (sim_tso.fail_next) {
        int r = sim_tso.fail_next;
        sim_tso.fail_next = 0;
        return r;
    }
    size_t len = 0;
    for (unsigned i = 0; i < n; i++) {
        assert_true(len + frags[i].len <= sizeof(frame));
        memcpy(frame + len, frags[i].base, frags[i].len);
        len += frags[i].len;
    }
    sim_tso.gathered++;
    if (len > sim_tso.largest)
        sim_tso.largest = len;
    uint8_t *ip = frame + 14;
    assert_int_equal(sim_get16(frame + 12), 0x0800);
    assert_int_equal(ip[0], 0x45);
    assert_int_equal(sim_csum(0, ip, 20), 0);
    assert_int_equal(sim_get16(ip + 2), len - 14);
    assert_int_equal(off->csum_start, 34);
    size_t l4_len = len - 34;
    sim_tso_check_pseudo(ip, ip + 20 + off->csum_offset, l4_len);
    if (!off->gso_size) {
        assert_true(len <= 14u + 1500);
        sim_tso_fill(ip, l4_len, off->csum_offset);
        sim_tx(dev, frame, len);
        return 0;
    }
    /* TSO: TCP, DF, headers as hdr_len says, every segment within the MTU. */
    assert_int_equal(ip[9], 6);
    assert_true(sim_get16(ip + 6) & 0x4000);
    size_t hdr_len = off->hdr_len, thlen = (size_t)(ip[20 + 12] >> 4) * 4;
    assert_int_equal(hdr_len, 34 + thlen);
    assert_true(hdr_len - 14 + off->gso_size <= 1500);
    assert_true(len - hdr_len > off->gso_size);
    sim_tso.tso++;
    sim_tso.gso_size = off->gso_size;
    uint32_t seq = sim_get32(ip + 24);
    uint16_t id = sim_get16(ip + 4);
    uint8_t flags = ip[20 + 13];
    for (size_t at = hdr_len; at < len; at += off->gso_size) {
        size_t piece = len - at < off->gso_size ? len - at : off->gso_size;
        bool last = at + piece == len;
        memcpy(seg, frame, hdr_len);
        memcpy(seg + hdr_len, frame + at, piece);
        uint8_t *sip = seg + 14;
        sim_put16(sip + 2, (uint16_t)(hdr_len - 14 + piece));
        sim_put16(sip + 4, id++);
        sim_put16(sip + 10, 0);
        sim_put16(sip + 10, sim_csum(0, sip, 20));
        sim_put32(sip + 24, seq + (uint32_t)(at - hdr_len));
        sip[20 + 13] = last ? flags : (uint8_t)(flags & ~(0x01 | 0x08)); /* FIN, PSH: last only */
        sim_tso_fill(sip, hdr_len - 34 + piece, off->csum_offset);
        sim_tx(dev, seg, hdr_len + piece);
        sim_tso.segments++;
    }
    return 0;
}

static const struct net_hooks sim_tso_hooks = {sim_now, sim_tx, sim_tx_gather};

/* A fresh stack whose interface 0 (10.0.0.2/24, MTU 1500) offloads checksums and TSO (or only
 * what `offloads` says), the peer's MAC known. */
static inline void sim_tso_setup_with(unsigned offloads)
{
    if (!sim_frames)
        sim_frames = calloc(SIM_MAX_FRAMES, sizeof(*sim_frames));
    memset(&sim_tso, 0, sizeof(sim_tso));
    sim_time = 1000 * SIM_SEC;
    sim_nframes = 0;
    net_init(&sim_tso_hooks);
    assert_int_equal(net_if_attach(0, sim_our_mac, 1500), 0);
    assert_int_equal(net_if_configure(0, SIM_OUR_IP, 24, 0), 0);
    assert_int_equal(net_if_set_offloads(0, offloads), 0);
    sim_learn_peer();
}

#endif
