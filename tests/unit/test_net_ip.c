/* Unit tests of IPv4 and ICMP: validation, ping, reassembly, fragmentation and routing. */
#include "net_sim.h"

static uint8_t big[70000], got[70000];
static uint8_t frame[NET_ETH_HLEN + NET_ETH_MAX_PAYLOAD];

/* Checks that the captured frames are one echo reply to a request of len data bytes. */
static void check_echo_reply(size_t len, uint16_t seq)
{
    size_t n = sim_collect_ip(0, sim_nframes, got, 1500);
    assert_int_equal(n, 8 + len);
    const uint8_t *h = sim_frames[0].data + 14;
    assert_int_equal(h[9], 1);
    assert_int_equal(sim_get32(h + 12), SIM_OUR_IP);
    assert_int_equal(sim_get32(h + 16), SIM_PEER_IP);
    assert_int_equal(got[0], 0);
    assert_int_equal(sim_get16(got + 6), seq);
    assert_int_equal(sim_csum(0, got, n), 0);
    uint8_t want[8100];
    sim_echo(want, 0x1234, seq, len);
    assert_memory_equal(got + 8, want + 8, len);
}

static void test_ping_of_many_sizes(void **state)
{
    (void)state;
    sim_learn_peer();
    size_t sizes[] = {0, 1, 56, 1472, 1473, 1480, 3000, 8000};
    for (unsigned i = 0; i < ARRAY_SIZE(sizes); i++) {
        sim_clear();
        size_t n = sim_echo(big, 0x1234, (uint16_t)i, sizes[i]);
        sim_send_ip(1, (uint16_t)(100 + i), big, n, 1480);
        check_echo_reply(sizes[i], (uint16_t)i);
        assert_int_equal(sim_nframes, (n + 1479) / 1480);
    }
    assert_int_equal(net_counters.icmp_echo_replies, ARRAY_SIZE(sizes));
    assert_int_equal(net_counters_drops(), 0);
}

static void test_largest_ping_reassembled_and_fragmented(void **state)
{
    (void)state;
    sim_learn_peer();
    size_t len = 65535 - 20 - 8;
    size_t n = sim_echo(big, 0x1234, 9, len);
    sim_send_ip(1, 7, big, n, 1480);
    assert_int_equal(net_counters.frag_reassembled, 1);
    assert_int_equal(sim_nframes, 45);
    assert_int_equal(sim_collect_ip(0, sim_nframes, got, 1500), n);
    assert_int_equal(got[0], 0);
    assert_memory_equal(got + 8, big + 8, len);
}

/* Sends the fragments of one datagram in the given order (indices of 8-byte-multiple pieces). */
static void send_fragments(uint16_t id, const uint8_t *payload, size_t len, size_t piece,
                           const unsigned *order, unsigned count)
{
    for (unsigned k = 0; k < count; k++) {
        size_t off = order[k] * piece;
        size_t n = len - off < piece ? len - off : piece;
        uint16_t frag = (uint16_t)((off + n < len ? 0x2000 : 0) | (off / 8));
        net_rx(0, frame, sim_ip(frame, SIM_PEER_IP, SIM_OUR_IP, 17, id, frag, payload + off, n));
    }
}

static uint8_t rxbuf[140000];

static void test_reassembly_in_and_out_of_order(void **state)
{
    (void)state;
    struct udp_endpoint ep;
    udp_endpoint_init(&ep, rxbuf, sizeof(rxbuf));
    assert_int_equal(udp_bind(&ep, 0, 9), 0);
    uint8_t data[5000];
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)(i * 13);
    size_t n = sim_udp(big, SIM_PEER_IP, SIM_OUR_IP, 4000, 9, data, sizeof(data));
    unsigned in_order[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    unsigned shuffled[] = {9, 3, 0, 7, 1, 2, 8, 4, 6, 5};
    unsigned count = (unsigned)((n + 503) / 504);
    assert_int_equal(count, 10);
    send_fragments(1, big, n, 504, in_order, count);
    send_fragments(2, big, n, 504, shuffled, count);
    for (int k = 0; k < 2; k++) {
        struct udp_datagram_info info;
        assert_true(udp_peek(&ep, &info));
        assert_int_equal(info.len, sizeof(data));
        assert_int_equal(udp_copy_at(&ep, 0, got, sizeof(got)), sizeof(data));
        assert_memory_equal(got, data, sizeof(data));
        udp_pop(&ep);
    }
    assert_false(udp_peek(&ep, &(struct udp_datagram_info){0}));
    assert_int_equal(net_counters.frag_reassembled, 2);
    assert_int_equal(net_counters_drops(), 0);
    udp_close(&ep);
}

static void test_reassembly_drops(void **state)
{
    (void)state;
    uint8_t payload[2000] = {0};
    /* Overlap: the second fragment starts inside the first. */
    net_rx(0, frame, sim_ip(frame, SIM_PEER_IP, SIM_OUR_IP, 17, 1, 0x2000, payload, 800));
    net_rx(0, frame, sim_ip(frame, SIM_PEER_IP, SIM_OUR_IP, 17, 1, 50, payload, 800));
    assert_int_equal(net_counters.frag_overlap, 1);
    /* An exact duplicate is an overlap too. */
    net_rx(0, frame, sim_ip(frame, SIM_PEER_IP, SIM_OUR_IP, 17, 2, 0x2000, payload, 800));
    net_rx(0, frame, sim_ip(frame, SIM_PEER_IP, SIM_OUR_IP, 17, 2, 0x2000, payload, 800));
    assert_int_equal(net_counters.frag_overlap, 2);
    /* A last fragment that ends before data already received. */
    net_rx(0, frame, sim_ip(frame, SIM_PEER_IP, SIM_OUR_IP, 17, 3, 0x2000 | 200, payload, 800));
    net_rx(0, frame, sim_ip(frame, SIM_PEER_IP, SIM_OUR_IP, 17, 3, 100, payload, 8));
    assert_int_equal(net_counters.frag_overlap, 3);
    /* Beyond 65535 bytes. */
    net_rx(0, frame, sim_ip(frame, SIM_PEER_IP, SIM_OUR_IP, 17, 4, 0x2000 | 8100, payload, 1000));
    assert_int_equal(net_counters.frag_too_big, 1);
    /* A non-final fragment whose size is not a multiple of 8. */
    net_rx(0, frame, sim_ip(frame, SIM_PEER_IP, SIM_OUR_IP, 17, 5, 0x2000, payload, 801));
    assert_int_equal(net_counters.frag_bad_length, 1);
    /* Never completed: times out after 30 s. */
    net_rx(0, frame, sim_ip(frame, SIM_PEER_IP, SIM_OUR_IP, 17, 6, 0x2000, payload, 800));
    assert_int_equal(net_next_deadline(), sim_time + 30 * SIM_SEC);
    sim_time += 30 * SIM_SEC;
    net_poll(sim_time);
    assert_int_equal(net_counters.frag_timeout, 1);
    assert_int_equal(net_next_deadline(), UINT64_MAX);
    assert_int_equal(net_counters.frag_reassembled, 0);
}

static void test_fragment_flood_evicts_oldest(void **state)
{
    (void)state;
    struct udp_endpoint ep;
    udp_endpoint_init(&ep, rxbuf, sizeof(rxbuf));
    assert_int_equal(udp_bind(&ep, 0, 9), 0);
    uint8_t junk[800] = {0};
    uint8_t data[1200];
    memset(data, 0x5a, sizeof(data));
    size_t n = sim_udp(big, SIM_PEER_IP, SIM_OUR_IP, 4000, 9, data, sizeof(data));
    /* A good datagram's first half, then a bomb of endless first fragments, then the rest. */
    net_rx(0, frame, sim_ip(frame, SIM_PEER_IP, SIM_OUR_IP, 17, 77, 0x2000, big, 800));
    for (uint16_t id = 1000; id < 1003; id++) {
        sim_time += 1;
        net_rx(0, frame, sim_ip(frame, SIM_PEER_IP, SIM_OUR_IP, 17, id, 0x2000, junk, 800));
    }
    net_rx(0, frame, sim_ip(frame, SIM_PEER_IP, SIM_OUR_IP, 17, 77, 100, big + 800, n - 800));
    assert_int_equal(net_counters.frag_reassembled, 1);
    for (uint16_t id = 2000; id < 2100; id++)
        net_rx(0, frame, sim_ip(frame, SIM_PEER_IP, SIM_OUR_IP, 17, id, 0x2000, junk, 800));
    assert_int_equal(net_counters.frag_evicted, 100 - 1);
    udp_close(&ep);
}

static void test_header_validation_counters(void **state)
{
    (void)state;
    sim_learn_peer();
    uint8_t echo[64];
    size_t en = sim_echo(echo, 1, 1, 20);
    size_t n = sim_ip(frame, SIM_PEER_IP, SIM_OUR_IP, 1, 1, 0, echo, en);
    uint8_t *h = frame + 14;
    uint8_t copy[200];
    memcpy(copy, frame, n);
#define RESET() memcpy(frame, copy, n)
#define FIX()   (sim_put16(h + 10, 0), sim_put16(h + 10, sim_csum(0, h, (h[0] & 15) * 4)))
    net_rx(0, frame, 14 + 19);
    assert_int_equal(net_counters.ip_truncated, 1);
    h[0] = 0x65, FIX();
    net_rx(0, frame, n);
    assert_int_equal(net_counters.ip_bad_version, 1);
    RESET();
    h[0] = 0x44, FIX();
    net_rx(0, frame, n);
    assert_int_equal(net_counters.ip_bad_ihl, 1);
    RESET();
    h[0] = 0x4f, FIX(); /* a 60-byte header in a 48-byte packet */
    net_rx(0, frame, 14 + 48);
    assert_int_equal(net_counters.ip_truncated, 2);
    RESET();
    sim_put16(h + 2, 19), FIX();
    net_rx(0, frame, n);
    assert_int_equal(net_counters.ip_bad_length, 1);
    RESET();
    sim_put16(h + 2, (uint16_t)(n - 14 + 1)), FIX();
    net_rx(0, frame, n);
    assert_int_equal(net_counters.ip_truncated, 3);
    RESET();
    h[11] ^= 1;
    net_rx(0, frame, n);
    assert_int_equal(net_counters.ip_bad_checksum, 1);
    RESET();
    sim_put32(h + 12, NET_IPV4(224, 0, 0, 1)), FIX();
    net_rx(0, frame, n);
    assert_int_equal(net_counters.ip_bad_source, 1);
    RESET();
    sim_put32(h + 16, NET_IPV4(10, 0, 0, 99)), FIX();
    net_rx(0, frame, n);
    assert_int_equal(net_counters.ip_not_for_us, 1);
    RESET();
    h[9] = 47, FIX(); /* GRE */
    net_rx(0, frame, n);
    assert_int_equal(net_counters.ip_unknown_protocol, 1);
    RESET();
    h[14 + 20 + 2 - 14] ^= 0xff; /* the ICMP checksum */
    net_rx(0, frame, n);
    assert_int_equal(net_counters.icmp_bad_checksum, 1);
    RESET();
    sim_put16(h + 2, 20 + 4), FIX();
    net_rx(0, frame, n);
    assert_int_equal(net_counters.icmp_truncated, 1);
    assert_int_equal(sim_nframes, 0);
    assert_int_equal(net_counters_drops(), 12);

    /* Options are skipped: a 24-byte header with padding after the data still gets a reply. */
    uint8_t opt[200];
    memcpy(opt, copy, 14 + 20);
    opt[14] = 0x46;
    memset(opt + 14 + 20, 1, 4); /* four NOP options */
    memcpy(opt + 14 + 24, copy + 14 + 20, en);
    sim_put16(opt + 14 + 2, (uint16_t)(24 + en));
    sim_put16(opt + 14 + 10, 0);
    sim_put16(opt + 14 + 10, sim_csum(0, opt + 14, 24));
    memset(opt + 14 + 24 + en, 0xee, 10);
    net_rx(0, opt, 14 + 24 + en + 10);
    assert_int_equal(sim_nframes, 1);
    assert_int_equal(net_counters.icmp_echo_replies, 1);
    assert_int_equal(sim_get16(sim_frames[0].data + 14 + 2), 20 + en);
#undef RESET
#undef FIX
}

static void test_fragmenting_roundtrip(void **state)
{
    (void)state;
    sim_setup_mtu(1000);
    sim_learn_peer();
    for (size_t i = 0; i < 65507; i++)
        big[i] = (uint8_t)(i ^ (i >> 8));
    assert_int_equal(udp_send(0, 1111, SIM_PEER_IP, 2222, big, 65507), 65507);
    assert_int_equal(sim_nframes, (65515 + 975) / 976);
    size_t n = sim_collect_ip(0, sim_nframes, got, 1000);
    assert_int_equal(n, 65515);
    assert_int_equal(sim_get16(got + 4), 65515);
    assert_int_equal(sim_csum(sim_pseudo(SIM_OUR_IP, SIM_PEER_IP, 17, 65515), got, n), 0);
    assert_memory_equal(got + 8, big, 65507);

    /* Fed back as if the peer had sent them (addresses and ports swapped), they reassemble. */
    struct udp_endpoint ep;
    udp_endpoint_init(&ep, rxbuf, sizeof(rxbuf));
    assert_int_equal(udp_bind(&ep, SIM_OUR_IP, 1111), 0);
    size_t back = sim_udp(big, SIM_PEER_IP, SIM_OUR_IP, 2222, 1111, got + 8, 65507);
    assert_int_equal(back, 65515);
    sim_send_ip(17, 42, big, back, 976);
    struct udp_datagram_info info;
    assert_true(udp_peek(&ep, &info));
    assert_int_equal(info.len, 65507);
    assert_int_equal(info.src_port, 2222);
    assert_int_equal(udp_copy_at(&ep, 0, got, sizeof(got)), 65507);
    for (size_t i = 0; i < 65507; i++)
        if (got[i] != (uint8_t)(i ^ (i >> 8)))
            fail_msg("byte %zu differs", i);
    udp_close(&ep);
    /* Too big for UDP, and no route at all. */
    assert_int_equal(udp_send(0, 1, SIM_PEER_IP, 2, big, 65508), -EMSGSIZE);
    assert_int_equal(udp_send(0, 1, NET_IPV4(192, 168, 1, 1), 2, big, 1), -ENETUNREACH);
}

static void test_route_longest_prefix(void **state)
{
    (void)state;
    uint8_t mac2[6] = {2, 0, 0, 0, 0, 9};
    assert_int_equal(net_if_attach(1, mac2, 0), 0);
    assert_int_equal(net_if_configure(1, NET_IPV4(192, 168, 5, 1), 16, 0), 0);
    assert_int_equal(net_route_add(0, 0, NET_IPV4(10, 0, 0, 1), 0), 0);
    assert_int_equal(net_route_add(NET_IPV4(192, 168, 7, 0), 24, NET_IPV4(10, 0, 0, 254), 0), 0);
    assert_int_equal(net_route_add(NET_IPV4(192, 168, 7, 0), 24, 0, 1), -EEXIST);
    assert_int_equal(net_route_add(1, 33, 0, 0), -EINVAL);
    struct net_route_result r;
    assert_int_equal(net_route_lookup(NET_IPV4(10, 0, 0, 77), &r), 0);
    assert_true(r.dev == 0 && r.next_hop == NET_IPV4(10, 0, 0, 77) && r.src == SIM_OUR_IP);
    assert_int_equal(net_route_lookup(NET_IPV4(192, 168, 9, 9), &r), 0);
    assert_true(r.dev == 1 && r.next_hop == NET_IPV4(192, 168, 9, 9));
    assert_int_equal(net_route_lookup(NET_IPV4(192, 168, 7, 9), &r), 0);
    assert_true(r.dev == 0 && r.next_hop == NET_IPV4(10, 0, 0, 254));
    assert_int_equal(net_route_lookup(NET_IPV4(8, 8, 8, 8), &r), 0);
    assert_true(r.dev == 0 && r.next_hop == NET_IPV4(10, 0, 0, 1));
    assert_int_equal(net_route_del(0, 0), 0);
    assert_int_equal(net_route_lookup(NET_IPV4(8, 8, 8, 8), &r), -ENETUNREACH);
    /* Readdressing replaces the connected route. */
    assert_int_equal(net_if_configure(1, NET_IPV4(172, 16, 0, 1), 12, 9000), 0);
    assert_int_equal(net_route_lookup(NET_IPV4(192, 168, 9, 9), &r), -ENETUNREACH);
    assert_int_equal(net_route_lookup(NET_IPV4(172, 20, 1, 1), &r), 0);
    assert_int_equal(r.dev, 1);
    assert_int_equal(net_if_configure(1, 1, 33, 0), -EINVAL);
    assert_int_equal(net_if_configure(1, 1, 8, 67), -EINVAL);
    struct net_if_info info;
    assert_true(net_if_get(1, &info));
    assert_int_equal(info.mtu, 9000);
    assert_false(net_if_get(3, &info));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_ping_of_many_sizes, sim_setup),
        cmocka_unit_test_setup(test_largest_ping_reassembled_and_fragmented, sim_setup),
        cmocka_unit_test_setup(test_reassembly_in_and_out_of_order, sim_setup),
        cmocka_unit_test_setup(test_reassembly_drops, sim_setup),
        cmocka_unit_test_setup(test_fragment_flood_evicts_oldest, sim_setup),
        cmocka_unit_test_setup(test_header_validation_counters, sim_setup),
        cmocka_unit_test_setup(test_fragmenting_roundtrip, sim_setup),
        cmocka_unit_test_setup(test_route_longest_prefix, sim_setup),
    };
    return cmocka_run_group_tests(tests, NULL, sim_teardown);
}
