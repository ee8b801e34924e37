/* TCP input: validation and demultiplexing, then RFC 9293 3.10.7 segment arrival per state, with
 * RFC 5961 (challenge ACKs) and RFC 7323 (PAWS). Data handling is in tcp_receive.c. */
#include "tcp_internal.h"

#define CHALLENGE_PER_SEC 1000                                 /* Linux's tcp_challenge_ack_limit */
#define PAWS_IDLE_NS      (24ull * 24 * 3600 * NET_NS_PER_SEC) /* RFC 7323 5.5 */

void tcp_challenge_ack(struct tcp_conn *c)
{
    uint64_t sec = net_now() / NET_NS_PER_SEC;
    if (sec != tcp_g.challenge_at) {
        tcp_g.challenge_at = sec;
        tcp_g.challenge_count = 0;
    }
    if (tcp_g.challenge_count >= CHALLENGE_PER_SEC) {
        net_counters.tcp_challenge_limited++;
        return;
    }
    tcp_g.challenge_count++;
    net_counters.tcp_challenge_acks++;
    tcp_send_ack(c);
}

/* Answers a segment that found no connection (RFC 9293 reset generation). */
static void reset_unknown(const struct tcp_seg *s)
{
    if (s->flags & TH_RST)
        return;
    if (s->flags & TH_ACK)
        tcp_reply_rst(s->ip, s->ack, 0, TH_RST);
    else
        tcp_reply_rst(s->ip, 0, s->seq + s->len + !!(s->flags & TH_SYN) + !!(s->flags & TH_FIN),
                      TH_RST | TH_ACK);
}

void tcp_input(const struct ip_rx *ip)
{
    net_counters.tcp_rx++;
    const uint8_t *th = ip->payload;
    if (ip->len < TCP_HLEN) {
        net_counters.tcp_truncated++;
        return;
    }
    size_t hlen = (size_t)(th[12] >> 4) * 4;
    if (hlen < TCP_HLEN || hlen > ip->len) {
        net_counters.tcp_bad_offset++;
        return;
    }
    if (ip->to_broadcast) {
        net_counters.tcp_broadcast++;
        return;
    }
    if (!csum_vouched(ip)) {
        uint32_t sum = csum_pseudo(ip->src, ip->dst, IP_PROTO_TCP, (uint16_t)ip->len);
        if (csum_fold(csum_add(sum, th, ip->len)) != 0) {
            net_counters.tcp_bad_checksum++;
            return;
        }
    }
    struct tcp_seg s = {
        .ip = ip,
        .seq = get32(th + 4),
        .ack = get32(th + 8),
        .flags = th[13] & 0x3f,
        .wnd = get16(th + 14),
        .data = th + hlen,
        .len = (uint32_t)(ip->len - hlen),
    };
    if (tcp_opts_parse(th + TCP_HLEN, hlen - TCP_HLEN, s.flags & TH_SYN, &s.opts) < 0) {
        net_counters.tcp_bad_options++;
        return;
    }
    uint16_t sport = get16(th), dport = get16(th + 2);
    if (sport == 0 || dport == 0) {
        net_counters.tcp_no_port++;
        return;
    }
    struct tcp_conn *c = tcp_lookup(ip->dst, dport, ip->src, sport);
    if (c && c->state == TCPS_TIME_WAIT && (s.flags & (TH_SYN | TH_ACK | TH_RST)) == TH_SYN) {
        /* Safe reuse of a TIME_WAIT 4-tuple (RFC 6191 with timestamps, else RFC 1122's higher
         * sequence number): the old connection goes, the listener takes the SYN. */
        bool newer = (c->ts_ok && (s.opts.present & TCP_OPTF_TIMESTAMP))
                         ? seq_gt(s.opts.ts_val, c->ts_recent)
                         : seq_gt(s.seq, c->rcv_nxt);
        if (newer && tcp_lookup_listener(ip->dst, dport, ip->src, sport)) {
            net_counters.tcp_timewait_reused++;
            tcp_drop(c, 0);
            if (!c->orphan && c->state == TCPS_CLOSED)
                tcp_hash_remove(c);
            c = NULL;
        }
    }
    if (c) {
        tcp_process(c, &s);
        return;
    }
    struct tcp_conn *l = tcp_lookup_listener(ip->dst, dport, ip->src, sport);
    if (l) {
        tcp_listen_input(l, &s);
        return;
    }
    net_counters.tcp_no_port++;
    reset_unknown(&s);
}

void tcp_syn_options(struct tcp_conn *c, const struct tcp_opts *o)
{
    c->peer_mss = (o->present & TCP_OPTF_MSS) && o->mss ? o->mss : TCP_MSS_DEFAULT;
    if (c->peer_mss < TCP_MIN_MSS)
        c->peer_mss = TCP_MIN_MSS;
    c->ws_ok = c->ws_ok && (o->present & TCP_OPTF_WSCALE);
    c->snd_wscale = c->ws_ok ? MIN(o->wscale, (uint8_t)TCP_WSCALE_MAX) : 0;
    if (!c->ws_ok)
        c->rcv_wscale = 0;
    c->sack_ok = c->sack_ok && (o->present & TCP_OPTF_SACK_PERM);
    c->ts_ok = c->ts_ok && (o->present & TCP_OPTF_TIMESTAMP);
    if (c->ts_ok) {
        c->ts_recent = o->ts_val;
        c->ts_recent_at = net_now();
    }
    tcp_update_mss(c);
}

static void syn_sent(struct tcp_conn *c, struct tcp_seg *s)
{
    bool ack_ok = false;
    if (s->flags & TH_ACK) {
        if (seq_leq(s->ack, c->iss) || seq_gt(s->ack, c->snd_max)) {
            net_counters.tcp_bad_ack++;
            if (!(s->flags & TH_RST))
                tcp_reply_rst(s->ip, s->ack, 0, TH_RST);
            return;
        }
        ack_ok = true;
    }
    if (s->flags & TH_RST) {
        if (ack_ok) {
            net_counters.tcp_rst_received++;
            tcp_drop(c, -ECONNREFUSED);
        } else {
            net_counters.tcp_unexpected++;
        }
        return;
    }
    if (!(s->flags & TH_SYN)) {
        net_counters.tcp_unexpected++;
        return;
    }
    c->irs = s->seq;
    c->rcv_nxt = c->rcv_user = s->seq + 1;
    c->rcv_adv = c->rcv_nxt;
    tcp_syn_options(c, &s->opts);
    c->snd_wnd = s->wnd; /* never scaled in a SYN */
    c->max_snd_wnd = c->snd_wnd;
    c->snd_wl1 = s->seq;
    c->snd_wl2 = s->ack;
    if (ack_ok) {
        c->snd_una = s->ack;
        c->rtx_at = 0;
        if (c->rtt_timing && !c->syn_retries)
            tcp_rtt_sample(&c->rtt, net_now() - c->rtt_start);
        else if (c->syn_retries)
            tcp_rtt_syn_fallback(&c->rtt);
        tcp_rtt_reset_backoff(&c->rtt);
        c->rtt_timing = false;
        tcp_recovery_start(c);
        tcp_set_state(c, TCPS_ESTABLISHED);
        c->wait_at = 0;
        if (c->keepalive)
            tcp_arm(c, &c->keep_at, net_now() + c->keepidle_s * NET_NS_PER_SEC);
        c->ack_now = true;
        tcp_schedule_output(c);
        tcp_wake(c);
        if (s->len || (s->flags & TH_FIN)) {
            /* data on a SYN-ACK: rare, processed as for an established connection */
            s->seq++;
            s->flags &= (uint8_t)~TH_SYN;
            tcp_process(c, s);
        }
        return;
    }
    /* Simultaneous open (RFC 9293 3.5): answer with SYN-ACK from our ISN. */
    tcp_set_state(c, TCPS_SYN_RECEIVED);
    tcp_send_syn(c);
}

/* RFC 9293 3.10.7.4 first check: does the segment overlap the receive window? */
static bool acceptable(const struct tcp_conn *c, const struct tcp_seg *s, uint32_t seg_len)
{
    uint32_t wnd = seq_gt(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
    if (seg_len == 0)
        return wnd == 0 ? s->seq == c->rcv_nxt : seq_in(s->seq, c->rcv_nxt, c->rcv_nxt + wnd);
    if (wnd == 0)
        return false;
    return seq_in(s->seq, c->rcv_nxt, c->rcv_nxt + wnd) ||
           seq_in(s->seq + seg_len - 1, c->rcv_nxt, c->rcv_nxt + wnd);
}

/* Consumes the ACK field; false when the segment must be dropped. */
static bool process_ack(struct tcp_conn *c, struct tcp_seg *s)
{
    /* A half-open child whose handshake the client completed with the SYN cookie we sent
     * before this child existed (its SYN was sent again once the SYN queue had room). */
    if (c->state == TCPS_SYN_RECEIVED && c->listener && s->ack != c->iss + 1 &&
        tcp_listen_cookie_takeover(c, s))
        return false;
    /* RFC 5961 5.2: an ACK outside [SND.UNA - MAX.SND.WND, SND.MAX] gets a challenge ACK. */
    if (seq_gt(s->ack, c->snd_max) || seq_lt(s->ack, c->snd_una - MAX(c->max_snd_wnd, 65535u))) {
        net_counters.tcp_bad_ack++;
        tcp_challenge_ack(c);
        return false;
    }
    if (c->state == TCPS_SYN_RECEIVED) {
        if (!seq_gt(s->ack, c->snd_una)) {
            tcp_reply_rst(s->ip, s->ack, 0, TH_RST);
            return false;
        }
        c->snd_wnd = (uint32_t)s->wnd << c->snd_wscale;
        c->max_snd_wnd = c->snd_wnd;
        c->snd_wl1 = s->seq;
        c->snd_wl2 = s->ack;
        c->snd_una = s->ack;
        c->rtx_at = 0;
        if (c->rtt_timing && !c->syn_retries)
            tcp_rtt_sample(&c->rtt, c->last_rx - c->rtt_start);
        else if (c->syn_retries)
            tcp_rtt_syn_fallback(&c->rtt);
        tcp_rtt_reset_backoff(&c->rtt);
        c->rtt_timing = false;
        tcp_recovery_start(c);
        tcp_set_state(c, c->fin_queued ? TCPS_FIN_WAIT_1 : TCPS_ESTABLISHED);
        c->wait_at = 0;
        if (c->keepalive)
            tcp_arm(c, &c->keep_at, c->last_rx + c->keepidle_s * NET_NS_PER_SEC);
        if (c->listener)
            tcp_listen_established(c);
        else
            tcp_wake(c); /* the end of a simultaneous open */
        tcp_schedule_output(c);
    }
    tcp_ack_received(c, s);
    return true;
}

/* The FIN has arrived in order: the peer's stream ends. */
static void fin_received(struct tcp_conn *c)
{
    c->rcv_fin = true;
    c->rcv_nxt++;
    c->ack_now = true;
    tcp_schedule_output(c);
    switch (c->state) {
    case TCPS_SYN_RECEIVED:
    case TCPS_ESTABLISHED:
        tcp_set_state(c, TCPS_CLOSE_WAIT);
        break;
    case TCPS_FIN_WAIT_1:
        if (c->fin_sent && c->snd_una == c->snd_max) {
            tcp_enter_time_wait(c);
            return;
        }
        tcp_set_state(c, TCPS_CLOSING);
        break;
    case TCPS_FIN_WAIT_2:
        tcp_enter_time_wait(c);
        return;
    default:
        break;
    }
    tcp_wake(c);
}

/* Header prediction (Van Jacobson): the usual segment of an established connection (the next
 * in sequence, ACK set and nothing else but PSH, acknowledging within what we sent, a timestamp
 * not older than the last, no out-of-order data or FIN waiting) needs none of the checks below,
 * whose outcome is known: it goes straight to the ACK and data handling. */
static bool predicted(const struct tcp_conn *c, const struct tcp_seg *s, bool has_ts)
{
    return c->state == TCPS_ESTABLISHED &&
           (s->flags & (TH_SYN | TH_FIN | TH_RST | TH_URG | TH_ACK)) == TH_ACK &&
           s->seq == c->rcv_nxt && seq_geq(s->ack, c->snd_una) && seq_leq(s->ack, c->snd_max) &&
           (!c->ts_ok || (has_ts && seq_geq(s->opts.ts_val, c->ts_recent))) &&
           (s->len == 0 || seq_gt(c->rcv_adv, c->rcv_nxt)) && !tcp_ranges_count(&c->ooo) &&
           !c->fin_pending;
}

void tcp_process(struct tcp_conn *c, struct tcp_seg *s)
{
    c->segs_in++;
    c->last_rx = net_now(); /* also "now" for the rest of this segment's processing */
    c->keep_probes = 0;
    if (c->state == TCPS_SYN_SENT) {
        syn_sent(c, s);
        return;
    }
    if (c->state == TCPS_CLOSED || c->state == TCPS_LISTEN) {
        net_counters.tcp_no_port++;
        reset_unknown(s);
        return;
    }
    bool has_ts = s->opts.present & TCP_OPTF_TIMESTAMP;
    if (predicted(c, s, has_ts)) {
        net_counters.tcp_fast_path++;
        if (has_ts && seq_leq(s->seq, c->last_ack_sent)) {
            c->ts_recent = s->opts.ts_val;
            c->ts_recent_at = c->last_rx;
        }
        tcp_ack_received(c, s);
        if (s->len && c->state == TCPS_ESTABLISHED)
            tcp_data_received(c, s);
        return;
    }
    uint32_t seg_len = s->len + !!(s->flags & TH_SYN) + !!(s->flags & TH_FIN);
    /* PAWS (RFC 7323 5.3): an old timestamp marks an old duplicate. */
    if (c->ts_ok && has_ts && !(s->flags & TH_RST) && seq_lt(s->opts.ts_val, c->ts_recent) &&
        c->last_rx - c->ts_recent_at < PAWS_IDLE_NS) {
        net_counters.tcp_paws_rejected++;
        c->ack_now = true;
        tcp_schedule_output(c);
        return;
    }
    if (!acceptable(c, s, seg_len)) {
        net_counters.tcp_out_of_window++;
        if (!(s->flags & TH_RST)) {
            c->ack_now = true;
            tcp_schedule_output(c);
            /* The peer's FIN again: our last ACK was lost; the 2 MSL wait restarts. */
            if (c->state == TCPS_TIME_WAIT && (s->flags & TH_FIN))
                tcp_arm(c, &c->wait_at, c->last_rx + 2 * TCP_MSL_NS);
        }
        return;
    }
    if (s->flags & TH_RST) {
        /* RFC 5961 3.2: only the exact next sequence resets; others in window are challenged. */
        if (s->seq != c->rcv_nxt) {
            net_counters.tcp_rst_in_window++;
            tcp_challenge_ack(c);
            return;
        }
        net_counters.tcp_rst_received++;
        int err = -ECONNRESET;
        if (c->state == TCPS_SYN_RECEIVED && c->listener)
            err = 0; /* a passive open that never got established: forgotten quietly */
        else if (c->state == TCPS_SYN_RECEIVED)
            err = -ECONNREFUSED;
        else if (c->state == TCPS_CLOSE_WAIT || c->state == TCPS_TIME_WAIT ||
                 c->state == TCPS_LAST_ACK || c->state == TCPS_CLOSING)
            err = c->state == TCPS_CLOSE_WAIT ? -EPIPE : 0;
        tcp_drop(c, err);
        return;
    }
    /* Timestamps: remember the peer's latest for echoing (RFC 7323 4.3). */
    if (c->ts_ok && has_ts && seq_leq(s->seq, c->last_ack_sent) &&
        seq_geq(s->opts.ts_val, c->ts_recent)) {
        c->ts_recent = s->opts.ts_val;
        c->ts_recent_at = c->last_rx;
    }
    if (s->flags & TH_SYN) {
        /* RFC 5961 4.2: a SYN on a synchronized connection gets a challenge ACK. */
        if (c->state == TCPS_SYN_RECEIVED && s->seq == c->irs) {
            tcp_send_syn(c); /* the SYN again: our SYN-ACK was lost */
            return;
        }
        net_counters.tcp_syn_in_window++;
        tcp_challenge_ack(c);
        return;
    }
    if (!(s->flags & TH_ACK)) {
        net_counters.tcp_unexpected++;
        return;
    }
    /* Trim what we already have from the front. */
    if (seq_lt(s->seq, c->rcv_nxt)) {
        uint32_t dup = c->rcv_nxt - s->seq;
        if (dup >= s->len) {
            if (s->len)
                c->ack_now = true; /* a duplicate: the peer did not get our ACK */
            s->data += s->len;
            s->seq += s->len;
            s->len = 0;
            if ((s->flags & TH_FIN) && s->seq != c->rcv_nxt)
                s->flags &= (uint8_t)~TH_FIN; /* that FIN was already taken */
        } else {
            s->data += dup;
            s->len -= dup;
            s->seq += dup;
        }
    }
    uint8_t state_before = c->state;
    if (!process_ack(c, s))
        return;
    if (c->state == TCPS_CLOSED || (state_before != c->state && c->state == TCPS_TIME_WAIT))
        return; /* freed or finished by the ACK */
    if (s->len) {
        switch (c->state) {
        case TCPS_ESTABLISHED:
        case TCPS_FIN_WAIT_1:
        case TCPS_FIN_WAIT_2:
            if (c->orphan && c->fin_queued) {
                /* Data for a socket the program closed: Linux answers with a reset. */
                net_counters.tcp_data_after_close++;
                tcp_send_fin_rst(c, TH_RST | TH_ACK);
                tcp_drop(c, 0);
                return;
            }
            tcp_data_received(c, s);
            break;
        default:
            break; /* the peer already sent its FIN: ignore (RFC 9293) */
        }
    }
    if (s->flags & TH_FIN) {
        uint32_t fin_seq = s->seq + s->len;
        if (c->rcv_fin || c->state == TCPS_TIME_WAIT || c->state == TCPS_CLOSE_WAIT ||
            c->state == TCPS_CLOSING || c->state == TCPS_LAST_ACK) {
            c->ack_now = true; /* a retransmitted FIN: ACK it again */
            tcp_schedule_output(c);
            if (c->state == TCPS_TIME_WAIT)
                tcp_arm(c, &c->wait_at, c->last_rx + 2 * TCP_MSL_NS);
        } else if (fin_seq == c->rcv_nxt) {
            fin_received(c);
        } else if (seq_gt(fin_seq, c->rcv_nxt)) {
            c->rcv_fin_seq = fin_seq; /* out of order: taken when the data before it arrives */
            c->fin_pending = true;
        }
    }
    if (c->fin_pending && !c->rcv_fin && c->rcv_nxt == c->rcv_fin_seq) {
        c->fin_pending = false;
        fin_received(c);
    }
}
