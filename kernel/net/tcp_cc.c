/* Congestion control: CUBIC (RFC 9438) in integer arithmetic, with slow start (RFC 5681),
 * the initial window of RFC 6928 and NewReno's window inflation (RFC 6582). */
#include "tcp_cc.h"

/* Time inside CUBIC is counted in units of 1/1024 s, as Linux's BICTCP_HZ does. */
#define UNITS_PER_SEC 1024u
#define NS_PER_SEC    1000000000ull
/* alpha_cubic = 3 (1 - beta) / (1 + beta) (RFC 9438 §4.3), scaled by 1024: 541.7 -> 542. */
#define ALPHA_1024 542u
/* |t - K| beyond 2^18 units (256 s) already means a window far above TCP_CC_WINDOW_MAX. */
#define OFFSET_MAX      (1ull << 18)
#define SRTT_DEFAULT_NS 100000000ull

static uint32_t clamp_window(uint64_t w)
{
    return w > TCP_CC_WINDOW_MAX ? TCP_CC_WINDOW_MAX : (uint32_t)w;
}

static uint32_t initial_window(uint32_t mss)
{
    uint64_t iw = (uint64_t)TCP_CC_IW_SEGMENTS * mss;
    uint64_t cap = 2ull * mss > 14600 ? 2ull * mss : 14600;
    return clamp_window(iw < cap ? iw : cap);
}

void tcp_cc_init(struct tcp_cc *cc, uint32_t mss)
{
    *cc = (struct tcp_cc){0};
    cc->mss = mss ? mss : 1;
    cc->cwnd = initial_window(cc->mss);
    cc->ssthresh = TCP_CC_WINDOW_MAX;
}

static uint32_t rescale(uint32_t w, uint32_t old, uint32_t now)
{
    return clamp_window((uint64_t)w * now / old);
}

void tcp_cc_set_mss(struct tcp_cc *cc, uint32_t mss)
{
    if (!mss || mss == cc->mss)
        return;
    uint32_t old = cc->mss;
    cc->mss = mss;
    cc->cwnd = rescale(cc->cwnd, old, mss);
    if (cc->cwnd < mss)
        cc->cwnd = mss;
    if (cc->ssthresh != TCP_CC_WINDOW_MAX) {
        cc->ssthresh = rescale(cc->ssthresh, old, mss);
        if (cc->ssthresh < 2 * mss)
            cc->ssthresh = 2 * mss;
    }
    cc->w_max = rescale(cc->w_max, old, mss);
    cc->cwnd_prior = rescale(cc->cwnd_prior, old, mss);
    cc->cwnd_epoch = rescale(cc->cwnd_epoch, old, mss);
    cc->w_est = rescale(cc->w_est, old, mss);
}

uint32_t tcp_cc_cbrt(uint64_t x)
{
    /* Digit by digit in base 8 (Hacker's Delight §11-2, widened to 64 bits): exact floor. */
    uint64_t y = 0;
    for (int s = 63; s >= 0; s -= 3) {
        y <<= 1;
        uint64_t b = 3 * y * (y + 1) + 1;
        if ((x >> s) >= b) {
            x -= b << s;
            y++;
        }
    }
    return (uint32_t)y;
}

/* Starts a congestion avoidance epoch at now (RFC 9438 §4.2): K from W_max and cwnd_epoch. */
static void start_epoch(struct tcp_cc *cc, uint64_t now)
{
    cc->epoch_valid = true;
    cc->epoch_start = now;
    cc->cwnd_epoch = cc->cwnd;
    cc->w_est = cc->cwnd;
    cc->est_rem = 0;
    cc->inc_rem = 0;
    if (cc->after_rto || cc->w_max <= cc->cwnd) {
        /* §4.8 after a timeout, and whenever the window already exceeds W_max: the plateau is
         * here and growth is convex from the start. */
        cc->after_rto = false;
        cc->w_max = cc->cwnd;
        cc->k_units = 0;
        return;
    }
    /* K^3 = (W_max - cwnd_epoch) / C in segments and s^3; C = 0.4, so in (1/1024 s)^3:
     * K^3 = diff_bytes / mss * 2.5 * 2^30 = diff_bytes * 5 * 2^29 / mss (diff < 2^30: fits). */
    uint64_t diff = cc->w_max - cc->cwnd;
    cc->k_units = tcp_cc_cbrt((diff * 5ull << 29) / cc->mss);
}

/* The units of 1/1024 s in t_ns (t_ns clamped so the product cannot overflow). */
static uint64_t ns_to_units(uint64_t t_ns)
{
    if (t_ns > (1ull << 50))
        t_ns = 1ull << 50;
    return t_ns * UNITS_PER_SEC / NS_PER_SEC;
}

uint32_t tcp_cc_w_cubic(const struct tcp_cc *cc, uint64_t t_ns)
{
    uint64_t t = ns_to_units(t_ns);
    bool below = t < cc->k_units; /* concave region: W_cubic < W_max */
    uint64_t off = below ? cc->k_units - t : t - cc->k_units;
    if (off > OFFSET_MAX)
        off = OFFSET_MAX;
    /* C * off^3 segments = 0.4 * off^3 / 2^30; in bytes times mss. off^3 < 2^54, >> 10 < 2^44,
     * times mss < 2^60, times 2 < 2^61: no overflow. */
    uint64_t delta = (((off * off * off) >> 10) * cc->mss * 2 / 5) >> 20;
    if (below)
        return delta >= cc->w_max ? 0 : (uint32_t)(cc->w_max - delta);
    return clamp_window(cc->w_max + delta);
}

static void slow_start(struct tcp_cc *cc, uint32_t acked)
{
    uint32_t inc = acked < 2 * cc->mss ? acked : 2 * cc->mss; /* RFC 3465 L = 2 SMSS */
    uint64_t w = (uint64_t)cc->cwnd + inc;
    if (w > cc->ssthresh && cc->cwnd < cc->ssthresh)
        w = cc->ssthresh; /* the rest of this ACK is not counted twice */
    cc->cwnd = clamp_window(w);
}

static void congestion_avoidance(struct tcp_cc *cc, uint32_t acked, uint64_t now, uint64_t srtt)
{
    if (!cc->epoch_valid)
        start_epoch(cc, now);
    uint64_t t = now > cc->epoch_start ? now - cc->epoch_start : 0;

    /* §4.3: W_est grows by alpha segments per window of ACKed data; alpha = 1 once it passed
     * the window before the last reduction. */
    uint32_t alpha = cc->w_est >= cc->cwnd_prior ? 1024 : ALPHA_1024;
    uint64_t num = (uint64_t)alpha * acked * cc->mss + cc->est_rem;
    uint64_t den = 1024ull * cc->cwnd;
    cc->w_est = clamp_window(cc->w_est + num / den);
    cc->est_rem = num % den;

    if (tcp_cc_w_cubic(cc, t) < cc->w_est) { /* §4.3 Reno-friendly region */
        if (cc->w_est > cc->cwnd)
            cc->cwnd = cc->w_est;
        return;
    }
    /* §4.4 concave / §4.5 convex: aim at W_cubic(t + RTT), within [cwnd, 1.5 cwnd]. */
    uint64_t target = tcp_cc_w_cubic(cc, t + srtt);
    if (target < cc->cwnd)
        target = cc->cwnd;
    if (target > cc->cwnd + cc->cwnd / 2ull)
        target = cc->cwnd + cc->cwnd / 2ull;
    num = (target - cc->cwnd) * acked + cc->inc_rem;
    cc->cwnd = clamp_window(cc->cwnd + num / cc->cwnd);
    cc->inc_rem = num % cc->cwnd;
}

void tcp_cc_on_ack(struct tcp_cc *cc, uint32_t acked, uint32_t flight, uint64_t now_ns,
                   uint64_t srtt_ns)
{
    if (cc->in_recovery || acked == 0)
        return;
    if (cc->cwnd < cc->ssthresh) {
        if ((uint64_t)flight * 2 >= cc->cwnd)
            slow_start(cc, acked);
        return;
    }
    if ((uint64_t)flight + 3ull * cc->mss < cc->cwnd)
        return; /* application-limited: the window was not the constraint */
    congestion_avoidance(cc, acked, now_ns, srtt_ns ? srtt_ns : SRTT_DEFAULT_NS);
}

/* §4.6: remember W_max (with fast convergence) and set ssthresh = cwnd * beta. */
static void reduce(struct tcp_cc *cc)
{
    uint32_t cwnd = cc->cwnd;
    cc->cwnd_prior = cwnd;
    if (cwnd < cc->w_max) /* fast convergence: release bandwidth to newer flows */
        cc->w_max = (uint32_t)((uint64_t)cwnd * (1024 + TCP_CC_BETA_1024) / 2048);
    else
        cc->w_max = cwnd;
    uint32_t ss = (uint32_t)((uint64_t)cwnd * TCP_CC_BETA_1024 / 1024);
    cc->ssthresh = ss > 2 * cc->mss ? ss : 2 * cc->mss;
    cc->epoch_valid = false;
}

void tcp_cc_enter_recovery(struct tcp_cc *cc)
{
    reduce(cc);
    cc->cwnd = cc->ssthresh;
    cc->in_recovery = true;
}

void tcp_cc_newreno_inflate(struct tcp_cc *cc, unsigned segments)
{
    cc->cwnd = clamp_window((uint64_t)cc->cwnd + (uint64_t)segments * cc->mss);
}

void tcp_cc_partial_ack(struct tcp_cc *cc, uint32_t acked)
{
    uint64_t w = cc->cwnd > acked ? cc->cwnd - acked : 0;
    if (acked >= cc->mss)
        w += cc->mss;
    cc->cwnd = w < cc->mss ? cc->mss : clamp_window(w);
}

void tcp_cc_exit_recovery(struct tcp_cc *cc, uint32_t flight)
{
    uint64_t w = (uint64_t)(flight > cc->mss ? flight : cc->mss) + cc->mss;
    cc->cwnd = w < cc->ssthresh ? (uint32_t)w : cc->ssthresh;
    cc->in_recovery = false;
    cc->epoch_valid = false;
}

void tcp_cc_on_rto(struct tcp_cc *cc, unsigned backoff)
{
    if (!cc->in_recovery && backoff == 0)
        reduce(cc);
    cc->cwnd = cc->mss;
    cc->in_recovery = false;
    cc->epoch_valid = false;
    cc->after_rto = true;
}

void tcp_cc_after_idle(struct tcp_cc *cc)
{
    uint32_t iw = initial_window(cc->mss);
    if (cc->cwnd > iw)
        cc->cwnd = iw;
    cc->epoch_valid = false;
}
