/* Unit tests of the bounded sequence-range set (out-of-order map, SACK blocks per RFC 2018). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "atoll/errno.h"
#include "../../kernel/net/tcp_ranges.h"

/* Checks the structure's invariants: sorted, non-empty, disjoint, not touching, unique stamps. */
static void check_invariants(const struct tcp_ranges *s)
{
    assert_true(s->n <= TCP_RANGES_MAX);
    for (unsigned i = 0; i < s->n; i++) {
        assert_true(seq_lt(s->r[i].start, s->r[i].end));
        assert_true(s->stamp[i] >= 1 && s->stamp[i] <= s->clock);
        if (i + 1 < s->n)
            assert_true(seq_lt(s->r[i].end, s->r[i + 1].start));
        for (unsigned j = 0; j < i; j++)
            assert_int_not_equal(s->stamp[i], s->stamp[j]);
    }
}

static void test_add_merges_overlapping_and_touching_ranges(void **state)
{
    (void)state;
    struct tcp_ranges s;
    tcp_ranges_init(&s);
    assert_int_equal(tcp_ranges_add(&s, 100, 200), 0);
    assert_int_equal(tcp_ranges_add(&s, 300, 400), 0);
    assert_int_equal(tcp_ranges_add(&s, 500, 600), 0);
    assert_int_equal(tcp_ranges_count(&s), 3);
    assert_int_equal(tcp_ranges_add(&s, 200, 300), 0); /* touches both neighbours */
    check_invariants(&s);
    assert_int_equal(tcp_ranges_count(&s), 2);
    assert_int_equal(s.r[0].start, 100);
    assert_int_equal(s.r[0].end, 400);
    assert_int_equal(tcp_ranges_add(&s, 50, 700), 0); /* swallows everything */
    check_invariants(&s);
    assert_int_equal(tcp_ranges_count(&s), 1);
    assert_int_equal(tcp_ranges_bytes(&s), 650);
    assert_int_equal(tcp_ranges_add(&s, 10, 10), -EINVAL);
    assert_int_equal(tcp_ranges_add(&s, 10, 5), -EINVAL); /* 2^32 - 5 bytes: not a window */
}

static void test_ranges_across_the_2_32_wrap_rfc9293_s3_4(void **state)
{
    (void)state;
    struct tcp_ranges s;
    tcp_ranges_init(&s);
    assert_int_equal(tcp_ranges_add(&s, 0x10, 0x20), 0);
    assert_int_equal(tcp_ranges_add(&s, 0xfffffff0u, 0xfffffff8u), 0);
    check_invariants(&s);
    assert_int_equal(s.r[0].start, 0xfffffff0u); /* before 0x10 modulo 2^32 */
    assert_int_equal(tcp_ranges_add(&s, 0xfffffff8u, 0x10), 0);
    check_invariants(&s);
    assert_int_equal(tcp_ranges_count(&s), 1);
    assert_int_equal(tcp_ranges_bytes(&s), 0x30);
    assert_true(tcp_ranges_contains(&s, 0xfffffffeu, 0x4));
    tcp_ranges_trim(&s, 0x8);
    assert_int_equal(s.r[0].start, 0x8);
}

static void test_full_set_refuses_a_new_range_but_still_merges(void **state)
{
    (void)state;
    struct tcp_ranges s;
    tcp_ranges_init(&s);
    for (uint32_t i = 0; i < TCP_RANGES_MAX; i++)
        assert_int_equal(tcp_ranges_add(&s, 1000 + 100 * i, 1000 + 100 * i + 10), 0);
    struct tcp_ranges before = s;
    assert_int_equal(tcp_ranges_add(&s, 1050, 1060), -ENOSPC);
    assert_memory_equal(&s, &before, sizeof(s));
    assert_int_equal(tcp_ranges_add(&s, 1010, 1020), 0); /* extends range 0: allowed */
    check_invariants(&s);
    assert_int_equal(tcp_ranges_count(&s), TCP_RANGES_MAX);
}

static void test_trim_and_advance_deliver_in_order_data_rfc9293_s3_10_7_4(void **state)
{
    (void)state;
    struct tcp_ranges s;
    tcp_ranges_init(&s);
    tcp_ranges_add(&s, 2000, 3000);
    tcp_ranges_add(&s, 4000, 5000);
    /* rcv_nxt 1000: the hole before 2000 is still missing. */
    assert_int_equal(tcp_ranges_advance(&s, 1000), 1000);
    assert_int_equal(tcp_ranges_count(&s), 2);
    /* The hole is filled up to 2500 (overlapping the queued range): 3000 is next. */
    assert_int_equal(tcp_ranges_advance(&s, 2500), 3000);
    assert_int_equal(tcp_ranges_count(&s), 1);
    tcp_ranges_trim(&s, 4500);
    assert_int_equal(s.r[0].start, 4500);
    tcp_ranges_trim(&s, 5000);
    assert_int_equal(tcp_ranges_count(&s), 0);
    assert_null(tcp_ranges_first(&s));
    assert_int_equal(tcp_ranges_highest(&s, 77), 77);
}

static void test_queries(void **state)
{
    (void)state;
    struct tcp_ranges s;
    tcp_ranges_init(&s);
    tcp_ranges_add(&s, 100, 200);
    tcp_ranges_add(&s, 300, 400);
    assert_int_equal(tcp_ranges_covered(&s, 150, 350), 100);
    assert_int_equal(tcp_ranges_covered(&s, 0, 1000), 200);
    assert_int_equal(tcp_ranges_covered(&s, 200, 300), 0);
    assert_true(tcp_ranges_contains(&s, 120, 200));
    assert_false(tcp_ranges_contains(&s, 120, 201));
    assert_true(tcp_ranges_contains(&s, 250, 250));
    assert_int_equal(tcp_ranges_find(&s, 150)->start, 100);
    assert_int_equal(tcp_ranges_find(&s, 200)->start, 300);
    assert_null(tcp_ranges_find(&s, 400));
    assert_int_equal(tcp_ranges_highest(&s, 0), 400);
}

static void test_sack_blocks_most_recent_first_rfc2018_s4(void **state)
{
    (void)state;
    struct tcp_ranges s;
    tcp_ranges_init(&s);
    tcp_ranges_add(&s, 5000, 5500); /* RFC 2018 §4's example shape: segments arrive out of order */
    tcp_ranges_add(&s, 6000, 6500);
    tcp_ranges_add(&s, 7000, 7500);
    tcp_ranges_add(&s, 8000, 8500);
    tcp_ranges_add(&s, 6500, 6700); /* extends the second: it becomes the most recent */
    struct tcp_range out[4];
    assert_int_equal(tcp_ranges_sack_blocks(&s, out, 4), 4);
    assert_int_equal(out[0].start, 6000);
    assert_int_equal(out[0].end, 6700);
    assert_int_equal(out[1].start, 8000);
    assert_int_equal(out[2].start, 7000);
    assert_int_equal(out[3].start, 5000);
    assert_int_equal(tcp_ranges_sack_blocks(&s, out, 3), 3);
    assert_int_equal(out[2].start, 7000);
    struct tcp_ranges empty;
    tcp_ranges_init(&empty);
    assert_int_equal(tcp_ranges_sack_blocks(&empty, out, 4), 0);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(uint32_t n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state % n);
}

/* Random adds and trims against a byte map, with the window straddling 2^32. */
static void test_random_operations_match_a_byte_map(void **state)
{
    (void)state;
    enum { WIN = 4096 };
    const uint32_t base = 0xfffff800u;
    for (unsigned round = 0; round < 60; round++) {
        static bool map[WIN];
        memset(map, 0, sizeof(map));
        struct tcp_ranges s;
        tcp_ranges_init(&s);
        uint32_t lo = 0; /* everything below base + lo was trimmed */
        for (unsigned op = 0; op < 200; op++) {
            if (rnd(8) == 0) {
                uint32_t t = lo + rnd(64);
                tcp_ranges_trim(&s, base + t);
                for (uint32_t i = 0; i < t && i < WIN; i++)
                    map[i] = false;
                lo = t > lo ? t : lo;
            } else {
                uint32_t a = lo + rnd(WIN - lo - 1), len = 1 + rnd(64);
                if (a + len > WIN)
                    len = WIN - a;
                struct tcp_ranges before = s;
                int err = tcp_ranges_add(&s, base + a, base + a + len);
                if (err == -ENOSPC) {
                    assert_memory_equal(&s, &before, sizeof(s));
                } else {
                    assert_int_equal(err, 0);
                    for (uint32_t i = a; i < a + len; i++)
                        map[i] = true;
                }
            }
            check_invariants(&s);
            static bool got[WIN];
            memset(got, 0, sizeof(got));
            for (unsigned k = 0; k < s.n; k++)
                for (uint32_t q = s.r[k].start; q != s.r[k].end; q++)
                    got[q - base] = true;
            assert_memory_equal(got, map, sizeof(map));
            uint32_t bytes = 0;
            for (unsigned i = 0; i < WIN; i++)
                bytes += map[i];
            uint32_t probe = rnd(WIN);
            const struct tcp_range *r = tcp_ranges_find(&s, base + probe);
            assert_int_equal(r && seq_leq(r->start, base + probe), map[probe]);
            assert_int_equal(tcp_ranges_bytes(&s), bytes);
            uint32_t a = rnd(WIN), b = a + rnd(WIN - a + 1), want = 0;
            for (uint32_t i = a; i < b; i++)
                want += map[i];
            assert_int_equal(tcp_ranges_covered(&s, base + a, base + b), want);
            assert_int_equal(tcp_ranges_contains(&s, base + a, base + b), want == b - a);
        }
    }
}

static void test_stamps_are_renumbered_before_the_clock_wraps(void **state)
{
    (void)state;
    struct tcp_ranges s;
    tcp_ranges_init(&s);
    tcp_ranges_add(&s, 100, 200);
    tcp_ranges_add(&s, 300, 400);
    s.clock = 0x7fffffffu; /* as after 2^31 additions */
    s.stamp[0] = 0x7ffffff0u;
    s.stamp[1] = 0x7fffffffu;
    tcp_ranges_add(&s, 500, 600);
    check_invariants(&s);
    assert_true(s.clock < 10);
    struct tcp_range out[3];
    assert_int_equal(tcp_ranges_sack_blocks(&s, out, 3), 3);
    assert_int_equal(out[0].start, 500);
    assert_int_equal(out[1].start, 300);
    assert_int_equal(out[2].start, 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_merges_overlapping_and_touching_ranges),
        cmocka_unit_test(test_ranges_across_the_2_32_wrap_rfc9293_s3_4),
        cmocka_unit_test(test_full_set_refuses_a_new_range_but_still_merges),
        cmocka_unit_test(test_trim_and_advance_deliver_in_order_data_rfc9293_s3_10_7_4),
        cmocka_unit_test(test_queries),
        cmocka_unit_test(test_sack_blocks_most_recent_first_rfc2018_s4),
        cmocka_unit_test(test_random_operations_match_a_byte_map),
        cmocka_unit_test(test_stamps_are_renumbered_before_the_clock_wraps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
