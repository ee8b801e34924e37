/* Unit tests of the ChaCha20 block function (RFC 8439 vectors) and the getrandom stream built on
 * it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "atoll/random.h"

static void test_rfc8439_block_vector(void **state)
{
    (void)state;
    /* RFC 8439 section 2.3.2: key 00..1f, nonce 000000090000004a00000000, block counter 1. */
    uint32_t key[8];
    for (int i = 0; i < 8; i++)
        key[i] = (uint32_t)(4 * i) | (uint32_t)(4 * i + 1) << 8 | (uint32_t)(4 * i + 2) << 16 |
                 (uint32_t)(4 * i + 3) << 24;
    const uint32_t nonce[3] = {0x09000000, 0x4a000000, 0x00000000};
    static const uint8_t expected[64] = {
        0x10, 0xf1, 0xe7, 0xe4, 0xd1, 0x3b, 0x59, 0x15, 0x50, 0x0f, 0xdd, 0x1f, 0xa3,
        0x20, 0x71, 0xc4, 0xc7, 0xd1, 0xf4, 0xc7, 0x33, 0xc0, 0x68, 0x03, 0x04, 0x22,
        0xaa, 0x9a, 0xc3, 0xd4, 0x6c, 0x4e, 0xd2, 0x82, 0x64, 0x46, 0x07, 0x9f, 0xaa,
        0x09, 0x14, 0xc2, 0xd7, 0x05, 0xd9, 0x8b, 0x02, 0xa2, 0xb5, 0x12, 0x9c, 0xd1,
        0xde, 0x16, 0x4e, 0xb9, 0xcb, 0xd0, 0x83, 0xe8, 0xa2, 0x50, 0x3c, 0x4e};
    uint8_t out[64];
    chacha20_block(key, 1, nonce, out);
    assert_memory_equal(out, expected, sizeof(expected));
}

static void test_rfc8439_zero_key_vector(void **state)
{
    (void)state;
    /* RFC 8439 appendix A.1, test vector 1: all-zero key and nonce, counter 0. */
    const uint32_t key[8] = {0};
    const uint32_t nonce[3] = {0};
    static const uint8_t expected[16] = {0x76, 0xb8, 0xe0, 0xad, 0xa0, 0xf1, 0x3d, 0x90,
                                         0x40, 0x5d, 0x6a, 0xe5, 0x53, 0x86, 0xbd, 0x28};
    uint8_t out[64];
    chacha20_block(key, 0, nonce, out);
    assert_memory_equal(out, expected, sizeof(expected));
}

static void test_stream_is_deterministic_per_seed_and_erases_its_key(void **state)
{
    (void)state;
    uint8_t seed[32] = {1, 2, 3};
    struct chacha_rng a, b;
    chacha_rng_seed(&a, seed);
    chacha_rng_seed(&b, seed);
    uint8_t x[100], y[100];
    chacha_rng_read(&a, x, sizeof(x));
    chacha_rng_read(&b, y, sizeof(y));
    assert_memory_equal(x, y, sizeof(x));
    /* Fast key erasure: the key changed, and the next request differs from the first. */
    assert_memory_not_equal(a.key, seed, sizeof(a.key));
    uint8_t z[100];
    chacha_rng_read(&a, z, sizeof(z));
    assert_memory_not_equal(x, z, sizeof(x));
}

static void test_other_seed_gives_other_stream(void **state)
{
    (void)state;
    uint8_t s1[32] = {0}, s2[32] = {0};
    s2[31] = 1;
    struct chacha_rng a, b;
    chacha_rng_seed(&a, s1);
    chacha_rng_seed(&b, s2);
    uint8_t x[64], y[64];
    chacha_rng_read(&a, x, sizeof(x));
    chacha_rng_read(&b, y, sizeof(y));
    assert_memory_not_equal(x, y, sizeof(x));
}

static void test_odd_lengths_fill_exactly(void **state)
{
    (void)state;
    uint8_t seed[32] = {9};
    struct chacha_rng r;
    chacha_rng_seed(&r, seed);
    uint8_t buf[200];
    memset(buf, 0xAA, sizeof(buf));
    chacha_rng_read(&r, buf, 130);
    for (size_t i = 130; i < sizeof(buf); i++)
        assert_int_equal(buf[i], 0xAA);
    chacha_rng_read(&r, buf, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc8439_block_vector),
        cmocka_unit_test(test_rfc8439_zero_key_vector),
        cmocka_unit_test(test_stream_is_deterministic_per_seed_and_erases_its_key),
        cmocka_unit_test(test_other_seed_gives_other_stream),
        cmocka_unit_test(test_odd_lengths_fill_exactly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
