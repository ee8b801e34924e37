/* The retransmission timer's estimator (RFC 6298): SRTT, RTTVAR, RTO and exponential backoff. */
#include "tcp_rtt.h"

static uint64_t clamp_rto(uint64_t rto)
{
    if (rto < TCP_RTO_MIN_NS)
        return TCP_RTO_MIN_NS;
    if (rto > TCP_RTO_MAX_NS)
        return TCP_RTO_MAX_NS;
    return rto;
}

void tcp_rtt_init(struct tcp_rtt *r)
{
    r->srtt_ns = 0;
    r->rttvar_ns = 0;
    r->rto_ns = TCP_RTO_INITIAL_NS;
    r->backoff = 0;
    r->has_sample = false;
}

void tcp_rtt_sample(struct tcp_rtt *r, uint64_t rtt_ns)
{
    if (rtt_ns == 0)
        rtt_ns = 1;
    if (rtt_ns > TCP_RTO_MAX_NS)
        rtt_ns = TCP_RTO_MAX_NS; /* keeps the arithmetic far from overflow */
    if (!r->has_sample) {
        r->srtt_ns = rtt_ns; /* RFC 6298 §2.2 */
        r->rttvar_ns = rtt_ns / 2;
        r->has_sample = true;
    } else { /* §2.3: beta = 1/4, alpha = 1/8; RTTVAR first, with the old SRTT */
        uint64_t err = r->srtt_ns > rtt_ns ? r->srtt_ns - rtt_ns : rtt_ns - r->srtt_ns;
        r->rttvar_ns = r->rttvar_ns - r->rttvar_ns / 4 + err / 4;
        r->srtt_ns = r->srtt_ns - r->srtt_ns / 8 + rtt_ns / 8;
    }
    uint64_t var = 4 * r->rttvar_ns;
    r->rto_ns =
        clamp_rto(r->srtt_ns + (var > TCP_RTT_GRANULARITY_NS ? var : TCP_RTT_GRANULARITY_NS));
    r->backoff = 0;
}

uint64_t tcp_rtt_rto(const struct tcp_rtt *r)
{
    uint64_t rto = r->rto_ns;
    for (unsigned i = 0; i < r->backoff && rto < TCP_RTO_MAX_NS; i++)
        rto *= 2;
    return rto > TCP_RTO_MAX_NS ? TCP_RTO_MAX_NS : rto;
}

void tcp_rtt_backoff(struct tcp_rtt *r)
{
    if (r->backoff < 255)
        r->backoff++;
}

void tcp_rtt_reset_backoff(struct tcp_rtt *r)
{
    r->backoff = 0;
}

void tcp_rtt_syn_fallback(struct tcp_rtt *r)
{
    if (!r->has_sample && r->rto_ns < TCP_RTO_FALLBACK_NS)
        r->rto_ns = TCP_RTO_FALLBACK_NS;
}
