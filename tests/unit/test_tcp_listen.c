/* TCP listeners: the bounded SYN queue, SYN-ACK retransmission, SYN cookies when it is full
 * (with and without timestamps), the accept queue bound, and SO_REUSEPORT spreading. */
#include "tcp_sim.h"

static struct tcp_conn *listener(int backlog)
{
    struct tcp_conn *l;
    assert_int_equal(tcp_open(&l), 0);
    assert_int_equal(tcp_bind(l, 0, OUR_PORT), 0);
    assert_int_equal(tcp_listen(l, backlog), 0);
    return l;
}

static void syn_from(uint16_t port, uint32_t seq, const struct tcp_opts *o, struct pseg *answer)
{
    sim_clear();
    tsim_send_from(SIM_PEER_IP, port, OUR_PORT, seq, 0, TH_SYN, 65535, o, NULL, 0);
    if (answer)
        tsim_one(answer);
}

static void test_synack_retransmitted_then_forgotten(void **state)
{
    (void)state;
    struct tcp_conn *l = listener(4);
    struct pseg sa;
    syn_from(6000, 1, NULL, &sa);
    unsigned n = 0;
    for (int i = 0; i < 20 && l->synq_len; i++) {
        sim_clear();
        tsim_run_until(tsim_next());
        n += sim_nframes;
    }
    assert_int_equal(n, TCP_SYNACK_RETRIES);
    assert_int_equal(l->synq_len, 0);
    unsigned conns;
    tcp_stats(&conns, NULL, NULL);
    assert_int_equal(conns, 1);
}

static void test_syn_cookies_when_queue_full(void **state)
{
    (void)state;
    struct tcp_conn *l = listener(16); /* SYN queue bound: max(backlog, 16) */
    for (uint16_t p = 0; p < 16; p++)
        syn_from((uint16_t)(7000 + p), 100, NULL, NULL);
    assert_int_equal(l->synq_len, 16);
    unsigned before;
    tcp_stats(&before, NULL, NULL);
    /* The 17th SYN: answered statelessly. */
    struct tcp_opts o = tsim_syn_opts(1460, -1, false, false, 0);
    struct pseg sa;
    syn_from(8000, 5000, &o, &sa);
    assert_int_equal(sa.flags, TH_SYN | TH_ACK);
    assert_int_equal(sa.ack, 5001);
    assert_int_equal(sa.opts.mss, 1460);
    assert_int_equal(sa.wnd, TCP_RING_INIT); /* the usual window, not a closed one */
    unsigned after;
    tcp_stats(&after, NULL, NULL);
    assert_int_equal(after, before);
    assert_int_equal(net_counters.tcp_syncookies_sent, 1);
    /* A forged ACK fails... */
    sim_clear();
    tsim_send_from(SIM_PEER_IP, 8000, OUR_PORT, 5001, sa.seq + 2, TH_ACK, 65535, NULL, NULL, 0);
    struct pseg r;
    tsim_one(&r);
    assert_int_equal(r.flags, TH_RST);
    /* ...the real one completes the connection, data included. */
    tsim_send_from(SIM_PEER_IP, 8000, OUR_PORT, 5001, sa.seq + 1, TH_ACK | TH_PSH, 65535, NULL,
                   "hi", 2);
    struct tcp_conn *c;
    assert_int_equal(tcp_accept(l, &c), 0);
    assert_int_equal(c->state, TCPS_ESTABLISHED);
    assert_int_equal(c->mss, 1460);
    assert_int_equal(tcp_unread(c), 2);
    assert_int_equal(net_counters.tcp_syncookies_ok, 1);
    assert_int_equal(tsim_write(c, "ok", 2), 2);
}

static void test_syn_cookie_keeps_options_in_timestamp(void **state)
{
    (void)state;
    struct tcp_conn *l = listener(16);
    for (uint16_t p = 0; p < 16; p++)
        syn_from((uint16_t)(7000 + p), 100, NULL, NULL);
    struct tcp_opts o = tsim_syn_opts(1400, 6, true, true, 777);
    struct pseg sa;
    syn_from(8001, 9000, &o, &sa);
    assert_true(sa.opts.present & TCP_OPTF_TIMESTAMP);
    assert_true(sa.opts.present & TCP_OPTF_WSCALE);
    assert_int_equal(sa.opts.ts_ecr, 777);
    struct tcp_opts a = {0};
    a.present = TCP_OPTF_TIMESTAMP;
    a.ts_val = 778;
    a.ts_ecr = sa.opts.ts_val;
    tsim_send_from(SIM_PEER_IP, 8001, OUR_PORT, 9001, sa.seq + 1, TH_ACK, 100, &a, NULL, 0);
    struct tcp_conn *c;
    assert_int_equal(tcp_accept(l, &c), 0);
    assert_true(c->ws_ok && c->sack_ok && c->ts_ok);
    assert_int_equal(c->snd_wscale, 6);
    assert_int_equal(c->snd_wnd, 100u << 6);
    assert_int_equal(c->rcv_wscale, l->rcv_wscale);
    /* Data both ways afterwards, as a Linux client does: nothing is reset. */
    sim_clear();
    a.ts_val = 779;
    tsim_send_from(SIM_PEER_IP, 8001, OUR_PORT, 9001, sa.seq + 1, TH_ACK | TH_PSH, 100, &a, "hello",
                   5);
    char buf[8];
    assert_int_equal(tsim_recv(c, buf, sizeof(buf)), 5);
    assert_int_equal(tsim_write(c, buf, 5), 5);
    for (unsigned i = 0; i < sim_nframes; i++) {
        struct pseg s;
        tsim_parse(i, &s);
        assert_false(s.flags & TH_RST);
        assert_true(seq_geq(s.opts.ts_val, sa.opts.ts_val)); /* PAWS at the client accepts it */
    }
}

/* The client's SYN got a cookie, its retransmission (same ISN) a half-open child once the queue
 * had room; the client completes with the cookie: the connection is made, nothing reset. */
static void test_cookie_ack_reaching_a_half_open_child(void **state)
{
    (void)state;
    struct tcp_conn *l = listener(16);
    for (uint16_t p = 0; p < 16; p++)
        syn_from((uint16_t)(7000 + p), 100, NULL, NULL);
    struct pseg ck;
    syn_from(8002, 3000, NULL, &ck); /* answered with a cookie */
    tsim_send_from(SIM_PEER_IP, 7000, OUR_PORT, 101, 0, TH_RST, 0, NULL, NULL, 0); /* room */
    assert_int_equal(l->synq_len, 15);
    struct pseg sa;
    syn_from(8002, 3000, NULL, &sa); /* the retransmitted SYN: a child with its own ISN */
    assert_int_equal(l->synq_len, 16);
    assert_int_not_equal(sa.seq, ck.seq);
    sim_clear();
    tsim_send_from(SIM_PEER_IP, 8002, OUR_PORT, 3001, ck.seq + 1, TH_ACK, 65535, NULL, NULL, 0);
    for (unsigned i = 0; i < sim_nframes; i++) {
        struct pseg s;
        tsim_parse(i, &s);
        assert_false(s.flags & TH_RST);
    }
    struct tcp_conn *c;
    assert_int_equal(tcp_accept(l, &c), 0);
    assert_int_equal(c->state, TCPS_ESTABLISHED);
    assert_int_equal(c->iss, ck.seq);
    assert_int_equal(l->synq_len, 15);
}

static void test_accept_queue_bound_drops_syns(void **state)
{
    (void)state;
    struct tcp_conn *l = listener(2);
    for (uint16_t p = 0; p < 2; p++) {
        struct pseg sa;
        syn_from((uint16_t)(7000 + p), 10, NULL, &sa);
        tsim_send_from(SIM_PEER_IP, (uint16_t)(7000 + p), OUR_PORT, 11, sa.seq + 1, TH_ACK, 65535,
                       NULL, NULL, 0);
    }
    assert_int_equal(l->acceptq_len, 2);
    sim_clear();
    syn_from(7100, 10, NULL, NULL);
    assert_int_equal(sim_nframes, 0); /* dropped: the client will retry */
    assert_int_equal(net_counters.tcp_listen_overflow, 1);
    struct tcp_conn *c;
    assert_int_equal(tcp_accept(l, &c), 0);
    struct pseg sa;
    syn_from(7100, 10, NULL, &sa); /* room again */
    assert_int_equal(sa.flags, TH_SYN | TH_ACK);
}

static void test_syn_flood_leaves_room_for_a_client(void **state)
{
    (void)state;
    struct tcp_conn *l = listener(64);
    /* 5000 spoofed SYNs from many ports, never completed. */
    for (unsigned i = 0; i < 5000; i++) {
        sim_clear();
        tsim_send_from(SIM_PEER_IP, (uint16_t)(10000 + i), OUR_PORT, i, 0, TH_SYN, 65535, NULL,
                       NULL, 0);
    }
    unsigned conns;
    tcp_stats(&conns, NULL, NULL);
    assert_true(conns <= 1 + TCP_SYNQ_MAX);
    struct pseg sa;
    syn_from(50000, 42, NULL, &sa);
    tsim_send_from(SIM_PEER_IP, 50000, OUR_PORT, 43, sa.seq + 1, TH_ACK, 65535, NULL, NULL, 0);
    struct tcp_conn *c;
    assert_int_equal(tcp_accept(l, &c), 0);
    assert_int_equal(c->remote_port, 50000);
}

static void test_reuseport_spreads_connections(void **state)
{
    (void)state;
    struct tcp_conn *a, *b;
    assert_int_equal(tcp_open(&a), 0);
    assert_int_equal(tcp_open(&b), 0);
    tcp_setopt(a, TCP_OPTION_REUSEPORT, 1);
    tcp_setopt(b, TCP_OPTION_REUSEPORT, 1);
    assert_int_equal(tcp_bind(a, 0, OUR_PORT), 0);
    assert_int_equal(tcp_bind(b, 0, OUR_PORT), 0);
    assert_int_equal(tcp_listen(a, 64), 0);
    assert_int_equal(tcp_listen(b, 64), 0);
    for (uint16_t p = 0; p < 40; p++) {
        struct pseg sa;
        syn_from((uint16_t)(20000 + p * 7), 10, NULL, &sa);
        tsim_send_from(SIM_PEER_IP, (uint16_t)(20000 + p * 7), OUR_PORT, 11, sa.seq + 1, TH_ACK,
                       65535, NULL, NULL, 0);
    }
    assert_int_equal(a->acceptq_len + b->acceptq_len, 40);
    assert_true(a->acceptq_len > 5 && b->acceptq_len > 5);
}

/* 1,000 clients open at once (SYN queue overflowing into cookies), each sends 2000 bytes in two
 * segments and gets them back: every connection is accepted and carries its own bytes. */
static void test_thousand_concurrent_connections(void **state)
{
    (void)state;
    enum { N = 1000 };
    struct tcp_conn *l = listener(1024);
    static uint32_t isn[N];
    static struct tcp_conn *c[N];
    struct tcp_opts o = tsim_syn_opts(1460, 10, true, true, 1000);
    for (unsigned i = 0; i < N; i++) {
        struct pseg sa;
        syn_from((uint16_t)(20000 + i), 1000, &o, &sa);
        isn[i] = sa.seq;
    }
    assert_true(net_counters.tcp_syncookies_sent > 0);
    struct tcp_opts a = {0};
    a.present = TCP_OPTF_TIMESTAMP;
    a.ts_val = 1001;
    static uint8_t data[2000];
    for (unsigned i = 0; i < N; i++) {
        sim_clear();
        tsim_send_from(SIM_PEER_IP, (uint16_t)(20000 + i), OUR_PORT, 1001, isn[i] + 1, TH_ACK, 63,
                       &a, NULL, 0);
    }
    for (unsigned i = 0; i < N; i++)
        assert_int_equal(tcp_accept(l, &c[i]), 0);
    for (unsigned i = 0; i < N; i++) {
        memset(data, (int)i, sizeof(data));
        sim_clear();
        tsim_send_from(SIM_PEER_IP, (uint16_t)(20000 + i), OUR_PORT, 1001, isn[i] + 1, TH_ACK, 63,
                       &a, data, 1448);
        tsim_send_from(SIM_PEER_IP, (uint16_t)(20000 + i), OUR_PORT, 1001 + 1448, isn[i] + 1,
                       TH_ACK | TH_PSH, 63, &a, data + 1448, 552);
    }
    for (unsigned i = 0; i < N; i++) {
        uint32_t addr;
        uint16_t port;
        assert_int_equal(tcp_getname(c[i], true, &addr, &port), 0);
        unsigned k = port - 20000u;
        assert_int_equal(tsim_recv(c[i], data, sizeof(data)), 2000);
        for (unsigned b = 0; b < 2000; b++)
            assert_int_equal(data[b], (uint8_t)k);
        sim_clear();
        assert_int_equal(tsim_write(c[i], data, 2000), 2000);
        assert_true(sim_nframes >= 1);
    }
    unsigned conns;
    size_t bytes;
    tcp_stats(&conns, NULL, &bytes);
    assert_int_equal(conns, N + 1);
    assert_true(bytes <= (size_t)N * 2 * TCP_RING_INIT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_synack_retransmitted_then_forgotten, tsim_setup,
                                        tsim_teardown),
        cmocka_unit_test_setup_teardown(test_syn_cookies_when_queue_full, tsim_setup,
                                        tsim_teardown),
        cmocka_unit_test_setup_teardown(test_syn_cookie_keeps_options_in_timestamp, tsim_setup,
                                        tsim_teardown),
        cmocka_unit_test_setup_teardown(test_cookie_ack_reaching_a_half_open_child, tsim_setup,
                                        tsim_teardown),
        cmocka_unit_test_setup_teardown(test_accept_queue_bound_drops_syns, tsim_setup,
                                        tsim_teardown),
        cmocka_unit_test_setup_teardown(test_syn_flood_leaves_room_for_a_client, tsim_setup,
                                        tsim_teardown),
        cmocka_unit_test_setup_teardown(test_reuseport_spreads_connections, tsim_setup,
                                        tsim_teardown),
        cmocka_unit_test_setup_teardown(test_thousand_concurrent_connections, tsim_setup,
                                        tsim_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
