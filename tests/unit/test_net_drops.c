/* Every drop counter of the network stack is driven by one crafted frame (or send), and that
 * frame moves exactly that counter and no other drop counter. */
#include "net_drops_tcp.h"
#include "net_sim.h"

static uint8_t f[NET_ETH_HLEN + NET_ETH_MAX_PAYLOAD], u[2048];
static uint8_t rx_small[512];
static struct udp_endpoint ep;

static void send_udp(uint16_t dport, const void *data, size_t len)
{
    size_t n = sim_udp(u, SIM_PEER_IP, SIM_OUR_IP, 1000, dport, data, len);
    net_rx(0, f, sim_ip(f, SIM_PEER_IP, SIM_OUR_IP, 17, 1, 0, u, n));
}

static void send_frag(uint16_t id, uint16_t frag, size_t len)
{
    static const uint8_t zeros[1600];
    net_rx(0, f, sim_ip(f, SIM_PEER_IP, SIM_OUR_IP, 17, id, frag, zeros, len));
}

/* A valid ping whose IPv4 header byte `at` is then set to v (checksum repaired when fix). */
static void send_bad_ip(size_t at, uint8_t v, bool fix, size_t cut)
{
    uint8_t echo[64];
    size_t n = sim_ip(f, SIM_PEER_IP, SIM_OUR_IP, 1, 1, 0, echo, sim_echo(echo, 1, 1, 20));
    uint8_t *h = f + 14;
    h[at] = v;
    if (fix) {
        sim_put16(h + 10, 0);
        sim_put16(h + 10, sim_csum(0, h, 20));
    }
    net_rx(0, f, n - cut);
}

static void eth_truncated(void)
{
    net_rx(0, f, 13);
}
static void eth_too_long(void)
{
    sim_eth(f, sim_our_mac, sim_peer_mac, 0x0800);
    net_rx(0, f, 1515);
}
static void eth_not_for_us(void)
{
    sim_eth(f, sim_peer_mac, sim_peer_mac, 0x0800);
    net_rx(0, f, 60);
}
static void eth_unknown_type(void)
{
    sim_eth(f, sim_our_mac, sim_peer_mac, 0x86dd);
    net_rx(0, f, 60);
}
static void eth_no_interface(void)
{
    net_rx(7, f, 60);
}
static void arp_truncated(void)
{
    net_rx(0, f, sim_arp(f, 1, sim_bcast, sim_peer_mac, SIM_PEER_IP, SIM_OUR_IP) - 1);
}
static void arp_bad(void)
{
    size_t n = sim_arp(f, 1, sim_bcast, sim_peer_mac, SIM_PEER_IP, SIM_OUR_IP);
    f[14 + 4] = 8; /* hardware address length */
    net_rx(0, f, n);
}
static void arp_not_for_us(void)
{
    net_rx(0, f,
           sim_arp(f, 1, sim_bcast, sim_peer_mac, NET_IPV4(10, 0, 0, 50), NET_IPV4(10, 0, 0, 51)));
}
static void arp_spoof(void)
{
    net_rx(0, f, sim_arp(f, 2, sim_bcast, sim_peer_mac, SIM_OUR_IP, SIM_OUR_IP));
}
static void arp_queue_full_setup(void)
{
    for (int i = 0; i < 48; i++)
        udp_send(0, 1, NET_IPV4(10, 0, 0, 77), 2, "x", 1);
}
static void arp_queue_full(void)
{
    udp_send(0, 1, NET_IPV4(10, 0, 0, 77), 2, "x", 1);
}
static void arp_unresolved(void)
{
    udp_send(0, 1, NET_IPV4(10, 0, 0, 77), 2, "x", 1);
    for (int i = 0; i < 3; i++) {
        sim_time += SIM_SEC;
        net_poll(sim_time);
    }
}
static void ip_truncated(void)
{
    send_bad_ip(3, 200, true, 0); /* total length beyond the frame */
}
static void ip_bad_version(void)
{
    send_bad_ip(0, 0x65, true, 0);
}
static void ip_bad_ihl(void)
{
    send_bad_ip(0, 0x43, false, 0);
}
static void ip_bad_length(void)
{
    send_bad_ip(3, 10, true, 0);
}
static void ip_bad_checksum(void)
{
    send_bad_ip(8, 3, false, 0);
}
static void ip_bad_source(void)
{
    send_bad_ip(12, 127, true, 0);
}
static void ip_not_for_us(void)
{
    send_bad_ip(19, 99, true, 0);
}
static void ip_unknown_protocol(void)
{
    send_bad_ip(9, 47, true, 0); /* GRE */
}
static void ip_no_route(void)
{
    udp_send(0, 1, NET_IPV4(192, 0, 2, 1), 2, "x", 1);
}
static void ip_too_big(void)
{
    static uint8_t big[65508];
    udp_send(0, 1, SIM_PEER_IP, 2, big, sizeof(big));
}
static void frag_overlap_setup(void)
{
    send_frag(5, 0x2000, 16);
}
static void frag_overlap(void)
{
    send_frag(5, 0x2001, 16);
}
static void frag_too_big(void)
{
    send_frag(5, 0x2000 | 8189, 16);
}
static void frag_bad_length(void)
{
    send_frag(5, 0x2000, 15);
}
static void frag_timeout(void)
{
    send_frag(5, 0x2000, 16);
    sim_time += 30 * SIM_SEC;
    net_poll(sim_time);
}
static void frag_evicted_setup(void)
{
    for (uint16_t id = 10; id < 14; id++)
        send_frag(id, 0x2000, 16);
}
static void frag_evicted(void)
{
    send_frag(20, 0x2000, 16);
}
static void icmp_truncated(void)
{
    net_rx(0, f, sim_ip(f, SIM_PEER_IP, SIM_OUR_IP, 1, 1, 0, (const uint8_t *)"\x08\0\xf7", 3));
}
static void icmp_bad_checksum(void)
{
    uint8_t echo[64];
    size_t n = sim_echo(echo, 1, 1, 20);
    echo[2] ^= 1;
    net_rx(0, f, sim_ip(f, SIM_PEER_IP, SIM_OUR_IP, 1, 1, 0, echo, n));
}
static void icmp_ignored(void)
{
    uint8_t t[8] = {13}; /* timestamp request */
    sim_put16(t + 2, sim_csum(0, t, 8));
    net_rx(0, f, sim_ip(f, SIM_PEER_IP, SIM_OUR_IP, 1, 1, 0, t, 8));
}
static void icmp_rate_limited_setup(void)
{
    for (int i = 0; i < 50; i++)
        send_udp(999, "x", 1);
}
static void icmp_rate_limited(void)
{
    /* The closed port counts too: the expected extra drop is declared in the table. */
    send_udp(999, "x", 1);
}
static void udp_truncated(void)
{
    net_rx(0, f, sim_ip(f, SIM_PEER_IP, SIM_OUR_IP, 17, 1, 0, (const uint8_t *)"abcdefg", 7));
}
static void udp_bad_length(void)
{
    size_t n = sim_udp(u, SIM_PEER_IP, SIM_OUR_IP, 1000, 9, (const uint8_t *)"abc", 3);
    sim_put16(u + 4, 12);
    net_rx(0, f, sim_ip(f, SIM_PEER_IP, SIM_OUR_IP, 17, 1, 0, u, n));
}
static void udp_bad_checksum(void)
{
    size_t n = sim_udp(u, SIM_PEER_IP, SIM_OUR_IP, 1000, 9, (const uint8_t *)"abc", 3);
    u[8] ^= 1;
    net_rx(0, f, sim_ip(f, SIM_PEER_IP, SIM_OUR_IP, 17, 1, 0, u, n));
}
static void udp_no_port(void)
{
    send_udp(999, "x", 1);
}
static void udp_rcvbuf_full(void)
{
    uint8_t data[600] = {0};
    send_udp(9, data, sizeof(data));
}

struct drop_case {
    const char *counter;
    void (*setup)(void);
    void (*action)(void);
    const char *also; /* a second drop counter the action moves on purpose, or NULL */
};

#define CASE(name)                                                                                 \
    {                                                                                              \
#name, NULL, name, NULL                                                                    \
    }
#define CASE_SETUP(name)                                                                           \
    {                                                                                              \
#name, name##_setup, name, NULL                                                            \
    }
static const struct drop_case cases[] = {
    CASE(eth_truncated),
    CASE(eth_too_long),
    CASE(eth_not_for_us),
    CASE(eth_unknown_type),
    CASE(eth_no_interface),
    CASE(arp_truncated),
    CASE(arp_bad),
    CASE(arp_not_for_us),
    CASE(arp_spoof),
    CASE_SETUP(arp_queue_full),
    CASE(arp_unresolved),
    CASE(ip_truncated),
    CASE(ip_bad_version),
    CASE(ip_bad_ihl),
    CASE(ip_bad_length),
    CASE(ip_bad_checksum),
    CASE(ip_bad_source),
    CASE(ip_not_for_us),
    CASE(ip_unknown_protocol),
    CASE(ip_no_route),
    CASE(ip_too_big),
    CASE_SETUP(frag_overlap),
    CASE(frag_too_big),
    CASE(frag_bad_length),
    CASE(frag_timeout),
    CASE_SETUP(frag_evicted),
    CASE(icmp_truncated),
    CASE(icmp_bad_checksum),
    CASE(icmp_ignored),
    {"icmp_rate_limited", icmp_rate_limited_setup, icmp_rate_limited, "udp_no_port"},
    CASE(udp_truncated),
    CASE(udp_bad_length),
    CASE(udp_bad_checksum),
    CASE(udp_no_port),
    CASE(udp_rcvbuf_full),
    TCP_DROP_CASES,
};

struct snapshot {
    unsigned n;
    const char *name[128];
    uint64_t value[128];
    bool is_drop[128];
};

static void take(void *ctx, const char *name, uint64_t value, bool is_drop)
{
    struct snapshot *s = ctx;
    assert_true(s->n < 128);
    s->name[s->n] = name;
    s->value[s->n] = value;
    s->is_drop[s->n] = is_drop;
    s->n++;
}

static void test_each_drop_counter(void **state)
{
    (void)state;
    for (unsigned c = 0; c < ARRAY_SIZE(cases); c++) {
        sim_setup_mtu(1500);
        sim_learn_peer();
        udp_endpoint_init(&ep, rx_small, sizeof(rx_small));
        assert_int_equal(udp_bind(&ep, 0, 9), 0);
        if (cases[c].setup)
            cases[c].setup();
        struct snapshot before = {0}, after = {0};
        net_counters_foreach(take, &before);
        cases[c].action();
        net_counters_foreach(take, &after);
        for (unsigned i = 0; i < after.n; i++) {
            if (!after.is_drop[i])
                continue;
            bool expected = strcmp(after.name[i], cases[c].counter) == 0 ||
                            (cases[c].also && strcmp(after.name[i], cases[c].also) == 0);
            uint64_t delta = after.value[i] - before.value[i];
            if (delta != (expected ? 1u : 0u))
                fail_msg("case %s: counter %s moved by %llu", cases[c].counter, after.name[i],
                         (unsigned long long)delta);
        }
        udp_close(&ep);
    }
}

static void test_every_drop_counter_has_a_case(void **state)
{
    (void)state;
    struct snapshot all = {0};
    net_counters_foreach(take, &all);
    for (unsigned i = 0; i < all.n; i++) {
        if (!all.is_drop[i])
            continue;
        bool found = false;
        for (unsigned c = 0; c < ARRAY_SIZE(cases) && !found; c++)
            found = strcmp(cases[c].counter, all.name[i]) == 0;
        if (!found)
            fail_msg("drop counter %s has no crafted frame", all.name[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_drop_counter),
        cmocka_unit_test(test_every_drop_counter_has_a_case),
    };
    return cmocka_run_group_tests(tests, NULL, sim_teardown);
}
