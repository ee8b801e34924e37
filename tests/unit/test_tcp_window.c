/* TCP flow control and ACK policy: zero window and persist probes, window scaling both ways,
 * receive window that never shrinks, delayed ACKs, Nagle/TCP_NODELAY/TCP_CORK, the out-of-order
 * queue and SACK blocks as receiver. */
#include "tcp_sim.h"

static uint32_t isn, pseq;

static struct tcp_conn *established(int ws, bool sack, uint16_t wnd)
{
    struct tcp_opts o = tsim_syn_opts(1000, ws, sack, false, 0);
    struct tcp_conn *c = tsim_accept(&o, wnd, &isn, NULL);
    pseq = tsim_peer_isn + 1;
    return c;
}

static void test_zero_window_probes_and_reopens(void **state)
{
    (void)state;
    struct tcp_conn *c = established(-1, false, 2000);
    static uint8_t data[5000];
    sim_clear();
    assert_int_equal(tsim_write(c, data, sizeof(data)), (long)sizeof(data));
    assert_int_equal(sim_nframes, 2); /* the window: 2000 bytes */
    sim_clear();
    tsim_send(pseq, isn + 2001, TH_ACK, 0, NULL, NULL, 0); /* all ACKed, window closed */
    assert_int_equal(sim_nframes, 0);
    /* Probes at growing intervals; each one is answered, so the connection lives on. */
    uint64_t last = sim_time, gap = 0;
    for (int i = 0; i < 5; i++) {
        sim_clear();
        tsim_run_until(tsim_next());
        struct pseg s;
        tsim_one(&s);
        assert_int_equal(s.seq, isn + 2000); /* SND.UNA - 1: answered with an ACK */
        assert_int_equal(s.len, 0);
        assert_true(sim_time - last > gap);
        gap = sim_time - last;
        last = sim_time;
        tsim_send(pseq, isn + 2001, TH_ACK, 0, NULL, NULL, 0);
    }
    assert_int_equal(c->state, TCPS_ESTABLISHED);
    assert_int_equal(net_counters.tcp_window_probes, 5);
    /* The window opens: the data flows at once. */
    sim_clear();
    tsim_send(pseq, isn + 2001, TH_ACK, 3000, NULL, NULL, 0);
    assert_int_equal(sim_nframes, 3);
    struct pseg s;
    tsim_parse(0, &s);
    assert_int_equal(s.seq, isn + 2001);
}

static void test_we_advertise_a_zero_window_and_update(void **state)
{
    (void)state;
    struct tcp_conn *c = established(-1, false, 65535);
    tcp_setopt(c, TCP_OPTION_RCVBUF, TCP_RING_INIT); /* a fixed buffer: no growth */
    static uint8_t data[1000];
    uint32_t size = TCP_RING_INIT, got = 0;
    struct pseg s;
    while (got < size) {
        sim_clear();
        tsim_send(pseq + got, isn + 1, TH_ACK, 65535, NULL, data, MIN(1000u, size - got));
        got += MIN(1000u, size - got);
    }
    tsim_advance(TCP_DELACK_NS);
    tsim_last(&s);
    assert_int_equal(s.ack, pseq + size);
    assert_int_equal(s.wnd, 0); /* the program has not read: the buffer is full */
    assert_true(c->rring.size >= size);
    /* Reading makes room: an update goes out without waiting for data. */
    sim_clear();
    static uint8_t buf[TCP_RING_INIT];
    assert_int_equal(tsim_recv(c, buf, sizeof(buf)), (long)size);
    tsim_one(&s);
    assert_true(s.wnd >= size / 2);
}

static void test_window_scaling_both_ways(void **state)
{
    (void)state;
    struct tcp_conn *c = established(3, false, 100);
    assert_int_equal(c->snd_wscale, 3);
    assert_int_equal(c->snd_wnd, 800); /* the handshake's ACK: 100 << 3 */
    tsim_send(pseq, isn + 1, TH_ACK, 50, NULL, NULL, 0);
    assert_int_equal(c->snd_wnd, 400);
    /* Ours: the shift offered lets the window reach the buffer limit. */
    assert_true((65535u << c->rcv_wscale) >= c->rcv_limit);
    sim_clear();
    tsim_send(pseq, isn + 1, TH_ACK, 100, NULL, "x", 1);
    tcp_setopt(c, TCP_OPTION_QUICKACK, 1);
    tsim_send(pseq + 1, isn + 1, TH_ACK, 100, NULL, "y", 1);
    struct pseg s;
    tsim_last(&s);
    /* The field is the window scaled down (rounded to the unit the shift allows). */
    uint32_t announced = (uint32_t)s.wnd << c->rcv_wscale, edge = c->rcv_adv - c->rcv_nxt;
    assert_true(announced <= edge && announced + (1u << c->rcv_wscale) > edge);
}

static void test_delayed_ack_every_second_segment(void **state)
{
    (void)state;
    established(-1, false, 65535);
    static uint8_t data[1000];
    uint32_t off = 0;
    /* Past the quick-ACK start, ACKs go every second segment or after 40 ms. */
    for (int i = 0; i < 20; i++, off += 1000)
        tsim_send(pseq + off, isn + 1, TH_ACK, 65535, NULL, data, 1000);
    sim_clear();
    tsim_send(pseq + off, isn + 1, TH_ACK, 65535, NULL, data, 1000);
    off += 1000;
    unsigned acks_after_one = sim_nframes;
    tsim_send(pseq + off, isn + 1, TH_ACK, 65535, NULL, data, 1000);
    off += 1000;
    assert_int_equal(sim_nframes, acks_after_one + 1);
    struct pseg s;
    tsim_last(&s);
    assert_int_equal(s.ack, pseq + off);
    /* A lone segment: ACKed when the 40 ms delayed-ACK timer fires. */
    sim_clear();
    tsim_send(pseq + off, isn + 1, TH_ACK, 65535, NULL, data, 1000);
    off += 1000;
    assert_int_equal(sim_nframes, 0);
    tsim_advance(TCP_DELACK_NS - 1);
    assert_int_equal(sim_nframes, 0);
    tsim_advance(1);
    tsim_one(&s);
    assert_int_equal(s.ack, pseq + off);
}

static void test_nagle_cork_nodelay(void **state)
{
    (void)state;
    struct tcp_conn *c = established(-1, false, 65535);
    sim_clear();
    assert_int_equal(tsim_write(c, "a", 1), 1);
    assert_int_equal(sim_nframes, 1); /* nothing in flight: a small segment may go */
    assert_int_equal(tsim_write(c, "b", 1), 1);
    assert_int_equal(tsim_write(c, "c", 1), 1);
    assert_int_equal(sim_nframes, 1); /* Nagle: held while "a" is unacknowledged */
    tsim_send(pseq, isn + 2, TH_ACK, 65535, NULL, NULL, 0);
    assert_int_equal(sim_nframes, 2);
    struct pseg s;
    tsim_parse(1, &s);
    assert_int_equal(s.len, 2); /* "bc" coalesced */
    tsim_send(pseq, isn + 4, TH_ACK, 65535, NULL, NULL, 0);
    /* TCP_NODELAY: each write goes at once. */
    tcp_setopt(c, TCP_OPTION_NODELAY, 1);
    sim_clear();
    tsim_write(c, "d", 1);
    tsim_write(c, "e", 1);
    assert_int_equal(sim_nframes, 2);
    tsim_send(pseq, isn + 6, TH_ACK, 65535, NULL, NULL, 0);
    /* TCP_CORK: partial segments wait until uncorked, full ones go. */
    tcp_setopt(c, TCP_OPTION_CORK, 1);
    sim_clear();
    tsim_write(c, "fgh", 3);
    assert_int_equal(sim_nframes, 0);
    static uint8_t big[1500];
    tsim_write(c, big, sizeof(big));
    assert_int_equal(sim_nframes, 1); /* one full segment */
    tcp_setopt(c, TCP_OPTION_CORK, 0);
    assert_int_equal(sim_nframes, 2);
    /* MSG_MORE holds a partial segment like a cork for that write. */
    sim_clear();
    struct net_iov v = {"z", 1};
    tsim_send(pseq, c->snd_max, TH_ACK, 65535, NULL, NULL, 0);
    assert_int_equal(tcp_send(c, &v, 1, true), 1);
    assert_int_equal(sim_nframes, 0);
    assert_int_equal(tcp_send(c, &v, 1, false), 1);
    assert_int_equal(sim_nframes, 1);
}

static struct tcp_opts ts_none(void)
{
    struct tcp_opts o = {0};
    return o;
}

static void test_out_of_order_and_sack_blocks(void **state)
{
    (void)state;
    struct tcp_conn *c = established(-1, true, 65535);
    static uint8_t data[1000];
    for (int i = 0; i < 1000; i++)
        data[i] = (uint8_t)i;
    struct tcp_opts o = ts_none();
    /* Segments 1 and 3 arrive before 0 and 2. */
    sim_clear();
    tsim_send(pseq + 1000, isn + 1, TH_ACK, 65535, &o, data, 1000);
    struct pseg s;
    tsim_one(&s);
    assert_int_equal(s.ack, pseq);
    assert_true(s.opts.present & TCP_OPTF_SACK);
    assert_int_equal(s.opts.nsack, 1);
    assert_int_equal(s.opts.sack[0].start, pseq + 1000);
    assert_int_equal(s.opts.sack[0].end, pseq + 2000);
    sim_clear();
    tsim_send(pseq + 3000, isn + 1, TH_ACK, 65535, &o, data, 1000);
    tsim_one(&s);
    assert_int_equal(s.opts.nsack, 2);
    assert_int_equal(s.opts.sack[0].start, pseq + 3000); /* the most recent first */
    assert_int_equal(s.opts.sack[1].start, pseq + 1000);
    assert_int_equal(tcp_unread(c), 0);
    /* Segment 0 fills the first hole: the ACK jumps over segment 1 and is sent at once. */
    sim_clear();
    tsim_send(pseq, isn + 1, TH_ACK, 65535, &o, data, 1000);
    tsim_one(&s);
    assert_int_equal(s.ack, pseq + 2000);
    assert_int_equal(s.opts.nsack, 1);
    assert_int_equal(tcp_unread(c), 2000);
    sim_clear();
    tsim_send(pseq + 2000, isn + 1, TH_ACK, 65535, &o, data, 1000);
    tsim_one(&s);
    assert_int_equal(s.ack, pseq + 4000);
    assert_false(s.opts.present & TCP_OPTF_SACK);
    static uint8_t buf[4000];
    assert_int_equal(tsim_recv(c, buf, sizeof(buf)), 4000);
    for (int k = 0; k < 4; k++)
        assert_memory_equal(buf + 1000 * k, data, 1000);
}

static void test_overlapping_segments_keep_first_bytes(void **state)
{
    (void)state;
    struct tcp_conn *c = established(-1, true, 65535);
    tsim_send(pseq, isn + 1, TH_ACK, 65535, NULL, "abcdef", 6);
    tsim_send(pseq + 3, isn + 1, TH_ACK, 65535, NULL, "defghi", 6); /* overlaps by 3 */
    char buf[16];
    assert_int_equal(tsim_recv(c, buf, sizeof(buf)), 9);
    assert_memory_equal(buf, "abcdefghi", 9);
}

/* Data sent while SACK blocks ride on every segment still fits the MTU: the payload shrinks by
 * the blocks' size (no IP fragmentation). */
static void test_sack_blocks_shrink_the_payload(void **state)
{
    (void)state;
    struct tcp_opts o = tsim_syn_opts(1460, -1, true, true, 100);
    struct tcp_conn *c = tsim_accept(&o, 65535, &isn, NULL);
    pseq = tsim_peer_isn + 1;
    tcp_setopt(c, TCP_OPTION_NODELAY, 1);
    struct tcp_opts t = {0};
    t.present = TCP_OPTF_TIMESTAMP;
    t.ts_val = 200;
    for (int k = 0; k < 3; k++) /* three holes: three SACK blocks */
        tsim_send(pseq + 10 + 20 * k, isn + 1, TH_ACK, 65535, &t, "x", 1);
    static uint8_t data[6000];
    sim_clear();
    assert_int_equal(tsim_write(c, data, sizeof(data)), (long)sizeof(data));
    assert_true(sim_nframes >= 5);
    for (unsigned i = 0; i < sim_nframes; i++) {
        assert_true(sim_frames[i].len <= 14 + 1500);
        assert_int_equal(sim_get16(sim_frames[i].data + 14 + 6) & 0x3fff, 0); /* not a fragment */
        struct pseg s;
        tsim_parse(i, &s);
        assert_int_equal(s.opts.nsack, 3);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_zero_window_probes_and_reopens, tsim_setup,
                                        tsim_teardown),
        cmocka_unit_test_setup_teardown(test_we_advertise_a_zero_window_and_update, tsim_setup,
                                        tsim_teardown),
        cmocka_unit_test_setup_teardown(test_window_scaling_both_ways, tsim_setup, tsim_teardown),
        cmocka_unit_test_setup_teardown(test_delayed_ack_every_second_segment, tsim_setup,
                                        tsim_teardown),
        cmocka_unit_test_setup_teardown(test_nagle_cork_nodelay, tsim_setup, tsim_teardown),
        cmocka_unit_test_setup_teardown(test_out_of_order_and_sack_blocks, tsim_setup,
                                        tsim_teardown),
        cmocka_unit_test_setup_teardown(test_overlapping_segments_keep_first_bytes, tsim_setup,
                                        tsim_teardown),
        cmocka_unit_test_setup_teardown(test_sack_blocks_shrink_the_payload, tsim_setup,
                                        tsim_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
