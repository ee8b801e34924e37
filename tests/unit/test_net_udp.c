/* Unit tests of UDP: echo through the API, binding rules, queues, ICMP errors and counters. */
#include "net_sim.h"

static uint8_t frame[NET_ETH_HLEN + NET_ETH_MAX_PAYLOAD];
static uint8_t buf_a[4096], buf_b[4096], dgram[2048];
static int notified;

static void count_notify(struct udp_endpoint *ep)
{
    (void)ep;
    notified++;
}

static void peer_send(uint32_t dst, uint16_t sport, uint16_t dport, const void *data, size_t len)
{
    size_t n = sim_udp(dgram, SIM_PEER_IP, dst, sport, dport, data, len);
    net_rx(0, frame, sim_ip(frame, SIM_PEER_IP, dst, 17, 1, 0, dgram, n));
}

static void test_echo_through_the_api(void **state)
{
    (void)state;
    sim_learn_peer();
    struct udp_endpoint ep;
    udp_endpoint_init(&ep, buf_a, sizeof(buf_a));
    ep.notify = count_notify;
    notified = 0;
    assert_int_equal(udp_bind(&ep, 0, 7), 0);
    peer_send(SIM_OUR_IP, 40000, 7, "hello", 5);
    assert_int_equal(notified, 1);
    struct udp_datagram_info info;
    assert_true(udp_peek(&ep, &info));
    assert_int_equal(info.src_addr, SIM_PEER_IP);
    assert_int_equal(info.src_port, 40000);
    assert_int_equal(info.dst_addr, SIM_OUR_IP);
    assert_int_equal(info.dev, 0);
    assert_int_equal(udp_copy_at(&ep, 0, NULL, 0), 0);
    char text[8] = {0};
    assert_int_equal(udp_copy_at(&ep, 1, text, 3), 3);
    assert_string_equal(text, "ell");
    udp_copy_at(&ep, 0, text, sizeof(text));
    udp_pop(&ep);
    /* Echo it back in two odd-sized pieces: the checksum must still be right. */
    struct net_iov iov[2] = {{text, 3}, {text + 3, 2}};
    assert_int_equal(udp_sendv(&ep, info.src_addr, info.src_port, iov, 2), 5);
    assert_int_equal(sim_nframes, 1);
    const uint8_t *h = sim_frames[0].data + 14;
    assert_int_equal(sim_get32(h + 12), SIM_OUR_IP);
    const uint8_t *u = h + 20;
    assert_int_equal(sim_get16(u), 7);
    assert_int_equal(sim_get16(u + 2), 40000);
    assert_int_equal(sim_csum(sim_pseudo(SIM_OUR_IP, SIM_PEER_IP, 17, 13), u, 13), 0);
    assert_memory_equal(u + 8, "hello", 5);
    assert_int_equal(net_counters_drops(), 0);
    udp_close(&ep);
}

static void test_binding_rules(void **state)
{
    (void)state;
    struct udp_endpoint a, b, c;
    udp_endpoint_init(&a, buf_a, sizeof(buf_a));
    udp_endpoint_init(&b, buf_b, sizeof(buf_b));
    udp_endpoint_init(&c, NULL, 0);
    assert_int_equal(udp_bind(&a, 0, 53), 0);
    assert_int_equal(udp_bind(&a, 0, 54), -EINVAL);
    assert_int_equal(udp_bind(&b, SIM_OUR_IP, 53), -EADDRINUSE);
    assert_int_equal(udp_bind(&b, NET_IPV4(10, 9, 9, 9), 53), -EADDRNOTAVAIL);
    udp_close(&a);
    udp_endpoint_init(&a, buf_a, sizeof(buf_a));
    a.reuse_addr = b.reuse_addr = true;
    assert_int_equal(udp_bind(&a, 0, 53), 0);
    assert_int_equal(udp_bind(&b, SIM_OUR_IP, 53), 0);
    /* The more specific binding wins. */
    peer_send(SIM_OUR_IP, 1000, 53, "x", 1);
    assert_int_equal(b.rx_count, 1);
    assert_int_equal(a.rx_count, 0);
    /* Ephemeral ports are distinct and in Linux's range. */
    assert_int_equal(udp_bind(&c, 0, 0), 0);
    assert_true(c.local_port >= UDP_EPHEMERAL_LOW && c.local_port <= UDP_EPHEMERAL_HIGH);
    struct udp_endpoint d;
    udp_endpoint_init(&d, NULL, 0);
    assert_int_equal(udp_bind(&d, 0, 0), 0);
    assert_int_not_equal(d.local_port, c.local_port);
    udp_close(&a);
    udp_close(&b);
    udp_close(&c);
    udp_close(&d);
}

static void test_reuseport_group_shares_by_peer(void **state)
{
    (void)state;
    static uint8_t bufs[4][16384];
    struct udp_endpoint eps[4];
    for (int i = 0; i < 4; i++) {
        udp_endpoint_init(&eps[i], bufs[i], sizeof(bufs[i]));
        eps[i].reuse_port = true;
        assert_int_equal(udp_bind(&eps[i], 0, 8053), 0);
    }
    for (uint16_t port = 1000; port < 1400; port++) {
        peer_send(SIM_OUR_IP, port, 8053, "q", 1);
        peer_send(SIM_OUR_IP, port, 8053, "q", 1);
    }
    unsigned total = 0;
    for (int i = 0; i < 4; i++) {
        assert_true(eps[i].rx_count > 40);        /* every member gets a share */
        assert_int_equal(eps[i].rx_count % 2, 0); /* a peer always lands on the same one */
        total += eps[i].rx_count;
    }
    assert_int_equal(total, 800);
    struct udp_endpoint other;
    udp_endpoint_init(&other, NULL, 0);
    assert_int_equal(udp_bind(&other, 0, 8053), -EADDRINUSE);
    for (int i = 0; i < 4; i++)
        udp_close(&eps[i]);
}

static void test_connected_endpoint(void **state)
{
    (void)state;
    struct udp_endpoint any, conn;
    udp_endpoint_init(&any, buf_a, sizeof(buf_a));
    udp_endpoint_init(&conn, buf_b, sizeof(buf_b));
    any.reuse_addr = conn.reuse_addr = true;
    assert_int_equal(udp_bind(&any, 0, 5000), 0);
    assert_int_equal(udp_bind(&conn, 0, 5000), 0);
    assert_int_equal(udp_connect(&conn, SIM_PEER_IP, 6000), 0);
    assert_int_equal(conn.local_addr, SIM_OUR_IP);
    peer_send(SIM_OUR_IP, 6000, 5000, "a", 1);
    peer_send(SIM_OUR_IP, 6001, 5000, "b", 1);
    assert_int_equal(conn.rx_count, 1);
    assert_int_equal(any.rx_count, 1);
    assert_int_equal(udp_connect(&conn, NET_IPV4(1, 2, 3, 4), 1), -ENETUNREACH);
    /* An unconnected endpoint has no default destination. */
    struct net_iov iov = {"z", 1};
    assert_int_equal(udp_sendv(&any, 0, 0, &iov, 1), -EDESTADDRREQ);
    udp_close(&any);
    udp_close(&conn);
}

static void test_queue_bounds_and_wrap(void **state)
{
    (void)state;
    struct udp_endpoint ep;
    static uint8_t small[1000];
    udp_endpoint_init(&ep, small, sizeof(small));
    assert_int_equal(udp_bind(&ep, 0, 9), 0);
    uint8_t data[300];
    unsigned sent = 0, popped = 0, last = 0;
    /* Push and pop in a pattern that wraps the ring many times; order and contents hold. */
    for (unsigned round = 0; round < 50; round++) {
        for (int k = 0; k < 3; k++) {
            memset(data, (int)(sent & 0xff), sizeof(data));
            size_t len = 100 + (sent * 37) % 200;
            peer_send(SIM_OUR_IP, 1, 9, data, len);
            sent++;
        }
        while (ep.rx_count > (round & 1)) {
            struct udp_datagram_info info;
            assert_true(udp_peek(&ep, &info));
            uint8_t out[300];
            assert_int_equal(udp_copy_at(&ep, 0, out, sizeof(out)), info.len);
            /* Datagram k is filled with k and is 100 + k*37%200 long: in order, intact. */
            assert_true(popped == 0 || out[0] > last);
            last = out[0];
            assert_int_equal(info.len, 100 + (out[0] * 37) % 200);
            assert_int_equal(out[info.len - 1], out[0]);
            udp_pop(&ep);
            popped++;
        }
    }
    /* What did not fit was counted, never corrupted. */
    assert_int_equal(sent, popped + ep.rx_count + net_counters.udp_rcvbuf_full);
    assert_true(net_counters.udp_rcvbuf_full > 0);
    udp_close(&ep);
}

static void test_closed_port_and_rate_limit(void **state)
{
    (void)state;
    sim_learn_peer();
    peer_send(SIM_OUR_IP, 1234, 999, "ping", 4);
    assert_int_equal(net_counters.udp_no_port, 1);
    assert_int_equal(sim_nframes, 1);
    const uint8_t *h = sim_frames[0].data + 14;
    assert_int_equal(h[9], 1);
    const uint8_t *icmp = h + 20;
    size_t icmp_len = sim_get16(h + 2) - 20;
    assert_int_equal(icmp[0], 3);
    assert_int_equal(icmp[1], 3);
    assert_int_equal(sim_csum(0, icmp, icmp_len), 0);
    assert_int_equal(sim_get32(icmp + 8 + 12), SIM_PEER_IP); /* the quoted header */
    assert_int_equal(sim_get16(icmp + 8 + 20 + 2), 999);
    /* A flood is answered at the burst, then at 1000 per second. */
    sim_clear();
    for (int i = 0; i < 200; i++)
        peer_send(SIM_OUR_IP, 1234, 999, "x", 1);
    assert_int_equal(sim_nframes, 49);
    assert_int_equal(net_counters.icmp_rate_limited, 151);
    sim_time += SIM_SEC / 100;
    sim_clear();
    for (int i = 0; i < 20; i++)
        peer_send(SIM_OUR_IP, 1234, 999, "x", 1);
    assert_int_equal(sim_nframes, 10);
    /* A broadcast to a closed port is dropped without an answer. */
    sim_clear();
    uint8_t f[200];
    size_t n =
        sim_udp(dgram, SIM_PEER_IP, NET_IPV4(10, 0, 0, 255), 1, 999, (const uint8_t *)"b", 1);
    n = sim_ip(f, SIM_PEER_IP, NET_IPV4(10, 0, 0, 255), 17, 1, 0, dgram, n);
    net_rx(0, f, n);
    assert_int_equal(sim_nframes, 0);
    assert_int_equal(net_counters.udp_no_port, 222);
}

static void test_icmp_errors_reach_the_endpoint(void **state)
{
    (void)state;
    sim_learn_peer();
    struct udp_endpoint ep;
    udp_endpoint_init(&ep, buf_a, sizeof(buf_a));
    ep.notify = count_notify;
    notified = 0;
    assert_int_equal(udp_connect(&ep, SIM_PEER_IP, 53), 0);
    struct net_iov iov = {"q", 1};
    assert_int_equal(udp_sendv(&ep, 0, 0, &iov, 1), 1);
    /* The peer answers with port unreachable quoting our datagram, then frag needed. */
    const uint8_t *sent = sim_frames[0].data + 14;
    uint8_t icmp[8 + 28];
    for (int code = 3; code <= 4; code++) {
        memset(icmp, 0, sizeof(icmp));
        icmp[0] = 3;
        icmp[1] = (uint8_t)code;
        if (code == 4)
            sim_put16(icmp + 6, 576);
        memcpy(icmp + 8, sent, 28);
        sim_put16(icmp + 2, sim_csum(0, icmp, sizeof(icmp)));
        net_rx(0, frame, sim_ip(frame, SIM_PEER_IP, SIM_OUR_IP, 1, 9, 0, icmp, sizeof(icmp)));
        assert_int_equal(udp_take_error(&ep), code == 3 ? -ECONNREFUSED : -EMSGSIZE);
    }
    assert_int_equal(ep.error_info, 576);
    assert_int_equal(udp_take_error(&ep), 0);
    assert_int_equal(notified, 2);
    assert_int_equal(net_counters.icmp_errors_reported, 2);
    udp_close(&ep);
    /* About a port nobody uses any more: ignored. */
    net_rx(0, frame, sim_ip(frame, SIM_PEER_IP, SIM_OUR_IP, 1, 9, 0, icmp, sizeof(icmp)));
    assert_int_equal(net_counters.icmp_ignored, 1);
}

static void test_bad_datagrams_are_counted(void **state)
{
    (void)state;
    struct udp_endpoint ep;
    udp_endpoint_init(&ep, buf_a, sizeof(buf_a));
    assert_int_equal(udp_bind(&ep, 0, 9), 0);
    size_t n = sim_udp(dgram, SIM_PEER_IP, SIM_OUR_IP, 1, 9, (const uint8_t *)"data", 4);
    net_rx(0, frame, sim_ip(frame, SIM_PEER_IP, SIM_OUR_IP, 17, 1, 0, dgram, 7));
    assert_int_equal(net_counters.udp_truncated, 1);
    sim_put16(dgram + 4, 13);
    net_rx(0, frame, sim_ip(frame, SIM_PEER_IP, SIM_OUR_IP, 17, 1, 0, dgram, n));
    sim_put16(dgram + 4, 7);
    net_rx(0, frame, sim_ip(frame, SIM_PEER_IP, SIM_OUR_IP, 17, 1, 0, dgram, n));
    assert_int_equal(net_counters.udp_bad_length, 2);
    sim_put16(dgram + 4, 12);
    dgram[8] ^= 1;
    net_rx(0, frame, sim_ip(frame, SIM_PEER_IP, SIM_OUR_IP, 17, 1, 0, dgram, n));
    assert_int_equal(net_counters.udp_bad_checksum, 1);
    assert_int_equal(ep.rx_count, 0);
    /* No checksum at all is allowed over IPv4. */
    sim_put16(dgram + 6, 0);
    net_rx(0, frame, sim_ip(frame, SIM_PEER_IP, SIM_OUR_IP, 17, 1, 0, dgram, n));
    assert_int_equal(ep.rx_count, 1);
    assert_int_equal(net_counters_drops(), 4);
    udp_close(&ep);
}

static void test_broadcast_and_loopback(void **state)
{
    (void)state;
    struct udp_endpoint a, b;
    udp_endpoint_init(&a, buf_a, sizeof(buf_a));
    udp_endpoint_init(&b, buf_b, sizeof(buf_b));
    a.reuse_addr = b.reuse_addr = true;
    assert_int_equal(udp_bind(&a, 0, 67), 0);
    assert_int_equal(udp_bind(&b, 0, 67), 0);
    peer_send(NET_IP_BROADCAST, 68, 67, "dhcp", 4);
    assert_int_equal(a.rx_count, 1);
    assert_int_equal(b.rx_count, 1);
    /* To our own address: delivered without touching the link. */
    sim_clear();
    assert_int_equal(udp_send(0, 4444, SIM_OUR_IP, 67, "self", 4), 4);
    assert_int_equal(sim_nframes, 0);
    struct udp_endpoint *to = udp_lookup(SIM_OUR_IP, 67, SIM_OUR_IP, 4444);
    assert_non_null(to);
    assert_int_equal(to->rx_count, 2);
    udp_close(&a);
    udp_close(&b);
    /* To a closed local port: nothing loops forever, the drop is counted. */
    assert_int_equal(udp_send(0, 4444, NET_IPV4(127, 0, 0, 1), 67, "x", 1), 1);
    assert_int_equal(net_counters.udp_no_port, 1);
}

/* Random sizes up to the largest datagram, fragmented by the peer at random sizes and sent in a
 * shuffled order; every one is echoed through the API and comes back whole. */
static void test_random_echo_with_fragments(void **state)
{
    (void)state;
    static uint8_t rxbuf[140000], data[UDP_MAX_PAYLOAD], wire[NET_IP_MAX_LEN], back[70000];
    static unsigned order[8192];
    sim_learn_peer();
    struct udp_endpoint ep;
    udp_endpoint_init(&ep, rxbuf, sizeof(rxbuf));
    assert_int_equal(udp_bind(&ep, 0, 7), 0);
    srand(12345);
    for (unsigned round = 0; round < 200; round++) {
        size_t len = round < 3 ? (size_t[]){0, 1, UDP_MAX_PAYLOAD}[round]
                               : (size_t)rand() % (UDP_MAX_PAYLOAD + 1);
        for (size_t i = 0; i < len; i++)
            data[i] = (uint8_t)rand();
        size_t n = sim_udp(wire, SIM_PEER_IP, SIM_OUR_IP, 3333, 7, data, len);
        size_t piece = 8 * (1 + (size_t)rand() % 185);
        unsigned count = (unsigned)((n + piece - 1) / piece);
        for (unsigned i = 0; i < count; i++)
            order[i] = i;
        for (unsigned i = count; i > 1; i--) {
            unsigned j = (unsigned)rand() % i, t = order[i - 1];
            order[i - 1] = order[j];
            order[j] = t;
        }
        for (unsigned k = 0; k < count; k++) {
            size_t off = order[k] * piece;
            size_t m = n - off < piece ? n - off : piece;
            uint16_t frag = count == 1 ? 0 : (uint16_t)((off + m < n ? 0x2000 : 0) | (off / 8));
            net_rx(
                0, frame,
                sim_ip(frame, SIM_PEER_IP, SIM_OUR_IP, 17, (uint16_t)round, frag, wire + off, m));
        }
        struct udp_datagram_info info;
        assert_true(udp_peek(&ep, &info));
        assert_int_equal(info.len, len);
        assert_int_equal(udp_copy_at(&ep, 0, back, sizeof(back)), len);
        udp_pop(&ep);
        sim_clear();
        struct net_iov iov = {back, len};
        assert_int_equal(udp_sendv(&ep, info.src_addr, info.src_port, &iov, 1), (int)len);
        size_t got = sim_collect_ip(0, sim_nframes, wire, 1500);
        assert_int_equal(got, 8 + len);
        assert_int_equal(
            sim_csum(sim_pseudo(SIM_OUR_IP, SIM_PEER_IP, 17, (uint16_t)got), wire, got), 0);
        assert_memory_equal(wire + 8, data, len);
    }
    assert_int_equal(net_counters_drops(), 0);
    udp_close(&ep);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_echo_through_the_api, sim_setup),
        cmocka_unit_test_setup(test_binding_rules, sim_setup),
        cmocka_unit_test_setup(test_reuseport_group_shares_by_peer, sim_setup),
        cmocka_unit_test_setup(test_connected_endpoint, sim_setup),
        cmocka_unit_test_setup(test_queue_bounds_and_wrap, sim_setup),
        cmocka_unit_test_setup(test_closed_port_and_rate_limit, sim_setup),
        cmocka_unit_test_setup(test_icmp_errors_reach_the_endpoint, sim_setup),
        cmocka_unit_test_setup(test_bad_datagrams_are_counted, sim_setup),
        cmocka_unit_test_setup(test_broadcast_and_loopback, sim_setup),
        cmocka_unit_test_setup(test_random_echo_with_fragments, sim_setup),
    };
    return cmocka_run_group_tests(tests, NULL, sim_teardown);
}
