/* TCP over a device with checksum offload and TSO (a simulated NIC that cuts large frames as the
 * host would): large segments of whole MSS pieces within cwnd and the peer's window, Nagle and
 * silly-window avoidance unchanged, MSS-sized retransmissions, the software fallbacks. */
#include "net_sim_tso.h"
#include "tcp_sim.h"

static uint32_t isn, pseq;
static uint8_t data[256 * 1024];
static uint8_t got[256 * 1024];

/* An accepted connection with MSS 1460, no timestamps, window scale 7. */
static struct tcp_conn *established(unsigned offloads, uint16_t wnd)
{
    sim_tso_setup_with(offloads);
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)(i * 131 + (i >> 9));
    struct tcp_opts o = tsim_syn_opts(1460, 7, true, false, 0);
    struct tcp_conn *c = tsim_accept(&o, wnd, &isn, NULL);
    pseq = tsim_peer_isn + 1;
    return c;
}

static int setup(void **state)
{
    (void)state;
    return 0;
}

/* Copies every captured data segment into got (by sequence); returns the highest end seen. */
static uint32_t collect(uint32_t highest)
{
    for (unsigned i = 0; i < sim_nframes; i++) {
        struct pseg s;
        tsim_parse(i, &s); /* both checksums checked independently */
        assert_true(s.len <= 1460);
        if (!s.len)
            continue;
        uint32_t off = s.seq - (isn + 1);
        assert_true(off + s.len <= sizeof(got));
        memcpy(got + off, s.data, s.len);
        if (seq_gt(s.seq + (uint32_t)s.len, highest))
            highest = s.seq + (uint32_t)s.len;
    }
    return highest;
}

static void test_bulk_goes_out_in_large_segments_cut_by_the_device(void **state)
{
    (void)state;
    struct tcp_conn *c = established(NETDEV_F_CSUM | NETDEV_F_TSO4, 65535);
    tsim_send(pseq, isn + 1, TH_ACK, 0xffff, NULL, NULL, 0); /* the scaled window: 8 MiB */
    size_t written = 0;
    uint32_t acked = isn + 1;
    sim_clear();
    for (unsigned round = 0; round < 400 && acked != isn + 1 + sizeof(data); round++) {
        if (written < sizeof(data)) {
            long n = tsim_write(c, data + written, sizeof(data) - written);
            assert_true(n >= 0);
            written += (size_t)n;
        }
        acked = collect(acked);
        sim_clear();
        tsim_send(pseq, acked, TH_ACK, 0xffff, NULL, NULL, 0); /* what went out, ACKed */
    }
    assert_int_equal(acked, isn + 1 + sizeof(data));
    assert_memory_equal(got, data, sizeof(data));
    /* Large frames: the first is the initial window (10 segments) in one; later ones grow. */
    assert_true(sim_tso.tso > 0);
    assert_int_equal(sim_tso.gso_size, 1460);
    assert_true(sim_tso.largest > 30u * 1460);
    assert_true(sim_tso.largest <= 14u + 65535);
    assert_int_equal(net_counters.tcp_tx_tso, sim_tso.tso);
    assert_int_equal(net_counters.tcp_tx_tso_split, 0);
    assert_true(net_counters.tcp_tx_csum_offload >= sim_tso.gathered);
    assert_int_equal(net_counters.tcp_retransmits, 0);
}

static void test_the_initial_window_is_one_frame_of_ten_segments(void **state)
{
    (void)state;
    struct tcp_conn *c = established(NETDEV_F_CSUM | NETDEV_F_TSO4, 65535);
    tsim_send(pseq, isn + 1, TH_ACK, 0xffff, NULL, NULL, 0);
    sim_clear();
    assert_int_equal(tsim_write(c, data, 16000), 16000);
    assert_int_equal(sim_tso.tso, 1); /* cwnd: 10 segments, one frame */
    assert_int_equal(sim_nframes, 10);
    assert_int_equal(sim_tso.largest, 14 + 20 + 20 + 14600);
    struct pseg s;
    for (unsigned i = 0; i < 10; i++) {
        tsim_parse(i, &s);
        assert_int_equal(s.seq, isn + 1 + i * 1460);
        assert_int_equal(s.len, 1460);
        assert_int_equal(!!(s.flags & TH_PSH), 0);
        /* the IDs the device numbers from the frame's own, one per segment */
        if (i)
            assert_int_equal(sim_get16(sim_frames[i].data + 18),
                             (uint16_t)(sim_get16(sim_frames[i - 1].data + 18) + 1));
    }
}

static void test_the_peer_window_bounds_a_frame_and_cuts_it_on_a_segment_boundary(void **state)
{
    (void)state;
    struct tcp_conn *c = established(NETDEV_F_CSUM | NETDEV_F_TSO4, 65535);
    tsim_send(pseq, isn + 1, TH_ACK, 5000 >> 7, NULL, NULL, 0); /* 39 << 7 = 4992 bytes */
    sim_clear();
    assert_int_equal(tsim_write(c, data, 10000), 10000);
    /* 4992 bytes of window: 3 whole segments; the 612-byte rest waits (silly window). */
    assert_int_equal(sim_tso.tso, 1);
    assert_int_equal(sim_nframes, 3);
    struct pseg s;
    tsim_last(&s);
    assert_int_equal(s.seq + s.len, isn + 1 + 3 * 1460);
}

static void test_nagle_holds_the_tail_and_nodelay_sends_it_in_the_frame(void **state)
{
    (void)state;
    struct tcp_conn *c = established(NETDEV_F_CSUM | NETDEV_F_TSO4, 65535);
    tsim_send(pseq, isn + 1, TH_ACK, 0xffff, NULL, NULL, 0);
    sim_clear();
    assert_int_equal(tsim_write(c, data, 5000), 5000);
    assert_int_equal(sim_nframes, 3); /* 4380 bytes; 620 wait for an ACK (Nagle) */
    assert_int_equal(sim_tso.tso, 1);
    sim_clear();
    tsim_send(pseq, isn + 1 + 4380, TH_ACK, 0xffff, NULL, NULL, 0);
    struct pseg s;
    tsim_one(&s);
    assert_int_equal(s.len, 620);
    assert_int_equal(s.flags & TH_PSH, TH_PSH);

    assert_int_equal(tcp_setopt(c, TCP_OPTION_NODELAY, 1), 0);
    sim_clear();
    assert_int_equal(tsim_write(c, data, 5000), 5000);
    assert_int_equal(sim_tso.tso, 2); /* the tail rides in the frame: PSH on it alone */
    assert_int_equal(sim_nframes, 4);
    for (unsigned i = 0; i < 4; i++) {
        tsim_parse(i, &s);
        assert_int_equal(s.len, i < 3 ? 1460 : 620);
        assert_int_equal(!!(s.flags & TH_PSH), i == 3);
    }
}

static void test_a_smaller_mss_cuts_even_a_frame_that_fits_the_link(void **state)
{
    (void)state;
    struct tcp_conn *c = established(NETDEV_F_CSUM | NETDEV_F_TSO4, 65535);
    tsim_send(pseq, isn + 1, TH_ACK, 0xffff, NULL, NULL, 0);
    assert_int_equal(tcp_setopt(c, TCP_OPTION_MAXSEG, 600), 0);
    assert_int_equal(tcp_setopt(c, TCP_OPTION_NODELAY, 1), 0);
    sim_clear();
    assert_int_equal(tsim_write(c, data, 1300), 1300);
    /* 1300 bytes fit one 1500-byte frame, but the MSS (a path MTU, TCP_MAXSEG) is 600. */
    assert_int_equal(sim_tso.tso, 1);
    assert_int_equal(sim_tso.gso_size, 600);
    assert_int_equal(sim_nframes, 3);
    struct pseg s;
    for (unsigned i = 0; i < 3; i++) {
        tsim_parse(i, &s);
        assert_int_equal(s.len, i < 2 ? 600 : 100);
    }
}

static void test_retransmissions_are_single_segments(void **state)
{
    (void)state;
    struct tcp_conn *c = established(NETDEV_F_CSUM | NETDEV_F_TSO4, 65535);
    tsim_send(pseq, isn + 1, TH_ACK, 0xffff, NULL, NULL, 0);
    sim_clear();
    assert_int_equal(tsim_write(c, data, 14600), 14600);
    assert_int_equal(sim_tso.tso, 1);
    sim_clear();
    tsim_run_until(tsim_next()); /* the RTO: nothing was ACKed */
    struct pseg s;
    tsim_one(&s);
    assert_int_equal(s.seq, isn + 1);
    assert_int_equal(s.len, 1460);
    assert_int_equal(sim_tso.tso, 1);
    assert_int_equal(net_counters.tcp_retransmits, 1);
}

static void test_checksum_offload_alone_keeps_segments_mss_sized(void **state)
{
    (void)state;
    struct tcp_conn *c = established(NETDEV_F_CSUM, 65535);
    tsim_send(pseq, isn + 1, TH_ACK, 0xffff, NULL, NULL, 0);
    sim_clear();
    unsigned before = sim_tso.gathered;
    assert_int_equal(tcp_setopt(c, TCP_OPTION_NODELAY, 1), 0);
    assert_int_equal(tsim_write(c, data, 5000), 5000);
    assert_int_equal(sim_nframes, 4);
    assert_int_equal(sim_tso.gathered - before, 4);
    assert_int_equal(sim_tso.tso, 0);
    assert_int_equal(collect(isn + 1), isn + 1 + 5000);
    assert_memory_equal(got, data, 5000);
}

static void test_without_offloads_nothing_is_gathered(void **state)
{
    (void)state;
    struct tcp_conn *c = established(0, 65535);
    tsim_send(pseq, isn + 1, TH_ACK, 0xffff, NULL, NULL, 0);
    sim_clear();
    assert_int_equal(tcp_setopt(c, TCP_OPTION_NODELAY, 1), 0);
    assert_int_equal(tsim_write(c, data, 5000), 5000);
    assert_int_equal(sim_nframes, 4);
    assert_int_equal(sim_tso.gathered, 0);
    assert_int_equal(net_counters.tcp_tx_csum_offload, 0);
}

static void test_a_large_segment_the_device_refuses_is_cut_in_software(void **state)
{
    (void)state;
    struct tcp_conn *c = established(NETDEV_F_CSUM | NETDEV_F_TSO4, 65535);
    tsim_send(pseq, isn + 1, TH_ACK, 0xffff, NULL, NULL, 0);
    sim_clear();
    sim_tso.fail_next = -EOPNOTSUPP;
    assert_int_equal(tcp_setopt(c, TCP_OPTION_NODELAY, 1), 0);
    assert_int_equal(tsim_write(c, data, 5000), 5000);
    assert_int_equal(sim_tso.tso, 0);
    assert_int_equal(net_counters.tcp_tx_tso_split, 1);
    assert_int_equal(sim_nframes, 4);
    struct pseg s;
    for (unsigned i = 0; i < 4; i++) {
        tsim_parse(i, &s);
        assert_int_equal(!!(s.flags & TH_PSH), i == 3);
    }
    assert_int_equal(collect(isn + 1), isn + 1 + 5000);
    assert_memory_equal(got, data, 5000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_bulk_goes_out_in_large_segments_cut_by_the_device,
                                        setup, tsim_teardown),
        cmocka_unit_test_setup_teardown(test_the_initial_window_is_one_frame_of_ten_segments, setup,
                                        tsim_teardown),
        cmocka_unit_test_setup_teardown(
            test_the_peer_window_bounds_a_frame_and_cuts_it_on_a_segment_boundary, setup,
            tsim_teardown),
        cmocka_unit_test_setup_teardown(test_nagle_holds_the_tail_and_nodelay_sends_it_in_the_frame,
                                        setup, tsim_teardown),
        cmocka_unit_test_setup_teardown(test_a_smaller_mss_cuts_even_a_frame_that_fits_the_link,
                                        setup, tsim_teardown),
        cmocka_unit_test_setup_teardown(test_retransmissions_are_single_segments, setup,
                                        tsim_teardown),
        cmocka_unit_test_setup_teardown(test_checksum_offload_alone_keeps_segments_mss_sized, setup,
                                        tsim_teardown),
        cmocka_unit_test_setup_teardown(test_without_offloads_nothing_is_gathered, setup,
                                        tsim_teardown),
        cmocka_unit_test_setup_teardown(test_a_large_segment_the_device_refuses_is_cut_in_software,
                                        setup, tsim_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
