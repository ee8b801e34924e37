/* SYN cookies under loss: a cookie connection whose completing ACK and first data segment never
 * reached the listener must not be reset by a later segment; the peer's retransmission from its
 * first byte then completes it with every byte. Stray segments without cookies are still reset. */
#include "tcp_sim.h"

#define PORT_COOKIE 8100
#define ISN_COOKIE  50000u
#define SEG         1000u

static struct tcp_conn *full_listener(void)
{
    struct tcp_conn *l;
    assert_int_equal(tcp_open(&l), 0);
    assert_int_equal(tcp_bind(l, 0, OUR_PORT), 0);
    assert_int_equal(tcp_listen(l, 16), 0); /* SYN queue bound: 16 */
    for (uint16_t p = 0; p < 16; p++)
        tsim_send_from(SIM_PEER_IP, (uint16_t)(7000 + p), OUR_PORT, 100, 0, TH_SYN, 65535, NULL,
                       NULL, 0);
    assert_int_equal(l->synq_len, 16);
    return l;
}

static void assert_no_rst_since_clear(void)
{
    for (unsigned i = 0; i < sim_nframes; i++) {
        struct pseg s;
        tsim_parse(i, &s);
        assert_false(s.flags & TH_RST);
    }
}

static void fill(uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)(i * 7 + 3);
}

/* The 1,000-connection e2e failure: ACK and first segment lost (full RX ring), the second
 * segment (seq ISN + 1 + SEG) reaches the listener and used to fail the cookie check -> RST. */
static void test_later_segment_of_a_cookie_connection_is_not_reset(void **state)
{
    (void)state;
    struct tcp_conn *l = full_listener();
    struct tcp_opts o = tsim_syn_opts(1460, 7, true, true, 4242);
    sim_clear();
    tsim_send_from(SIM_PEER_IP, PORT_COOKIE, OUR_PORT, ISN_COOKIE, 0, TH_SYN, 65535, &o, NULL, 0);
    struct pseg sa;
    tsim_one(&sa);
    assert_int_equal(net_counters.tcp_syncookies_sent, 1);
    struct tcp_opts a = {0};
    a.present = TCP_OPTF_TIMESTAMP;
    a.ts_val = 4243;
    a.ts_ecr = sa.opts.ts_val;
    uint8_t data[2 * SEG];
    fill(data, sizeof(data));
    /* The ACK and [ISN+1, ISN+1+SEG) are lost; the second segment arrives (e.g. a tail loss
     * probe): it cannot be validated, so it is dropped quietly. */
    sim_clear();
    tsim_send_from(SIM_PEER_IP, PORT_COOKIE, OUR_PORT, ISN_COOKIE + 1 + SEG, sa.seq + 1,
                   TH_ACK | TH_PSH, 1024, &a, data + SEG, SEG);
    assert_int_equal(sim_nframes, 0);
    assert_int_equal(l->acceptq_len, 0);
    /* The peer's RTO resends from its first unacknowledged byte: that one carries the cookie. */
    tsim_send_from(SIM_PEER_IP, PORT_COOKIE, OUR_PORT, ISN_COOKIE + 1, sa.seq + 1, TH_ACK, 1024, &a,
                   data, SEG);
    tsim_send_from(SIM_PEER_IP, PORT_COOKIE, OUR_PORT, ISN_COOKIE + 1 + SEG, sa.seq + 1,
                   TH_ACK | TH_PSH, 1024, &a, data + SEG, SEG);
    assert_no_rst_since_clear();
    struct tcp_conn *c;
    assert_int_equal(tcp_accept(l, &c), 0);
    assert_int_equal(c->state, TCPS_ESTABLISHED);
    assert_int_equal(net_counters.tcp_syncookies_ok, 1);
    uint8_t got[2 * SEG + 1];
    assert_int_equal(tsim_recv(c, got, sizeof(got)), (long)sizeof(data));
    assert_memory_equal(got, data, sizeof(data));
}

/* A FIN alone (the peer closed before its handshake ACK got through) is not reset either. */
static void test_later_fin_of_a_cookie_connection_is_not_reset(void **state)
{
    (void)state;
    struct tcp_conn *l = full_listener();
    sim_clear();
    tsim_send_from(SIM_PEER_IP, PORT_COOKIE, OUR_PORT, ISN_COOKIE, 0, TH_SYN, 65535, NULL, NULL, 0);
    struct pseg sa;
    tsim_one(&sa);
    sim_clear();
    tsim_send_from(SIM_PEER_IP, PORT_COOKIE, OUR_PORT, ISN_COOKIE + 6, sa.seq + 1, TH_ACK | TH_FIN,
                   1024, NULL, NULL, 0);
    assert_int_equal(sim_nframes, 0);
    tsim_send_from(SIM_PEER_IP, PORT_COOKIE, OUR_PORT, ISN_COOKIE + 1, sa.seq + 1, TH_ACK | TH_PSH,
                   1024, NULL, "hello", 5);
    assert_no_rst_since_clear();
    struct tcp_conn *c;
    assert_int_equal(tcp_accept(l, &c), 0);
    assert_int_equal(tcp_unread(c), 5);
    (void)l;
}

/* A forged bare ACK is still reset while cookies are in use (RFC 9293 3.10.7.2, as Linux). */
static void test_forged_bare_ack_still_reset(void **state)
{
    (void)state;
    full_listener();
    sim_clear();
    tsim_send_from(SIM_PEER_IP, PORT_COOKIE, OUR_PORT, ISN_COOKIE, 0, TH_SYN, 65535, NULL, NULL, 0);
    struct pseg sa;
    tsim_one(&sa);
    sim_clear();
    tsim_send_from(SIM_PEER_IP, PORT_COOKIE, OUR_PORT, ISN_COOKIE + 1, sa.seq + 2, TH_ACK, 1024,
                   NULL, NULL, 0);
    struct pseg r;
    tsim_one(&r);
    assert_int_equal(r.flags, TH_RST);
    assert_int_equal(r.seq, sa.seq + 2);
}

/* Data to a listener that never sent a cookie is a stray segment: reset, as before. */
static void test_stray_data_without_cookies_is_reset(void **state)
{
    (void)state;
    struct tcp_conn *l;
    assert_int_equal(tcp_open(&l), 0);
    assert_int_equal(tcp_bind(l, 0, OUR_PORT), 0);
    assert_int_equal(tcp_listen(l, 16), 0);
    sim_clear();
    tsim_send_from(SIM_PEER_IP, PORT_COOKIE, OUR_PORT, 777, 12345, TH_ACK | TH_PSH, 1024, NULL, "x",
                   1);
    struct pseg r;
    tsim_one(&r);
    assert_int_equal(r.flags, TH_RST);
    assert_int_equal(r.seq, 12345);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_later_segment_of_a_cookie_connection_is_not_reset,
                                        tsim_setup, tsim_teardown),
        cmocka_unit_test_setup_teardown(test_later_fin_of_a_cookie_connection_is_not_reset,
                                        tsim_setup, tsim_teardown),
        cmocka_unit_test_setup_teardown(test_forged_bare_ack_still_reset, tsim_setup,
                                        tsim_teardown),
        cmocka_unit_test_setup_teardown(test_stray_data_without_cookies_is_reset, tsim_setup,
                                        tsim_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
