/* TCP opening: passive and active open with options, refusal, simultaneous open, data both ways,
 * and the port rules of bind and connect. */
#include "tcp_sim.h"

static void test_passive_open_negotiates_options(void **state)
{
    (void)state;
    struct tcp_opts o = tsim_syn_opts(1400, 7, true, true, 5555);
    uint32_t isn;
    struct tcp_conn *l, *c = tsim_accept(&o, 1000, &isn, &l);
    assert_int_equal(c->state, TCPS_ESTABLISHED);
    assert_true(c->ws_ok && c->sack_ok && c->ts_ok);
    assert_int_equal(c->snd_wscale, 7);
    assert_int_equal(c->snd_wnd, 1000u << 7);
    assert_int_equal(c->mss, 1400 - 12); /* timestamps take 12 bytes of every segment */
    uint32_t addr;
    uint16_t port;
    assert_int_equal(tcp_getname(c, true, &addr, &port), 0);
    assert_int_equal(addr, SIM_PEER_IP);
    assert_int_equal(port, PEER_PORT);
    assert_int_equal(tcp_getname(c, false, &addr, &port), 0);
    assert_int_equal(addr, SIM_OUR_IP);
    assert_int_equal(port, OUR_PORT);
    assert_int_equal(tcp_accept(l, &c), -EAGAIN);
    unsigned ev = tcp_poll(c);
    assert_true(ev & TCP_EV_OUT);
    assert_false(ev & (TCP_EV_IN | TCP_EV_HUP | TCP_EV_ERR));
}

static void test_synack_options_answer_the_syn(void **state)
{
    (void)state;
    struct tcp_conn *l;
    assert_int_equal(tcp_open(&l), 0);
    assert_int_equal(tcp_bind(l, 0, OUR_PORT), 0);
    assert_int_equal(tcp_listen(l, 4), 0);
    sim_clear();
    struct tcp_opts o = tsim_syn_opts(1460, -1, false, false, 0); /* MSS only */
    tsim_send(77, 0, TH_SYN, 65535, &o, NULL, 0);
    struct pseg s;
    tsim_one(&s);
    assert_int_equal(s.flags, TH_SYN | TH_ACK);
    assert_int_equal(s.opts.present, TCP_OPTF_MSS); /* no WS, SACK or TS offered back */
    assert_int_equal(s.opts.mss, 1460);
    assert_int_equal(s.ack, 78);
}

static void test_active_open(void **state)
{
    (void)state;
    struct tcp_conn *c;
    assert_int_equal(tcp_open(&c), 0);
    sim_clear();
    assert_int_equal(tcp_connect(c, SIM_PEER_IP, PEER_PORT), 0);
    struct pseg s;
    tsim_one(&s);
    assert_int_equal(s.flags, TH_SYN);
    assert_int_equal(s.dport, PEER_PORT);
    assert_true(s.sport >= TCP_EPHEMERAL_LO && s.sport <= TCP_EPHEMERAL_HI);
    assert_true(s.opts.present & TCP_OPTF_MSS);
    assert_int_equal(s.opts.mss, 1460);
    assert_true(s.opts.present & TCP_OPTF_WSCALE);
    assert_true(s.opts.present & TCP_OPTF_SACK_PERM);
    assert_true(s.opts.present & TCP_OPTF_TIMESTAMP);
    assert_int_equal(tcp_poll(c) & (TCP_EV_OUT | TCP_EV_IN), 0);
    assert_int_equal(tcp_connect(c, SIM_PEER_IP, PEER_PORT), -EALREADY);
    sim_clear();
    struct tcp_opts o = tsim_syn_opts(1000, 2, true, true, 42);
    o.ts_ecr = s.opts.ts_val;
    tsim_send_from(SIM_PEER_IP, PEER_PORT, s.sport, 9000, s.seq + 1, TH_SYN | TH_ACK, 500, &o, NULL,
                   0);
    struct pseg a;
    tsim_one(&a);
    assert_int_equal(a.flags, TH_ACK);
    assert_int_equal(a.seq, s.seq + 1);
    assert_int_equal(a.ack, 9001);
    assert_true(a.opts.present & TCP_OPTF_TIMESTAMP);
    assert_int_equal(a.opts.ts_ecr, 42);
    assert_int_equal(c->state, TCPS_ESTABLISHED);
    assert_int_equal(c->snd_wnd, 500); /* a SYN's window is never scaled */
    assert_true(tcp_poll(c) & TCP_EV_OUT);
    assert_int_equal(tcp_connect(c, SIM_PEER_IP, PEER_PORT), -EISCONN);
}

static void test_connect_refused(void **state)
{
    (void)state;
    struct tcp_conn *c;
    assert_int_equal(tcp_open(&c), 0);
    sim_clear();
    assert_int_equal(tcp_connect(c, SIM_PEER_IP, PEER_PORT), 0);
    struct pseg s;
    tsim_one(&s);
    /* A RST whose ACK does not acknowledge the SYN is ignored. */
    tsim_send_from(SIM_PEER_IP, PEER_PORT, s.sport, 0, s.seq + 7, TH_RST | TH_ACK, 0, NULL, NULL,
                   0);
    assert_int_equal(c->state, TCPS_SYN_SENT);
    tsim_send_from(SIM_PEER_IP, PEER_PORT, s.sport, 0, s.seq + 1, TH_RST | TH_ACK, 0, NULL, NULL,
                   0);
    assert_int_equal(c->state, TCPS_CLOSED);
    assert_true(tcp_poll(c) & TCP_EV_ERR);
    assert_true(tcp_poll(c) & TCP_EV_HUP);
    assert_int_equal(tcp_take_error(c), ECONNREFUSED);
    assert_int_equal(tcp_take_error(c), 0);
    tcp_close(c, false);
    unsigned conns;
    tcp_stats(&conns, NULL, NULL);
    assert_int_equal(conns, 0);
}

static void test_syn_to_closed_port_gets_rst(void **state)
{
    (void)state;
    sim_clear();
    tsim_send(1234, 0, TH_SYN, 1000, NULL, NULL, 0);
    struct pseg s;
    tsim_one(&s);
    assert_int_equal(s.flags, TH_RST | TH_ACK);
    assert_int_equal(s.seq, 0);
    assert_int_equal(s.ack, 1235);
    assert_int_equal(net_counters.tcp_no_port, 1);
    /* An ACK gets a RST from its ACK number; a RST gets nothing. */
    sim_clear();
    tsim_send(1234, 999, TH_ACK, 1000, NULL, "x", 1);
    tsim_one(&s);
    assert_int_equal(s.flags, TH_RST);
    assert_int_equal(s.seq, 999);
    sim_clear();
    tsim_send(1234, 999, TH_RST, 1000, NULL, NULL, 0);
    assert_int_equal(sim_nframes, 0);
}

static void test_simultaneous_open(void **state)
{
    (void)state;
    struct tcp_conn *c;
    assert_int_equal(tcp_open(&c), 0);
    assert_int_equal(tcp_bind(c, 0, OUR_PORT), 0);
    sim_clear();
    assert_int_equal(tcp_connect(c, SIM_PEER_IP, PEER_PORT), 0);
    struct pseg syn;
    tsim_one(&syn);
    assert_int_equal(syn.sport, OUR_PORT);
    /* The peer's SYN crosses ours. */
    sim_clear();
    struct tcp_opts o = tsim_syn_opts(1460, -1, false, false, 0);
    tsim_send(5000, 0, TH_SYN, 8000, &o, NULL, 0);
    struct pseg sa;
    tsim_one(&sa);
    assert_int_equal(sa.flags, TH_SYN | TH_ACK);
    assert_int_equal(sa.seq, syn.seq);
    assert_int_equal(sa.ack, 5001);
    assert_int_equal(c->state, TCPS_SYN_RECEIVED);
    /* Its SYN-ACK to our SYN completes the open. */
    sim_clear();
    tsim_send(5000, syn.seq + 1, TH_SYN | TH_ACK, 8000, &o, NULL, 0);
    tsim_send(5001, syn.seq + 1, TH_ACK, 8000, NULL, NULL, 0);
    assert_int_equal(c->state, TCPS_ESTABLISHED);
    assert_true(tcp_poll(c) & TCP_EV_OUT);
}

static void test_data_both_ways(void **state)
{
    (void)state;
    uint32_t isn;
    struct tcp_conn *c = tsim_accept(NULL, 65535, &isn, NULL);
    uint32_t pseq = tsim_peer_isn + 1;
    sim_clear();
    tsim_send(pseq, isn + 1, TH_ACK | TH_PSH, 65535, NULL, "hello", 5);
    assert_true(tcp_poll(c) & TCP_EV_IN);
    assert_int_equal(tcp_unread(c), 5);
    char buf[16];
    struct net_iov v = {buf, sizeof(buf)};
    assert_int_equal(tcp_recv(c, &v, 1, true), 5); /* peek leaves it */
    assert_int_equal(tsim_recv(c, buf, sizeof(buf)), 5);
    assert_memory_equal(buf, "hello", 5);
    assert_int_equal(tsim_recv(c, buf, sizeof(buf)), -EAGAIN);
    sim_clear();
    assert_int_equal(tsim_write(c, "world!", 6), 6);
    struct pseg s;
    tsim_one(&s); /* carries the ACK of "hello" too */
    assert_int_equal(s.seq, isn + 1);
    assert_int_equal(s.ack, pseq + 5);
    assert_int_equal(s.len, 6);
    assert_memory_equal(s.data, "world!", 6);
    assert_true(s.flags & TH_PSH);
    assert_int_equal(tcp_unsent(c), 6);
    tsim_send(pseq + 5, isn + 7, TH_ACK, 65535, NULL, NULL, 0);
    assert_int_equal(tcp_unsent(c), 0);
    assert_int_equal(c->rtx_at, 0);
}

static void test_bind_rules(void **state)
{
    (void)state;
    struct tcp_conn *a, *b, *d;
    assert_int_equal(tcp_open(&a), 0);
    assert_int_equal(tcp_open(&b), 0);
    assert_int_equal(tcp_open(&d), 0);
    assert_int_equal(tcp_bind(a, 0, 8080), 0);
    assert_int_equal(tcp_bind(a, 0, 8081), -EINVAL);
    assert_int_equal(tcp_bind(b, SIM_OUR_IP, 8080), -EADDRINUSE);
    assert_int_equal(tcp_bind(b, NET_IPV4(192, 0, 2, 1), 8080), -EADDRNOTAVAIL);
    /* SO_REUSEADDR on both lets them share while neither listens. */
    tcp_setopt(a, TCP_OPTION_REUSEADDR, 1);
    tcp_setopt(b, TCP_OPTION_REUSEADDR, 1);
    assert_int_equal(tcp_bind(b, 0, 8080), 0);
    assert_int_equal(tcp_listen(a, 5), 0);
    assert_int_equal(tcp_listen(b, 5), -EADDRINUSE);
    /* SO_REUSEPORT groups listeners. */
    struct tcp_conn *p1, *p2;
    assert_int_equal(tcp_open(&p1), 0);
    assert_int_equal(tcp_open(&p2), 0);
    tcp_setopt(p1, TCP_OPTION_REUSEPORT, 1);
    tcp_setopt(p2, TCP_OPTION_REUSEPORT, 1);
    assert_int_equal(tcp_bind(p1, 0, 9090), 0);
    assert_int_equal(tcp_bind(p2, 0, 9090), 0);
    assert_int_equal(tcp_listen(p1, 5), 0);
    assert_int_equal(tcp_listen(p2, 5), 0);
    /* Port 0 picks an ephemeral port. */
    assert_int_equal(tcp_bind(d, 0, 0), 0);
    uint32_t addr;
    uint16_t port;
    tcp_getname(d, false, &addr, &port);
    assert_true(port >= TCP_EPHEMERAL_LO && port <= TCP_EPHEMERAL_HI);
    assert_int_equal(tcp_getname(d, true, &addr, &port), -ENOTCONN);
    struct tcp_conn *e;
    assert_int_equal(tcp_open(&e), 0);
    assert_int_equal(tcp_connect(e, NET_IPV4(192, 0, 2, 1), 80), -ENETUNREACH);
}

static void test_connect_ports_differ(void **state)
{
    (void)state;
    uint16_t ports[20];
    for (int i = 0; i < 20; i++) {
        struct tcp_conn *c;
        assert_int_equal(tcp_open(&c), 0);
        assert_int_equal(tcp_connect(c, SIM_PEER_IP, PEER_PORT), 0);
        uint32_t a;
        tcp_getname(c, false, &a, &ports[i]);
        assert_int_equal(a, SIM_OUR_IP);
        for (int k = 0; k < i; k++)
            assert_int_not_equal(ports[k], ports[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_passive_open_negotiates_options, tsim_setup,
                                        tsim_teardown),
        cmocka_unit_test_setup_teardown(test_synack_options_answer_the_syn, tsim_setup,
                                        tsim_teardown),
        cmocka_unit_test_setup_teardown(test_active_open, tsim_setup, tsim_teardown),
        cmocka_unit_test_setup_teardown(test_connect_refused, tsim_setup, tsim_teardown),
        cmocka_unit_test_setup_teardown(test_syn_to_closed_port_gets_rst, tsim_setup,
                                        tsim_teardown),
        cmocka_unit_test_setup_teardown(test_simultaneous_open, tsim_setup, tsim_teardown),
        cmocka_unit_test_setup_teardown(test_data_both_ways, tsim_setup, tsim_teardown),
        cmocka_unit_test_setup_teardown(test_bind_rules, tsim_setup, tsim_teardown),
        cmocka_unit_test_setup_teardown(test_connect_ports_differ, tsim_setup, tsim_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
