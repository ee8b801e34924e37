/* The TCP drop counters' crafted segments, for test_net_drops.c (one case per counter). */
#ifndef NET_DROPS_TCP_H
#define NET_DROPS_TCP_H

#include "tcp_sim.h"

static struct tcp_conn *dt_conn, *dt_listener;
static uint32_t dt_isn, dt_pseq;

static void dt_raw(const uint8_t *seg, size_t len, uint32_t dst)
{
    static uint8_t fr[NET_ETH_HLEN + NET_ETH_MAX_PAYLOAD];
    net_rx(0, fr, sim_ip(fr, SIM_PEER_IP, dst, 6, 1, 0, seg, len));
}

/* A segment from the peer with a correct checksum (flags, data), into out. */
static size_t dt_seg(uint8_t *out, uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags,
                     const uint8_t *opt, size_t olen, size_t datalen, uint32_t dst)
{
    size_t hlen = 20 + olen;
    memset(out, 0, hlen + datalen);
    sim_put16(out, PEER_PORT);
    sim_put16(out + 2, dport);
    sim_put32(out + 4, seq);
    sim_put32(out + 8, ack);
    out[12] = (uint8_t)((hlen / 4) << 4);
    out[13] = flags;
    sim_put16(out + 14, 1000);
    if (olen)
        memcpy(out + 20, opt, olen);
    sim_put16(out + 16, sim_csum(sim_pseudo(SIM_PEER_IP, dst, 6, (uint16_t)(hlen + datalen)), out,
                                 hlen + datalen));
    return hlen + datalen;
}

static void tcp_truncated(void)
{
    dt_raw((const uint8_t *)"0123456789", 10, SIM_OUR_IP);
}
static void tcp_bad_offset(void)
{
    uint8_t s[64];
    size_t n = dt_seg(s, 80, 1, 0, TH_SYN, NULL, 0, 0, SIM_OUR_IP);
    s[12] = 4 << 4;
    dt_raw(s, n, SIM_OUR_IP);
}
static void tcp_bad_checksum(void)
{
    uint8_t s[64];
    size_t n = dt_seg(s, 80, 1, 0, TH_SYN, NULL, 0, 0, SIM_OUR_IP);
    s[16] ^= 1;
    dt_raw(s, n, SIM_OUR_IP);
}
static void tcp_bad_options(void)
{
    uint8_t s[64], opt[4] = {2, 3, 5, 0}; /* an MSS option of length 3 */
    dt_raw(s, dt_seg(s, 80, 1, 0, TH_SYN, opt, 4, 0, SIM_OUR_IP), SIM_OUR_IP);
}
static void tcp_broadcast(void)
{
    uint8_t s[64];
    uint32_t bc = NET_IPV4(10, 0, 0, 255);
    dt_raw(s, dt_seg(s, 80, 1, 0, TH_SYN, NULL, 0, 0, bc), bc);
}
static void tcp_no_port(void)
{
    uint8_t s[64];
    dt_raw(s, dt_seg(s, 81, 1, 0, TH_SYN, NULL, 0, 0, SIM_OUR_IP), SIM_OUR_IP);
}
static void tcp_listen_bad_setup(void)
{
    assert_int_equal(tcp_open(&dt_listener), 0);
    assert_int_equal(tcp_bind(dt_listener, 0, 80), 0);
    assert_int_equal(tcp_listen(dt_listener, 1), 0);
}
static void tcp_listen_bad(void)
{
    uint8_t s[64];
    dt_raw(s, dt_seg(s, 80, 1, 12345, TH_ACK, NULL, 0, 0, SIM_OUR_IP), SIM_OUR_IP);
}
static void tcp_listen_overflow_setup(void)
{
    dt_conn = tsim_accept(NULL, 1000, &dt_isn, &dt_listener); /* backlog 16 */
    tcp_listen(dt_listener, 1);
    /* the accepted one counts as taken: put a second, unaccepted one in the queue */
    sim_clear();
    tsim_send_from(SIM_PEER_IP, PEER_PORT + 1, OUR_PORT, 50, 0, TH_SYN, 1000, NULL, NULL, 0);
    struct pseg sa;
    tsim_one(&sa);
    tsim_send_from(SIM_PEER_IP, PEER_PORT + 1, OUR_PORT, 51, sa.seq + 1, TH_ACK, 1000, NULL, NULL,
                   0);
}
static void tcp_listen_overflow(void)
{
    tsim_send_from(SIM_PEER_IP, PEER_PORT + 2, OUR_PORT, 70, 0, TH_SYN, 1000, NULL, NULL, 0);
}
static uint32_t dt_cookie;
static void tcp_conn_limit_setup(void)
{
    tcp_listen_bad_setup();
    struct tcp_conn *x;
    while (tcp_open(&x) == 0)
        ;
    sim_clear();
    tsim_send(500, 0, TH_SYN, 1000, NULL, NULL, 0); /* answered with a SYN cookie */
    struct pseg sa;
    tsim_one(&sa);
    dt_cookie = sa.seq;
}
static void tcp_conn_limit(void)
{
    tsim_send(501, dt_cookie + 1, TH_ACK, 1000, NULL, NULL, 0);
}
static void dt_established(void)
{
    struct tcp_opts o = tsim_syn_opts(1460, 2, true, true, 1000);
    dt_conn = tsim_accept(&o, 1000, &dt_isn, &dt_listener);
    dt_pseq = tsim_peer_isn + 1;
}
#define tcp_unexpected_setup       dt_established
#define tcp_paws_rejected_setup    dt_established
#define tcp_out_of_window_setup    dt_established
#define tcp_bad_ack_setup          dt_established
#define tcp_rst_in_window_setup    dt_established
#define tcp_syn_in_window_setup    dt_established
#define tcp_data_after_close_setup dt_established
static struct tcp_opts dt_ts(uint32_t tsval)
{
    struct tcp_opts o = {0};
    o.present = TCP_OPTF_TIMESTAMP;
    o.ts_val = tsval;
    return o;
}
static void tcp_unexpected(void)
{
    struct tcp_opts o = dt_ts(2000);
    tsim_send(dt_pseq, 0, TH_PSH, 1000, &o, "x", 1);
}
static void tcp_paws_rejected(void)
{
    struct tcp_opts o = dt_ts(10);
    tsim_send(dt_pseq, dt_isn + 1, TH_ACK, 1000, &o, "x", 1);
}
static void tcp_out_of_window(void)
{
    struct tcp_opts o = dt_ts(2000);
    tsim_send(dt_pseq + 1000000, dt_isn + 1, TH_ACK, 1000, &o, "x", 1);
}
static void tcp_bad_ack(void)
{
    struct tcp_opts o = dt_ts(2000);
    tsim_send(dt_pseq, dt_isn + 5000, TH_ACK, 1000, &o, "x", 1);
}
static void tcp_rst_in_window(void)
{
    tsim_send(dt_pseq + 10, 0, TH_RST, 0, NULL, NULL, 0);
}
static void tcp_syn_in_window(void)
{
    struct tcp_opts o = dt_ts(2000);
    tsim_send(dt_pseq + 5, 0, TH_SYN, 1000, &o, NULL, 0);
}
static void tcp_data_after_close(void)
{
    tcp_close(dt_conn, false);
    struct tcp_opts o = dt_ts(2000);
    tsim_send(dt_pseq, dt_isn + 1, TH_ACK, 1000, &o, "x", 1);
}
static void tcp_rcv_window_full_setup(void)
{
    dt_established();
    tcp_setopt(dt_conn, TCP_OPTION_RCVBUF, 4096); /* the buffer shrinks below the window sent */
}
static void tcp_rcv_window_full(void)
{
    struct tcp_opts o = dt_ts(2000);
    tsim_send(dt_pseq + 8000, dt_isn + 1, TH_ACK, 1000, &o, "x", 1);
}
static void tcp_ooo_dropped_setup(void)
{
    dt_established();
    struct tcp_opts o = dt_ts(2000);
    for (unsigned i = 0; i < TCP_RANGES_MAX; i++)
        tsim_send(dt_pseq + 2 + 2 * i, dt_isn + 1, TH_ACK, 1000, &o, "x", 1);
}
static void tcp_ooo_dropped(void)
{
    struct tcp_opts o = dt_ts(2000);
    tsim_send(dt_pseq + 2 + 2 * TCP_RANGES_MAX, dt_isn + 1, TH_ACK, 1000, &o, "x", 1);
}
static void tcp_loop_full_setup(void)
{
    for (unsigned i = 0; i < 32; i++) {
        struct tcp_conn *x;
        assert_int_equal(tcp_open(&x), 0);
        assert_int_equal(tcp_connect(x, SIM_OUR_IP, 81), 0);
    }
}
static void tcp_loop_full(void)
{
    struct tcp_conn *x;
    assert_int_equal(tcp_open(&x), 0);
    assert_int_equal(tcp_connect(x, SIM_OUR_IP, 81), 0);
}

#define TCP_DROP_CASES                                                                             \
    CASE(tcp_truncated), CASE(tcp_bad_offset), CASE(tcp_bad_checksum), CASE(tcp_bad_options),      \
        CASE(tcp_broadcast), CASE(tcp_no_port), CASE_SETUP(tcp_listen_bad),                        \
        CASE_SETUP(tcp_listen_overflow), CASE_SETUP(tcp_conn_limit), CASE_SETUP(tcp_unexpected),   \
        CASE_SETUP(tcp_paws_rejected), CASE_SETUP(tcp_out_of_window), CASE_SETUP(tcp_bad_ack),     \
        CASE_SETUP(tcp_rst_in_window), CASE_SETUP(tcp_syn_in_window),                              \
        CASE_SETUP(tcp_rcv_window_full), CASE_SETUP(tcp_ooo_dropped),                              \
        CASE_SETUP(tcp_data_after_close), CASE_SETUP(tcp_loop_full)

#endif
