/* Unit tests of the RFC 6298 retransmission timer estimator. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../kernel/net/tcp_rtt.h"

#define MS 1000000ull
#define S  1000000000ull

static void test_initial_rto_is_one_second_rfc6298_s2_1(void **state)
{
    (void)state;
    struct tcp_rtt r;
    tcp_rtt_init(&r);
    assert_false(r.has_sample);
    assert_int_equal(tcp_rtt_rto(&r), 1 * S);
}

static void test_first_sample_rfc6298_s2_2(void **state)
{
    (void)state;
    struct tcp_rtt r;
    tcp_rtt_init(&r);
    tcp_rtt_sample(&r, 400 * MS);
    assert_int_equal(r.srtt_ns, 400 * MS);
    assert_int_equal(r.rttvar_ns, 200 * MS);
    assert_int_equal(tcp_rtt_rto(&r), 400 * MS + 4 * 200 * MS); /* SRTT + 4 RTTVAR */
}

static void test_later_samples_rfc6298_s2_3(void **state)
{
    (void)state;
    struct tcp_rtt r;
    tcp_rtt_init(&r);
    tcp_rtt_sample(&r, 400 * MS);
    tcp_rtt_sample(&r, 200 * MS);
    /* RTTVAR = 3/4 * 200 + 1/4 * |400 - 200| = 200; SRTT = 7/8 * 400 + 1/8 * 200 = 375. */
    assert_int_equal(r.rttvar_ns, 200 * MS);
    assert_int_equal(r.srtt_ns, 375 * MS);
    assert_int_equal(tcp_rtt_rto(&r), 1175 * MS);
    /* A steady RTT converges: RTTVAR decays towards 0, the RTO towards SRTT + G, floored. */
    for (int i = 0; i < 200; i++)
        tcp_rtt_sample(&r, 300 * MS);
    assert_true(r.srtt_ns > 299 * MS && r.srtt_ns < 301 * MS);
    assert_true(tcp_rtt_rto(&r) >= 301 * MS && tcp_rtt_rto(&r) < 305 * MS);
}

static void test_rto_floor_200ms_as_linux_and_ceiling_rfc6298_s2_4_s2_5(void **state)
{
    (void)state;
    struct tcp_rtt r;
    tcp_rtt_init(&r);
    tcp_rtt_sample(&r, 100000); /* 0.1 ms LAN */
    assert_int_equal(tcp_rtt_rto(&r), TCP_RTO_MIN_NS);
    tcp_rtt_sample(&r, 0); /* counts as 1 ns, no division trouble */
    assert_int_equal(tcp_rtt_rto(&r), TCP_RTO_MIN_NS);
    tcp_rtt_init(&r);
    tcp_rtt_sample(&r, 100 * S);
    assert_int_equal(tcp_rtt_rto(&r), TCP_RTO_MAX_NS);
}

static void test_backoff_doubles_and_saturates_rfc6298_s5_5(void **state)
{
    (void)state;
    struct tcp_rtt r;
    tcp_rtt_init(&r);
    uint64_t want = 1 * S;
    for (int i = 0; i < 10; i++) {
        assert_int_equal(tcp_rtt_rto(&r), want > TCP_RTO_MAX_NS ? TCP_RTO_MAX_NS : want);
        tcp_rtt_backoff(&r);
        want *= 2;
    }
    assert_int_equal(tcp_rtt_rto(&r), TCP_RTO_MAX_NS);
    for (int i = 0; i < 300; i++)
        tcp_rtt_backoff(&r);
    assert_int_equal(r.backoff, 255);
    assert_int_equal(tcp_rtt_rto(&r), TCP_RTO_MAX_NS);
    tcp_rtt_reset_backoff(&r);
    assert_int_equal(tcp_rtt_rto(&r), 1 * S);
}

static void test_new_sample_collapses_the_backoff_rfc6298_s5_7(void **state)
{
    (void)state;
    struct tcp_rtt r;
    tcp_rtt_init(&r);
    tcp_rtt_sample(&r, 100 * MS);
    tcp_rtt_backoff(&r);
    tcp_rtt_backoff(&r);
    assert_int_equal(tcp_rtt_rto(&r), 4 * 300 * MS);
    tcp_rtt_sample(&r, 100 * MS);
    assert_int_equal(r.backoff, 0);
    assert_true(tcp_rtt_rto(&r) < 300 * MS);
}

static void test_lost_syn_gives_a_3s_rto_rfc6298_s5_7(void **state)
{
    (void)state;
    struct tcp_rtt r;
    tcp_rtt_init(&r);
    tcp_rtt_backoff(&r); /* the SYN timed out */
    tcp_rtt_syn_fallback(&r);
    tcp_rtt_reset_backoff(&r);
    assert_int_equal(tcp_rtt_rto(&r), 3 * S);
    /* With a sample (e.g. from timestamps) the fallback does nothing. */
    tcp_rtt_init(&r);
    tcp_rtt_sample(&r, 50 * MS);
    uint64_t before = tcp_rtt_rto(&r);
    tcp_rtt_syn_fallback(&r);
    assert_int_equal(tcp_rtt_rto(&r), before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_initial_rto_is_one_second_rfc6298_s2_1),
        cmocka_unit_test(test_first_sample_rfc6298_s2_2),
        cmocka_unit_test(test_later_samples_rfc6298_s2_3),
        cmocka_unit_test(test_rto_floor_200ms_as_linux_and_ceiling_rfc6298_s2_4_s2_5),
        cmocka_unit_test(test_backoff_doubles_and_saturates_rfc6298_s5_5),
        cmocka_unit_test(test_new_sample_collapses_the_backoff_rfc6298_s5_7),
        cmocka_unit_test(test_lost_syn_gives_a_3s_rto_rfc6298_s5_7),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
