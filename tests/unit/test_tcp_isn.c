/* Unit tests of SipHash-2-4, the stack's secrets and RFC 6528 initial sequence numbers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../kernel/net/tcp_isn.h"

/* The reference vectors of the SipHash paper (key 00..0f, message 00..n-1), n = 0..16. */
static const uint64_t siphash_vectors[17] = {
    0x726fdb47dd0e0e31ull, 0x74f839c593dc67fdull, 0x0d6c8009d9a94f5aull, 0x85676696d7fb7e2dull,
    0xcf2794e0277187b7ull, 0x18765564cd99a68dull, 0xcbc9466e58fee3ceull, 0xab0200f58b01d137ull,
    0x93f5f5799a932462ull, 0x9e0082df0ba9e4b0ull, 0x7a5dbbc594ddb9f3ull, 0xf4b32f46226bada7ull,
    0x751e8fbc860ee5fbull, 0x14ea5627c0843d90ull, 0xf723ca908e7af2eeull, 0xa129ca6149be45e5ull,
    0x3f2acc7f57c29bdbull};

static void test_siphash_2_4_reference_vectors(void **state)
{
    (void)state;
    uint8_t key[16], msg[17];
    for (unsigned i = 0; i < 16; i++)
        key[i] = (uint8_t)i;
    for (unsigned i = 0; i < 17; i++)
        msg[i] = (uint8_t)i;
    for (unsigned n = 0; n <= 16; n++)
        assert_int_equal(tcp_siphash(key, msg, n), siphash_vectors[n]);
}

#define LADDR 0x0a000002u
#define RADDR 0x0a000001u

static void test_isn_advances_with_a_4us_clock_rfc6528_s3(void **state)
{
    (void)state;
    uint64_t t = 1000000000ull;
    uint32_t a = tcp_isn(LADDR, 80, RADDR, 40000, t);
    assert_int_equal(tcp_isn(LADDR, 80, RADDR, 40000, t + 3999), a);
    assert_int_equal(tcp_isn(LADDR, 80, RADDR, 40000, t + 4000), a + 1);
    assert_int_equal(tcp_isn(LADDR, 80, RADDR, 40000, t + 4000000), a + 1000);
    /* M wraps modulo 2^32 after 2^32 ticks (about 4.77 hours). */
    assert_int_equal(tcp_isn(LADDR, 80, RADDR, 40000, t + 4000ull * (1ull << 32)), a);
}

static void test_isn_depends_on_tuple_and_secret_rfc6528_s3(void **state)
{
    (void)state;
    uint64_t t = 5000000000ull;
    uint32_t base = tcp_isn(LADDR, 80, RADDR, 40000, t);
    /* Each element of the 4-tuple changes F(), so ISNs of different connections are unrelated. */
    assert_int_not_equal(tcp_isn(LADDR, 81, RADDR, 40000, t), base);
    assert_int_not_equal(tcp_isn(LADDR, 80, RADDR, 40001, t), base);
    assert_int_not_equal(tcp_isn(LADDR + 1, 80, RADDR, 40000, t), base);
    assert_int_not_equal(tcp_isn(LADDR, 80, RADDR + 1, 40000, t), base);
    /* Swapping the ends is a different connection too. */
    assert_int_not_equal(tcp_isn(RADDR, 40000, LADDR, 80, t), base);
    /* A new secret makes the offsets unpredictable from the old ones. */
    uint8_t key[TCP_SECRET_LEN] = {0x55};
    uint8_t old[TCP_SECRET_LEN];
    memcpy(old, tcp_secret(TCP_SECRET_ISN), sizeof(old));
    tcp_secret_set(TCP_SECRET_ISN, key);
    assert_memory_equal(tcp_secret(TCP_SECRET_ISN), key, sizeof(key));
    assert_int_not_equal(tcp_isn(LADDR, 80, RADDR, 40000, t), base);
    tcp_secret_set(TCP_SECRET_ISN, old);
    assert_int_equal(tcp_isn(LADDR, 80, RADDR, 40000, t), base);
}

static void test_isn_offsets_are_spread_rfc6528_s3(void **state)
{
    (void)state;
    /* 4096 client ports: the top 4 bits of F() should hit each of the 16 buckets. */
    unsigned buckets[16] = {0};
    for (uint16_t port = 30000; port < 30000 + 4096; port++)
        buckets[tcp_isn(LADDR, 80, RADDR, port, 0) >> 28]++;
    for (unsigned i = 0; i < 16; i++)
        assert_true(buckets[i] > 128 && buckets[i] < 384);
}

static void test_secrets_are_independent_per_use(void **state)
{
    (void)state;
    assert_memory_not_equal(tcp_secret(TCP_SECRET_ISN), tcp_secret(TCP_SECRET_COOKIE),
                            TCP_SECRET_LEN);
    assert_memory_not_equal(tcp_secret(TCP_SECRET_COOKIE), tcp_secret(TCP_SECRET_PORT),
                            TCP_SECRET_LEN);
    assert_int_not_equal(tcp_hash_tuple(TCP_SECRET_ISN, LADDR, 80, RADDR, 1, 0),
                         tcp_hash_tuple(TCP_SECRET_PORT, LADDR, 80, RADDR, 1, 0));
    assert_int_not_equal(tcp_hash_tuple(TCP_SECRET_PORT, LADDR, 80, RADDR, 1, 0),
                         tcp_hash_tuple(TCP_SECRET_PORT, LADDR, 80, RADDR, 1, 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_siphash_2_4_reference_vectors),
        cmocka_unit_test(test_isn_advances_with_a_4us_clock_rfc6528_s3),
        cmocka_unit_test(test_isn_depends_on_tuple_and_secret_rfc6528_s3),
        cmocka_unit_test(test_isn_offsets_are_spread_rfc6528_s3),
        cmocka_unit_test(test_secrets_are_independent_per_use),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
