/* Unit tests of SYN cookies: the ISN MAC, the 64 s counter, the MSS table and the options
 * carried in the timestamp. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "atoll/errno.h"
#include "../../kernel/net/tcp_syncookie.h"

#define L   0x0a000002u
#define R   0x0a000001u
#define SEC 1000000000ull
#define T0  (1000 * SEC)

static void test_cookie_round_trip(void **state)
{
    (void)state;
    uint16_t mss_used = 0, mss = 0;
    uint32_t c = tcp_syncookie_make(L, 80, R, 40000, 0x12345678, 1460, T0, &mss_used);
    assert_int_equal(mss_used, 1460);
    assert_int_equal(tcp_syncookie_check(L, 80, R, 40000, 0x12345678, c, T0 + SEC, &mss), 0);
    assert_int_equal(mss, 1460);
}

static void test_mss_is_rounded_down_to_the_table(void **state)
{
    (void)state;
    static const struct {
        uint16_t peer, want;
    } cases[] = {{1460, 1460}, {1459, 1440}, {8960, 8960}, {9000, 8960},
                 {536, 536},   {500, 536}, /* below the table: the smallest, as Linux does */
                 {1300, 1300}, {1399, 1300}};
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint16_t used, mss;
        uint32_t c = tcp_syncookie_make(L, 80, R, 40000, 7, cases[i].peer, T0, &used);
        assert_int_equal(used, cases[i].want);
        assert_int_equal(tcp_syncookie_check(L, 80, R, 40000, 7, c, T0, &mss), 0);
        assert_int_equal(mss, cases[i].want);
    }
}

static void test_cookie_lives_for_the_last_two_periods_only(void **state)
{
    (void)state;
    uint16_t mss;
    uint64_t start = 10 * TCP_COOKIE_PERIOD_NS; /* the start of a period */
    uint32_t c = tcp_syncookie_make(L, 80, R, 40000, 99, 1460, start, NULL);
    assert_int_equal(
        tcp_syncookie_check(L, 80, R, 40000, 99, c, start + TCP_COOKIE_PERIOD_NS, &mss), 0);
    assert_int_equal(
        tcp_syncookie_check(L, 80, R, 40000, 99, c, start + 2 * TCP_COOKIE_PERIOD_NS - 1, &mss), 0);
    assert_int_equal(
        tcp_syncookie_check(L, 80, R, 40000, 99, c, start + 2 * TCP_COOKIE_PERIOD_NS, &mss),
        -EINVAL);
    /* A cookie from the future (a clock that went back) is not accepted either. */
    uint32_t later =
        tcp_syncookie_make(L, 80, R, 40000, 99, 1460, start + TCP_COOKIE_PERIOD_NS, NULL);
    assert_int_equal(tcp_syncookie_check(L, 80, R, 40000, 99, later, start, &mss), -EINVAL);
}

static void test_cookie_is_bound_to_tuple_and_peer_isn(void **state)
{
    (void)state;
    uint16_t mss;
    uint32_t c = tcp_syncookie_make(L, 80, R, 40000, 1000, 1460, T0, NULL);
    assert_int_equal(tcp_syncookie_check(L, 81, R, 40000, 1000, c, T0, &mss), -EINVAL);
    assert_int_equal(tcp_syncookie_check(L, 80, R, 40001, 1000, c, T0, &mss), -EINVAL);
    assert_int_equal(tcp_syncookie_check(L, 80, R + 1, 40000, 1000, c, T0, &mss), -EINVAL);
    assert_int_equal(tcp_syncookie_check(L + 1, 80, R, 40000, 1000, c, T0, &mss), -EINVAL);
    assert_int_equal(tcp_syncookie_check(L, 80, R, 40000, 1001, c, T0, &mss), -EINVAL);
    /* Every single-bit change is caught, the MSS index bits included. */
    for (unsigned bit = 0; bit < 32; bit++)
        assert_int_equal(tcp_syncookie_check(L, 80, R, 40000, 1000, c ^ (1u << bit), T0, &mss),
                         -EINVAL);
}

static void test_blind_guesses_are_rejected(void **state)
{
    (void)state;
    /* An attacker completing handshakes with guessed ACK numbers: 2^29-bit MAC, 2 periods. */
    uint32_t x = 0x2545f491u;
    unsigned accepted = 0;
    uint16_t mss;
    for (unsigned i = 0; i < 200000; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        accepted += tcp_syncookie_check(L, 80, R, 40000, 5, x, T0, &mss) == 0;
    }
    assert_int_equal(accepted, 0);
}

static void test_options_in_the_timestamp_as_linux(void **state)
{
    (void)state;
    int ws;
    bool sack;
    for (int w = -1; w <= 14; w++) {
        for (int s = 0; s < 2; s++) {
            for (uint32_t now = 1000; now < 1000 + 64; now += 7) {
                uint32_t ts = tcp_syncookie_ts_make(now, w, s);
                /* TSval never runs ahead of the clock and stays within one 64-tick step. */
                assert_true(ts <= now && now - ts < 64);
                assert_true(tcp_syncookie_ts_check(ts, &ws, &sack));
                assert_int_equal(ws, w);
                assert_int_equal(sack, s);
            }
        }
    }
    /* Near the wrap of the 32-bit timestamp clock. */
    uint32_t ts = tcp_syncookie_ts_make(3, 14, true);
    assert_int_equal(ts, 0xffffffc0u | 0x1e);
    /* Bit 5 is never set by ts_make; every window scale nibble is 0..14 or 15 (none). */
    assert_false(tcp_syncookie_ts_check(0x20, &ws, &sack));
    for (uint32_t bad = 0; bad < 64; bad++) {
        bool ok = tcp_syncookie_ts_check(bad, &ws, &sack);
        uint32_t nibble = bad & 0xf;
        assert_int_equal(ok, !(bad & 0x20) && (nibble <= 14 || nibble == 15));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cookie_round_trip),
        cmocka_unit_test(test_mss_is_rounded_down_to_the_table),
        cmocka_unit_test(test_cookie_lives_for_the_last_two_periods_only),
        cmocka_unit_test(test_cookie_is_bound_to_tuple_and_peer_isn),
        cmocka_unit_test(test_blind_guesses_are_rejected),
        cmocka_unit_test(test_options_in_the_timestamp_as_linux),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
