/* Congestion control and loss recovery for one connection: CUBIC windows (tcp_cc), fast
 * retransmit with the RFC 6675 SACK scoreboard or RFC 6582 NewReno (tcp_sack), RTO backoff. */
#include "tcp_internal.h"

uint64_t tcp_rto(const struct tcp_conn *c)
{
    return tcp_rtt_rto(&c->rtt);
}

bool tcp_in_recovery(const struct tcp_conn *c)
{
    return c->cc.in_recovery;
}

void tcp_recovery_start(struct tcp_conn *c)
{
    tcp_cc_init(&c->cc, c->mss);
    tcp_sack_init(&c->sb);
    tcp_newreno_init(&c->nr, c->iss);
}

/* Retransmits the first unacknowledged segment (fast retransmit, NewReno partial ACK). */
static void retransmit_first(struct tcp_conn *c)
{
    uint32_t end = c->snd_buf_start + c->snd_buf_len;
    uint32_t len = seq_lt(c->snd_una, end) ? MIN(end - c->snd_una, tcp_payload_max(c)) : 0;
    uint8_t flags = TH_ACK;
    if (c->fin_sent && c->snd_una + len == end && seq_gt(c->snd_max, end))
        flags |= TH_FIN;
    if (!len && !(flags & TH_FIN))
        return;
    tcp_send_segment(c, c->snd_una, len, flags);
    c->total_retrans++;
    c->bytes_retrans += len;
    net_counters.tcp_fast_retransmits++;
    if (c->sack_ok)
        tcp_sack_sent(&c->sb, TCP_NEXTSEG_LOST, (struct tcp_range){c->snd_una, c->snd_una + len});
    if (c->rtt_timing && seq_geq(c->rtt_seq, c->snd_una))
        c->rtt_timing = false; /* Karn: the timed segment was sent again */
}

void tcp_recovery_on_ack(struct tcp_conn *c, uint32_t acked, uint32_t flight, uint32_t newly_sacked,
                         bool dup)
{
    uint64_t now = net_now();
    if (acked) {
        if (c->cc.in_recovery) {
            if (c->sack_ok) {
                if (tcp_sack_recovery_done(&c->sb, c->snd_una))
                    tcp_cc_exit_recovery(&c->cc, c->snd_max - c->snd_una);
            } else {
                enum tcp_newreno_ack r = tcp_newreno_on_ack(&c->nr, c->snd_una);
                if (r == TCP_NEWRENO_PARTIAL) {
                    tcp_cc_partial_ack(&c->cc, acked);
                    retransmit_first(c);
                } else {
                    tcp_cc_exit_recovery(&c->cc, c->snd_max - c->snd_una);
                }
            }
        } else {
            /* A stretch ACK (a receiver that ACKs a whole burst at once, as with GRO) counts
             * as the ACKs it stands for: slow start then grows by what was acknowledged, as
             * Linux's does, instead of RFC 3465's 2 segments per ACK. */
            uint32_t step = 2u * c->mss;
            while (acked > step) {
                tcp_cc_on_ack(&c->cc, step, flight, now, c->rtt.srtt_ns);
                acked -= step;
            }
            tcp_cc_on_ack(&c->cc, acked, flight, now, c->rtt.srtt_ns);
        }
        c->dupacks = 0;
    }
    if (!dup && !newly_sacked)
        return;
    if (c->cc.in_recovery) {
        if (!c->sack_ok)
            tcp_cc_newreno_inflate(&c->cc, 1);
        return;
    }
    if (c->sack_ok) {
        if (tcp_sack_should_enter(&c->sb, c->snd_una, c->dupacks, c->mss)) {
            tcp_sack_enter_recovery(&c->sb, c->snd_una, c->snd_max);
            tcp_cc_enter_recovery(&c->cc);
            net_counters.tcp_recoveries++;
            retransmit_first(c);
        }
    } else if (c->dupacks == TCP_DUPTHRESH && tcp_newreno_enter(&c->nr, c->snd_una, c->snd_max)) {
        tcp_cc_enter_recovery(&c->cc);
        tcp_cc_newreno_inflate(&c->cc, TCP_DUPTHRESH);
        net_counters.tcp_recoveries++;
        retransmit_first(c);
    }
}

void tcp_recovery_on_rto(struct tcp_conn *c)
{
    tcp_cc_on_rto(&c->cc, c->rtt.backoff);
    tcp_sack_on_rto(&c->sb, c->snd_max);
    tcp_newreno_on_rto(&c->nr, c->snd_max);
    tcp_rtt_backoff(&c->rtt);
    c->snd_nxt = c->snd_una; /* go back: everything outstanding is presumed lost */
    c->rtt_timing = false;
    c->dupacks = 0;
}

bool tcp_recovery_output(struct tcp_conn *c)
{
    if (!c->cc.in_recovery || !c->sack_ok)
        return false;
    uint32_t end = c->snd_buf_start + c->snd_buf_len;
    for (unsigned burst = 0; burst < 64; burst++) {
        uint32_t pipe = tcp_sack_pipe(&c->sb, c->snd_una, c->snd_max, c->mss);
        if (pipe + c->mss > c->cc.cwnd)
            break;
        uint32_t wnd_end = c->snd_una + c->snd_wnd;
        uint32_t unsent = seq_gt(end, c->snd_max) ? end - c->snd_max : 0;
        uint32_t allowed = seq_gt(wnd_end, c->snd_max) ? wnd_end - c->snd_max : 0;
        struct tcp_range r;
        enum tcp_nextseg rule = tcp_sack_next_seg(&c->sb, c->snd_una, c->snd_max,
                                                  tcp_payload_max(c), MIN(unsent, allowed), &r);
        if (rule == TCP_NEXTSEG_NONE)
            break;
        uint32_t len = r.end - r.start;
        uint8_t flags = TH_ACK;
        if (rule == TCP_NEXTSEG_NEW) {
            if (c->fin_queued && r.end == end)
                flags |= TH_FIN;
            tcp_send_segment(c, r.start, len, flags);
            c->snd_max = c->snd_nxt = r.end + ((flags & TH_FIN) ? 1 : 0);
            if (flags & TH_FIN)
                c->fin_sent = true;
        } else {
            /* A retransmission never reaches past the data: the FIN is resent with the end. */
            if (seq_gt(r.end, end))
                r.end = end, len = r.end - r.start;
            if (c->fin_sent && r.end == end)
                flags |= TH_FIN;
            tcp_send_segment(c, r.start, len, flags);
            c->total_retrans++;
            c->bytes_retrans += len;
            net_counters.tcp_retransmits++;
        }
        tcp_sack_sent(&c->sb, rule, r);
        if (!c->rtx_at)
            tcp_arm(c, &c->rtx_at, net_now() + tcp_rto(c));
        if (flags & TH_FIN)
            break;
    }
    return true;
}
