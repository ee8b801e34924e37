/* Unit tests of receive checksum offload: the device's header word checked against the frame,
 * the completion of partial checksums (packet sockets), and the stack skipping only the sums the
 * device vouched for. */
#include "net_sim.h"

#include "atoll/netdev.h"

#define NEEDS_CSUM 1
#define DATA_VALID 2

static uint8_t frame[NET_ETH_HLEN + NET_ETH_MAX_PAYLOAD];
static uint8_t l4[2048];
static uint8_t buf[4096];

/* A frame from the peer to us carrying l4 (proto, len bytes) whose checksum field, at
 * csum_offset, holds the folded pseudo-header sum, as a host's stack leaves it (NEEDS_CSUM).
 * Returns the frame length; *good gets the checksum that belongs there. */
static size_t partial_frame(uint8_t proto, size_t len, uint16_t csum_offset, uint16_t *good)
{
    sim_put16(l4 + csum_offset, 0);
    uint32_t pseudo = sim_pseudo(SIM_PEER_IP, SIM_OUR_IP, proto, (uint16_t)len);
    *good = sim_csum(pseudo, l4, len);
    while (pseudo >> 16)
        pseudo = (pseudo & 0xffff) + (pseudo >> 16);
    sim_put16(l4 + csum_offset, (uint16_t)pseudo);
    return sim_ip(frame, SIM_PEER_IP, SIM_OUR_IP, proto, 1, 0, l4, len);
}

static void fill(size_t len, unsigned seed)
{
    for (size_t i = 0; i < len; i++)
        l4[i] = (uint8_t)(i * 31 + seed * 7 + (i >> 8));
}

static void test_completion_tcp_and_udp_any_length(void **state)
{
    (void)state;
    for (size_t len = 20; len <= 1480; len += len < 80 ? 1 : 97) {
        uint16_t good;
        fill(len, (unsigned)len);
        l4[12] = 0x50; /* a TCP header of 20 bytes */
        size_t n = partial_frame(6, len, 16, &good);
        assert_true(netdev_rx_csum_complete(frame, n, 34, 16));
        assert_int_equal(sim_get16(frame + 34 + 16), good);
        assert_int_equal(
            sim_csum(sim_pseudo(SIM_PEER_IP, SIM_OUR_IP, 6, (uint16_t)len), frame + 34, len), 0);
    }
    for (size_t len = 8; len <= 1480; len += len < 64 ? 1 : 101) {
        uint16_t good;
        fill(len, 3);
        sim_put16(l4 + 4, (uint16_t)len);
        size_t n = partial_frame(17, len, 6, &good);
        assert_true(netdev_rx_csum_complete(frame, n, 34, 6));
        /* 0 and 0xffff are the same one's-complement number: either makes the sum check. */
        assert_int_equal(
            sim_csum(sim_pseudo(SIM_PEER_IP, SIM_OUR_IP, 17, (uint16_t)len), frame + 34, len), 0);
    }
}

static void test_completion_ignores_ethernet_padding(void **state)
{
    (void)state;
    uint16_t good;
    fill(8 + 3, 9);
    sim_put16(l4 + 4, 11);
    size_t n = partial_frame(17, 11, 6, &good);
    memset(frame + n, 0, 60 - n); /* a minimum-size frame: zeros after the datagram */
    assert_true(netdev_rx_csum_complete(frame, 60, 34, 6));
    assert_int_equal(sim_get16(frame + 40), good);
}

static void test_completion_rejects_fields_outside_the_frame(void **state)
{
    (void)state;
    uint8_t f[64], copy[64];
    for (size_t i = 0; i < sizeof(f); i++)
        f[i] = (uint8_t)(i * 13);
    memcpy(copy, f, sizeof(f));
    assert_false(netdev_rx_csum_complete(f, 64, 34, 29));     /* field would end at 65 */
    assert_false(netdev_rx_csum_complete(f, 64, 63, 0));      /* a one-byte field */
    assert_false(netdev_rx_csum_complete(f, 64, 64, 0));      /* starts at the end */
    assert_false(netdev_rx_csum_complete(f, 64, 0xffff, 16)); /* far past it */
    assert_false(netdev_rx_csum_complete(f, 64, 34, 0xffff));
    assert_false(netdev_rx_csum_complete(f, 64, 0xffff, 0xffff));
    assert_false(netdev_rx_csum_complete(f, 64, 13, 0)); /* inside the Ethernet header */
    assert_false(netdev_rx_csum_complete(f, 0, 14, 0));
    assert_memory_equal(f, copy, sizeof(f));             /* nothing written */
    assert_true(netdev_rx_csum_complete(f, 64, 34, 28)); /* the last two bytes: allowed */
    assert_memory_equal(f, copy, 62);
}

static void test_header_parse(void **state)
{
    (void)state;
    struct netdev_rx_csum c = netdev_rx_csum_parse(0, 34, 16, 100);
    assert_int_equal(c.state, NETDEV_RX_CSUM_NONE);
    c = netdev_rx_csum_parse(DATA_VALID, 0xffff, 0xffff, 100); /* offsets unused */
    assert_int_equal(c.state, NETDEV_RX_CSUM_VALID);
    c = netdev_rx_csum_parse(NEEDS_CSUM, 34, 16, 100);
    assert_int_equal(c.state, NETDEV_RX_CSUM_PARTIAL);
    assert_int_equal(c.start, 34);
    assert_int_equal(c.offset, 16);
    /* NEEDS_CSUM wins over DATA_VALID: the field holds no checksum yet. */
    c = netdev_rx_csum_parse(NEEDS_CSUM | DATA_VALID, 34, 6, 42);
    assert_int_equal(c.state, NETDEV_RX_CSUM_PARTIAL);
    /* Hostile or broken offsets: no offload information at all, so the stack verifies. */
    static const uint16_t bad[][3] = {
        {34, 16, 51},       {0, 16, 100},    {13, 0, 100},     {0xffff, 0xffff, 1514},
        {34, 0xffff, 1514}, {1513, 0, 1514}, {14, 1499, 1514},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        c = netdev_rx_csum_parse(NEEDS_CSUM | DATA_VALID, bad[i][0], bad[i][1], bad[i][2]);
        assert_int_equal(c.state, NETDEV_RX_CSUM_NONE);
    }
    /* Unknown flag bits are ignored. */
    c = netdev_rx_csum_parse(0xfc, 34, 16, 100);
    assert_int_equal(c.state, NETDEV_RX_CSUM_NONE);
}

/* A UDP datagram to port 7 with its checksum field wrong by one. */
static size_t bad_udp(void)
{
    size_t n = sim_udp(l4, SIM_PEER_IP, SIM_OUR_IP, 40000, 7, (const uint8_t *)"data", 4);
    sim_put16(l4 + 6, (uint16_t)(sim_get16(l4 + 6) ^ 1));
    return sim_ip(frame, SIM_PEER_IP, SIM_OUR_IP, 17, 1, 0, l4, n);
}

static void test_stack_skips_only_vouched_udp(void **state)
{
    (void)state;
    struct udp_endpoint ep;
    udp_endpoint_init(&ep, buf, sizeof(buf));
    assert_int_equal(udp_bind(&ep, 0, 7), 0);
    size_t n = bad_udp();
    net_rx(0, frame, n); /* no word from the device: summed, dropped */
    net_rx_csum(0, frame, n, NETDEV_RX_CSUM_NONE);
    assert_int_equal(ep.rx_count, 0);
    assert_int_equal(net_counters.udp_bad_checksum, 2);
    assert_int_equal(net_counters.rx_csum_offload, 0);
    net_rx_csum(0, frame, n, NETDEV_RX_CSUM_VALID);
    net_rx_csum(0, frame, n, NETDEV_RX_CSUM_PARTIAL);
    assert_int_equal(ep.rx_count, 2);
    assert_int_equal(net_counters.rx_csum_offload, 2);
    assert_int_equal(net_counters.udp_bad_checksum, 2);
    udp_close(&ep);
}

static void test_stack_skips_only_vouched_tcp(void **state)
{
    (void)state;
    sim_learn_peer();
    /* A SYN to a closed port with a wrong checksum: summed and dropped, or vouched and reset. */
    uint8_t *t = l4;
    memset(t, 0, 20);
    sim_put16(t, 40000);
    sim_put16(t + 2, 9);
    sim_put32(t + 4, 1000);
    t[12] = 0x50;
    t[13] = 0x02;
    sim_put16(t + 14, 65535);
    sim_put16(t + 16, 0x1234); /* not its checksum */
    size_t n = sim_ip(frame, SIM_PEER_IP, SIM_OUR_IP, 6, 1, 0, t, 20);
    net_rx_csum(0, frame, n, NETDEV_RX_CSUM_NONE);
    assert_int_equal(net_counters.tcp_bad_checksum, 1);
    assert_int_equal(sim_nframes, 0);
    net_rx_csum(0, frame, n, NETDEV_RX_CSUM_PARTIAL);
    assert_int_equal(net_counters.tcp_bad_checksum, 1);
    assert_int_equal(net_counters.rx_csum_offload, 1);
    assert_int_equal(net_counters.tcp_rst_sent, 1);
    assert_int_equal(sim_nframes, 1);
}

static void test_stack_skips_only_vouched_icmp(void **state)
{
    (void)state;
    sim_learn_peer();
    size_t len = sim_echo(l4, 1, 1, 32);
    l4[2] ^= 0x40;
    size_t n = sim_ip(frame, SIM_PEER_IP, SIM_OUR_IP, 1, 1, 0, l4, len);
    net_rx_csum(0, frame, n, NETDEV_RX_CSUM_NONE);
    assert_int_equal(net_counters.icmp_bad_checksum, 1);
    net_rx_csum(0, frame, n, NETDEV_RX_CSUM_VALID);
    assert_int_equal(net_counters.icmp_echo_replies, 1);
    assert_int_equal(net_counters.rx_csum_offload, 1);
}

/* The IP header's own checksum is always verified. */
static void test_ip_header_still_verified(void **state)
{
    (void)state;
    size_t n = bad_udp();
    frame[14 + 10] ^= 1;
    net_rx_csum(0, frame, n, NETDEV_RX_CSUM_VALID);
    assert_int_equal(net_counters.ip_bad_checksum, 1);
    assert_int_equal(net_counters.rx_csum_offload, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_completion_tcp_and_udp_any_length),
        cmocka_unit_test(test_completion_ignores_ethernet_padding),
        cmocka_unit_test(test_completion_rejects_fields_outside_the_frame),
        cmocka_unit_test(test_header_parse),
        cmocka_unit_test_setup(test_stack_skips_only_vouched_udp, sim_setup),
        cmocka_unit_test_setup(test_stack_skips_only_vouched_tcp, sim_setup),
        cmocka_unit_test_setup(test_stack_skips_only_vouched_icmp, sim_setup),
        cmocka_unit_test_setup(test_ip_header_still_verified, sim_setup),
    };
    return cmocka_run_group_tests(tests, NULL, sim_teardown);
}
