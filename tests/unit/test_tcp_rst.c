/* TCP resets and blind-attack defences: RFC 5961 (RST and SYN in window get a challenge ACK,
 * ACKs of unsent data, the challenge rate limit), RFC 7323 PAWS, and the RST rules of
 * RFC 9293 in each state. */
#include "tcp_sim.h"

static uint32_t isn, pseq;

static struct tcp_conn *established(bool ts)
{
    struct tcp_opts o = tsim_syn_opts(1460, -1, false, ts, 100);
    struct tcp_conn *c = tsim_accept(&o, 65535, &isn, NULL);
    pseq = tsim_peer_isn + 1;
    return c;
}

static void test_exact_rst_resets(void **state)
{
    (void)state;
    struct tcp_conn *c = established(false);
    sim_clear();
    tsim_send(pseq, 0, TH_RST, 0, NULL, NULL, 0);
    assert_int_equal(sim_nframes, 0);
    assert_int_equal(c->state, TCPS_CLOSED);
    unsigned ev = tcp_poll(c);
    assert_true(ev & TCP_EV_ERR);
    assert_true(ev & TCP_EV_HUP);
    char buf[4];
    assert_int_equal(tsim_recv(c, buf, sizeof(buf)), -ECONNRESET);
    assert_int_equal(tsim_recv(c, buf, sizeof(buf)), 0);
    assert_int_equal(tsim_write(c, "x", 1), -EPIPE);
}

static void test_rst_in_window_gets_challenge_ack(void **state)
{
    (void)state;
    struct tcp_conn *c = established(false);
    sim_clear();
    tsim_send(pseq + 100, 0, TH_RST, 0, NULL, NULL, 0);
    struct pseg s;
    tsim_one(&s);
    assert_int_equal(s.flags, TH_ACK);
    assert_int_equal(s.seq, isn + 1);
    assert_int_equal(s.ack, pseq);
    assert_int_equal(c->state, TCPS_ESTABLISHED);
    assert_int_equal(net_counters.tcp_challenge_acks, 1);
    /* Outside the window: silently dropped. */
    sim_clear();
    tsim_send(pseq + 10000000, 0, TH_RST, 0, NULL, NULL, 0);
    assert_int_equal(sim_nframes, 0);
    assert_int_equal(c->state, TCPS_ESTABLISHED);
}

static void test_syn_in_window_gets_challenge_ack(void **state)
{
    (void)state;
    struct tcp_conn *c = established(false);
    sim_clear();
    tsim_send(pseq + 10, 0, TH_SYN, 65535, NULL, NULL, 0);
    struct pseg s;
    tsim_one(&s);
    assert_int_equal(s.flags, TH_ACK);
    assert_int_equal(s.ack, pseq);
    assert_int_equal(c->state, TCPS_ESTABLISHED);
}

static void test_ack_of_unsent_data_is_challenged(void **state)
{
    (void)state;
    struct tcp_conn *c = established(false);
    sim_clear();
    tsim_send(pseq, isn + 100000, TH_ACK, 65535, NULL, "data", 4);
    struct pseg s;
    tsim_one(&s);
    assert_int_equal(s.ack, pseq); /* the data was not taken */
    assert_int_equal(tcp_unread(c), 0);
    assert_int_equal(net_counters.tcp_bad_ack, 1);
}

static void test_challenge_acks_are_rate_limited(void **state)
{
    (void)state;
    established(false);
    unsigned answered = 0;
    for (int i = 0; i < 1200; i++) {
        sim_clear();
        tsim_send(pseq + 5, 0, TH_RST, 0, NULL, NULL, 0);
        answered += sim_nframes;
    }
    assert_int_equal(answered, 1000); /* 1000 per second, as Linux's tcp_challenge_ack_limit */
    assert_int_equal(net_counters.tcp_challenge_limited, 200);
    tsim_advance(SIM_SEC);
    sim_clear();
    tsim_send(pseq + 5, 0, TH_RST, 0, NULL, NULL, 0);
    assert_int_equal(sim_nframes, 1);
}

static void test_paws_drops_old_duplicates(void **state)
{
    (void)state;
    struct tcp_conn *c = established(true);
    struct tcp_opts o = {0};
    o.present = TCP_OPTF_TIMESTAMP;
    o.ts_val = 500;
    tsim_send(pseq, isn + 1, TH_ACK, 65535, &o, "new", 3);
    assert_int_equal(tcp_unread(c), 3);
    assert_int_equal(c->ts_recent, 500);
    /* An older timestamp on the next sequence: an old duplicate from a wrapped sequence space. */
    sim_clear();
    o.ts_val = 400;
    tsim_send(pseq + 3, isn + 1, TH_ACK, 65535, &o, "old", 3);
    assert_int_equal(tcp_unread(c), 3);
    assert_int_equal(net_counters.tcp_paws_rejected, 1);
    struct pseg s;
    tsim_one(&s);
    assert_int_equal(s.ack, pseq + 3);
    assert_int_equal(s.opts.ts_ecr, 500);
    /* A RST is exempt from PAWS. */
    o.ts_val = 1;
    tsim_send(pseq + 3, 0, TH_RST, 0, &o, NULL, 0);
    assert_int_equal(c->state, TCPS_CLOSED);
}

static void test_rst_in_syn_received_forgets_child(void **state)
{
    (void)state;
    struct tcp_conn *l;
    assert_int_equal(tcp_open(&l), 0);
    assert_int_equal(tcp_bind(l, 0, OUR_PORT), 0);
    assert_int_equal(tcp_listen(l, 4), 0);
    sim_clear();
    tsim_send(10, 0, TH_SYN, 65535, NULL, NULL, 0);
    unsigned conns;
    tcp_stats(&conns, NULL, NULL);
    assert_int_equal(conns, 2);
    tsim_send(11, 0, TH_RST, 0, NULL, NULL, 0);
    tcp_stats(&conns, NULL, NULL);
    assert_int_equal(conns, 1);
    struct tcp_conn *c;
    assert_int_equal(tcp_accept(l, &c), -EAGAIN);
}

static void test_bad_ack_in_syn_received_gets_rst(void **state)
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
    sim_clear();
    tsim_send(11, sa.seq, TH_ACK, 65535, NULL, NULL, 0); /* acknowledges nothing of ours */
    struct pseg r;
    tsim_one(&r);
    assert_int_equal(r.flags, TH_RST);
    assert_int_equal(r.seq, sa.seq);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_exact_rst_resets, tsim_setup, tsim_teardown),
        cmocka_unit_test_setup_teardown(test_rst_in_window_gets_challenge_ack, tsim_setup,
                                        tsim_teardown),
        cmocka_unit_test_setup_teardown(test_syn_in_window_gets_challenge_ack, tsim_setup,
                                        tsim_teardown),
        cmocka_unit_test_setup_teardown(test_ack_of_unsent_data_is_challenged, tsim_setup,
                                        tsim_teardown),
        cmocka_unit_test_setup_teardown(test_challenge_acks_are_rate_limited, tsim_setup,
                                        tsim_teardown),
        cmocka_unit_test_setup_teardown(test_paws_drops_old_duplicates, tsim_setup, tsim_teardown),
        cmocka_unit_test_setup_teardown(test_rst_in_syn_received_forgets_child, tsim_setup,
                                        tsim_teardown),
        cmocka_unit_test_setup_teardown(test_bad_ack_in_syn_received_gets_rst, tsim_setup,
                                        tsim_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
