/* Unit tests of `atoll run --net` parsing and the QEMU arguments each NIC becomes. */
#include "test_util.h"

#include "netopt.h"

static char err[512];

static void parse_ok(const char *text, struct net_spec *spec)
{
    err[0] = '\0';
    int rc = net_spec_parse(text, spec, err, sizeof(err));
    if (rc != 0)
        fail_msg("%s: %s", text, err);
}

/* Parsing fails and the reason contains `why`. */
static void parse_fails(const char *text, const char *why)
{
    struct net_spec spec;
    err[0] = '\0';
    assert_int_equal(net_spec_parse(text, &spec, err, sizeof(err)), -1);
    if (!strstr(err, why))
        fail_msg("%s: '%s' lacks '%s'", text, err, why);
    assert_null(strchr(err, '\n'));
}

static char *joined(const struct strvec *v)
{
    size_t len = 1;
    for (size_t i = 0; i < v->len; i++)
        len += strlen(v->items[i]) + 1;
    char *out = calloc(1, len);
    assert_non_null(out);
    for (size_t i = 0; i < v->len; i++) {
        if (i)
            strcat(out, " ");
        strcat(out, v->items[i]);
    }
    return out;
}

/* The QEMU arguments spec becomes as NIC `index` on `machine` are `want`; frees spec. */
static void assert_qemu_args(struct net_spec *spec, unsigned index, const char *machine,
                             const char *want)
{
    struct strvec argv = STRVEC_INIT;
    net_spec_qemu_args(spec, index, machine, &argv);
    char *text = joined(&argv);
    assert_string_equal(text, want);
    free(text);
    strvec_free(&argv);
    net_spec_free(spec);
}

static void test_user(void **state)
{
    (void)state;
    struct net_spec spec;
    parse_ok("user", &spec);
    assert_int_equal(spec.kind, NET_USER);
    assert_qemu_args(&spec, 0, "microvm",
                     "-netdev user,id=net0 -device virtio-net-device,netdev=net0");
}

static void test_user_forwards_and_mac(void **state)
{
    (void)state;
    struct net_spec spec;
    parse_ok("user,fwd=udp:127.0.0.1:5353-:53,fwd=tcp:127.0.0.2:8080-:80,mac=52:54:00:ab:cd:ef",
             &spec);
    assert_qemu_args(&spec, 2, "q35",
                     "-netdev "
                     "user,id=net2,hostfwd=udp:127.0.0.1:5353-:53,hostfwd=tcp:127.0.0.2:"
                     "8080-:80 -device virtio-net-pci,netdev=net2,mac=52:54:00:ab:cd:ef");
}

static void test_tap(void **state)
{
    (void)state;
    struct net_spec spec;
    parse_ok("tap=tap0,ip=10.0.0.2/24,gw=10.0.0.1,mac=02:00:00:00:00:01", &spec);
    assert_int_equal(spec.kind, NET_TAP);
    assert_string_equal(spec.tap, "tap0");
    assert_string_equal(spec.ip, "10.0.0.2/24");
    assert_string_equal(spec.gw, "10.0.0.1");
    assert_qemu_args(&spec, 1, "pc",
                     "-netdev tap,id=net1,ifname=tap0,script=no,downscript=no -device "
                     "virtio-net-pci,netdev=net1,mac=02:00:00:00:00:01");
}

/* A datagram link to another QEMU: its two sockets, and the guest settings a tap has. */
static void test_dgram(void **state)
{
    (void)state;
    struct net_spec spec;
    parse_ok("dgram=/run/a/f1.sock:/run/a/r0.sock,ip=10.1.0.1/24,gw=10.1.0.2,mac=02:00:00:00:00:02",
             &spec);
    assert_int_equal(spec.kind, NET_DGRAM);
    assert_string_equal(spec.own, "/run/a/f1.sock");
    assert_string_equal(spec.peer, "/run/a/r0.sock");
    assert_string_equal(spec.ip, "10.1.0.1/24");
    assert_qemu_args(&spec, 1, "microvm",
                     "-netdev dgram,id=net1,local.type=unix,local.path=/run/a/f1.sock,"
                     "remote.type=unix,remote.path=/run/a/r0.sock -device "
                     "virtio-net-device,netdev=net1,mac=02:00:00:00:00:02");
}

/* A stream link: one end listens, the other connects. */
static void test_stream(void **state)
{
    (void)state;
    struct net_spec spec;
    parse_ok("stream=listen:/run/a/link.sock,ip=10.1.0.1/24", &spec);
    assert_int_equal(spec.kind, NET_STREAM);
    assert_true(spec.listen);
    assert_qemu_args(&spec, 0, "microvm",
                     "-netdev stream,id=net0,server=on,addr.type=unix,addr.path=/run/a/"
                     "link.sock -device virtio-net-device,netdev=net0");
    parse_ok("stream=connect:/run/a/link.sock,mac=02:00:00:00:00:03", &spec);
    assert_false(spec.listen);
    assert_qemu_args(&spec, 2, "pc",
                     "-netdev stream,id=net2,server=off,addr.type=unix,addr.path=/run/a/"
                     "link.sock -device virtio-net-pci,netdev=net2,mac=02:00:00:00:00:03");
}

static void test_refused(void **state)
{
    (void)state;
    parse_fails("", "expected user");
    parse_fails("bridge", "expected user");
    parse_fails("user,fwd=udp:0.0.0.0:53-:53", "not a loopback address");
    parse_fails("user,fwd=udp:10.0.0.1:53-:53", "not a loopback address");
    parse_fails("user,fwd=udp::53-:53", "not an IPv4 address");
    parse_fails("user,fwd=icmp:127.0.0.1:53-:53", "neither udp nor tcp");
    parse_fails("user,fwd=udp:127.0.0.1:53", "expected fwd=");
    parse_fails("user,fwd=udp:127.0.0.1:0-:53", "host port");
    parse_fails("user,fwd=udp:127.0.0.1:53-:70000", "guest port");
    parse_fails("user,mac=01:00:5e:00:00:01", "unicast MAC");
    parse_fails("user,mac=52:54:00:12:34", "unicast MAC");
    parse_fails("user,ip=10.0.0.2/24", "unknown setting 'ip'");
    parse_fails("user,bogus", "expected KEY=VALUE");
    parse_fails("tap=", "not a valid interface name");
    parse_fails("tap=averyveryverylongname", "not a valid interface name");
    parse_fails("tap=t0,fwd=udp:127.0.0.1:53-:53", "unknown setting 'fwd'");
    parse_fails("tap=t0,ip=10.0.0.2", "expected ADDR/PREFIX");
    parse_fails("tap=t0,ip=10.0.0.2/33", "expected ADDR/PREFIX");
    parse_fails("tap=t0,gw=10.0.0.1/24", "expected an IPv4 address");
    parse_fails("dgram=/tmp/a.sock", "expected dgram=OWN_SOCKET:PEER_SOCKET");
    parse_fails("dgram=/tmp/a:/tmp/b:/tmp/c", "expected dgram=OWN_SOCKET:PEER_SOCKET");
    parse_fails("dgram=a.sock:/tmp/b.sock", "'a.sock' is not absolute");
    parse_fails("dgram=/tmp/a.sock:", "'' is not absolute");
    parse_fails("dgram=/tmp/a.sock:/tmp/a.sock", "the same path");
    parse_fails("dgram=/tmp/a.sock:/tmp/b.sock,fwd=udp:127.0.0.1:53-:53",
                "unknown setting 'fwd' for a dgram NIC");
    parse_fails("dgram=/tmp/a.sock:/tmp/b.sock,ip=10.0.0.2", "expected ADDR/PREFIX");
    parse_fails("stream=/tmp/a.sock", "expected stream=listen:PATH or stream=connect:PATH");
    parse_fails("stream=listen:a.sock", "'a.sock' is not absolute");
    parse_fails("stream=connect:/tmp/a.sock,fwd=udp:127.0.0.1:53-:53",
                "unknown setting 'fwd' for a stream NIC");
}

static void test_netns_missing(void **state)
{
    (void)state;
    assert_int_equal(netns_check("atoll-no-such-namespace", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "no such network namespace"));
    assert_int_equal(netns_check("../etc", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "not a valid namespace name"));
}

/* The kernel keys for NICs given as --net values, with the user's --append values. */
static char *keys_for(const char *const *nets, unsigned count, const char *const *appends,
                      unsigned nappends)
{
    struct net_spec specs[NET_MAX_NICS];
    for (unsigned i = 0; i < count; i++)
        parse_ok(nets[i], &specs[i]);
    struct strvec user = STRVEC_INIT, keys = STRVEC_INIT;
    for (unsigned i = 0; i < nappends; i++)
        strvec_push(&user, appends[i]);
    net_kernel_keys(specs, count, &user, &keys);
    char *text = joined(&keys);
    strvec_free(&keys);
    strvec_free(&user);
    for (unsigned i = 0; i < count; i++)
        net_spec_free(&specs[i]);
    return text;
}

#define NETS(...) ((const char *const[]){__VA_ARGS__})

static void test_kernel_keys(void **state)
{
    (void)state;
    /* No NIC, or a tap without settings: nothing. */
    char *text = keys_for(NULL, 0, NULL, 0);
    assert_string_equal(text, "");
    free(text);
    text = keys_for(NETS("tap=tap0"), 1, NULL, 0);
    assert_string_equal(text, "");
    free(text);

    text = keys_for(NETS("tap=tap0,ip=10.1.0.2/16,gw=10.1.0.1"), 1, NULL, 0);
    assert_string_equal(text, "net0=10.1.0.2/16 gw=10.1.0.1");
    free(text);
    text = keys_for(NETS("tap=tap0", "dgram=/tmp/a:/tmp/b,ip=10.1.0.2/24,gw=10.1.0.1"), 2, NULL, 0);
    assert_string_equal(text, "net1=10.1.0.2/24 gw=10.1.0.1");
    free(text);

    /* The first user NIC gets QEMU's guest address and gateway; later ones nothing. */
    text = keys_for(NETS("user", "user"), 2, NULL, 0);
    assert_string_equal(text, "net0=10.0.2.15/24 gw=10.0.2.2");
    free(text);

    /* A tap's gateway wins over user networking's; NIC numbers follow the --net order. */
    text =
        keys_for(NETS("tap=tap0", "user", "tap=tap1,ip=192.168.1.2/24,gw=192.168.1.1"), 3, NULL, 0);
    assert_string_equal(text, "net1=10.0.2.15/24 net2=192.168.1.2/24 gw=192.168.1.1");
    free(text);

    /* The user's own keys leave the generated ones out, but only before `--`. */
    text = keys_for(NETS("user", "tap=tap0,ip=10.9.0.2/24"), 2,
                    NETS("quiet  net0=10.0.2.99/24", "gw=10.0.2.3"), 2);
    assert_string_equal(text, "net1=10.9.0.2/24");
    free(text);
    text = keys_for(NETS("user"), 1, NETS("net1=1.2.3.4/8 -- net0=x gw=y"), 1);
    assert_string_equal(text, "net0=10.0.2.15/24 gw=10.0.2.2");
    free(text);
    /* netN.mtu= is not an address: the address key is still given. */
    text = keys_for(NETS("user"), 1, NETS("net0.mtu=1400"), 1);
    assert_string_equal(text, "net0=10.0.2.15/24 gw=10.0.2.2");
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_user),          cmocka_unit_test(test_user_forwards_and_mac),
        cmocka_unit_test(test_tap),           cmocka_unit_test(test_refused),
        cmocka_unit_test(test_netns_missing), cmocka_unit_test(test_kernel_keys),
        cmocka_unit_test(test_dgram),         cmocka_unit_test(test_stream),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
