/* A scripted TCP peer on the simulated link: crafts segments to the stack, parses what it sends,
 * and runs virtual time to the stack's deadlines. */
#ifndef TCP_SIM_H
#define TCP_SIM_H

#include "net_sim.h"

#include "../../kernel/net/tcp_internal.h"

#define PEER_PORT 5000
#define OUR_PORT  80

/* A segment as seen on the wire. */
struct pseg {
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t flags;
    uint16_t wnd;
    struct tcp_opts opts;
    const uint8_t *data;
    size_t len;
};

static uint16_t tsim_ip_id = 1;

/* Options for a segment from the peer, built with the options module. */
static inline struct tcp_opts tsim_syn_opts(uint16_t mss, int ws, bool sack, bool ts,
                                            uint32_t tsval)
{
    struct tcp_opts o = {0};
    o.present = TCP_OPTF_MSS;
    o.mss = mss;
    if (ws >= 0) {
        o.present |= TCP_OPTF_WSCALE;
        o.wscale = (uint8_t)ws;
    }
    if (sack)
        o.present |= TCP_OPTF_SACK_PERM;
    if (ts) {
        o.present |= TCP_OPTF_TIMESTAMP;
        o.ts_val = tsval;
    }
    return o;
}

/* Sends one segment from the peer (src port sport) to us; the stack's deferred output (ACKs)
 * runs at the end, as after a receive burst. */
static inline void tsim_send_from(uint32_t src, uint16_t sport, uint16_t dport, uint32_t seq,
                                  uint32_t ack, uint8_t flags, uint16_t wnd,
                                  const struct tcp_opts *o, const void *data, size_t len)
{
    static uint8_t seg[NET_ETH_MAX_PAYLOAD];
    uint8_t opt[40];
    size_t olen = o ? tcp_opts_build(opt, o) : 0;
    size_t hlen = 20 + olen;
    sim_put16(seg, sport);
    sim_put16(seg + 2, dport);
    sim_put32(seg + 4, seq);
    sim_put32(seg + 8, ack);
    seg[12] = (uint8_t)((hlen / 4) << 4);
    seg[13] = flags;
    sim_put16(seg + 14, wnd);
    sim_put16(seg + 16, 0);
    sim_put16(seg + 18, 0);
    memcpy(seg + 20, opt, olen);
    if (len)
        memcpy(seg + hlen, data, len);
    uint16_t c = sim_csum(sim_pseudo(src, SIM_OUR_IP, 6, (uint16_t)(hlen + len)), seg, hlen + len);
    sim_put16(seg + 16, c);
    static uint8_t f[NET_ETH_HLEN + NET_ETH_MAX_PAYLOAD];
    net_rx(0, f, sim_ip(f, src, SIM_OUR_IP, 6, tsim_ip_id++, 0x4000, seg, hlen + len));
    net_poll(sim_time);
}

static inline void tsim_send(uint32_t seq, uint32_t ack, uint8_t flags, uint16_t wnd,
                             const struct tcp_opts *o, const void *data, size_t len)
{
    tsim_send_from(SIM_PEER_IP, PEER_PORT, OUR_PORT, seq, ack, flags, wnd, o, data, len);
}

/* Parses captured frame i as a TCP segment from us, checking both checksums independently. */
static inline void tsim_parse(unsigned i, struct pseg *s)
{
    assert_true(i < sim_nframes);
    const uint8_t *f = sim_frames[i].data;
    assert_int_equal(sim_get16(f + 12), 0x0800);
    const uint8_t *h = f + 14;
    assert_int_equal(sim_csum(0, h, 20), 0);
    assert_int_equal(h[9], 6);
    size_t tot = sim_get16(h + 2);
    const uint8_t *t = h + 20;
    size_t tlen = tot - 20;
    assert_int_equal(
        sim_csum(sim_pseudo(sim_get32(h + 12), sim_get32(h + 16), 6, (uint16_t)tlen), t, tlen), 0);
    size_t hlen = (size_t)(t[12] >> 4) * 4;
    memset(s, 0, sizeof(*s));
    s->sport = sim_get16(t);
    s->dport = sim_get16(t + 2);
    s->seq = sim_get32(t + 4);
    s->ack = sim_get32(t + 8);
    s->flags = t[13];
    s->wnd = sim_get16(t + 14);
    assert_int_equal(tcp_opts_parse(t + 20, hlen - 20, s->flags & TH_SYN, &s->opts), 0);
    s->data = t + hlen;
    s->len = tlen - hlen;
}

/* The only frame sent since the last sim_clear, parsed; fails unless exactly one. */
static inline void tsim_one(struct pseg *s)
{
    assert_int_equal(sim_nframes, 1);
    tsim_parse(0, s);
}

/* The last frame sent. */
static inline void tsim_last(struct pseg *s)
{
    assert_true(sim_nframes > 0);
    tsim_parse(sim_nframes - 1, s);
}

/* Runs virtual time forward to `until`, firing each deadline on the way. */
static inline void tsim_run_until(uint64_t until)
{
    for (unsigned guard = 0; guard < 100000; guard++) {
        uint64_t d = net_next_deadline();
        if (d > until)
            break;
        if (d > sim_time)
            sim_time = d;
        net_poll(sim_time);
    }
    if (sim_time < until)
        sim_time = until;
    net_poll(sim_time);
}

static inline void tsim_advance(uint64_t ns)
{
    tsim_run_until(sim_time + ns);
}

/* The next deadline of the stack (virtual ns), UINT64_MAX when none. */
static inline uint64_t tsim_next(void)
{
    return net_next_deadline();
}

/* A fresh stack with the peer's MAC known. */
static inline int tsim_setup(void **state)
{
    sim_setup(state);
    sim_learn_peer();
    return 0;
}

static inline int tsim_teardown(void **state)
{
    tcp_reset();
    return sim_teardown(state);
}

static uint32_t tsim_peer_isn = 1000000;

/* A passive open on OUR_PORT completed by the peer (SYN, SYN-ACK, ACK) with the given SYN
 * options; returns the accepted connection. *our_isn gets the stack's ISN. */
static inline struct tcp_conn *tsim_accept(const struct tcp_opts *o, uint16_t wnd,
                                           uint32_t *our_isn, struct tcp_conn **listener)
{
    struct tcp_conn *l;
    assert_int_equal(tcp_open(&l), 0);
    assert_int_equal(tcp_bind(l, 0, OUR_PORT), 0);
    assert_int_equal(tcp_listen(l, 16), 0);
    sim_clear();
    tsim_send(tsim_peer_isn, 0, TH_SYN, wnd, o, NULL, 0);
    struct pseg s;
    tsim_one(&s);
    assert_int_equal(s.flags, TH_SYN | TH_ACK);
    assert_int_equal(s.ack, tsim_peer_isn + 1);
    *our_isn = s.seq;
    struct tcp_opts ack_opts = {0};
    if (o && (o->present & TCP_OPTF_TIMESTAMP) && (s.opts.present & TCP_OPTF_TIMESTAMP)) {
        ack_opts.present = TCP_OPTF_TIMESTAMP;
        ack_opts.ts_val = o->ts_val + 1;
        ack_opts.ts_ecr = s.opts.ts_val;
    }
    sim_clear();
    tsim_send(tsim_peer_isn + 1, s.seq + 1, TH_ACK, wnd, &ack_opts, NULL, 0);
    assert_int_equal(sim_nframes, 0);
    struct tcp_conn *c;
    assert_int_equal(tcp_accept(l, &c), 0);
    if (listener)
        *listener = l;
    return c;
}

/* Reads up to cap bytes from c. */
static inline long tsim_recv(struct tcp_conn *c, void *buf, size_t cap)
{
    struct net_iov v = {buf, cap};
    return tcp_recv(c, &v, 1, false);
}

static inline long tsim_write(struct tcp_conn *c, const void *buf, size_t len)
{
    struct net_iov v = {buf, len};
    return tcp_send(c, &v, 1, false);
}

#endif
