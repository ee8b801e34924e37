/* TCP output: segment building (options, checksum), the send loop with Nagle/cork and silly-window
 * avoidance, window advertisement, ACKs and resets. */
#include "tcp_internal.h"

static uint32_t ts_at(const struct tcp_conn *c, uint64_t now)
{
    return (uint32_t)(now / TCP_MS) + c->ts_offset;
}

uint32_t tcp_ts_now(const struct tcp_conn *c)
{
    return ts_at(c, net_now());
}

uint16_t tcp_route_mss(uint32_t raddr, uint16_t pmtu)
{
    unsigned mtu = 1500;
    struct net_route_result r;
    if (net_addr_is_local(raddr))
        return TCP_LOOP_MSS;
    if (net_route_lookup(raddr, &r) == 0)
        mtu = net_ifs[r.dev].mtu;
    if (pmtu && pmtu < mtu)
        mtu = pmtu;
    unsigned mss = mtu > IP_HLEN + TCP_HLEN + TCP_MIN_MSS ? mtu - IP_HLEN - TCP_HLEN : TCP_MIN_MSS;
    return (uint16_t)mss;
}

/* The payload of a full segment: the peer's MSS, the route's, TCP_MAXSEG, less the options. */
void tcp_update_mss(struct tcp_conn *c)
{
    unsigned mss = MIN((unsigned)c->peer_mss, (unsigned)tcp_route_mss(c->remote_addr, c->pmtu));
    if (c->user_mss && c->user_mss < mss)
        mss = c->user_mss;
    if (c->ts_ok)
        mss -= TCP_OPT_TS_LEN;
    if (mss < TCP_MIN_MSS - TCP_OPT_TS_LEN)
        mss = TCP_MIN_MSS - TCP_OPT_TS_LEN;
    c->mss = (uint16_t)mss;
}

uint32_t tcp_payload_max(const struct tcp_conn *c)
{
    /* SACK blocks ride beside the timestamps (the MSS already leaves room for those): 2 bytes
     * of kind and length, 2 of padding, 8 per block, at most 3 with timestamps, 4 without. */
    unsigned n = c->sack_ok ? tcp_ranges_count(&c->ooo) : 0;
    if (!n)
        return c->mss;
    n = MIN(n, c->ts_ok ? 3u : 4u);
    return c->mss - (4 + 8 * n);
}

uint32_t tcp_rcv_window(const struct tcp_conn *c)
{
    uint32_t size = c->rring.size ? c->rring.size : MIN(TCP_RING_INIT, c->rcv_limit);
    uint32_t used = c->rcv_nxt - c->rcv_user;
    return used >= size ? 0 : size - used;
}

/* The window field to send, and the right edge it announces. Never moves the edge left, and
 * moves it right only by a useful amount (receiver silly-window avoidance, RFC 9293 3.8.6.2.2). */
static uint16_t window_field(struct tcp_conn *c, bool syn)
{
    uint32_t free_space = tcp_rcv_window(c);
    uint8_t shift = syn ? 0 : c->rcv_wscale;
    uint32_t edge = c->rcv_nxt + free_space;
    uint32_t size = c->rring.size ? c->rring.size : TCP_RING_INIT;
    uint32_t step = MIN(size / 2, (uint32_t)c->mss);
    if (!syn && seq_gt(c->rcv_adv, c->rcv_nxt) && seq_lt(edge, c->rcv_adv + step))
        edge = seq_max(edge, c->rcv_adv); /* keep the old edge: the opening is too small */
    if (seq_lt(edge, c->rcv_nxt))
        edge = c->rcv_nxt;
    uint32_t win = edge - c->rcv_nxt;
    uint32_t field = win >> shift;
    if (field > 0xffff)
        field = 0xffff;
    uint32_t announced = field << shift;
    if (seq_lt(edge, c->rcv_adv) || seq_gt(c->rcv_nxt + announced, c->rcv_adv))
        c->rcv_adv = c->rcv_nxt + announced;
    return (uint16_t)field;
}

/* Most recent out-of-order ranges first (RFC 2018): ooo[] is kept in that order. */
static void add_sack_blocks(const struct tcp_conn *c, struct tcp_opts *o)
{
    if (!c->sack_ok || !tcp_ranges_count(&c->ooo))
        return;
    o->present |= TCP_OPTF_SACK;
    o->nsack = (uint8_t)tcp_ranges_sack_blocks(&c->ooo, o->sack, TCP_OPT_MAX_SACK);
}

/* A segment sent at `now`: the send loop reads the clock once for its whole burst (each read is
 * a call chain and an RDTSC). */
static void send_segment_at(struct tcp_conn *c, uint32_t seq, uint32_t len, uint8_t flags,
                            uint64_t now)
{
    uint8_t hdr[TCP_HLEN + TCP_OPT_MAXLEN];
    struct tcp_opts o = {0};
    bool syn = flags & TH_SYN;
    if (syn) {
        o.present = TCP_OPTF_MSS;
        unsigned mss = tcp_route_mss(c->remote_addr, 0);
        if (c->user_mss && c->user_mss < mss)
            mss = c->user_mss;
        o.mss = (uint16_t)mss;
        bool answer = c->state == TCPS_SYN_RECEIVED; /* a SYN-ACK offers only what the SYN did */
        if (!answer || c->ws_ok) {
            o.present |= TCP_OPTF_WSCALE;
            o.wscale = c->rcv_wscale;
        }
        if (!answer || c->sack_ok)
            o.present |= TCP_OPTF_SACK_PERM;
        if (!answer || c->ts_ok) {
            o.present |= TCP_OPTF_TIMESTAMP;
            o.ts_val = ts_at(c, now);
            o.ts_ecr = answer ? c->ts_recent : 0;
        }
    } else {
        if (c->ts_ok) {
            o.present |= TCP_OPTF_TIMESTAMP;
            o.ts_val = ts_at(c, now);
            o.ts_ecr = c->ts_recent;
        }
        if (!(flags & TH_RST))
            add_sack_blocks(c, &o);
    }
    size_t olen = tcp_opts_build(hdr + TCP_HLEN, &o);
    size_t hlen = TCP_HLEN + olen;
    put16(hdr, c->local_port);
    put16(hdr + 2, c->remote_port);
    put32(hdr + 4, seq);
    bool with_ack = c->state != TCPS_SYN_SENT || (flags & TH_ACK);
    if (c->state == TCPS_SYN_SENT && !(flags & TH_ACK))
        with_ack = false;
    put32(hdr + 8, with_ack ? c->rcv_nxt : 0);
    hdr[12] = (uint8_t)((hlen / 4) << 4);
    hdr[13] = (uint8_t)(flags | (with_ack ? TH_ACK : 0));
    put16(hdr + 14, (flags & TH_RST) ? 0 : window_field(c, syn));
    put16(hdr + 18, 0);

    struct net_iov iov[2];
    unsigned n = 0;
    if (len) {
        uint32_t mask = c->sring.size - 1;
        uint32_t at = seq & mask;
        uint32_t first = MIN(len, c->sring.size - at);
        iov[n++] = (struct net_iov){c->sring.buf + at, first};
        if (first < len)
            iov[n++] = (struct net_iov){c->sring.buf, len - first};
        c->data_segs_out++;
        c->bytes_sent += len;
        c->last_data_tx = now;
    }
    /* Longer than one segment's payload: a TSO frame (the send loop sized it for the device). */
    uint32_t seg_max = tcp_payload_max(c);
    tcp_emit(c->local_addr, c->remote_addr, hdr, hlen, iov, n,
             len > seg_max ? (uint16_t)seg_max : 0);
    c->segs_out++;
    if (with_ack) {
        c->last_ack_sent = c->rcv_nxt;
        c->last_ack_tx = now;
        c->delack_segs = 0;
        c->delack_at = 0;
        c->ack_now = false;
    }
}

void tcp_send_segment(struct tcp_conn *c, uint32_t seq, uint32_t len, uint8_t flags)
{
    send_segment_at(c, seq, len, flags, net_now());
}

/* The sequence number of a segment without data: the highest we sent, as Linux's
 * tcp_acceptable_seq. After a timeout snd_nxt goes back, and an ACK from there would lie below
 * what the peer already received and be dropped as out of window, ACK field and all. */
static uint32_t acceptable_seq(const struct tcp_conn *c)
{
    return c->snd_max;
}

void tcp_send_ack(struct tcp_conn *c)
{
    tcp_send_segment(c, acceptable_seq(c), 0, TH_ACK);
}

void tcp_send_syn(struct tcp_conn *c)
{
    if (!c->syn_retries) {
        c->rtt_timing = true;
        c->rtt_start = net_now();
    }
    tcp_send_segment(c, c->iss, 0, c->state == TCPS_SYN_RECEIVED ? TH_SYN | TH_ACK : TH_SYN);
    if (seq_lt(c->snd_max, c->iss + 1))
        c->snd_max = c->iss + 1;
    c->snd_nxt = c->iss + 1;
}

void tcp_send_fin_rst(struct tcp_conn *c, uint8_t flags)
{
    tcp_send_segment(c, acceptable_seq(c), 0, flags);
}

void tcp_reply_rst(const struct ip_rx *ip, uint32_t seq, uint32_t ack, uint8_t flags)
{
    const uint8_t *th = ip->payload;
    uint8_t hdr[TCP_HLEN] = {0};
    put16(hdr, get16(th + 2));
    put16(hdr + 2, get16(th));
    put32(hdr + 4, seq);
    put32(hdr + 8, ack);
    hdr[12] = 5 << 4;
    hdr[13] = flags;
    net_counters.tcp_rst_sent++;
    tcp_emit(ip->dst, ip->src, hdr, TCP_HLEN, NULL, 0, 0);
}

void tcp_schedule_output(struct tcp_conn *c)
{
    if (c->in_flush)
        return;
    c->in_flush = true;
    c->flush_next = tcp_g.flush;
    tcp_g.flush = c;
}

void tcp_flush(void)
{
    /* One pass over the list as it stands: what output defers again (a full loopback queue)
     * waits for the next run. */
    struct tcp_conn *list = tcp_g.flush;
    tcp_g.flush = NULL;
    while (list) {
        struct tcp_conn *c = list;
        list = c->flush_next;
        c->in_flush = false;
        tcp_output(c);
    }
}

/* The data the send loop may still send: from snd_nxt up to the end of the ring. */
static uint32_t data_end(const struct tcp_conn *c)
{
    return c->snd_buf_start + c->snd_buf_len;
}

static bool can_send_data(const struct tcp_conn *c)
{
    switch (c->state) {
    case TCPS_ESTABLISHED:
    case TCPS_CLOSE_WAIT:
    case TCPS_FIN_WAIT_1:
    case TCPS_CLOSING:
    case TCPS_LAST_ACK:
        return true;
    default:
        return false;
    }
}

/* After a timeout the send loop goes back over outstanding data: what the peer SACKed since
 * is skipped. *limit: where the segment must stop (the next SACKed range). */
static uint32_t next_unsacked(const struct tcp_conn *c, uint32_t seq, uint32_t *limit)
{
    const struct tcp_range *r = tcp_ranges_find(&c->sb.sacked, seq);
    if (r && seq_leq(r->start, seq)) {
        seq = r->end;
        r = tcp_ranges_find(&c->sb.sacked, seq);
    }
    if (r && seq_lt(r->start, *limit))
        *limit = r->start;
    return seq;
}

/* Whether the route's NIC cuts large segments (TSO, with checksum offload). */
static bool route_does_tso(const struct tcp_conn *c)
{
    const unsigned need = NETDEV_F_CSUM | NETDEV_F_TSO4;
    return (ip_route_offloads(c->remote_addr) & need) == need;
}

/* The most new data one segment may carry on a NIC that does TSO: whole segments (`seg` bytes
 * each) up to a 64 KiB IP datagram. */
static uint32_t tso_room(uint32_t seg)
{
    uint32_t max = NET_IP_MAX_LEN - IP_HLEN - TCP_HLEN - TCP_OPT_MAXLEN;
    return seg ? max / seg * seg : seg;
}

void tcp_output(struct tcp_conn *c)
{
    bool sent_any = false;
    uint32_t segs_before = c->segs_out;
    bool has_output = c->sring.size || c->fin_queued; /* a FIN needs no ring */
    if (can_send_data(c) && has_output && tcp_recovery_output(c)) {
        sent_any = c->segs_out != segs_before;
    } else if (can_send_data(c) && has_output) {
        bool tso = route_does_tso(c); /* one route lookup for the whole burst */
        /* What does not change during the burst is asked once: each call is a translated-block
         * exit and a lookup under TCG. */
        bool to_local = net_addr_is_local(c->remote_addr);
        uint32_t room = tcp_payload_max(c);
        uint64_t now = 0;
        for (unsigned burst = 0; burst < 64; burst++) {
            uint32_t end = data_end(c);
            uint32_t limit = end;
            if (tcp_ranges_count(&c->sb.sacked) && seq_lt(c->snd_nxt, c->snd_max))
                c->snd_nxt = next_unsacked(c, c->snd_nxt, &limit);
            if (seq_gt(limit, end))
                limit = end;
            if (seq_lt(limit, c->snd_nxt))
                limit = c->snd_nxt;
            uint32_t avail = limit - c->snd_nxt;
            uint32_t wnd = MIN(c->snd_wnd, c->cc.cwnd);
            uint32_t in_flight = c->snd_nxt - c->snd_una;
            uint32_t win_left = wnd > in_flight ? wnd - in_flight : 0;
            /* the peer's window is a hard limit measured from snd_una */
            uint32_t peer_left = seq_gt(c->snd_una + c->snd_wnd, c->snd_nxt)
                                     ? c->snd_una + c->snd_wnd - c->snd_nxt
                                     : 0;
            win_left = MIN(win_left, peer_left);
            if (to_local && tcp_loopback_room() < 2) {
                tcp_schedule_output(c); /* backpressure: resume once the queue drained */
                break;
            }
            /* New data may go as one large segment the device cuts (TSO); a retransmission
             * goes as a single segment. */
            bool rtx_here = seq_lt(c->snd_nxt, c->snd_max);
            uint32_t big = rtx_here || !tso ? room : tso_room(room);
            uint32_t len = MIN(avail, big);
            bool fin_here = false;
            if (len > win_left)
                len = win_left;
            /* A large segment ends on a segment boundary unless its tail would go out on its
             * own anyway: the last of the data, not held by Nagle or cork (the checks below). */
            if (len > room && len % room &&
                (len < avail || ((c->cork || c->more || !c->nodelay) && !c->fin_queued)))
                len -= len % room;
            if (len == 0) {
                if (c->fin_queued && c->snd_nxt == end && avail == 0) {
                    fin_here = true; /* a FIN alone needs no window */
                } else {
                    break;
                }
            } else if (len < room && len == avail && seq_geq(c->snd_nxt, c->snd_max)) {
                /* A partial segment of new data: Nagle (unacked data in flight), cork, MSG_MORE. */
                bool last = !c->fin_queued;
                if ((c->cork || c->more) && last)
                    break;
                if (!c->nodelay && c->snd_nxt != c->snd_una && last)
                    break;
            } else if (len < room && len < avail && seq_geq(c->snd_nxt, c->snd_max) &&
                       len < c->max_snd_wnd / 2 && c->snd_nxt != c->snd_una) {
                break; /* sender silly-window avoidance: wait for a useful window */
            }
            if (len && c->fin_queued && c->snd_nxt + len == end)
                fin_here = true;
            uint8_t flags = TH_ACK;
            if (fin_here)
                flags |= TH_FIN;
            if (len && c->snd_nxt + len == end)
                flags |= TH_PSH;
            bool rtx = seq_lt(c->snd_nxt, c->snd_max);
            if (!now)
                now = net_now();
            send_segment_at(c, c->snd_nxt, len, flags, now);
            if (rtx) {
                c->total_retrans++;
                c->bytes_retrans += len;
                net_counters.tcp_retransmits++;
            } else if (!c->rtt_timing && len) {
                c->rtt_timing = true;
                c->rtt_seq = c->snd_nxt;
                c->rtt_start = now;
            }
            c->snd_nxt += len + (fin_here ? 1 : 0);
            if (fin_here)
                c->fin_sent = true;
            if (seq_gt(c->snd_nxt, c->snd_max))
                c->snd_max = c->snd_nxt;
            if (!c->rtx_at || c->probes)
                tcp_arm(c, &c->rtx_at, now + tcp_rto(c));
            c->probes = 0;
            sent_any = true;
            if (fin_here)
                break;
        }
        /* Nothing in flight and a closed window: the persist timer probes it. */
        if (c->snd_una == c->snd_max && seq_lt(c->snd_nxt, data_end(c)) && c->snd_wnd == 0 &&
            !c->rtx_at)
            tcp_arm(c, &c->rtx_at, net_now() + MAX(tcp_rto(c), TCP_PERSIST_MIN_NS));
    }
    if (!sent_any && (c->ack_now || c->delack_segs >= 2) && c->state != TCPS_CLOSED &&
        c->state != TCPS_LISTEN && c->state != TCPS_SYN_SENT)
        tcp_send_ack(c);
}

/* A zero-window probe or a keepalive: an old sequence number (SND.UNA - 1) with no data, which
 * the peer answers with an ACK carrying its current window (as Linux's probes). */
void tcp_send_probe(struct tcp_conn *c)
{
    tcp_send_segment(c, c->snd_una - 1, 0, TH_ACK);
}
