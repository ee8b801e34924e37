/* Unit tests of the network boot keys' values (kernel/net/netconfig.c): every error message,
 * overrides, and what applying them does to the stack (addresses, MTU, routes, gratuitous ARP). */
#include "net_sim.h"

#include "atoll/netconfig.h"

static struct net_config cfg;
static char err[256];

#define KEYS(...)  ((const char *const[]){__VA_ARGS__})
#define NKEYS(...) ((int)(sizeof(KEYS(__VA_ARGS__)) / sizeof(const char *)))
#define PARSE(...) net_config_parse(&cfg, KEYS(__VA_ARGS__), NKEYS(__VA_ARGS__), err, sizeof(err))

/* A fresh stack with `nics` unconfigured NICs of MTU 1500 (the last one 9000). */
static void fresh_stack(unsigned nics)
{
    sim_setup_mtu(1500);
    net_init(&sim_hooks);
    for (unsigned i = 0; i < nics; i++)
        assert_int_equal(net_if_attach(i, sim_our_mac, i + 1 == nics && nics > 1 ? 9000 : 1500), 0);
    sim_clear();
}

static void parse_fails(const char *key, int rc, const char *message)
{
    assert_int_equal(net_config_parse(&cfg, &key, 1, err, sizeof(err)), rc);
    assert_string_equal(err, message);
}

static void test_every_parse_error(void **state)
{
    (void)state;
    static const struct {
        const char *key, *message;
    } cases[] = {
        {"net0=10.0.0.2", "net0=10.0.0.2: expected ADDR/PREFIX such as 10.0.0.2/24"},
        {"net0=10.0.0/24", "net0=10.0.0/24: expected ADDR/PREFIX such as 10.0.0.2/24"},
        {"net0=10.0.0.256/24", "net0=10.0.0.256/24: expected ADDR/PREFIX such as 10.0.0.2/24"},
        {"net0=10.0.0.2/33", "net0=10.0.0.2/33: expected ADDR/PREFIX such as 10.0.0.2/24"},
        {"net0=10.0.0.2/", "net0=10.0.0.2/: expected ADDR/PREFIX such as 10.0.0.2/24"},
        {"net0=10.0.0.2/24x", "net0=10.0.0.2/24x: expected ADDR/PREFIX such as 10.0.0.2/24"},
        {"net0=10.0.0.0002/24", "net0=10.0.0.0002/24: expected ADDR/PREFIX such as 10.0.0.2/24"},
        {"net0=-1.0.0.2/24", "net0=-1.0.0.2/24: expected ADDR/PREFIX such as 10.0.0.2/24"},
        {"net0=0.0.0.0/0", "net0=0.0.0.0/0: 0.0.0.0 is not a host address"},
        {"net1=127.0.0.2/8", "net1=127.0.0.2/8: a loopback address (127.0.0.0/8) is not a NIC's"},
        {"net0=224.0.0.1/24", "net0=224.0.0.1/24: a multicast address is not a host address"},
        {"net0=255.255.255.255/32",
         "net0=255.255.255.255/32: a reserved or broadcast address is not a host address"},
        {"net0=10.0.0.0/24", "net0=10.0.0.0/24: that is the subnet's own address, not a host's"},
        {"net0=10.0.0.255/24", "net0=10.0.0.255/24: that is the subnet's broadcast address"},
        {"net0.mtu=", "net0.mtu=: expected a value after '='"},
        {"net0.mtu=15x", "net0.mtu=15x: expected a number of bytes such as 1500"},
        {"net0.mtu=100000", "net0.mtu=100000: expected a number of bytes such as 1500"},
        {"net0.mtu=67", "net0.mtu=67: the MTU must be between 68 and 9000 bytes"},
        {"net0.mtu=9001", "net0.mtu=9001: the MTU must be between 68 and 9000 bytes"},
        {"gw=10.0.0", "gw=10.0.0: the gateway '10.0.0' is not an IPv4 address"},
        {"gw=0.0.0.0", "gw=0.0.0.0: the gateway: 0.0.0.0 is not a host address"},
        {"gw=239.1.1.1", "gw=239.1.1.1: the gateway: a multicast address is not a host address"},
        {"route=10.1.0.0/16", "route=10.1.0.0/16: expected route=DST/PREFIX,GATEWAY such as "
                              "192.168.0.0/16,10.0.0.1"},
        {"route=10.1.0.0,10.0.0.1", "route=10.1.0.0,10.0.0.1: expected route=DST/PREFIX,GATEWAY "
                                    "such as 192.168.0.0/16,10.0.0.1"},
        {"route=10.1.0.1/16,10.0.0.1",
         "route=10.1.0.1/16,10.0.0.1: the destination has bits set beyond its /16"},
        {"route=10.1.0.0/16,10.0.0.x",
         "route=10.1.0.0/16,10.0.0.x: the gateway '10.0.0.x' is not an IPv4 address"},
        {"route=10.1.0.0/16,", "route=10.1.0.0/16,: the gateway '' is not an IPv4 address"},
        {"route=10.1.0.0/16,127.0.0.1",
         "route=10.1.0.0/16,127.0.0.1: the gateway: a loopback address (127.0.0.0/8) is not a "
         "NIC's"},
        {"net8=10.0.0.2/24", "net8=10.0.0.2/24: not a network key (netN=, netN.mtu=, gw=, route=)"},
        {"mtu=1500", "mtu=1500: not a network key (netN=, netN.mtu=, gw=, route=)"},
        {"gw", "gw: expected a value after '='"},
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
        parse_fails(cases[i].key, -EINVAL, cases[i].message);
    /* Control bytes in a key never break the one-line message. */
    parse_fails("net0=1\n2", -EINVAL, "net0=1?2: expected ADDR/PREFIX such as 10.0.0.2/24");
}

static void test_later_keys_override(void **state)
{
    (void)state;
    assert_int_equal(PARSE("net0=10.0.0.2/24", "gw=10.0.0.1", "route=192.168.0.0/16,10.0.0.8",
                           "net0=10.0.1.5/16", "gw=10.0.0.9", "route=192.168.0.0/16,10.0.0.7",
                           "route=172.16.0.0/12,10.0.0.7", "net2.mtu=1400", "net2.mtu=576"),
                     0);
    assert_int_equal(cfg.ifs[0].addr, NET_IPV4(10, 0, 1, 5));
    assert_int_equal(cfg.ifs[0].prefix, 16);
    assert_null(cfg.ifs[0].mtu_key);
    assert_null(cfg.ifs[1].addr_key);
    assert_int_equal(cfg.ifs[2].mtu, 576);
    assert_null(cfg.ifs[2].addr_key);
    assert_int_equal(cfg.gateway.gw, NET_IPV4(10, 0, 0, 9));
    assert_int_equal(cfg.nroutes, 2);
    assert_int_equal(cfg.routes[0].gw, NET_IPV4(10, 0, 0, 7));
    assert_int_equal(cfg.routes[1].dst, NET_IPV4(172, 16, 0, 0));
    /* /31 and /32 have no subnet or broadcast address to refuse. */
    assert_int_equal(PARSE("net0=10.0.0.0/31", "net1=10.9.9.9/32"), 0);
}

static void test_route_limit(void **state)
{
    (void)state;
    static char keys[NET_MAX_ROUTES + 1][40];
    const char *list[NET_MAX_ROUTES + 1];
    for (int i = 0; i <= NET_MAX_ROUTES; i++) {
        snprintf(keys[i], sizeof(keys[i]), "route=10.%d.0.0/16,192.168.0.1", i + 1);
        list[i] = keys[i];
    }
    assert_int_equal(net_config_parse(&cfg, list, NET_MAX_ROUTES, err, sizeof(err)), 0);
    assert_int_equal(net_config_parse(&cfg, list, NET_MAX_ROUTES + 1, err, sizeof(err)), -E2BIG);
    assert_string_equal(err, "route=10.33.0.0/16,192.168.0.1: too many routes (at most 32)");
}

static void test_nothing_configured_by_default(void **state)
{
    (void)state;
    fresh_stack(1);
    assert_int_equal(net_config_parse(&cfg, NULL, 0, err, sizeof(err)), 0);
    assert_int_equal(net_config_apply(&cfg, err, sizeof(err)), 0);
    struct net_if_info info;
    assert_true(net_if_get(0, &info));
    assert_int_equal(info.addr, 0);
    assert_int_equal(info.mtu, 1500);
    assert_int_equal(sim_nframes, 0); /* no address, no announcement */
    struct net_route_result r;
    assert_int_equal(net_route_lookup(NET_IPV4(10, 0, 0, 1), &r), -ENETUNREACH);
}

static void test_apply_addresses_routes_and_announce(void **state)
{
    (void)state;
    fresh_stack(3);
    assert_int_equal(PARSE("net0=10.0.0.2/24", "net2=192.168.5.9/24", "net2.mtu=8000",
                           "net1.mtu=1400", "route=172.16.0.0/12,192.168.5.1", "gw=10.0.0.1"),
                     0);
    assert_int_equal(net_config_apply(&cfg, err, sizeof(err)), 0);
    struct net_if_info info;
    assert_true(net_if_get(0, &info));
    assert_int_equal(info.addr, NET_IPV4(10, 0, 0, 2));
    assert_int_equal(info.prefix, 24);
    assert_int_equal(info.mtu, 1500);
    assert_true(net_if_get(1, &info));
    assert_int_equal(info.addr, 0);
    assert_int_equal(info.mtu, 1400);
    assert_true(net_if_get(2, &info));
    assert_int_equal(info.addr, NET_IPV4(192, 168, 5, 9));
    assert_int_equal(info.mtu, 8000);

    struct net_route_result r;
    assert_int_equal(net_route_lookup(NET_IPV4(172, 20, 1, 1), &r), 0);
    assert_int_equal(r.dev, 2);
    assert_int_equal(r.next_hop, NET_IPV4(192, 168, 5, 1));
    assert_int_equal(net_route_lookup(NET_IPV4(8, 8, 8, 8), &r), 0);
    assert_int_equal(r.dev, 0);
    assert_int_equal(r.next_hop, NET_IPV4(10, 0, 0, 1));

    /* One gratuitous ARP per configured NIC (net0 and net2), broadcast, sender = target = ours. */
    assert_int_equal(sim_nframes, 2);
    const unsigned devs[2] = {0, 2};
    const uint32_t addrs[2] = {NET_IPV4(10, 0, 0, 2), NET_IPV4(192, 168, 5, 9)};
    for (unsigned i = 0; i < 2; i++) {
        const uint8_t *f = sim_frames[i].data;
        assert_int_equal(sim_frames[i].dev, devs[i]);
        assert_memory_equal(f, sim_bcast, 6);
        assert_int_equal(f[12] << 8 | f[13], 0x0806);
        uint32_t spa = (uint32_t)f[28] << 24 | f[29] << 16 | f[30] << 8 | f[31];
        uint32_t tpa = (uint32_t)f[38] << 24 | f[39] << 16 | f[40] << 8 | f[41];
        assert_int_equal(spa, addrs[i]);
        assert_int_equal(tpa, addrs[i]);
    }
}

static void apply_fails(int nics, const char *const *keys, int nkeys, int rc, const char *message)
{
    fresh_stack((unsigned)nics);
    assert_int_equal(net_config_parse(&cfg, keys, nkeys, err, sizeof(err)), 0);
    assert_int_equal(net_config_apply(&cfg, err, sizeof(err)), rc);
    assert_string_equal(err, message);
}

static void test_every_apply_error(void **state)
{
    (void)state;
    apply_fails(1, KEYS("net1=10.0.1.2/24"), 1, -ENODEV,
                "net1=10.0.1.2/24: there is no NIC net1 (this instance has 1)");
    apply_fails(0, KEYS("net0.mtu=1400"), 1, -ENODEV,
                "net0.mtu=1400: there is no NIC net0 (this instance has 0)");
    apply_fails(1, KEYS("net0.mtu=1600"), 1, -EINVAL,
                "net0.mtu=1600: above the device's MTU of 1500 bytes");
    apply_fails(1, KEYS("net0=10.0.0.2/24", "gw=10.0.1.1"), 2, -ENETUNREACH,
                "gw=10.0.1.1: the gateway is not in the subnet of any configured interface");
    apply_fails(1, KEYS("gw=10.0.1.1"), 1, -ENETUNREACH,
                "gw=10.0.1.1: the gateway is not in the subnet of any configured interface");
    apply_fails(1, KEYS("net0=10.0.0.2/24", "route=10.9.0.0/16,10.0.5.1"), 2, -ENETUNREACH,
                "route=10.9.0.0/16,10.0.5.1: the gateway is not in the subnet of any configured "
                "interface");
    /* A gateway reached only through another gateway is not a next hop. */
    apply_fails(1, KEYS("net0=10.0.0.2/24", "route=10.9.0.0/16,10.0.0.1", "gw=10.9.0.1"), 3,
                -ENETUNREACH,
                "gw=10.9.0.1: the gateway is not in the subnet of any configured interface");
    apply_fails(1, KEYS("net0=10.0.0.2/24", "route=0.0.0.0/0,10.0.0.1", "gw=10.0.0.1"), 3, -EEXIST,
                "gw=10.0.0.1: another setting already routes 0.0.0.0/0");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_parse_error),
        cmocka_unit_test(test_later_keys_override),
        cmocka_unit_test(test_route_limit),
        cmocka_unit_test(test_nothing_configured_by_default),
        cmocka_unit_test(test_apply_addresses_routes_and_announce),
        cmocka_unit_test(test_every_apply_error),
    };
    return cmocka_run_group_tests_name("netconfig", tests, NULL, sim_teardown);
}
