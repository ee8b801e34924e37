/* Unit tests of the TCP option parser and builder (RFC 9293 §3.1-3.2, RFC 7323, RFC 2018). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "atoll/errno.h"
#include "../../kernel/net/tcp_options.h"

/* A Linux SYN's options: MSS 1460, SACK-permitted + TS, NOP WS 7. */
static const uint8_t linux_syn[20] = {2,    4,    0x05, 0xb4, 4, 2, 8, 10, 0, 0,
                                      0x12, 0x34, 0,    0,    0, 0, 1, 3,  3, 7};

static void test_parse_linux_syn_rfc9293_s3_2(void **state)
{
    (void)state;
    struct tcp_opts o;
    assert_int_equal(tcp_opts_parse(linux_syn, sizeof(linux_syn), true, &o), 0);
    assert_int_equal(o.present,
                     TCP_OPTF_MSS | TCP_OPTF_WSCALE | TCP_OPTF_SACK_PERM | TCP_OPTF_TIMESTAMP);
    assert_int_equal(o.mss, 1460);
    assert_int_equal(o.wscale, 7);
    assert_int_equal(o.ts_val, 0x1234);
    assert_int_equal(o.ts_ecr, 0);
}

static void test_syn_only_options_ignored_on_other_segments_rfc7323_s2_2(void **state)
{
    (void)state;
    struct tcp_opts o;
    assert_int_equal(tcp_opts_parse(linux_syn, sizeof(linux_syn), false, &o), 0);
    assert_int_equal(o.present, TCP_OPTF_TIMESTAMP); /* MSS, WS, SACK-perm: SYN only */
}

static void test_window_scale_above_14_is_clamped_rfc7323_s2_3(void **state)
{
    (void)state;
    const uint8_t p[4] = {1, 3, 3, 15};
    struct tcp_opts o;
    assert_int_equal(tcp_opts_parse(p, sizeof(p), true, &o), 0);
    assert_int_equal(o.wscale, 14);
}

static void test_sack_blocks_rfc2018_s3(void **state)
{
    (void)state;
    const uint8_t p[20] = {1, 1,  5,    18,   0,    0,    0, 10, 0, 0,
                           0, 20, 0xff, 0xff, 0xff, 0xf0, 0, 0,  0, 5};
    struct tcp_opts o;
    assert_int_equal(tcp_opts_parse(p, sizeof(p), false, &o), 0);
    assert_int_equal(o.present, TCP_OPTF_SACK);
    assert_int_equal(o.nsack, 2);
    assert_int_equal(o.sack[0].start, 10);
    assert_int_equal(o.sack[0].end, 20);
    assert_int_equal(o.sack[1].start, 0xfffffff0u); /* wraps: the parser does not judge */
    assert_int_equal(o.sack[1].end, 5);
}

static void test_eol_ends_the_list_and_unknown_kinds_are_skipped_rfc9293_s3_1(void **state)
{
    (void)state;
    /* Unknown kind 30 (length 4), then MSS, then EOL followed by garbage that must be ignored. */
    const uint8_t p[12] = {30, 4, 0xaa, 0xbb, 2, 4, 0x02, 0x18, 0, 0xff, 0x01, 0x00};
    struct tcp_opts o;
    assert_int_equal(tcp_opts_parse(p, sizeof(p), true, &o), 0);
    assert_int_equal(o.present, TCP_OPTF_MSS);
    assert_int_equal(o.mss, 536);
    assert_int_equal(tcp_opts_parse(p, 0, true, &o), 0);
    assert_int_equal(o.present, 0);
}

static void test_malformed_areas_are_rejected(void **state)
{
    (void)state;
    struct tcp_opts o;
    static const struct {
        uint8_t len;
        uint8_t bytes[41];
    } bad[] = {
        {1, {2}},                              /* length byte missing */
        {2, {8, 0}},                           /* length below 2 */
        {3, {30, 1, 0}},                       /* length 1 */
        {4, {2, 5, 0, 0}},                     /* runs past the end */
        {3, {2, 3, 0}},                        /* MSS must be 4 */
        {4, {3, 4, 0, 0}},                     /* WS must be 3 */
        {3, {4, 3, 0}},                        /* SACK-permitted must be 2 */
        {9, {8, 9, 0, 0, 0, 0, 0, 0, 0}},      /* timestamps must be 10 */
        {2, {5, 2}},                           /* SACK without a block */
        {11, {5, 11, 0, 0, 0, 1, 0, 0, 0, 2}}, /* SACK: not 2 + 8n */
        {41, {1}},                             /* more than 40 bytes */
    };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(tcp_opts_parse(bad[i].bytes, bad[i].len, true, &o), -EINVAL);
    /* What came before the bad option is kept. */
    const uint8_t p[8] = {2, 4, 0x05, 0xb4, 3, 2, 0, 0};
    assert_int_equal(tcp_opts_parse(p, sizeof(p), true, &o), -EINVAL);
    assert_int_equal(o.present, TCP_OPTF_MSS);
}

static void test_builder_lays_out_a_syn_as_linux_does(void **state)
{
    (void)state;
    struct tcp_opts o = {.present = TCP_OPTF_MSS | TCP_OPTF_WSCALE | TCP_OPTF_SACK_PERM |
                                    TCP_OPTF_TIMESTAMP,
                         .mss = 1460,
                         .wscale = 7,
                         .ts_val = 0x1234};
    uint8_t buf[TCP_OPT_MAXLEN];
    assert_int_equal(tcp_opts_len(&o), 20);
    assert_int_equal(tcp_opts_build(buf, &o), 20);
    assert_memory_equal(buf, linux_syn, 20);
    /* Without timestamps SACK-permitted takes a NOP-padded word of its own. */
    o.present = TCP_OPTF_MSS | TCP_OPTF_SACK_PERM;
    static const uint8_t no_ts[8] = {2, 4, 0x05, 0xb4, 1, 1, 4, 2};
    assert_int_equal(tcp_opts_build(buf, &o), 8);
    assert_memory_equal(buf, no_ts, 8);
}

static void test_builder_keeps_sack_blocks_that_fit_rfc2018_s3(void **state)
{
    (void)state;
    struct tcp_opts o = {.present = TCP_OPTF_TIMESTAMP | TCP_OPTF_SACK, .nsack = 4};
    for (unsigned i = 0; i < 4; i++)
        o.sack[i] = (struct tcp_range){100 * i + 10, 100 * i + 20};
    uint8_t buf[TCP_OPT_MAXLEN];
    size_t n = tcp_opts_build(buf, &o);
    assert_int_equal(n, 40); /* timestamps (12) + 3 blocks (28): the 4th is dropped */
    struct tcp_opts back;
    assert_int_equal(tcp_opts_parse(buf, n, false, &back), 0);
    assert_int_equal(back.nsack, 3);
    assert_memory_equal(back.sack, o.sack, 3 * sizeof(o.sack[0]));
    o.present = TCP_OPTF_SACK;
    n = tcp_opts_build(buf, &o);
    assert_int_equal(n, 36); /* 4 blocks without timestamps */
    assert_int_equal(tcp_opts_parse(buf, n, false, &back), 0);
    assert_int_equal(back.nsack, 4);
    assert_memory_equal(back.sack, o.sack, sizeof(o.sack));
}

static void test_round_trip_of_every_option_combination(void **state)
{
    (void)state;
    for (unsigned mask = 0; mask < 32; mask++) {
        for (unsigned nsack = 1; nsack <= 4; nsack++) {
            struct tcp_opts o = {.present = (uint8_t)mask,
                                 .mss = 1400,
                                 .wscale = 9,
                                 .ts_val = 0xdeadbeef,
                                 .ts_ecr = 0x01020304,
                                 .nsack = (uint8_t)nsack};
            for (unsigned i = 0; i < 4; i++)
                o.sack[i] = (struct tcp_range){1000 * i, 1000 * i + 500};
            uint8_t buf[TCP_OPT_MAXLEN];
            size_t n = tcp_opts_build(buf, &o);
            assert_int_equal(n, tcp_opts_len(&o));
            assert_true(n % 4 == 0 && n <= TCP_OPT_MAXLEN);
            struct tcp_opts back;
            assert_int_equal(tcp_opts_parse(buf, n, true, &back), 0);
            uint8_t want = (uint8_t)mask;
            if ((mask & TCP_OPTF_SACK) && back.nsack == 0)
                want &= (uint8_t)~TCP_OPTF_SACK; /* no room left for even one block */
            assert_int_equal(back.present, want);
            if (mask & TCP_OPTF_MSS)
                assert_int_equal(back.mss, 1400);
            if (mask & TCP_OPTF_WSCALE)
                assert_int_equal(back.wscale, 9);
            if (mask & TCP_OPTF_TIMESTAMP) {
                assert_int_equal(back.ts_val, 0xdeadbeef);
                assert_int_equal(back.ts_ecr, 0x01020304);
            }
            if (back.present & TCP_OPTF_SACK) {
                assert_true(back.nsack >= 1 && back.nsack <= nsack);
                assert_memory_equal(back.sack, o.sack, back.nsack * sizeof(o.sack[0]));
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_linux_syn_rfc9293_s3_2),
        cmocka_unit_test(test_syn_only_options_ignored_on_other_segments_rfc7323_s2_2),
        cmocka_unit_test(test_window_scale_above_14_is_clamped_rfc7323_s2_3),
        cmocka_unit_test(test_sack_blocks_rfc2018_s3),
        cmocka_unit_test(test_eol_ends_the_list_and_unknown_kinds_are_skipped_rfc9293_s3_1),
        cmocka_unit_test(test_malformed_areas_are_rejected),
        cmocka_unit_test(test_builder_lays_out_a_syn_as_linux_does),
        cmocka_unit_test(test_builder_keeps_sack_blocks_that_fit_rfc2018_s3),
        cmocka_unit_test(test_round_trip_of_every_option_combination),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
