/* Unit tests of klib.h's helpers: MIN/MAX evaluate each argument once, alignment macros. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "atoll/klib.h"

static uint64_t ticks;

/* A clock that moves on every read, as the TSC does. */
static uint64_t moving_clock(void)
{
    return ticks += 10;
}

static void test_min_reads_its_arguments_once(void **state)
{
    (void)state;
    ticks = 0;
    uint64_t deadline = 15;
    /* Evaluated twice, the clock would read 10 for the comparison and 20 for the result, and
     * deadline - MIN(...) would wrap around: the bug that once armed a 68-second timer. */
    uint64_t left = deadline - MIN(deadline, moving_clock());
    assert_int_equal(left, 5);
    assert_int_equal(ticks, 10);
    uint64_t most = MAX(moving_clock(), (uint64_t)0);
    assert_int_equal(most, 20);
    assert_int_equal(ticks, 20);
}

static void test_alignment(void **state)
{
    (void)state;
    assert_int_equal(ALIGN_UP(0, 4096), 0);
    assert_int_equal(ALIGN_UP(1, 4096), 4096);
    assert_int_equal(ALIGN_UP(4096, 4096), 4096);
    assert_int_equal(ALIGN_DOWN(8191, 4096), 4096);
    assert_int_equal(ARRAY_SIZE((int[7]){0}), 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_min_reads_its_arguments_once),
        cmocka_unit_test(test_alignment),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
