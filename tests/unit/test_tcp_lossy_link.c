/* The engine's loss recovery end to end: whole transfers over a simulated path with one-way delay,
 * scripted losses, reordering and duplication, against a receiver modelled on RFC 2018 / RFC 9293
 * (out-of-order map and SACK blocks from tcp_ranges). Checks delivery, and that recovery follows
 * RFC 6675 / RFC 6582: each lost segment retransmitted once, no timeout when fast recovery can
 * repair the losses, none when reordering stays below DupThresh. */
#include "tcp_lossy_path.h"

static void test_sack_repairs_scattered_losses_without_timeout_rfc6675(void **state)
{
    (void)state;
    struct tcp_conn *c = connect_peer(true);
    uint32_t mss = c->mss, total = 200 * mss;
    static const uint32_t lost[] = {5, 17, 18, 40, 41, 42, 90, 130};
    for (unsigned i = 0; i < sizeof(lost) / sizeof(lost[0]); i++)
        lose(lost[i], 1, mss);
    uint8_t *src = pattern(total);
    run_transfer(c, src, total, false, 30 * SIM_SEC);
    check_delivered(src, total);
    unsigned spurious;
    assert_int_equal(retransmissions(total, mss, &spurious), 8);
    assert_int_equal(spurious, 0);
    assert_int_equal(net_counters.tcp_rto_expired, 0);
    assert_true(net_counters.tcp_recoveries >= 1 && net_counters.tcp_recoveries <= 5);
}

static void test_lost_retransmission_is_repaired_by_the_timeout_rfc6675_s5_1(void **state)
{
    (void)state;
    struct tcp_conn *c = connect_peer(true);
    uint32_t mss = c->mss, total = 60 * mss;
    lose(20, 2, mss); /* the original and the fast retransmission */
    uint8_t *src = pattern(total);
    run_transfer(c, src, total, false, 60 * SIM_SEC);
    check_delivered(src, total);
    assert_true(net_counters.tcp_rto_expired >= 1);
    assert_true(tx_count[20] >= 3);
}

static void test_reordering_below_dupthresh_is_not_loss_rfc5681_s3_2(void **state)
{
    (void)state;
    struct tcp_conn *c = connect_peer(true);
    uint32_t mss = c->mss, total = 100 * mss;
    /* Segments arrive up to two places late: at most 2 SACKed segments above the gap. */
    static const uint32_t late[] = {7, 30, 55, 80};
    for (unsigned i = 0; i < 4; i++) {
        imp.late_offsets[imp.n_late] = late[i] * mss;
        imp.late_by[imp.n_late++] = 2;
    }
    uint8_t *src = pattern(total);
    run_transfer(c, src, total, false, 30 * SIM_SEC);
    check_delivered(src, total);
    unsigned spurious;
    assert_int_equal(retransmissions(total, mss, &spurious), 0);
    assert_int_equal(net_counters.tcp_recoveries, 0);
}

static void test_duplicated_segments_are_harmless(void **state)
{
    (void)state;
    struct tcp_conn *c = connect_peer(true);
    uint32_t mss = c->mss, total = 80 * mss;
    static const uint32_t dups[] = {3, 33, 34, 60};
    for (unsigned i = 0; i < 4; i++)
        imp.dup_offsets[imp.n_dup++] = dups[i] * mss;
    uint8_t *src = pattern(total);
    run_transfer(c, src, total, false, 30 * SIM_SEC);
    check_delivered(src, total);
    unsigned spurious;
    assert_int_equal(retransmissions(total, mss, &spurious), 0);
    assert_int_equal(net_counters.tcp_rto_expired, 0);
}

static void test_newreno_repairs_two_losses_in_a_window_rfc6582(void **state)
{
    (void)state;
    struct tcp_conn *c = connect_peer(false);
    uint32_t mss = c->mss, total = 150 * mss;
    lose(12, 1, mss);
    lose(40, 1, mss);
    lose(43, 1, mss); /* the same window as 40: a partial ACK reveals it */
    uint8_t *src = pattern(total);
    run_transfer(c, src, total, false, 30 * SIM_SEC);
    check_delivered(src, total);
    unsigned spurious;
    unsigned n = retransmissions(total, mss, &spurious);
    assert_int_equal(net_counters.tcp_rto_expired, 0);
    assert_int_equal(n, 3);
    assert_int_equal(spurious, 0);
}

static void test_fin_with_losses_in_the_last_window(void **state)
{
    (void)state;
    struct tcp_conn *c = connect_peer(true);
    uint32_t mss = c->mss, total = 30 * mss + 100;
    lose(24, 1, mss);
    uint8_t *src = pattern(total);
    run_transfer(c, src, total, true, 30 * SIM_SEC);
    check_delivered(src, total);
    assert_int_equal(c->state, TCPS_FIN_WAIT_2);
    /* The lost segment once; the FIN can never be SACKed, so RFC 6675's rescue retransmission
     * (NextSeg rule 4: the last SMSS of unSACKed data, the FIN with it) may go once too. */
    unsigned spurious;
    unsigned n = retransmissions(total, mss, &spurious);
    assert_true(n >= 1 && n <= 2);
    assert_true(spurious <= 1);
    assert_int_equal(tx_count[24], 2);
    assert_int_equal(net_counters.tcp_rto_expired, 0);
}

static void test_window_after_recovery_is_beta_times_the_window_at_loss_rfc9438_s4_6(void **state)
{
    (void)state;
    struct tcp_conn *c = connect_peer(true);
    uint32_t mss = c->mss, total = 120 * mss;
    lose(100, 1, mss);
    uint8_t *src = pattern(total);
    /* Run until the loss is detected, then compare cwnd with the window at that moment. */
    run_transfer(c, src, total, false, 30 * SIM_SEC);
    check_delivered(src, total);
    assert_int_equal(net_counters.tcp_recoveries, 1);
    assert_true(c->cc.ssthresh < TCP_CC_WINDOW_MAX);
    /* ssthresh = 0.7 * W_max (cwnd when the loss was found), W_max remembered by CUBIC. */
    uint64_t want = (uint64_t)c->cc.w_max * TCP_CC_BETA_1024 / 1024;
    assert_true(c->cc.ssthresh + 2 >= want && c->cc.ssthresh <= want + 2);
    assert_true(c->cc.w_max >= 20 * mss); /* slow start had grown the window */
}

/* The stack as receiver: every ACK for out-of-order data reports it in SACK blocks, the block
 * holding the segment just received first, then the others most recent first (RFC 2018 §4);
 * the cumulative ACK jumps when a hole fills, and the program reads the stream intact. */
static void test_receiver_sack_blocks_rfc2018_s4(void **state)
{
    (void)state;
    reset_path();
    struct tcp_opts o = tsim_syn_opts(1460, 7, true, true, our_ts++);
    uint32_t isn;
    struct tcp_conn *c = tsim_accept(&o, 65535, &isn, NULL);
    const uint32_t mss = 1448, base = tsim_peer_isn + 1;
    /* 10 segments: within the 16 KiB a fresh connection's receive ring holds. */
    static const unsigned order[] = {0, 1, 3, 4, 6, 8, 9, 2, 7, 5};
    enum { N = 10 };
    uint8_t *src = pattern(N * mss);
    struct tcp_ranges model;
    tcp_ranges_init(&model);
    uint32_t rcv_nxt = base, tsval = 0;
    for (unsigned i = 0; i < N; i++) {
        unsigned k = order[i];
        sim_clear();
        struct tcp_opts t = {.present = TCP_OPTF_TIMESTAMP, .ts_val = our_ts++, .ts_ecr = tsval};
        tsim_send(base + k * mss, isn + 1, TH_ACK, 65535, &t, src + k * mss, mss);
        tcp_ranges_add(&model, base + k * mss, base + (k + 1) * mss);
        rcv_nxt = tcp_ranges_advance(&model, rcv_nxt);
        if (rcv_nxt != base + (k + 1) * mss && tcp_ranges_count(&model) == 0)
            continue; /* in order with nothing queued: a delayed ACK is allowed */
        assert_true(sim_nframes >= 1);
        struct pseg s;
        tsim_last(&s);
        tsval = s.opts.ts_val;
        assert_int_equal(s.ack, rcv_nxt);
        unsigned want = tcp_ranges_count(&model) < 3 ? tcp_ranges_count(&model) : 3;
        if (!want) {
            assert_false(s.opts.present & TCP_OPTF_SACK);
            continue;
        }
        assert_true(s.opts.present & TCP_OPTF_SACK);
        assert_int_equal(s.opts.nsack, want);
        /* The first block holds the segment that triggered this ACK, unless it filled a hole. */
        if (seq_geq(base + k * mss, rcv_nxt)) {
            assert_true(seq_leq(s.opts.sack[0].start, base + k * mss));
            assert_true(seq_geq(s.opts.sack[0].end, base + (k + 1) * mss));
        }
        for (unsigned b = 0; b < s.opts.nsack; b++) {
            const struct tcp_range *r = tcp_ranges_find(&model, s.opts.sack[b].start);
            assert_non_null(r);
            assert_int_equal(r->start, s.opts.sack[b].start); /* exactly a queued range */
            assert_int_equal(r->end, s.opts.sack[b].end);
            for (unsigned b2 = 0; b2 < b; b2++)
                assert_int_not_equal(s.opts.sack[b].start, s.opts.sack[b2].start);
        }
    }
    assert_int_equal(rcv_nxt, base + N * mss);
    static uint8_t got[N * 1448];
    assert_int_equal(tsim_recv(c, got, sizeof(got)), N * mss);
    assert_memory_equal(got, src, N * mss);
}

/* A path that loses everything for 3 s: the retransmission timer backs off, doubling each time
 * (RFC 6298 §5.5), the transfer resumes when the path returns, and no RTT sample is taken from a
 * retransmitted segment (Karn, RFC 6298 §3), so SRTT still reflects the 20 ms path. */
static void test_blackout_backs_off_and_karn_keeps_srtt_rfc6298_s3_s5_5(void **state)
{
    (void)state;
    struct tcp_conn *c = connect_peer(true);
    uint32_t mss = c->mss, total = 100 * mss;
    imp.blackout_from = sim_time + 50 * TCP_MS;
    imp.blackout_to = sim_time + 3050 * TCP_MS;
    uint8_t *src = pattern(total);
    run_transfer(c, src, total, false, 60 * SIM_SEC);
    check_delivered(src, total);
    assert_true(net_counters.tcp_rto_expired >= 3);
    /* The segment retransmitted most: its timeouts doubled while the path was down. */
    unsigned most = 0;
    for (unsigned i = 1; i < 100; i++)
        if (tx_count[i] > tx_count[most])
            most = i;
    assert_true(tx_count[most] >= 4);
    unsigned checked = 0;
    for (unsigned k = 2; k < tx_count[most] && k < 8; k++) {
        if (tx_times[most][k - 1] >= imp.blackout_to)
            break; /* the path is back: no more timeouts to compare */
        uint64_t prev = tx_times[most][k - 1] - tx_times[most][k - 2];
        uint64_t gap = tx_times[most][k] - tx_times[most][k - 1];
        assert_int_equal(gap, 2 * prev);
        checked++;
    }
    assert_true(checked >= 2);
    assert_true(c->rtt.srtt_ns < 60 * TCP_MS);
    assert_int_equal(c->rtt.backoff, 0);
}

/* The e2e suite's netem profile, deterministically: 5% loss and 1% duplication each way, up to
 * 10 ms of jitter (reordering) on a 10 ms path; several seeds, with and without SACK. Every
 * transfer must complete intact within a bounded virtual time. */
static void test_random_loss_duplication_and_reordering(void **state)
{
    (void)state;
    for (unsigned seed = 1; seed <= 12; seed++) {
        bool sack = seed % 3 != 0;
        tcp_reset();
        sim_setup(NULL);
        sim_learn_peer();
        struct tcp_conn *c = connect_peer(sack);
        imp.loss_pm = 50;
        imp.dup_pm = 10;
        imp.jitter = 10 * TCP_MS;
        imp.rng = 0x9e3779b97f4a7c15ull * seed;
        uint32_t total = 300 * c->mss;
        uint8_t *src = pattern(total);
        run_transfer(c, src, total, seed % 2 == 0, 600 * SIM_SEC);
        check_delivered(src, total);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sack_repairs_scattered_losses_without_timeout_rfc6675,
                                        tsim_setup, tsim_teardown),
        cmocka_unit_test_setup_teardown(
            test_lost_retransmission_is_repaired_by_the_timeout_rfc6675_s5_1, tsim_setup,
            tsim_teardown),
        cmocka_unit_test_setup_teardown(test_reordering_below_dupthresh_is_not_loss_rfc5681_s3_2,
                                        tsim_setup, tsim_teardown),
        cmocka_unit_test_setup_teardown(test_duplicated_segments_are_harmless, tsim_setup,
                                        tsim_teardown),
        cmocka_unit_test_setup_teardown(test_newreno_repairs_two_losses_in_a_window_rfc6582,
                                        tsim_setup, tsim_teardown),
        cmocka_unit_test_setup_teardown(test_fin_with_losses_in_the_last_window, tsim_setup,
                                        tsim_teardown),
        cmocka_unit_test_setup_teardown(
            test_window_after_recovery_is_beta_times_the_window_at_loss_rfc9438_s4_6, tsim_setup,
            tsim_teardown),
        cmocka_unit_test_setup_teardown(test_receiver_sack_blocks_rfc2018_s4, tsim_setup,
                                        tsim_teardown),
        cmocka_unit_test_setup_teardown(test_blackout_backs_off_and_karn_keeps_srtt_rfc6298_s3_s5_5,
                                        tsim_setup, tsim_teardown),
        cmocka_unit_test_setup_teardown(test_random_loss_duplication_and_reordering, tsim_setup,
                                        tsim_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
