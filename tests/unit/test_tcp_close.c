/* TCP closing: active and passive close, half-close, simultaneous close, TIME_WAIT (2 MSL, the
 * retransmitted FIN, reuse by a new SYN), close with unread data (RST), orphans. */
#include "tcp_sim.h"

static uint32_t isn, pseq;

static struct tcp_conn *established(void)
{
    struct tcp_opts o = tsim_syn_opts(1460, -1, false, false, 0);
    struct tcp_conn *c = tsim_accept(&o, 65535, &isn, NULL);
    pseq = tsim_peer_isn + 1;
    return c;
}

static unsigned live_conns(void)
{
    unsigned n;
    tcp_stats(&n, NULL, NULL);
    return n;
}

static void test_active_close_and_time_wait(void **state)
{
    (void)state;
    struct tcp_conn *c = established();
    sim_clear();
    assert_int_equal(tcp_shutdown(c, 1), 0);
    struct pseg s;
    tsim_one(&s);
    assert_int_equal(s.flags, TH_FIN | TH_ACK);
    assert_int_equal(s.seq, isn + 1);
    assert_int_equal(c->state, TCPS_FIN_WAIT_1);
    assert_int_equal(tsim_write(c, "x", 1), -EPIPE);
    tsim_send(pseq, isn + 2, TH_ACK, 65535, NULL, NULL, 0);
    assert_int_equal(c->state, TCPS_FIN_WAIT_2);
    /* Half-closed: the peer still sends, and we still read. */
    tsim_send(pseq, isn + 2, TH_ACK, 65535, NULL, "late", 4);
    char buf[8];
    assert_int_equal(tsim_recv(c, buf, sizeof(buf)), 4);
    sim_clear();
    tsim_send(pseq + 4, isn + 2, TH_FIN | TH_ACK, 65535, NULL, NULL, 0);
    tsim_one(&s);
    assert_int_equal(s.flags, TH_ACK);
    assert_int_equal(s.ack, pseq + 5);
    assert_int_equal(c->state, TCPS_TIME_WAIT);
    assert_int_equal(tsim_recv(c, buf, sizeof(buf)), 0);
    assert_true(tcp_poll(c) & TCP_EV_HUP);
    tcp_close(c, false); /* the program is done; TIME_WAIT goes on without it */
    assert_int_equal(live_conns(), 2);
    /* A retransmitted FIN is ACKed again and restarts the 2 MSL wait. */
    tsim_advance(30 * SIM_SEC);
    sim_clear();
    tsim_send(pseq + 4, isn + 2, TH_FIN | TH_ACK, 65535, NULL, NULL, 0);
    tsim_one(&s);
    assert_int_equal(s.ack, pseq + 5);
    tsim_advance(2 * TCP_MSL_NS - 1);
    assert_int_equal(live_conns(), 2);
    tsim_advance(1);
    assert_int_equal(live_conns(), 1); /* only the listener */
}

static void test_passive_close(void **state)
{
    (void)state;
    struct tcp_conn *c = established();
    sim_clear();
    tsim_send(pseq, isn + 1, TH_FIN | TH_ACK, 65535, NULL, "bye", 3);
    assert_int_equal(c->state, TCPS_CLOSE_WAIT);
    unsigned ev = tcp_poll(c);
    assert_true(ev & TCP_EV_IN);
    assert_true(ev & TCP_EV_RDHUP);
    assert_false(ev & TCP_EV_HUP);
    char buf[8];
    assert_int_equal(tsim_recv(c, buf, sizeof(buf)), 3);
    assert_int_equal(tsim_recv(c, buf, sizeof(buf)), 0);
    /* We may still send. */
    assert_int_equal(tsim_write(c, "ok", 2), 2);
    sim_clear();
    tcp_close(c, false);
    struct pseg s;
    tsim_last(&s);
    assert_true(s.flags & TH_FIN);
    tsim_send(pseq + 4, s.seq + 1, TH_ACK, 65535, NULL, NULL, 0);
    assert_int_equal(live_conns(), 1);
}

static void test_simultaneous_close(void **state)
{
    (void)state;
    struct tcp_conn *c = established();
    sim_clear();
    tcp_shutdown(c, 1);
    struct pseg fin;
    tsim_one(&fin);
    /* The peer's FIN crosses ours: CLOSING, then TIME_WAIT when ours is ACKed. */
    tsim_send(pseq, isn + 1, TH_FIN | TH_ACK, 65535, NULL, NULL, 0);
    assert_int_equal(c->state, TCPS_CLOSING);
    tsim_send(pseq + 1, isn + 2, TH_ACK, 65535, NULL, NULL, 0);
    assert_int_equal(c->state, TCPS_TIME_WAIT);
}

static void test_fin_retransmitted_until_acked(void **state)
{
    (void)state;
    struct tcp_conn *c = established();
    sim_clear();
    tcp_close(c, false);
    assert_int_equal(sim_nframes, 1);
    sim_clear();
    tsim_run_until(tsim_next());
    struct pseg s;
    tsim_one(&s);
    assert_int_equal(s.flags, TH_FIN | TH_ACK);
    assert_int_equal(s.seq, isn + 1);
}

static void test_close_with_unread_data_resets(void **state)
{
    (void)state;
    struct tcp_conn *c = established();
    tsim_send(pseq, isn + 1, TH_ACK, 65535, NULL, "unread", 6);
    sim_clear();
    tcp_close(c, false);
    struct pseg s;
    tsim_one(&s);
    assert_int_equal(s.flags, TH_RST | TH_ACK);
    assert_int_equal(s.seq, isn + 1);
    assert_int_equal(live_conns(), 1);
}

static void test_abort_sends_rst(void **state)
{
    (void)state;
    struct tcp_conn *c = established();
    sim_clear();
    tcp_close(c, true);
    struct pseg s;
    tsim_one(&s);
    assert_true(s.flags & TH_RST);
    assert_int_equal(live_conns(), 1);
}

static void test_orphan_fin_wait_2_times_out(void **state)
{
    (void)state;
    struct tcp_conn *c = established();
    tcp_close(c, false);
    tsim_send(pseq, isn + 2, TH_ACK, 65535, NULL, NULL, 0); /* our FIN ACKed; theirs never comes */
    unsigned orphans;
    tcp_stats(NULL, &orphans, NULL);
    assert_int_equal(orphans, 1);
    tsim_advance(TCP_FIN_TIMEOUT_NS + 1);
    tcp_stats(NULL, &orphans, NULL);
    assert_int_equal(orphans, 0);
    assert_int_equal(live_conns(), 1);
}

static void test_time_wait_reused_by_newer_syn(void **state)
{
    (void)state;
    struct tcp_conn *c = established();
    tcp_close(c, false);
    tsim_send(pseq, isn + 2, TH_FIN | TH_ACK, 65535, NULL, NULL, 0);
    assert_int_equal(c->state, TCPS_TIME_WAIT);
    /* An old SYN (below rcv_nxt) is not a new connection... */
    sim_clear();
    tsim_send(pseq - 100, 0, TH_SYN, 65535, NULL, NULL, 0);
    assert_int_equal(live_conns(), 2);
    /* ...a SYN above it is: TIME_WAIT gives way to a new handshake. */
    sim_clear();
    tsim_send(pseq + 100000, 0, TH_SYN, 65535, NULL, NULL, 0);
    struct pseg s;
    tsim_one(&s);
    assert_int_equal(s.flags, TH_SYN | TH_ACK);
    assert_int_equal(s.ack, pseq + 100001);
    assert_int_equal(net_counters.tcp_timewait_reused, 1);
}

static void test_listener_close_resets_queued(void **state)
{
    (void)state;
    struct tcp_conn *l;
    assert_int_equal(tcp_open(&l), 0);
    assert_int_equal(tcp_bind(l, 0, OUR_PORT), 0);
    assert_int_equal(tcp_listen(l, 4), 0);
    sim_clear();
    tsim_send(10, 0, TH_SYN, 65535, NULL, NULL, 0);
    struct pseg sa;
    tsim_one(&sa);
    tsim_send(11, sa.seq + 1, TH_ACK, 65535, NULL, NULL, 0);
    assert_true(tcp_poll(l) & TCP_EV_IN);
    sim_clear();
    tcp_close(l, false);
    struct pseg s;
    tsim_one(&s);
    assert_true(s.flags & TH_RST);
    assert_int_equal(live_conns(), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_active_close_and_time_wait, tsim_setup, tsim_teardown),
        cmocka_unit_test_setup_teardown(test_passive_close, tsim_setup, tsim_teardown),
        cmocka_unit_test_setup_teardown(test_simultaneous_close, tsim_setup, tsim_teardown),
        cmocka_unit_test_setup_teardown(test_fin_retransmitted_until_acked, tsim_setup,
                                        tsim_teardown),
        cmocka_unit_test_setup_teardown(test_close_with_unread_data_resets, tsim_setup,
                                        tsim_teardown),
        cmocka_unit_test_setup_teardown(test_abort_sends_rst, tsim_setup, tsim_teardown),
        cmocka_unit_test_setup_teardown(test_orphan_fin_wait_2_times_out, tsim_setup,
                                        tsim_teardown),
        cmocka_unit_test_setup_teardown(test_time_wait_reused_by_newer_syn, tsim_setup,
                                        tsim_teardown),
        cmocka_unit_test_setup_teardown(test_listener_close_resets_queued, tsim_setup,
                                        tsim_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
