/* Unit tests of the guest status line parser. */
#include "test_util.h"

#include "guest_status.h"

static void expect_status(const char *text, bool crashed, int code)
{
    struct guest_status status = {!crashed, -1};
    assert_true(guest_status_parse(text, &status));
    assert_int_equal(status.crashed, crashed);
    assert_int_equal(status.code, code);
}

static void expect_no_status(const char *text)
{
    struct guest_status status;
    assert_false(guest_status_parse(text, &status));
}

static void test_exit_lines(void **state)
{
    (void)state;
    expect_status("ATOLL-STATUS exit 0\n", false, 0);
    expect_status("ATOLL-STATUS exit 42\n", false, 42);
    expect_status("ATOLL-STATUS exit 255", false, 255);
    expect_status("ATOLL-STATUS exit 256\n", false, 0);
    expect_status("ATOLL-STATUS exit -1\n", false, 255);
    expect_status("ATOLL-STATUS exit 3\r\n", false, 3);
}

static void test_crash_lines(void **state)
{
    (void)state;
    expect_status("ATOLL-STATUS crash 139\n", true, 139);
    expect_status("ATOLL-STATUS crash 134\n", true, 134);
}

static void test_last_line_wins(void **state)
{
    (void)state;
    expect_status("noise\nATOLL-STATUS exit 1\ngarbage\nATOLL-STATUS crash 134\n", true, 134);
}

static void test_malformed(void **state)
{
    (void)state;
    expect_no_status("");
    expect_no_status("\n\n");
    expect_no_status("ATOLL-STATUS exit\n");
    expect_no_status("ATOLL-STATUS exit \n");
    expect_no_status("ATOLL-STATUS exit x1\n");
    expect_no_status("ATOLL-STATUS exit 1 2\n");
    expect_no_status("ATOLL-STATUS quit 1\n");
    expect_no_status(" ATOLL-STATUS exit 1\n");
    expect_no_status("ATOLL-STATUS exit 99999999999999999999999\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exit_lines),
        cmocka_unit_test(test_crash_lines),
        cmocka_unit_test(test_last_line_wins),
        cmocka_unit_test(test_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
