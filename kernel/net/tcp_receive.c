/* TCP receive processing of an accepted segment: the ACK field (send window, RTT, congestion
 * control, FIN acknowledged) and the data (in-order and out-of-order into the receive ring). */
#include "tcp_internal.h"

#define QUICKACK_SEGS 16 /* data segments ACKed at once at the start, as Linux's quickack mode */

void tcp_enter_time_wait(struct tcp_conn *c)
{
    tcp_set_state(c, TCPS_TIME_WAIT);
    c->rtx_at = c->keep_at = c->delack_at = 0;
    tcp_ring_free(&c->sring);
    c->snd_buf_len = 0;
    if (c->orphan) {
        tcp_ring_free(&c->rring);
        if (tcp_g.orphans > TCP_MAX_ORPHANS) {
            net_counters.tcp_timewait_overflow++;
            tcp_drop(c, 0);
            return;
        }
    }
    tcp_arm(c, &c->wait_at, net_now() + 2 * TCP_MSL_NS);
    tcp_wake(c);
}

/* Our FIN was acknowledged: the closing states move on. */
static void fin_acked(struct tcp_conn *c)
{
    switch (c->state) {
    case TCPS_FIN_WAIT_1:
        tcp_set_state(c, TCPS_FIN_WAIT_2);
        tcp_ring_free(&c->sring);
        if (c->orphan)
            tcp_arm(c, &c->wait_at, net_now() + TCP_FIN_TIMEOUT_NS);
        tcp_wake(c);
        break;
    case TCPS_CLOSING:
        tcp_enter_time_wait(c);
        break;
    case TCPS_LAST_ACK:
        tcp_drop(c, 0);
        break;
    default:
        break;
    }
}

void tcp_ack_received(struct tcp_conn *c, const struct tcp_seg *s)
{
    uint64_t now = net_now();
    c->last_ack_rx = now;
    c->probes = 0; /* the peer answers */
    uint32_t new_wnd = (uint32_t)s->wnd << c->snd_wscale;
    uint32_t flight = c->snd_max - c->snd_una;
    bool advanced = seq_gt(s->ack, c->snd_una);
    uint32_t newly_sacked = 0;
    if (c->sack_ok && (s->opts.present & TCP_OPTF_SACK))
        newly_sacked = tcp_sack_update(&c->sb, advanced ? s->ack : c->snd_una, c->snd_max,
                                       s->opts.sack, s->opts.nsack, NULL);
    else if (c->sack_ok && advanced)
        tcp_ranges_trim(&c->sb.sacked, s->ack);
    bool dup = !advanced && s->ack == c->snd_una && s->len == 0 &&
               !(s->flags & (TH_SYN | TH_FIN)) && new_wnd == c->snd_wnd && flight;
    uint32_t acked = advanced ? s->ack - c->snd_una : 0;
    if (advanced) {
        uint32_t end = c->snd_buf_start + c->snd_buf_len;
        uint32_t upto = seq_lt(s->ack, end) ? s->ack : end;
        if (seq_gt(upto, c->snd_buf_start)) {
            uint32_t n = upto - c->snd_buf_start;
            c->snd_buf_start += n;
            c->snd_buf_len -= n;
            c->bytes_acked += n;
        }
        if (c->rtt_timing && seq_gt(s->ack, c->rtt_seq)) {
            c->rtt_timing = false;
            tcp_rtt_sample(&c->rtt, now - c->rtt_start);
        } else {
            tcp_rtt_reset_backoff(&c->rtt);
        }
        c->snd_una = s->ack;
        if (seq_lt(c->snd_nxt, c->snd_una))
            c->snd_nxt = c->snd_una;
        c->retransmits = 0;
        c->first_rtx = 0;
        c->probes = 0;
    } else if (dup) {
        c->dupacks++;
        net_counters.tcp_dupacks_rx++;
    }
    if (advanced || dup || newly_sacked) {
        tcp_recovery_on_ack(c, acked, flight, newly_sacked, dup);
        tcp_schedule_output(c);
    }
    if (advanced) {
        if (c->snd_una == c->snd_max)
            c->rtx_at = 0;
        else
            tcp_arm(c, &c->rtx_at, now + tcp_rto(c));
        uint32_t end = c->snd_buf_start + c->snd_buf_len;
        if (c->fin_sent && c->snd_una == c->snd_max && seq_gt(c->snd_max, end)) {
            fin_acked(c);
            if (c->state == TCPS_CLOSED || c->state == TCPS_TIME_WAIT)
                return;
        }
        tcp_wake(c); /* send space */
    }
    if (seq_lt(c->snd_wl1, s->seq) || (c->snd_wl1 == s->seq && seq_leq(c->snd_wl2, s->ack))) {
        uint32_t old = c->snd_wnd;
        c->snd_wnd = new_wnd;
        c->snd_wl1 = s->seq;
        c->snd_wl2 = s->ack;
        if (new_wnd > c->max_snd_wnd)
            c->max_snd_wnd = new_wnd;
        if (new_wnd > old) {
            if (old == 0 && c->snd_una == c->snd_max)
                c->rtx_at = 0; /* the persist timer's job is done */
            c->probes = 0;
            tcp_schedule_output(c);
        }
    }
}

/* Moves the receive ring to one twice as large (bytes keep their sequence-indexed places). */
static void grow_rring(struct tcp_conn *c)
{
    uint32_t size = c->rring.size * 2;
    if (size > c->rcv_limit || !tcp_mem_plentiful(size))
        return;
    struct tcp_ring nr;
    if (!tcp_ring_alloc(&nr, size))
        return;
    uint32_t end = tcp_ranges_highest(&c->ooo, c->rcv_nxt);
    for (uint32_t s = c->rcv_user; s != end;) {
        uint32_t from = s & (c->rring.size - 1), to = s & (size - 1);
        uint32_t n = MIN(end - s, MIN(c->rring.size - from, size - to));
        memcpy(nr.buf + to, c->rring.buf + from, n);
        s += n;
    }
    tcp_ring_free(&c->rring);
    c->rring = nr;
}

static void ring_write(struct tcp_ring *r, uint32_t seq, const uint8_t *p, uint32_t len)
{
    uint32_t at = seq & (r->size - 1);
    uint32_t first = MIN(len, r->size - at);
    memcpy(r->buf + at, p, first);
    if (first < len)
        memcpy(r->buf, p + first, len - first);
}

void tcp_data_received(struct tcp_conn *c, const struct tcp_seg *s)
{
    uint64_t now = net_now();
    if (!c->rring.size &&
        !tcp_ring_alloc(&c->rring, MIN(TCP_RING_INIT, MAX(c->rcv_limit, TCP_RING_MIN)))) {
        net_counters.tcp_rcv_window_full++;
        return;
    }
    uint32_t seq = s->seq, len = s->len;
    uint32_t limit = c->rcv_user + c->rring.size;
    if (seq_geq(seq, limit)) {
        net_counters.tcp_rcv_window_full++;
        c->ack_now = true;
        tcp_schedule_output(c);
        return;
    }
    if (seq_gt(seq + len, limit)) {
        net_counters.tcp_rcv_trimmed++;
        len = limit - seq;
    }
    c->data_segs_in++;
    c->last_data_rx = now;
    if (seq == c->rcv_nxt) {
        ring_write(&c->rring, seq, s->data, len);
        c->rcv_nxt += len;
        c->bytes_received += len;
        bool filled = false;
        if (tcp_ranges_count(&c->ooo)) {
            uint32_t next = tcp_ranges_advance(&c->ooo, c->rcv_nxt);
            filled = next != c->rcv_nxt;
            c->rcv_nxt = next;
        }
        c->delack_segs++;
        if (filled || tcp_ranges_count(&c->ooo) || c->quickack ||
            c->data_segs_in <= QUICKACK_SEGS || c->delack_segs >= 2) {
            c->ack_now = true;
        } else if (!c->delack_at) {
            tcp_arm(c, &c->delack_at, now + TCP_DELACK_NS);
        }
        if (c->rcv_nxt - c->rcv_user > c->rring.size / 2 && c->rring.size < c->rcv_limit)
            grow_rring(c);
        tcp_wake(c);
    } else {
        if (tcp_ranges_add(&c->ooo, seq, seq + len) < 0) {
            net_counters.tcp_ooo_dropped++;
        } else {
            ring_write(&c->rring, seq, s->data, len);
            c->bytes_received += len;
            net_counters.tcp_ooo_queued++;
        }
        c->ack_now = true; /* a duplicate ACK with SACK blocks tells the sender at once */
    }
    tcp_schedule_output(c);
}
