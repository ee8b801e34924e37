/* Unit tests of the console ring: ordering, wrap-around, partial writes and drop counting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "atoll/logring.h"

static void test_empty_ring(void **state)
{
    (void)state;
    char buf[16], out[16];
    struct logring r;
    logring_init(&r, buf, sizeof(buf));
    assert_int_equal(r.cap, 16);
    assert_int_equal(logring_used(&r), 0);
    assert_int_equal(logring_read(&r, out, sizeof(out)), 0);
    assert_int_equal(logring_take_dropped(&r), 0);
}

static void test_write_then_read_in_order(void **state)
{
    (void)state;
    char buf[16], out[16];
    struct logring r;
    logring_init(&r, buf, sizeof(buf));
    assert_int_equal(logring_write(&r, "hello", 5), 5);
    assert_int_equal(logring_write(&r, " you", 4), 4);
    assert_int_equal(logring_used(&r), 9);
    assert_int_equal(logring_read(&r, out, 3), 3);
    assert_memory_equal(out, "hel", 3);
    assert_int_equal(logring_read(&r, out, sizeof(out)), 6);
    assert_memory_equal(out, "lo you", 6);
    assert_int_equal(logring_used(&r), 0);
    assert_int_equal(logring_read(&r, out, 0), 0);
    assert_int_equal(logring_write(&r, "x", 0), 0);
}

static void test_full_ring_drops_and_counts(void **state)
{
    (void)state;
    char buf[8], out[16];
    struct logring r;
    logring_init(&r, buf, sizeof(buf));
    assert_int_equal(logring_write(&r, "0123456789", 10), 8);
    assert_int_equal(logring_used(&r), 8);
    assert_int_equal(logring_write(&r, "abc", 3), 0);
    assert_int_equal(r.dropped, 5);
    assert_int_equal(logring_take_dropped(&r), 5);
    assert_int_equal(logring_take_dropped(&r), 0);
    /* The oldest bytes are kept; the overflow is what is lost. */
    assert_int_equal(logring_read(&r, out, sizeof(out)), 8);
    assert_memory_equal(out, "01234567", 8);
}

static void test_wrap_around(void **state)
{
    (void)state;
    char buf[8], out[8];
    struct logring r;
    logring_init(&r, buf, sizeof(buf));
    assert_int_equal(logring_write(&r, "abcdef", 6), 6);
    assert_int_equal(logring_read(&r, out, 5), 5);
    /* head is at 6, tail at 5: this write wraps past the end of buf. */
    assert_int_equal(logring_write(&r, "GHIJKLM", 7), 7);
    assert_int_equal(logring_used(&r), 8);
    assert_int_equal(logring_read(&r, out, 8), 8);
    assert_memory_equal(out, "fGHIJKLM", 8);
    assert_int_equal(r.dropped, 0);
}

static void test_long_stream_matches_reference(void **state)
{
    (void)state;
    /* Pseudo-random writes and reads over many wraps, checked against the byte sequence. */
    char buf[64], out[100], chunk[100];
    struct logring r;
    logring_init(&r, buf, sizeof(buf));
    uint64_t written = 0, read = 0, dropped = 0;
    uint32_t seed = 12345;
    for (int step = 0; step < 20000; step++) {
        seed = seed * 1103515245 + 12345;
        size_t n = (seed >> 16) % 90;
        if (seed & 1) {
            for (size_t i = 0; i < n; i++)
                chunk[i] = (char)(written + i);
            size_t room = 64 - (size_t)(written - read);
            size_t took = logring_write(&r, chunk, n);
            assert_int_equal(took, n < room ? n : room);
            written += took;
            dropped += n - took;
        } else {
            size_t got = logring_read(&r, out, n);
            for (size_t i = 0; i < got; i++)
                assert_int_equal((char)out[i], (char)(read + i));
            read += got;
        }
        assert_int_equal(logring_used(&r), written - read);
    }
    assert_int_equal(logring_take_dropped(&r), dropped);
    assert_true(written > 10000);
}

static void test_capacity_rounds_down_to_power_of_two(void **state)
{
    (void)state;
    char buf[100], out[100];
    struct logring r;
    logring_init(&r, buf, 100);
    assert_int_equal(r.cap, 64);
    assert_int_equal(logring_write(&r, buf, 100), 64);
    assert_int_equal(logring_read(&r, out, 100), 64);

    logring_init(&r, NULL, 0);
    assert_int_equal(r.cap, 0);
    assert_int_equal(logring_write(&r, "abc", 3), 0);
    assert_int_equal(logring_take_dropped(&r), 3);
    assert_int_equal(logring_read(&r, out, 10), 0);
}

static void test_counters_survive_32_bit_wrap(void **state)
{
    (void)state;
    char buf[16], out[16];
    struct logring r;
    logring_init(&r, buf, sizeof(buf));
    /* Start the counters just below 2^32 to check nothing truncates them. */
    r.head = r.tail = 0xfffffffcULL;
    assert_int_equal(logring_write(&r, "abcdefgh", 8), 8);
    assert_int_equal(logring_used(&r), 8);
    assert_int_equal(logring_read(&r, out, 16), 8);
    assert_memory_equal(out, "abcdefgh", 8);
    assert_int_equal(r.head, 0x100000004ULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_ring),
        cmocka_unit_test(test_write_then_read_in_order),
        cmocka_unit_test(test_full_ring_drops_and_counts),
        cmocka_unit_test(test_wrap_around),
        cmocka_unit_test(test_long_stream_matches_reference),
        cmocka_unit_test(test_capacity_rounds_down_to_power_of_two),
        cmocka_unit_test(test_counters_survive_32_bit_wrap),
    };
    return cmocka_run_group_tests_name("logring", tests, NULL, NULL);
}
