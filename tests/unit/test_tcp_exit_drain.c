/* What an exiting instance waits for (tcp_output_pending): a closed connection's unsent tail and
 * its FIN until the peer acknowledges both; nothing for idle, finished or listening sockets. */
#include "tcp_sim.h"

static uint32_t isn, pseq;

static struct tcp_conn *established(uint16_t peer_wnd)
{
    struct tcp_opts o = tsim_syn_opts(1000, -1, false, false, 0);
    struct tcp_conn *c = tsim_accept(&o, peer_wnd, &isn, NULL);
    pseq = tsim_peer_isn + 1;
    return c;
}

static void test_orphan_with_unsent_tail_is_pending_until_acked(void **state)
{
    (void)state;
    struct tcp_conn *c = established(2000); /* the peer's window holds 2 of the 5 segments */
    assert_false(tcp_output_pending());     /* an idle connection: nothing to wait for */
    static uint8_t answer[5000];
    for (size_t i = 0; i < sizeof(answer); i++)
        answer[i] = (uint8_t)i;
    assert_int_equal(tsim_write(c, answer, sizeof(answer)), (long)sizeof(answer));
    tcp_close(c, false); /* no SO_LINGER: an orphan with 3000 bytes still queued */
    assert_true(tcp_output_pending());
    /* The peer takes it all, window by window; the FIN is still unacknowledged after that. */
    uint32_t acked = isn + 1;
    while (acked != isn + 1 + sizeof(answer)) {
        acked += 2000;
        if (acked > isn + 1 + sizeof(answer))
            acked = isn + 1 + (uint32_t)sizeof(answer);
        assert_true(tcp_output_pending());
        tsim_send(pseq, acked, TH_ACK, 2000, NULL, NULL, 0);
    }
    assert_true(tcp_output_pending()); /* FIN_WAIT_1: the FIN is not acknowledged */
    tsim_send(pseq, acked + 1, TH_ACK, 2000, NULL, NULL, 0);
    assert_false(tcp_output_pending()); /* FIN_WAIT_2: the peer has every byte and the FIN */
}

static void test_open_connection_with_unacked_data_is_pending(void **state)
{
    (void)state;
    struct tcp_conn *c = established(65535);
    assert_int_equal(tsim_write(c, "tail", 4), 4);
    assert_true(tcp_output_pending());
    tsim_send(pseq, isn + 5, TH_ACK, 65535, NULL, NULL, 0);
    assert_false(tcp_output_pending());
}

static void test_passive_close_waits_for_last_ack(void **state)
{
    (void)state;
    struct tcp_conn *c = established(65535);
    tsim_send(pseq, isn + 1, TH_FIN | TH_ACK, 65535, NULL, NULL, 0);
    assert_int_equal(c->state, TCPS_CLOSE_WAIT);
    assert_false(tcp_output_pending());
    tcp_close(c, false);
    assert_true(tcp_output_pending()); /* LAST_ACK */
    tsim_send(pseq + 1, isn + 2, TH_ACK, 65535, NULL, NULL, 0);
    assert_false(tcp_output_pending());
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_orphan_with_unsent_tail_is_pending_until_acked,
                                        tsim_setup, tsim_teardown),
        cmocka_unit_test_setup_teardown(test_open_connection_with_unacked_data_is_pending,
                                        tsim_setup, tsim_teardown),
        cmocka_unit_test_setup_teardown(test_passive_close_waits_for_last_ack, tsim_setup,
                                        tsim_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
