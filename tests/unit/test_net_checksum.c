/* Unit tests of the Internet checksum (kernel/net/checksum.c) against a byte-by-byte RFC 1071
 * reference: every length and alignment, running sums, pieces at odd offsets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../kernel/net/net_internal.h"

/* RFC 1071: the one's-complement sum of big-endian 16-bit words, an odd last byte padded. */
static uint32_t reference(uint32_t sum, const uint8_t *p, size_t len, bool odd_start)
{
    uint64_t acc = sum;
    for (size_t i = 0; i < len; i++)
        acc += ((i + odd_start) % 2 == 0) ? (uint32_t)p[i] << 8 : p[i];
    while (acc >> 16)
        acc = (acc & 0xffff) + (acc >> 16);
    return (uint32_t)acc;
}

static uint16_t folded(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)sum;
}

static void fill(uint8_t *p, size_t n, uint32_t seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        p[i] = (uint8_t)(seed >> 16);
    }
}

static void test_every_length_and_alignment(void **state)
{
    (void)state;
    static uint8_t buf[1600 + 8];
    fill(buf, sizeof(buf), 7);
    for (size_t align = 0; align < 8; align++) {
        for (size_t len = 0; len <= 1600; len += (len < 200 ? 1 : 53)) {
            for (uint32_t start = 0; start < 0x10000; start += 0x7fff) {
                uint32_t got = csum_add(start, buf + align, len);
                assert_true(got <= 0xffff);
                assert_int_equal(folded(got), folded(reference(start, buf + align, len, false)));
            }
        }
    }
}

static void test_all_ones_does_not_overflow(void **state)
{
    (void)state;
    static uint8_t buf[65536];
    memset(buf, 0xff, sizeof(buf));
    uint32_t got = csum_add(0xffff, buf, sizeof(buf));
    assert_int_equal(folded(got), folded(reference(0xffff, buf, sizeof(buf), false)));
    assert_int_equal(csum_fold(got), 0); /* 0xffff everywhere: the complement of -0 */
}

static void test_pieces_at_odd_offsets_add_up(void **state)
{
    (void)state;
    uint8_t buf[301];
    fill(buf, sizeof(buf), 99);
    uint32_t whole = csum_add(0, buf, sizeof(buf));
    for (size_t cut = 0; cut <= sizeof(buf); cut++) {
        uint32_t sum = csum_add_at(0, buf, cut, false);
        sum = csum_add_at(sum, buf + cut, sizeof(buf) - cut, cut % 2);
        assert_int_equal(csum_fold(sum), csum_fold(whole));
    }
}

static void test_a_known_header(void **state)
{
    (void)state;
    /* An IPv4 header whose checksum field (0xb861) makes the sum come out as 0xffff. */
    const uint8_t ip[20] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                            0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
    assert_int_equal(csum_fold(csum_add(0, ip, sizeof(ip))), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_length_and_alignment),
        cmocka_unit_test(test_all_ones_does_not_overflow),
        cmocka_unit_test(test_pieces_at_odd_offsets_add_up),
        cmocka_unit_test(test_a_known_header),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
