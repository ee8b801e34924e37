/* Unit tests of CUBIC (RFC 9438) in integer arithmetic, checked against a double-precision
 * evaluation of the RFC's formulas, and of slow start, the initial window and NewReno's steps. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../kernel/net/tcp_cc.h"

#define MSS 1460u
#define MS  1000000ull
#define SEC 1000000000ull

static void test_initial_window_rfc6928_s2(void **state)
{
    (void)state;
    struct tcp_cc cc;
    tcp_cc_init(&cc, 1460);
    assert_int_equal(cc.cwnd, 14600);
    tcp_cc_init(&cc, 536);
    assert_int_equal(cc.cwnd, 5360);
    tcp_cc_init(&cc, 8960); /* min(10 MSS, max(2 MSS, 14600)) */
    assert_int_equal(cc.cwnd, 2 * 8960);
    assert_int_equal(cc.ssthresh, TCP_CC_WINDOW_MAX);
}

static void test_integer_cube_root_is_exact(void **state)
{
    (void)state;
    static const uint64_t edges[] = {0,
                                     1,
                                     2,
                                     7,
                                     8,
                                     9,
                                     26,
                                     27,
                                     1000,
                                     999,
                                     UINT64_MAX,
                                     1ull << 63,
                                     (1ull << 63) - 1,
                                     2642245ull * 2642245 * 2642245};
    uint64_t x = 0x243f6a8885a308d3ull;
    for (unsigned i = 0; i < 20000; i++) {
        uint64_t v;
        if (i < sizeof(edges) / sizeof(edges[0]))
            v = edges[i];
        else {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            v = x >> (i % 64);
        }
        unsigned __int128 r = tcp_cc_cbrt(v);
        assert_true(r * r * r <= v);
        assert_true((r + 1) * (r + 1) * (r + 1) > v);
        /* and against the C library in double precision */
        double d = cbrt((double)v);
        assert_true(fabs(d - (double)r) < 1.0 + 1e-9 * d);
    }
}

static void test_slow_start_rfc5681_s3_1(void **state)
{
    (void)state;
    struct tcp_cc cc;
    tcp_cc_init(&cc, MSS);
    /* One RTT of ACKs, each for 2 segments (delayed ACKs): cwnd doubles (RFC 3465 L = 2). */
    uint32_t w = cc.cwnd;
    for (uint32_t acked = 0; acked < w; acked += 2 * MSS)
        tcp_cc_on_ack(&cc, 2 * MSS, w, 0, 0);
    assert_int_equal(cc.cwnd, 2 * w);
    /* A stretch ACK of 10 segments still grows by at most 2 SMSS. */
    uint32_t before = cc.cwnd;
    tcp_cc_on_ack(&cc, 10 * MSS, cc.cwnd, 0, 0);
    assert_int_equal(cc.cwnd, before + 2 * MSS);
    /* Slow start stops at ssthresh. */
    cc.ssthresh = cc.cwnd + MSS;
    tcp_cc_on_ack(&cc, 2 * MSS, cc.cwnd, 0, 0);
    assert_int_equal(cc.cwnd, cc.ssthresh);
}

static void test_application_limited_does_not_grow_rfc7661(void **state)
{
    (void)state;
    struct tcp_cc cc;
    tcp_cc_init(&cc, MSS);
    for (int i = 0; i < 100; i++)
        tcp_cc_on_ack(&cc, MSS, MSS, 0, 0); /* one segment in flight at a time */
    assert_int_equal(cc.cwnd, 10 * MSS);
}

static void test_beta_and_w_max_on_a_congestion_event_rfc9438_s4_6(void **state)
{
    (void)state;
    struct tcp_cc cc;
    tcp_cc_init(&cc, MSS);
    cc.cwnd = 100 * MSS;
    tcp_cc_enter_recovery(&cc);
    assert_true(cc.in_recovery);
    assert_int_equal(cc.w_max, 100 * MSS);
    assert_int_equal(cc.ssthresh, (uint32_t)(100 * MSS * 717ull / 1024)); /* beta = 0.7 */
    assert_true(fabs(cc.ssthresh / (100.0 * MSS) - 0.7) < 0.001);
    assert_int_equal(cc.cwnd, cc.ssthresh);
    /* No growth during recovery. */
    uint32_t during = cc.cwnd;
    tcp_cc_on_ack(&cc, MSS, cc.cwnd, SEC, 100 * MS);
    assert_int_equal(cc.cwnd, during);
    tcp_cc_exit_recovery(&cc, 200 * MSS);
    assert_false(cc.in_recovery);
    assert_int_equal(cc.cwnd, cc.ssthresh);
    /* Fast convergence: a new loss below the previous W_max remembers W_max (1 + beta) / 2. */
    cc.cwnd = 80 * MSS;
    tcp_cc_enter_recovery(&cc);
    assert_true(fabs(cc.w_max / (80.0 * MSS) - 0.85) < 0.001);
    /* Never below 2 segments. */
    cc.cwnd = 2 * MSS;
    tcp_cc_exit_recovery(&cc, 0);
    tcp_cc_enter_recovery(&cc);
    assert_int_equal(cc.ssthresh, 2 * MSS);
}

/* The RFC's formulas in double precision, in segments and seconds. */
struct ref {
    double cwnd, ssthresh, w_max, k, w_est, cwnd_prior;
    double epoch;
    bool epoch_valid;
};

static double ref_w(const struct ref *r, double t)
{
    return 0.4 * pow(t - r->k, 3) + r->w_max; /* RFC 9438 eq. 1 */
}

static void ref_ack(struct ref *r, double acked, double now, double rtt)
{
    if (r->cwnd < r->ssthresh) {
        r->cwnd = fmin(r->cwnd + fmin(acked, 2), r->ssthresh);
        return;
    }
    if (!r->epoch_valid) {
        r->epoch_valid = true;
        r->epoch = now;
        r->w_est = r->cwnd;
        if (r->w_max <= r->cwnd) {
            r->w_max = r->cwnd;
            r->k = 0;
        } else {
            r->k = cbrt((r->w_max - r->cwnd) / 0.4); /* eq. 2 */
        }
    }
    double t = now - r->epoch;
    double alpha = r->w_est >= r->cwnd_prior ? 1 : 3 * (1 - 0.7) / (1 + 0.7); /* §4.3 */
    r->w_est += alpha * acked / r->cwnd;
    if (ref_w(r, t) < r->w_est) {
        r->cwnd = fmax(r->cwnd, r->w_est);
        return;
    }
    double target = fmin(fmax(ref_w(r, t + rtt), r->cwnd), 1.5 * r->cwnd);
    r->cwnd += (target - r->cwnd) * acked / r->cwnd;
}

/* Drives cc and the reference from a loss at w_max segments with an ACK clock of RTT rtt_ms,
 * comparing at the end of every RTT. Returns the final cwnd in segments. */
static double run_against_reference(unsigned w_max_segs, unsigned rtt_ms, double seconds,
                                    double *max_rel_err)
{
    struct tcp_cc cc;
    tcp_cc_init(&cc, MSS);
    cc.cwnd = w_max_segs * MSS;
    tcp_cc_enter_recovery(&cc);
    tcp_cc_exit_recovery(&cc, cc.cwnd * 2);
    struct ref r = {.cwnd = cc.cwnd / (double)MSS,
                    .ssthresh = cc.ssthresh / (double)MSS,
                    .w_max = w_max_segs,
                    .cwnd_prior = w_max_segs};
    uint64_t now = 10 * SEC, rtt = rtt_ms * MS;
    *max_rel_err = 0;
    while (now < 10 * SEC + (uint64_t)(seconds * SEC)) {
        unsigned acks = cc.cwnd / MSS;
        for (unsigned i = 0; i < acks; i++) {
            uint64_t t = now + rtt * i / acks;
            tcp_cc_on_ack(&cc, MSS, cc.cwnd, t, rtt);
            ref_ack(&r, 1, t / 1e9, rtt / 1e9);
        }
        now += rtt;
        double got = cc.cwnd / (double)MSS;
        double err = fabs(got - r.cwnd) / r.cwnd;
        if (err > *max_rel_err)
            *max_rel_err = err;
    }
    return cc.cwnd / (double)MSS;
}

static void test_w_cubic_matches_double_precision_rfc9438_s4_2(void **state)
{
    (void)state;
    struct tcp_cc cc;
    tcp_cc_init(&cc, MSS);
    cc.cwnd = 100 * MSS;
    tcp_cc_enter_recovery(&cc);
    tcp_cc_exit_recovery(&cc, cc.cwnd * 2);
    tcp_cc_on_ack(&cc, MSS, cc.cwnd, 5 * SEC, 100 * MS); /* starts the epoch at 5 s */
    double k = cbrt((100.0 - cc.cwnd_epoch / (double)MSS) / 0.4);
    assert_true(fabs(cc.k_units / 1024.0 - k) < 0.002); /* K of eq. 2 */
    for (uint64_t t = 0; t <= 20 * SEC; t += 50 * MS) {
        double want = (0.4 * pow(t / 1e9 - k, 3) + 100.0) * MSS;
        if (want < 0)
            want = 0;
        double got = tcp_cc_w_cubic(&cc, t);
        assert_true(fabs(got - want) <= 0.002 * want + MSS / 10.0);
    }
    /* Saturation far in the future, and 0 far below. */
    assert_int_equal(tcp_cc_w_cubic(&cc, 100000 * SEC), TCP_CC_WINDOW_MAX);
}

static void test_concave_then_convex_against_reference_rfc9438_s4_4_s4_5(void **state)
{
    (void)state;
    double err;
    /* A large window on a 100 ms path: the cubic region. */
    double end = run_against_reference(400, 100, 12.0, &err);
    assert_true(err < 0.01);
    assert_true(end > 400); /* past W_max at t > K = 6.7 s: convex probing */
    /* Concave: at t close to K the window sits just under W_max (the plateau). */
    struct tcp_cc cc;
    tcp_cc_init(&cc, MSS);
    cc.cwnd = 400 * MSS;
    tcp_cc_enter_recovery(&cc);
    tcp_cc_exit_recovery(&cc, cc.cwnd * 2);
    uint64_t now = SEC;
    while (now < SEC + (cc.k_units * SEC / 1024) || !cc.epoch_valid) {
        unsigned acks = cc.cwnd / MSS;
        for (unsigned i = 0; i < acks; i++)
            tcp_cc_on_ack(&cc, MSS, cc.cwnd, now + 100 * MS * i / acks, 100 * MS);
        now += 100 * MS;
    }
    assert_true(cc.cwnd > 390 * MSS && cc.cwnd < 410 * MSS);
}

static void test_reno_friendly_region_rfc9438_s4_3(void **state)
{
    (void)state;
    double err;
    /* A small window on a short path: Reno's AIMD outgrows the cubic curve. */
    double end = run_against_reference(10, 5, 2.0, &err);
    assert_true(err < 0.02);
    /* 400 RTTs of Reno-friendly growth: far beyond W_cubic(2 s) = 0.4 (2 - 1.96)^3 + 10. */
    assert_true(end > 100);
}

static void test_rto_rfc9438_s4_8(void **state)
{
    (void)state;
    struct tcp_cc cc;
    tcp_cc_init(&cc, MSS);
    cc.cwnd = 50 * MSS;
    tcp_cc_on_rto(&cc, 0);
    assert_int_equal(cc.cwnd, MSS); /* loss window, RFC 5681 §3.1 */
    assert_int_equal(cc.ssthresh, (uint32_t)(50 * MSS * 717ull / 1024));
    uint32_t ss = cc.ssthresh;
    tcp_cc_on_rto(&cc, 1); /* the retransmission timed out again: ssthresh stays */
    assert_int_equal(cc.ssthresh, ss);
    /* Slow start back to ssthresh, then the first CA stage has K = 0 and W_max = cwnd. */
    uint64_t now = SEC;
    while (cc.cwnd < cc.ssthresh)
        tcp_cc_on_ack(&cc, MSS, cc.cwnd, now += MS, 10 * MS);
    tcp_cc_on_ack(&cc, MSS, cc.cwnd, now += MS, 10 * MS);
    assert_true(cc.epoch_valid);
    assert_int_equal(cc.k_units, 0);
    assert_int_equal(cc.w_max, cc.cwnd_epoch);
}

static void test_newreno_window_steps_rfc6582_s3_2(void **state)
{
    (void)state;
    struct tcp_cc cc;
    tcp_cc_init(&cc, MSS);
    cc.cwnd = 20 * MSS;
    tcp_cc_enter_recovery(&cc);
    uint32_t ss = cc.ssthresh;
    tcp_cc_newreno_inflate(&cc, 3); /* step 2: ssthresh + 3 SMSS */
    assert_int_equal(cc.cwnd, ss + 3 * MSS);
    tcp_cc_newreno_inflate(&cc, 1); /* step 4 */
    assert_int_equal(cc.cwnd, ss + 4 * MSS);
    tcp_cc_partial_ack(&cc, 2 * MSS); /* step 5: deflate by acked, add back SMSS */
    assert_int_equal(cc.cwnd, ss + 3 * MSS);
    tcp_cc_partial_ack(&cc, 100); /* less than SMSS: no add-back */
    assert_int_equal(cc.cwnd, ss + 3 * MSS - 100);
    tcp_cc_exit_recovery(&cc, 5 * MSS); /* step 3 option 1: min(ssthresh, flight + SMSS) */
    assert_int_equal(cc.cwnd, 6 * MSS);
    tcp_cc_partial_ack(&cc, 100 * MSS);
    assert_int_equal(cc.cwnd, MSS); /* never below one segment */
}

static void test_mss_change_keeps_the_window_in_segments(void **state)
{
    (void)state;
    struct tcp_cc cc;
    tcp_cc_init(&cc, 1460);
    cc.cwnd = 30 * 1460;
    cc.ssthresh = 20 * 1460;
    tcp_cc_set_mss(&cc, 1200); /* PMTU dropped */
    assert_int_equal(cc.mss, 1200);
    assert_int_equal(cc.cwnd, 30 * 1200);
    assert_int_equal(cc.ssthresh, 20 * 1200);
    tcp_cc_after_idle(&cc);
    assert_int_equal(cc.cwnd, 12000); /* RFC 5681 §4.1: min(cwnd, IW) */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_initial_window_rfc6928_s2),
        cmocka_unit_test(test_integer_cube_root_is_exact),
        cmocka_unit_test(test_slow_start_rfc5681_s3_1),
        cmocka_unit_test(test_application_limited_does_not_grow_rfc7661),
        cmocka_unit_test(test_beta_and_w_max_on_a_congestion_event_rfc9438_s4_6),
        cmocka_unit_test(test_w_cubic_matches_double_precision_rfc9438_s4_2),
        cmocka_unit_test(test_concave_then_convex_against_reference_rfc9438_s4_4_s4_5),
        cmocka_unit_test(test_reno_friendly_region_rfc9438_s4_3),
        cmocka_unit_test(test_rto_rfc9438_s4_8),
        cmocka_unit_test(test_newreno_window_steps_rfc6582_s3_2),
        cmocka_unit_test(test_mss_change_keeps_the_window_in_segments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
