/* TCP keepalives, path MTU from ICMP fragmentation-needed, ICMP errors on connections, the user
 * timeout, and the engine's deadline for the poll loop. */
#include "tcp_sim.h"

static uint32_t isn, pseq;

static struct tcp_conn *established(void)
{
    struct tcp_opts o = tsim_syn_opts(1460, -1, false, false, 0);
    struct tcp_conn *c = tsim_accept(&o, 65535, &isn, NULL);
    pseq = tsim_peer_isn + 1;
    return c;
}

static void keepalive_on(struct tcp_conn *c, int idle, int intvl, int cnt)
{
    assert_int_equal(tcp_setopt(c, TCP_OPTION_KEEPIDLE, idle), 0);
    assert_int_equal(tcp_setopt(c, TCP_OPTION_KEEPINTVL, intvl), 0);
    assert_int_equal(tcp_setopt(c, TCP_OPTION_KEEPCNT, cnt), 0);
    assert_int_equal(tcp_setopt(c, TCP_OPTION_KEEPALIVE, 1), 0);
}

static void test_keepalive_probes_and_gives_up(void **state)
{
    (void)state;
    struct tcp_conn *c = established();
    keepalive_on(c, 10, 2, 3);
    uint64_t t0 = sim_time;
    sim_clear();
    tsim_advance(10 * SIM_SEC - 1);
    assert_int_equal(sim_nframes, 0);
    tsim_advance(1);
    struct pseg s;
    tsim_one(&s);
    assert_int_equal(s.seq, isn); /* SND.UNA - 1, no data */
    assert_int_equal(s.len, 0);
    /* Unanswered: two more probes 2 s apart, then the connection is dropped. */
    tsim_advance(2 * SIM_SEC);
    tsim_advance(2 * SIM_SEC);
    assert_int_equal(sim_nframes, 3);
    assert_int_equal(c->state, TCPS_ESTABLISHED);
    tsim_advance(2 * SIM_SEC);
    assert_int_equal(c->state, TCPS_CLOSED);
    assert_int_equal(tcp_take_error(c), ETIMEDOUT);
    assert_int_equal(sim_time - t0, 16 * SIM_SEC);
    assert_int_equal(net_counters.tcp_keepalives_sent, 3);
}

static void test_answered_keepalive_keeps_connection(void **state)
{
    (void)state;
    struct tcp_conn *c = established();
    keepalive_on(c, 10, 2, 2);
    for (int i = 0; i < 5; i++) {
        sim_clear();
        uint64_t t = sim_time;
        while (!sim_nframes && sim_time < t + 60 * SIM_SEC)
            tsim_run_until(tsim_next());
        assert_int_equal(sim_time - t, 10 * SIM_SEC); /* idle again since the answer */
        struct pseg s;
        tsim_one(&s);
        tsim_send(pseq, isn + 1, TH_ACK, 65535, NULL, NULL, 0); /* the answer */
    }
    assert_int_equal(c->state, TCPS_ESTABLISHED);
}

static void icmp_frag_needed(uint32_t from_port, uint16_t mtu)
{
    /* An ICMP type 3 code 4 quoting a segment we sent. */
    uint8_t icmp[8 + 20 + 8] = {3, 4};
    sim_put16(icmp + 6, mtu);
    uint8_t *ih = icmp + 8;
    ih[0] = 0x45;
    ih[9] = 6;
    sim_put32(ih + 12, SIM_OUR_IP);
    sim_put32(ih + 16, SIM_PEER_IP);
    sim_put16(ih + 20, (uint16_t)from_port);
    sim_put16(ih + 22, PEER_PORT);
    sim_put16(icmp + 2, sim_csum(0, icmp, sizeof(icmp)));
    sim_send_ip(1, 77, icmp, sizeof(icmp), 0);
    net_poll(sim_time);
}

static void test_pmtu_shrinks_segments(void **state)
{
    (void)state;
    struct tcp_conn *c = established();
    tcp_setopt(c, TCP_OPTION_NODELAY, 1);
    assert_int_equal(c->mss, 1460);
    static uint8_t data[3000];
    sim_clear();
    assert_int_equal(tsim_write(c, data, sizeof(data)), (long)sizeof(data));
    struct pseg s;
    tsim_parse(0, &s);
    assert_int_equal(s.len, 1460);
    sim_clear();
    icmp_frag_needed(OUR_PORT, 1000);
    assert_int_equal(c->mss, 960);
    assert_int_equal(net_counters.tcp_pmtu_updates, 1);
    /* What did not fit goes again at the new size. */
    assert_true(sim_nframes >= 1);
    for (unsigned i = 0; i < sim_nframes; i++) {
        tsim_parse(i, &s);
        assert_true(s.len <= 960);
        assert_true(sim_frames[i].len <= 14 + 1000);
    }
    tsim_parse(0, &s);
    assert_int_equal(s.seq, isn + 1);
    /* An MTU below 576 or above the current one is ignored. */
    icmp_frag_needed(OUR_PORT, 300);
    icmp_frag_needed(OUR_PORT, 1400);
    assert_int_equal(c->mss, 960);
}

static void test_port_unreachable_fails_connect(void **state)
{
    (void)state;
    struct tcp_conn *c;
    assert_int_equal(tcp_open(&c), 0);
    assert_int_equal(tcp_bind(c, 0, 40000), 0);
    assert_int_equal(tcp_connect(c, SIM_PEER_IP, PEER_PORT), 0);
    uint8_t icmp[8 + 20 + 8] = {3, 3};
    uint8_t *ih = icmp + 8;
    ih[0] = 0x45;
    ih[9] = 6;
    sim_put32(ih + 12, SIM_OUR_IP);
    sim_put32(ih + 16, SIM_PEER_IP);
    sim_put16(ih + 20, 40000);
    sim_put16(ih + 22, PEER_PORT);
    sim_put16(icmp + 2, sim_csum(0, icmp, sizeof(icmp)));
    sim_send_ip(1, 78, icmp, sizeof(icmp), 0);
    assert_int_equal(c->state, TCPS_CLOSED);
    assert_int_equal(tcp_take_error(c), ECONNREFUSED);
}

static void test_user_timeout_bounds_retransmission(void **state)
{
    (void)state;
    struct tcp_conn *c = established();
    assert_int_equal(tcp_setopt(c, TCP_OPTION_USER_TIMEOUT, 3000), 0);
    uint64_t t0 = sim_time;
    assert_int_equal(tsim_write(c, "x", 1), 1);
    while (c->state == TCPS_ESTABLISHED && sim_time < t0 + 60 * SIM_SEC)
        tsim_run_until(tsim_next());
    assert_int_equal(c->state, TCPS_CLOSED);
    assert_true(sim_time - t0 >= 3 * SIM_SEC && sim_time - t0 < 8 * SIM_SEC);
    assert_int_equal(tcp_take_error(c), ETIMEDOUT);
}

static void test_idle_engine_has_no_deadline(void **state)
{
    (void)state;
    assert_int_equal(tcp_next_deadline(), UINT64_MAX);
    struct tcp_conn *c = established();
    /* The deadline is a lower bound: one wake-up finds the SYN-ACK's timer gone. */
    tsim_run_until(tsim_next());
    assert_int_equal(tcp_next_deadline(), UINT64_MAX); /* established and idle: no timer */
    tsim_write(c, "x", 1);
    assert_true(tcp_next_deadline() <= sim_time + SIM_SEC);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_keepalive_probes_and_gives_up, tsim_setup,
                                        tsim_teardown),
        cmocka_unit_test_setup_teardown(test_answered_keepalive_keeps_connection, tsim_setup,
                                        tsim_teardown),
        cmocka_unit_test_setup_teardown(test_pmtu_shrinks_segments, tsim_setup, tsim_teardown),
        cmocka_unit_test_setup_teardown(test_port_unreachable_fails_connect, tsim_setup,
                                        tsim_teardown),
        cmocka_unit_test_setup_teardown(test_user_timeout_bounds_retransmission, tsim_setup,
                                        tsim_teardown),
        cmocka_unit_test_setup_teardown(test_idle_engine_has_no_deadline, tsim_setup,
                                        tsim_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
