/* Unit tests of the interval-timer arithmetic behind timerfd: counts, the next expiration, and
 * periods too long to fit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../kernel/events/timer_expiry.h"

static void test_not_due_yet(void **state)
{
    (void)state;
    uint64_t next = 1000;
    assert_int_equal(timer_expirations(&next, 100, 999), 0);
    assert_int_equal(next, 1000);
}

static void test_one_shot_expires_once(void **state)
{
    (void)state;
    uint64_t next = 1000;
    assert_int_equal(timer_expirations(&next, 0, 1000), 1);
    assert_int_equal(timer_expirations(&next, 0, 5000000), 1);
    assert_int_equal(next, 1000); /* the caller disarms a one-shot timer */
}

static void test_interval_counts_missed_periods(void **state)
{
    (void)state;
    uint64_t next = 1000;
    assert_int_equal(timer_expirations(&next, 100, 1000), 1);
    assert_int_equal(next, 1100);
    assert_int_equal(timer_expirations(&next, 100, 1099), 0);
    /* 1100, 1200, 1300, 1400 and 1500 passed by 1550: five expirations, next at 1600. */
    assert_int_equal(timer_expirations(&next, 100, 1550), 5);
    assert_int_equal(next, 1600);
}

static void test_huge_numbers_never_wrap(void **state)
{
    (void)state;
    uint64_t next = UINT64_MAX - 10;
    assert_int_equal(timer_expirations(&next, UINT64_MAX / 2, UINT64_MAX - 5), 1);
    assert_int_equal(next, UINT64_MAX); /* the next one does not fit: it never comes */
    next = 1;
    assert_int_equal(timer_expirations(&next, 1, UINT64_MAX - 1), UINT64_MAX - 1);
    assert_int_equal(next, UINT64_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_not_due_yet),
        cmocka_unit_test(test_one_shot_expires_once),
        cmocka_unit_test(test_interval_counts_missed_periods),
        cmocka_unit_test(test_huge_numbers_never_wrap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
