/* Unit tests of the virtio_mmio.device keys QEMU's microvm appends to the kernel command line. */
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

static void test_devices_are_kept_in_order(void **state)
{
    (void)state;
    assert_int_equal(
        parse("quiet -- a",
              "virtio_mmio.device=512@0xfeb02e00:47 virtio_mmio.device=512@0xfeb02c00:46"),
        0);
    assert_int_equal(cfg.virtio_mmio_count, 2);
    assert_string_equal(cfg.virtio_mmio[0], "512@0xfeb02e00:47");
    assert_string_equal(cfg.virtio_mmio[1], "512@0xfeb02c00:46");
    assert_int_equal(cfg.argc, 1);
    assert_string_equal(cfg.argv[0], "a");
    assert_true(cfg.quiet);
}

static void test_none_by_default(void **state)
{
    (void)state;
    assert_int_equal(parse(NULL, "stack=1M"), 0);
    assert_int_equal(cfg.virtio_mmio_count, 0);
}

static void test_malformed_and_limits(void **state)
{
    (void)state;
    assert_int_equal(parse(NULL, "virtio_mmio.device="), -EINVAL);
    assert_non_null(strstr(err, "expected virtio_mmio.device=SIZE@ADDR:IRQ"));
    assert_int_equal(parse(NULL, "virtio_mmio.device"), -EINVAL);
    char line[2048] = "";
    for (int i = 0; i <= CMDLINE_MAX_VIRTIO_MMIO; i++)
        strcat(line, "virtio_mmio.device=512@0xfeb00000:5 ");
    assert_int_equal(parse(NULL, line), -E2BIG);
    assert_non_null(strstr(err, "too many virtio-mmio devices"));
}

/* Users never write the key: the unknown-key message does not offer it. */
static void test_not_listed_as_a_user_key(void **state)
{
    (void)state;
    assert_int_equal(parse(NULL, "nosuchkey"), -EINVAL);
    assert_null(strstr(err, "virtio_mmio"));
    assert_non_null(strstr(err, "(known: env.NAME=VALUE, stack=SIZE"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_devices_are_kept_in_order),
        cmocka_unit_test(test_none_by_default),
        cmocka_unit_test(test_malformed_and_limits),
        cmocka_unit_test(test_not_listed_as_a_user_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
