/* Unit tests of Ethernet and ARP: replies, resolution with a pending queue, expiry, spoofing. */
#include "net_sim.h"

static void test_reply_to_request_for_our_address(void **state)
{
    (void)state;
    uint8_t f[64];
    net_rx(0, f, sim_arp(f, 1, sim_bcast, sim_peer_mac, SIM_PEER_IP, SIM_OUR_IP));
    assert_int_equal(sim_nframes, 1);
    const uint8_t *r = sim_frames[0].data;
    assert_memory_equal(r, sim_peer_mac, 6);
    assert_memory_equal(r + 6, sim_our_mac, 6);
    assert_int_equal(sim_get16(r + 12), 0x0806);
    assert_int_equal(sim_get16(r + 14 + 6), 2);
    assert_memory_equal(r + 14 + 8, sim_our_mac, 6);
    assert_int_equal(sim_get32(r + 14 + 14), SIM_OUR_IP);
    assert_memory_equal(r + 14 + 18, sim_peer_mac, 6);
    assert_int_equal(sim_get32(r + 14 + 24), SIM_PEER_IP);
    assert_int_equal(net_counters.arp_replies_sent, 1);
    assert_int_equal(net_counters_drops(), 0);

    /* A request between two others is neither answered nor learned from. */
    sim_clear();
    uint32_t other = NET_IPV4(10, 0, 0, 7);
    net_rx(0, f, sim_arp(f, 1, sim_bcast, sim_peer_mac, other, NET_IPV4(10, 0, 0, 9)));
    assert_int_equal(sim_nframes, 0);
    assert_int_equal(net_counters.arp_not_for_us, 1);
}

static void test_resolution_queues_then_flushes(void **state)
{
    (void)state;
    uint8_t payload[100] = {1, 2, 3};
    for (int i = 0; i < 3; i++)
        assert_int_equal(udp_send(0, 5000, SIM_PEER_IP, 7, payload, sizeof(payload)), 100);
    /* One request went out; the three datagrams wait. */
    assert_int_equal(sim_nframes, 1);
    const uint8_t *q = sim_frames[0].data;
    assert_memory_equal(q, sim_bcast, 6);
    assert_int_equal(sim_get16(q + 14 + 6), 1);
    assert_int_equal(sim_get32(q + 14 + 24), SIM_PEER_IP);
    assert_int_equal(net_next_deadline(), sim_time + SIM_SEC);

    sim_clear();
    uint8_t f[64];
    net_rx(0, f, sim_arp(f, 2, sim_our_mac, sim_peer_mac, SIM_PEER_IP, SIM_OUR_IP));
    assert_int_equal(sim_nframes, 3);
    for (unsigned i = 0; i < 3; i++) {
        assert_memory_equal(sim_frames[i].data, sim_peer_mac, 6);
        assert_int_equal(sim_get16(sim_frames[i].data + 12), 0x0800);
    }
    /* Resolved now: the next datagram goes straight out. */
    sim_clear();
    udp_send(0, 5000, SIM_PEER_IP, 7, payload, 10);
    assert_int_equal(sim_nframes, 1);
    assert_int_equal(net_counters_drops(), 0);
}

static void test_multicast_and_broadcast_need_no_resolution(void **state)
{
    (void)state;
    assert_int_equal(net_route_add(NET_IPV4(224, 0, 0, 0), 4, 0, 0), 0);
    assert_int_equal(udp_send(0, 5000, NET_IPV4(239, 129, 2, 3), 7, "m", 1), 1);
    assert_int_equal(udp_send(0, 5000, NET_IPV4(10, 0, 0, 255), 7, "b", 1), 1);
    assert_int_equal(sim_nframes, 2);
    const uint8_t mcast[6] = {0x01, 0x00, 0x5e, 0x01, 0x02, 0x03};
    assert_memory_equal(sim_frames[0].data, mcast, 6);
    assert_memory_equal(sim_frames[1].data, sim_bcast, 6);
    assert_int_equal(net_counters.arp_requests_sent, 0);
}

static void test_cache_expires(void **state)
{
    (void)state;
    sim_learn_peer();
    uint8_t b[4] = {0};
    udp_send(0, 5000, SIM_PEER_IP, 7, b, 4);
    assert_int_equal(sim_nframes, 1);
    uint64_t deadline = net_next_deadline();
    assert_int_equal(deadline, sim_time + 60 * SIM_SEC);
    sim_time = deadline - 1;
    net_poll(sim_time);
    sim_clear();
    udp_send(0, 5000, SIM_PEER_IP, 7, b, 4);
    assert_int_equal(sim_get16(sim_frames[0].data + 12), 0x0800); /* still cached */
    sim_time = deadline;
    net_poll(sim_time);
    assert_int_equal(net_next_deadline(), UINT64_MAX);
    sim_clear();
    udp_send(0, 5000, SIM_PEER_IP, 7, b, 4);
    assert_int_equal(sim_nframes, 1);
    assert_int_equal(sim_get16(sim_frames[0].data + 12), 0x0806); /* asks again */
}

static void test_unanswered_requests_give_up(void **state)
{
    (void)state;
    uint8_t b[4] = {0};
    udp_send(0, 5000, SIM_PEER_IP, 7, b, 4);
    udp_send(0, 5000, SIM_PEER_IP, 7, b, 4);
    for (int i = 0; i < 5; i++) {
        sim_time += SIM_SEC;
        net_poll(sim_time);
    }
    /* Three requests in all, then the two queued datagrams are given up. */
    assert_int_equal(net_counters.arp_requests_sent, 3);
    assert_int_equal(net_counters.arp_unresolved, 2);
    assert_int_equal(net_next_deadline(), UINT64_MAX);
}

static void test_pending_queue_is_bounded(void **state)
{
    (void)state;
    uint8_t b[4] = {0};
    for (int i = 0; i < 60; i++)
        assert_int_equal(udp_send(0, 5000, SIM_PEER_IP, 7, b, 4), 4);
    assert_int_equal(net_counters.arp_queue_full, 60 - 48);
    sim_clear();
    uint8_t f[64];
    net_rx(0, f, sim_arp(f, 2, sim_our_mac, sim_peer_mac, SIM_PEER_IP, SIM_OUR_IP));
    assert_int_equal(sim_nframes, 48);
}

static void test_gratuitous_and_spoof(void **state)
{
    (void)state;
    net_arp_announce(0);
    assert_int_equal(sim_nframes, 1);
    const uint8_t *g = sim_frames[0].data;
    assert_memory_equal(g, sim_bcast, 6);
    assert_int_equal(sim_get32(g + 14 + 14), SIM_OUR_IP);
    assert_int_equal(sim_get32(g + 14 + 24), SIM_OUR_IP);

    /* Someone claims 10.0.0.2: counted, defended once, and not learned. */
    sim_clear();
    uint8_t f[64];
    for (int i = 0; i < 3; i++)
        net_rx(0, f, sim_arp(f, 2, sim_bcast, sim_peer_mac, SIM_OUR_IP, SIM_OUR_IP));
    assert_int_equal(net_counters.arp_spoof, 3);
    assert_int_equal(sim_nframes, 1);
    assert_int_equal(sim_get32(sim_frames[0].data + 14 + 14), SIM_OUR_IP);
    assert_memory_equal(sim_frames[0].data + 14 + 8, sim_our_mac, 6);
    sim_time += 10 * SIM_SEC;
    net_rx(0, f, sim_arp(f, 2, sim_bcast, sim_peer_mac, SIM_OUR_IP, SIM_OUR_IP));
    assert_int_equal(sim_nframes, 2);

    /* Our second NIC's announcement heard by the first is no spoof. */
    const uint8_t mac2[6] = {0x52, 0x54, 0, 0, 0, 2};
    assert_int_equal(net_if_attach(1, mac2, 0), 0);
    assert_int_equal(net_if_configure(1, NET_IPV4(10, 0, 1, 2), 24, 0), 0);
    net_rx(0, f, sim_arp(f, 1, sim_bcast, mac2, NET_IPV4(10, 0, 1, 2), NET_IPV4(10, 0, 1, 2)));
    assert_int_equal(net_counters.arp_spoof, 4);
    assert_int_equal(sim_nframes, 2);
}

static void test_bad_frames_are_counted(void **state)
{
    (void)state;
    uint8_t f[1600] = {0};
    net_rx(0, f, 10);
    assert_int_equal(net_counters.eth_truncated, 1);
    net_rx(0, f, 1515);
    assert_int_equal(net_counters.eth_too_long, 1);
    size_t n = sim_arp(f, 1, sim_bcast, sim_peer_mac, SIM_PEER_IP, SIM_OUR_IP);
    memset(f, 0x02, 6); /* someone else's unicast */
    net_rx(0, f, n);
    assert_int_equal(net_counters.eth_not_for_us, 1);
    n = sim_eth(f, sim_our_mac, sim_peer_mac, 0x86dd);
    net_rx(0, f, 60);
    assert_int_equal(net_counters.eth_unknown_type, 1);
    net_rx(5, f, 60);
    assert_int_equal(net_counters.eth_no_interface, 1);
    n = sim_arp(f, 1, sim_bcast, sim_peer_mac, SIM_PEER_IP, SIM_OUR_IP);
    net_rx(0, f, 14 + 27);
    assert_int_equal(net_counters.arp_truncated, 1);
    f[14 + 1] = 0x86; /* protocol type */
    net_rx(0, f, n);
    f[14 + 1] = 0x00;
    f[14 + 7] = 9; /* opcode */
    net_rx(0, f, n);
    assert_int_equal(net_counters.arp_bad, 2);
    assert_int_equal(sim_nframes, 0);
    assert_int_equal(net_counters_drops(), 8);
}

static void emit_count(void *ctx, const char *name, uint64_t value, bool is_drop)
{
    (void)name;
    (void)value;
    int *counts = ctx;
    counts[is_drop]++;
}

static void test_counter_enumeration(void **state)
{
    (void)state;
    int counts[2] = {0, 0};
    net_counters_foreach(emit_count, counts);
    assert_int_equal(counts[0] + counts[1], sizeof(struct net_counters) / sizeof(uint64_t));
    assert_true(counts[1] > 30);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_reply_to_request_for_our_address, sim_setup),
        cmocka_unit_test_setup(test_resolution_queues_then_flushes, sim_setup),
        cmocka_unit_test_setup(test_multicast_and_broadcast_need_no_resolution, sim_setup),
        cmocka_unit_test_setup(test_cache_expires, sim_setup),
        cmocka_unit_test_setup(test_unanswered_requests_give_up, sim_setup),
        cmocka_unit_test_setup(test_pending_queue_is_bounded, sim_setup),
        cmocka_unit_test_setup(test_gratuitous_and_spoof, sim_setup),
        cmocka_unit_test_setup(test_bad_frames_are_counted, sim_setup),
        cmocka_unit_test_setup(test_counter_enumeration, sim_setup),
    };
    return cmocka_run_group_tests(tests, NULL, sim_teardown);
}
