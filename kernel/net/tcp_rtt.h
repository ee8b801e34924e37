/* The retransmission timer's estimator (RFC 6298): SRTT, RTTVAR, RTO and exponential backoff. */
#ifndef ATOLL_NET_TCP_RTT_H
#define ATOLL_NET_TCP_RTT_H

#include <stdbool.h>
#include <stdint.h>

/* All times in nanoseconds. */
#define TCP_RTO_INITIAL_NS     1000000000ull /* RFC 6298 §2.1: 1 s before any sample */
#define TCP_RTO_FALLBACK_NS    3000000000ull /* RFC 6298 §5.7: after a lost SYN or SYN-ACK */
#define TCP_RTO_MIN_NS         200000000ull  /* Linux's floor (RFC 6298 §2.4 says 1 s) */
#define TCP_RTO_MAX_NS         120000000000ull /* Linux's TCP_RTO_MAX (RFC 6298 §2.5 allows >= 60 s) */
#define TCP_RTT_GRANULARITY_NS 1000000ull /* G of RFC 6298 §2: the timer's granularity, 1 ms */

/* One connection's estimator (embed it; plain data). Karn's rule (RFC 6298 §3: no samples from
 * retransmitted segments unless timestamps disambiguate them) is the caller's job. */
struct tcp_rtt {
    uint64_t srtt_ns;   /* smoothed RTT; 0 until the first sample */
    uint64_t rttvar_ns; /* RTT variation */
    uint64_t rto_ns;    /* RTO before backoff, within [MIN, MAX] */
    uint8_t backoff;    /* number of doublings applied by tcp_rtt_backoff since the last reset */
    bool has_sample;
};

/* No sample yet: RTO = 1 s (RFC 6298 §2.1), no backoff. */
void tcp_rtt_init(struct tcp_rtt *r);

/* A new measurement (RFC 6298 §2.2 first sample: SRTT = R, RTTVAR = R/2; §2.3 later ones:
 * RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R|, SRTT = 7/8 SRTT + 1/8 R, in that order), then
 * RTO = SRTT + max(G, 4 RTTVAR) clamped to [200 ms, 120 s]. A sample of 0 counts as 1 ns.
 * Also clears the backoff: a valid sample means the path answers again (RFC 6298 §5.7 lets the
 * RTO collapse back once a new sample arrives; Linux does the same on new ACKs). */
void tcp_rtt_sample(struct tcp_rtt *r, uint64_t rtt_ns);

/* The timeout to arm now: the RTO doubled once per backoff step (RFC 6298 §5.5), capped at
 * 120 s. */
uint64_t tcp_rtt_rto(const struct tcp_rtt *r);

/* RFC 6298 §5.5: the retransmission timer expired; the next RTO doubles (saturating at 120 s;
 * the backoff count itself saturates at 255 and is what TCP_INFO reports as backoff). */
void tcp_rtt_backoff(struct tcp_rtt *r);

/* Forgets the backoff without a new sample (e.g. an ACK for new data arrived but Karn's rule
 * forbade sampling it; Linux resets icsk_backoff there). */
void tcp_rtt_reset_backoff(struct tcp_rtt *r);

/* RFC 6298 §5.7: the SYN or SYN-ACK had to be retransmitted and no sample exists: the RTO used
 * once data transfer begins becomes 3 s. No effect when a sample exists. */
void tcp_rtt_syn_fallback(struct tcp_rtt *r);

#endif
