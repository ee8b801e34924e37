/* TCP loss recovery: RTO timing with Karn and exponential backoff, SYN retransmission and give
 * up, SACK recovery of several holes (RFC 6675), NewReno fast retransmit and partial ACKs. */
#include "tcp_sim.h"

static uint32_t isn, pseq;

static struct tcp_conn *established(bool sack)
{
    struct tcp_opts o = tsim_syn_opts(1000, 0, sack, false, 0);
    struct tcp_conn *c = tsim_accept(&o, 65535, &isn, NULL);
    pseq = tsim_peer_isn + 1;
    tcp_setopt(c, TCP_OPTION_NODELAY, 1);
    return c;
}

static void test_rto_backoff_and_reset(void **state)
{
    (void)state;
    struct tcp_conn *c = established(false);
    sim_clear();
    assert_int_equal(tsim_write(c, "abc", 3), 3);
    assert_int_equal(sim_nframes, 1);
    uint64_t sent = sim_time;
    /* The handshake's instant RTT sample leaves the RTO at its 200 ms floor; each expiry
     * doubles it (RFC 6298 5.5): 200, 400, 800 ms. */
    assert_int_equal(tcp_rto(c), 200 * TCP_MS);
    uint64_t expect = sent + 200 * TCP_MS;
    for (int i = 0; i < 3; i++) {
        sim_clear();
        tsim_run_until(expect - 1);
        assert_int_equal(sim_nframes, 0);
        tsim_run_until(expect);
        struct pseg s;
        tsim_one(&s);
        assert_int_equal(s.seq, isn + 1);
        assert_int_equal(s.len, 3);
        expect += (2ull << i) * 200 * TCP_MS;
    }
    assert_int_equal(c->rtt.backoff, 3);
    /* The ACK (of a retransmitted segment: Karn, no sample) ends the backoff. */
    tsim_send(pseq, isn + 4, TH_ACK, 65535, NULL, NULL, 0);
    assert_int_equal(c->rtt.backoff, 0);
    assert_int_equal(c->rtx_at, 0);
    /* A clean exchange gives a sample: 50 ms RTT, RTO then the 200 ms floor + variance. */
    sim_clear();
    assert_int_equal(tsim_write(c, "d", 1), 1);
    tsim_advance(50 * TCP_MS);
    tsim_send(pseq, isn + 5, TH_ACK, 65535, NULL, NULL, 0);
    /* SRTT moves an eighth of the way from the handshake's ~0 toward 50 ms. */
    assert_true(c->rtt.srtt_ns > 6 * TCP_MS && c->rtt.srtt_ns < 7 * TCP_MS);
    assert_true(tcp_rto(c) >= 200 * TCP_MS);
}

static void test_gives_up_after_retries(void **state)
{
    (void)state;
    struct tcp_conn *c = established(false);
    assert_int_equal(tsim_write(c, "abc", 3), 3);
    tsim_run_until(sim_time + 3600 * SIM_SEC);
    assert_int_equal(c->state, TCPS_CLOSED);
    assert_true(tcp_poll(c) & TCP_EV_ERR);
    assert_int_equal(tcp_take_error(c), ETIMEDOUT);
    assert_int_equal(net_counters.tcp_rto_expired, TCP_RETRIES2); /* the next expiry gives up */
    assert_int_equal(net_counters.tcp_timeouts, 1);
}

static void test_syn_retransmits_then_times_out(void **state)
{
    (void)state;
    struct tcp_conn *c;
    assert_int_equal(tcp_open(&c), 0);
    sim_clear();
    assert_int_equal(tcp_connect(c, SIM_PEER_IP, PEER_PORT), 0);
    uint64_t t0 = sim_time;
    uint64_t at[TCP_SYN_RETRIES];
    unsigned n = 0;
    while (c->state == TCPS_SYN_SENT && sim_time < t0 + 600 * SIM_SEC) {
        unsigned before = sim_nframes;
        tsim_run_until(tsim_next());
        if (sim_nframes > before && n < TCP_SYN_RETRIES)
            at[n++] = sim_time - t0;
    }
    assert_int_equal(n, TCP_SYN_RETRIES);
    uint64_t expect = 0;
    for (unsigned i = 0; i < n; i++) {
        expect += (1ull << i) * SIM_SEC;
        assert_int_equal(at[i], expect); /* 1, 3, 7, 15, 31, 63 s */
    }
    assert_int_equal(c->state, TCPS_CLOSED);
    assert_int_equal(tcp_take_error(c), ETIMEDOUT);
    assert_int_equal(sim_time - t0, 127 * SIM_SEC);
}

/* Sends n full segments of new data and returns their count on the wire. */
static unsigned send_segments(struct tcp_conn *c, unsigned n)
{
    static uint8_t data[64 * 1000];
    for (unsigned i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)i;
    sim_clear();
    assert_int_equal(tsim_write(c, data, n * c->mss), (long)(n * c->mss));
    return sim_nframes;
}

static struct tcp_opts sack_blocks(unsigned n, const uint32_t *edges)
{
    struct tcp_opts o = {0};
    o.present = TCP_OPTF_SACK;
    o.nsack = (uint8_t)n;
    for (unsigned i = 0; i < n; i++)
        o.sack[i] = (struct tcp_range){edges[2 * i], edges[2 * i + 1]};
    return o;
}

static void test_sack_recovers_multiple_holes(void **state)
{
    (void)state;
    struct tcp_conn *c = established(true);
    uint32_t mss = c->mss;
    assert_int_equal(send_segments(c, 10), 10); /* the initial window: 10 segments */
    uint32_t base = isn + 1;
    /* Segments 2 and 5 are lost; the peer SACKs 3-4 and 6-9, ACKing up to segment 2. */
    tsim_send(pseq, base + 2 * mss, TH_ACK, 65535, NULL, NULL, 0);
    sim_clear();
    for (unsigned k = 3; k < 10; k++) {
        uint32_t e[4] = {base + 3 * mss, base + MIN(k + 1, 5u) * mss, base + 6 * mss,
                         base + (k + 1) * mss};
        struct tcp_opts o =
            sack_blocks(k >= 6 ? 2 : 1, k >= 6 ? (uint32_t[]){e[2], e[3], e[0], e[1]} : e);
        if (k == 5)
            continue; /* segment 5 is lost: no ACK for it */
        tsim_send(pseq, base + 2 * mss, TH_ACK, 65535, &o, NULL, 0);
    }
    /* Both holes went out again, each exactly once; besides them at most RFC 6675's single
     * rescue retransmission (rule 4) of the highest un-SACKed segment. */
    unsigned rtx2 = 0, rtx5 = 0, other = 0;
    for (unsigned i = 0; i < sim_nframes; i++) {
        struct pseg s;
        tsim_parse(i, &s);
        if (!s.len)
            continue;
        if (s.seq == base + 2 * mss)
            rtx2++;
        else if (s.seq == base + 5 * mss)
            rtx5++;
        else if (seq_lt(s.seq, base + 10 * mss))
            other++;
    }
    assert_int_equal(rtx2, 1);
    assert_int_equal(rtx5, 1);
    assert_true(other <= 1);
    assert_true(tcp_in_recovery(c));
    assert_int_equal(net_counters.tcp_rto_expired, 0);
    /* The cumulative ACK of everything ends the recovery. */
    tsim_send(pseq, base + 10 * mss, TH_ACK, 65535, NULL, NULL, 0);
    assert_false(tcp_in_recovery(c));
    assert_true(c->cc.cwnd < 10 * mss); /* CUBIC's reduction held */
}

static void test_newreno_fast_retransmit_and_partial_ack(void **state)
{
    (void)state;
    struct tcp_conn *c = established(false);
    uint32_t mss = c->mss, base = isn + 1;
    assert_int_equal(send_segments(c, 10), 10);
    /* Segments 0 and 4 are lost: three duplicate ACKs for base trigger a fast retransmit. */
    sim_clear();
    for (int i = 0; i < 3; i++)
        tsim_send(pseq, base, TH_ACK, 65535, NULL, NULL, 0);
    struct pseg s;
    assert_true(sim_nframes >= 1);
    tsim_parse(0, &s);
    assert_int_equal(s.seq, base);
    assert_int_equal(s.len, mss);
    assert_int_equal(net_counters.tcp_fast_retransmits, 1);
    /* A partial ACK (up to the second hole) retransmits the next hole at once. */
    sim_clear();
    tsim_send(pseq, base + 4 * mss, TH_ACK, 65535, NULL, NULL, 0);
    bool found = false;
    for (unsigned i = 0; i < sim_nframes; i++) {
        tsim_parse(i, &s);
        found |= s.seq == base + 4 * mss && s.len == mss;
    }
    assert_true(found);
    assert_true(tcp_in_recovery(c));
    tsim_send(pseq, c->snd_max, TH_ACK, 65535, NULL, NULL, 0);
    assert_false(tcp_in_recovery(c));
    assert_int_equal(net_counters.tcp_rto_expired, 0);
}

static void test_rto_goes_back_and_slow_starts(void **state)
{
    (void)state;
    struct tcp_conn *c = established(true);
    uint32_t mss = c->mss, base = isn + 1;
    assert_int_equal(send_segments(c, 10), 10);
    sim_clear();
    tsim_run_until(tsim_next());
    struct pseg s;
    tsim_one(&s); /* the loss window: one segment */
    assert_int_equal(s.seq, base);
    assert_int_equal(c->cc.cwnd, mss);
    /* A pure ACK sent now carries the highest sequence sent, not the rewound one: the peer,
     * which may hold more than snd_una, would drop it as out of window (ACK field and all). */
    sim_clear();
    tcp_setopt(c, TCP_OPTION_QUICKACK, 1);
    tsim_send(pseq, base, TH_ACK, 65535, NULL, "q", 1);
    tsim_one(&s);
    assert_int_equal(s.len, 0);
    assert_int_equal(s.seq, base + 10 * mss);
    pseq++;
    /* Its ACK lets two more go (slow start), from where the peer stands. */
    sim_clear();
    tsim_send(pseq, base + mss, TH_ACK, 65535, NULL, NULL, 0);
    assert_int_equal(sim_nframes, 2);
    tsim_parse(0, &s);
    assert_int_equal(s.seq, base + mss);
    tsim_parse(1, &s);
    assert_int_equal(s.seq, base + 2 * mss);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_rto_backoff_and_reset, tsim_setup, tsim_teardown),
        cmocka_unit_test_setup_teardown(test_gives_up_after_retries, tsim_setup, tsim_teardown),
        cmocka_unit_test_setup_teardown(test_syn_retransmits_then_times_out, tsim_setup,
                                        tsim_teardown),
        cmocka_unit_test_setup_teardown(test_sack_recovers_multiple_holes, tsim_setup,
                                        tsim_teardown),
        cmocka_unit_test_setup_teardown(test_newreno_fast_retransmit_and_partial_ack, tsim_setup,
                                        tsim_teardown),
        cmocka_unit_test_setup_teardown(test_rto_goes_back_and_slow_starts, tsim_setup,
                                        tsim_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
