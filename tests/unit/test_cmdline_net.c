/* Unit tests of the network keys' rows in the boot configuration parser (netN=, netN.mtu=, gw=,
 * route=, netstat): the shape of each key, order, overrides and limits. Values are checked by
 * kernel/net/netconfig.c (tests/unit/test_netconfig.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "atoll/cmdline.h"

static struct boot_config cfg;
static char err[256];

static int parse(const char *image, const char *boot)
{
    err[0] = '\0';
    return boot_config_parse(&cfg, image, boot, err, sizeof(err));
}

static void expect_error(const char *boot, int rc, const char *message)
{
    assert_int_equal(parse(NULL, boot), rc);
    assert_string_equal(err, message);
}

static void test_keys_are_kept_in_order_across_both_lines(void **state)
{
    (void)state;
    assert_int_equal(parse("net0=10.0.0.2/24 gw=10.0.0.1 -- a",
                           "net7.mtu=1400 route=192.168.0.0/16,10.0.0.9 net0=10.0.0.3/24"),
                     0);
    assert_int_equal(cfg.net_key_count, 5);
    assert_string_equal(cfg.net_keys[0], "net0=10.0.0.2/24");
    assert_string_equal(cfg.net_keys[1], "gw=10.0.0.1");
    assert_string_equal(cfg.net_keys[2], "net7.mtu=1400");
    assert_string_equal(cfg.net_keys[3], "route=192.168.0.0/16,10.0.0.9");
    assert_string_equal(cfg.net_keys[4], "net0=10.0.0.3/24");
    assert_int_equal(cfg.argc, 1);
    assert_false(cfg.netstat);
}

static void test_none_by_default(void **state)
{
    (void)state;
    assert_int_equal(parse(NULL, "quiet"), 0);
    assert_int_equal(cfg.net_key_count, 0);
    assert_false(cfg.netstat);
}

static void test_netstat_flag(void **state)
{
    (void)state;
    assert_int_equal(parse("netstat", NULL), 0);
    assert_true(cfg.netstat);
    assert_int_equal(cfg.net_key_count, 0);
    assert_int_equal(parse("netstat", "netstat=0"), 0);
    assert_false(cfg.netstat);
    expect_error("netstat=yes", -EINVAL,
                 "boot cmdline: netstat=yes: flag 'netstat' takes no value other than =0 or =1");
}

static void test_malformed_key_names(void **state)
{
    (void)state;
    const char *bad[] = {"net=10.0.0.2/24", "net8=10.0.0.2/24", "netx=1",
                         "net0.mt=1500",    "net0.mtux=1500",   "net00=10.0.0.2/24",
                         "net0mtu=1500",    "net10.mtu=1500",   "net.mtu=1500"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char want[200];
        snprintf(want, sizeof(want),
                 "boot cmdline: %s: expected netN=ADDR/PREFIX or netN.mtu=BYTES with N 0..7",
                 bad[i]);
        expect_error(bad[i], -EINVAL, want);
    }
}

static void test_values_are_required(void **state)
{
    (void)state;
    expect_error("net0", -EINVAL, "boot cmdline: net0: expected a value after '='");
    expect_error("net3=", -EINVAL, "boot cmdline: net3=: expected a value after '='");
    expect_error("net1.mtu=", -EINVAL, "boot cmdline: net1.mtu=: expected a value after '='");
    expect_error("gw", -EINVAL, "boot cmdline: gw: expected a value after '='");
    expect_error("gw=", -EINVAL, "boot cmdline: gw=: expected a value after '='");
    expect_error("route", -EINVAL, "boot cmdline: route: expected a value after '='");
    expect_error("route=", -EINVAL, "boot cmdline: route=: expected a value after '='");
}

static void test_names_match_whole(void **state)
{
    (void)state;
    assert_int_equal(parse(NULL, "gws=10.0.0.1"), -EINVAL);
    assert_non_null(strstr(err, "unknown key 'gws'"));
    assert_int_equal(parse(NULL, "routes=1"), -EINVAL);
    assert_non_null(strstr(err, "unknown key 'routes'"));
    assert_int_equal(parse(NULL, "NET0=10.0.0.2/24"), -EINVAL);
    assert_non_null(strstr(err, "unknown key 'NET0'"));
}

static void test_limit(void **state)
{
    (void)state;
    static char line[4096];
    line[0] = '\0';
    for (int i = 0; i < CMDLINE_MAX_NET_KEYS; i++)
        strcat(line, "route=10.0.0.0/8,1.2.3.4 ");
    assert_int_equal(parse(NULL, line), 0);
    assert_int_equal(cfg.net_key_count, CMDLINE_MAX_NET_KEYS);
    strcat(line, "gw=1.1.1.1");
    expect_error(line, -E2BIG, "boot cmdline: gw=1.1.1.1: too many network keys (at most 64)");
}

static void test_escaped_values_are_stored_unescaped(void **state)
{
    (void)state;
    assert_int_equal(parse(NULL, "\"net0=10.0.0.2/24\""), 0);
    assert_int_equal(cfg.net_key_count, 1);
    assert_string_equal(cfg.net_keys[0], "net0=10.0.0.2/24");
    /* An escaped '=' belongs to the key name: "gw=10.0.0.1" is then an unknown key. */
    assert_int_equal(parse(NULL, "gw\\=10.0.0.1"), -EINVAL);
    assert_non_null(strstr(err, "unknown key 'gw=10.0.0.1'"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keys_are_kept_in_order_across_both_lines),
        cmocka_unit_test(test_none_by_default),
        cmocka_unit_test(test_netstat_flag),
        cmocka_unit_test(test_malformed_key_names),
        cmocka_unit_test(test_values_are_required),
        cmocka_unit_test(test_names_match_whole),
        cmocka_unit_test(test_limit),
        cmocka_unit_test(test_escaped_values_are_stored_unescaped),
    };
    return cmocka_run_group_tests_name("cmdline_net", tests, NULL, NULL);
}
