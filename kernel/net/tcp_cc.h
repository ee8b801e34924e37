/* Congestion control: CUBIC (RFC 9438) in integer arithmetic, with slow start (RFC 5681),
 * the initial window of RFC 6928 and NewReno's window inflation (RFC 6582). */
#ifndef ATOLL_NET_TCP_CC_H
#define ATOLL_NET_TCP_CC_H

#include <stdbool.h>
#include <stdint.h>

#define TCP_CC_IW_SEGMENTS 10          /* RFC 6928 §2 */
#define TCP_CC_BETA_1024   717         /* beta_cubic = 0.7 (RFC 9438 §4.6), scaled by 1024 */
#define TCP_CC_WINDOW_MAX  0x40000000u /* cwnd/ssthresh never exceed 2^30 bytes */

/* One connection's congestion state (embed it; plain data). Windows are in bytes; the engine
 * may send while flight (or RFC 6675 pipe) + smss <= cwnd. Times are the caller's monotonic
 * clock in ns. The engine reads cwnd and ssthresh directly (TCP_INFO reports them in segments:
 * divide by mss) and changes them only through these functions. */
struct tcp_cc {
    uint32_t cwnd;     /* congestion window, bytes */
    uint32_t ssthresh; /* slow-start threshold, bytes; TCP_CC_WINDOW_MAX until the first loss */
    uint32_t mss;      /* SMSS in bytes */
    bool in_recovery;  /* between enter_recovery and exit_recovery: on_ack does not grow cwnd */
    /* CUBIC (RFC 9438 §4): */
    bool epoch_valid;     /* epoch_start is set (the current congestion avoidance stage began) */
    bool after_rto;       /* first CA stage after a timeout: K = 0, W_max = cwnd (§4.8) */
    uint32_t w_max;       /* W_max, bytes: the window just before the last reduction */
    uint32_t cwnd_prior;  /* cwnd when ssthresh was last set (§4.3 alpha switch), bytes */
    uint32_t cwnd_epoch;  /* cwnd at the start of the epoch (§4.2 cwnd_epoch), bytes */
    uint64_t epoch_start; /* ns */
    uint64_t k_units;     /* K in 1/1024 s */
    uint32_t w_est;       /* Reno-friendly estimate W_est (§4.3), bytes */
    uint64_t est_rem;     /* remainder of W_est's growth carried between ACKs */
    uint64_t inc_rem;     /* remainder of cwnd's growth carried between ACKs */
};

/* Fresh connection with SMSS mss (bytes, > 0): cwnd = IW = min(10 * mss, max(2 * mss, 14600))
 * (RFC 6928 §2), ssthresh = TCP_CC_WINDOW_MAX, no epoch. */
void tcp_cc_init(struct tcp_cc *cc, uint32_t mss);

/* SMSS changed (PMTU, or the MSS option learnt after init): cwnd, ssthresh (when set), W_max
 * and W_est keep their size in segments, as Linux keeps snd_cwnd in packets; cwnd stays at least
 * one new mss, ssthresh at least two. */
void tcp_cc_set_mss(struct tcp_cc *cc, uint32_t mss);

/* An ACK advanced snd_una by acked bytes (> 0) at now_ns. flight: bytes outstanding just before
 * this ACK (old snd_nxt - old snd_una); the window grows only when the sender was using it
 * (slow start: flight >= cwnd / 2; avoidance: flight + 3 * mss >= cwnd), so an application-
 * limited connection does not inflate cwnd (RFC 7661 §4.2 spirit, Linux's is_cwnd_limited).
 * srtt_ns: the current smoothed RTT (0 if none: treated as 100 ms) for CUBIC's t + RTT target.
 * Below ssthresh: slow start, cwnd += min(acked, 2 * mss) (RFC 3465 L = 2); above: CUBIC
 * (RFC 9438 §4.2 W_cubic(t + RTT) target, clamped to [cwnd, 1.5 cwnd], §4.3 Reno-friendly
 * W_est, §4.4-4.5 concave/convex). No growth while in_recovery. */
void tcp_cc_on_ack(struct tcp_cc *cc, uint32_t acked, uint32_t flight, uint64_t now_ns,
                   uint64_t srtt_ns);

/* A congestion event (fast retransmit, RFC 6675 §5 or RFC 6582 §3.2 step 2) — once per window
 * of data. RFC 9438 §4.6 fast convergence: W_max = cwnd * (1 + beta) / 2 when cwnd < the
 * previous W_max, else cwnd; ssthresh = max(cwnd * beta, 2 * mss); cwnd = ssthresh; the epoch
 * ends; in_recovery set. For NewReno add tcp_cc_newreno_inflate's 3 * mss on top. */
void tcp_cc_enter_recovery(struct tcp_cc *cc);

/* NewReno fast recovery (RFC 6582 §3.2 step 2 / RFC 5681 §3.2 step 4): cwnd += segments * mss
 * (3 on entry, 1 per further duplicate ACK), capped at TCP_CC_WINDOW_MAX. */
void tcp_cc_newreno_inflate(struct tcp_cc *cc, unsigned segments);

/* NewReno partial ACK (RFC 6582 §3.2 step 5): cwnd -= acked, then += mss if acked >= mss
 * (never below mss). */
void tcp_cc_partial_ack(struct tcp_cc *cc, uint32_t acked);

/* Recovery ended with a full ACK (RFC 6582 §3.2 step 3 option 1, also used after SACK
 * recovery): cwnd = min(ssthresh, max(flight, mss) + mss) with flight the bytes still
 * outstanding after this ACK; in_recovery cleared. The next ACK starts a new CUBIC epoch. */
void tcp_cc_exit_recovery(struct tcp_cc *cc, uint32_t flight);

/* Retransmission timeout (RFC 9438 §4.8, RFC 5681 §3.1 eq. 4): the same W_max and ssthresh
 * reduction as a congestion event unless the connection was already in loss recovery or this
 * is a repeated timeout (backoff > 0: ssthresh is not reduced again, RFC 5681 §3.1); cwnd = 1
 * mss (loss window); in_recovery cleared; the next CA stage uses K = 0, W_max = cwnd then. */
void tcp_cc_on_rto(struct tcp_cc *cc, unsigned backoff);

/* Restart after idle (RFC 5681 §4.1 / RFC 7661): when nothing was sent for longer than one
 * RTO, cwnd = min(cwnd, IW); the CUBIC epoch restarts so t does not include the idle time. */
void tcp_cc_after_idle(struct tcp_cc *cc);

/* Integer cube root: the largest r with r^3 <= x. Exposed for the unit tests. */
uint32_t tcp_cc_cbrt(uint64_t x);

/* CUBIC's W_cubic(t) (RFC 9438 eq. 1) in bytes for the current epoch, t_ns after epoch_start,
 * saturating at TCP_CC_WINDOW_MAX and 0 (t < K makes it smaller than W_max). Exposed for the
 * unit tests, which compare it against a double-precision evaluation. */
uint32_t tcp_cc_w_cubic(const struct tcp_cc *cc, uint64_t t_ns);

#endif
