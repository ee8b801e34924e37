/* Per-connection options (tcp_setopt/tcp_getopt), TCP_INFO facts and ICMP errors about a
 * connection (unreachable, fragmentation needed -> path MTU). */
#include "tcp_internal.h"

static uint32_t ring_limit(int v)
{
    /* Rings are powers of two: the largest one the value allows (at least the minimum). */
    uint32_t size = TCP_RING_MIN;
    while (size * 2 <= (uint32_t)v && size * 2 <= TCP_RING_MAX)
        size *= 2;
    return size;
}

int tcp_setopt(struct tcp_conn *c, enum tcp_option o, int v)
{
    switch (o) {
    case TCP_OPTION_NODELAY:
        c->nodelay = v != 0;
        if (c->nodelay)
            tcp_output(c); /* Linux pushes what waits */
        return 0;
    case TCP_OPTION_CORK:
        c->cork = v != 0;
        if (!c->cork)
            tcp_output(c);
        return 0;
    case TCP_OPTION_KEEPALIVE:
        c->keepalive = v != 0;
        if (c->keepalive && (c->state == TCPS_ESTABLISHED || c->state == TCPS_CLOSE_WAIT))
            tcp_arm(c, &c->keep_at, net_now() + c->keepidle_s * NET_NS_PER_SEC);
        else if (!c->keepalive)
            c->keep_at = 0;
        return 0;
    case TCP_OPTION_KEEPIDLE:
        if (v < 1 || v > 32767)
            return -EINVAL;
        c->keepidle_s = (uint32_t)v;
        if (c->keep_at)
            tcp_arm(c, &c->keep_at, c->last_rx + c->keepidle_s * NET_NS_PER_SEC);
        return 0;
    case TCP_OPTION_KEEPINTVL:
        if (v < 1 || v > 32767)
            return -EINVAL;
        c->keepintvl_s = (uint32_t)v;
        return 0;
    case TCP_OPTION_KEEPCNT:
        if (v < 1 || v > 127)
            return -EINVAL;
        c->keepcnt = (uint32_t)v;
        return 0;
    case TCP_OPTION_RCVBUF:
        if (v < 0)
            return -EINVAL;
        c->rcv_limit = ring_limit(v);
        return 0;
    case TCP_OPTION_SNDBUF:
        if (v < 0)
            return -EINVAL;
        c->snd_limit = ring_limit(v);
        return 0;
    case TCP_OPTION_MAXSEG:
        if (v != 0 && (v < TCP_MIN_MSS || v > 65535 - 40))
            return -EINVAL;
        c->user_mss = (uint16_t)v;
        if (c->state >= TCPS_ESTABLISHED)
            tcp_update_mss(c);
        return 0;
    case TCP_OPTION_REUSEADDR:
        c->reuseaddr = v != 0;
        return 0;
    case TCP_OPTION_REUSEPORT:
        c->reuseport = v != 0;
        return 0;
    case TCP_OPTION_LINGER_SECS:
        c->linger_s = v < 0 ? -1 : v;
        return 0;
    case TCP_OPTION_USER_TIMEOUT:
        if (v < 0)
            return -EINVAL;
        c->user_timeout_ms = (uint32_t)v;
        return 0;
    case TCP_OPTION_DEFER_ACCEPT:
        c->defer_accept_s = v < 0 ? 0 : (uint32_t)v;
        return 0;
    case TCP_OPTION_QUICKACK:
        c->quickack = v != 0;
        if (c->quickack && c->delack_segs)
            tcp_send_ack(c);
        return 0;
    }
    return -ENOPROTOOPT;
}

int tcp_getopt(struct tcp_conn *c, enum tcp_option o, int *v)
{
    switch (o) {
    case TCP_OPTION_NODELAY:
        *v = c->nodelay;
        return 0;
    case TCP_OPTION_CORK:
        *v = c->cork;
        return 0;
    case TCP_OPTION_KEEPALIVE:
        *v = c->keepalive;
        return 0;
    case TCP_OPTION_KEEPIDLE:
        *v = (int)c->keepidle_s;
        return 0;
    case TCP_OPTION_KEEPINTVL:
        *v = (int)c->keepintvl_s;
        return 0;
    case TCP_OPTION_KEEPCNT:
        *v = (int)c->keepcnt;
        return 0;
    case TCP_OPTION_RCVBUF:
        *v = (int)c->rcv_limit;
        return 0;
    case TCP_OPTION_SNDBUF:
        *v = (int)c->snd_limit;
        return 0;
    case TCP_OPTION_MAXSEG:
        *v = c->state >= TCPS_ESTABLISHED ? c->mss : (c->user_mss ? c->user_mss : TCP_MSS_DEFAULT);
        return 0;
    case TCP_OPTION_REUSEADDR:
        *v = c->reuseaddr;
        return 0;
    case TCP_OPTION_REUSEPORT:
        *v = c->reuseport;
        return 0;
    case TCP_OPTION_LINGER_SECS:
        *v = c->linger_s;
        return 0;
    case TCP_OPTION_USER_TIMEOUT:
        *v = (int)c->user_timeout_ms;
        return 0;
    case TCP_OPTION_DEFER_ACCEPT:
        *v = (int)c->defer_accept_s;
        return 0;
    case TCP_OPTION_QUICKACK:
        *v = c->quickack || c->data_segs_in <= 16;
        return 0;
    }
    return -ENOPROTOOPT;
}

/* Linux's TCP_ESTABLISHED=1 ... TCP_CLOSING=11 numbering. */
static uint8_t linux_state(uint8_t s)
{
    static const uint8_t map[] = {
        [TCPS_CLOSED] = 7,       [TCPS_LISTEN] = 10,     [TCPS_SYN_SENT] = 2,
        [TCPS_SYN_RECEIVED] = 3, [TCPS_ESTABLISHED] = 1, [TCPS_FIN_WAIT_1] = 4,
        [TCPS_FIN_WAIT_2] = 5,   [TCPS_CLOSE_WAIT] = 8,  [TCPS_CLOSING] = 11,
        [TCPS_LAST_ACK] = 9,     [TCPS_TIME_WAIT] = 6,
    };
    return s < sizeof(map) ? map[s] : 7;
}

static uint32_t ago_ms(uint64_t now, uint64_t t)
{
    return t && now > t ? (uint32_t)((now - t) / TCP_MS) : 0;
}

void tcp_get_info(struct tcp_conn *c, struct tcp_conn_info *out)
{
    uint64_t now = net_now();
    memset(out, 0, sizeof(*out));
    out->state = linux_state(c->state);
    out->ca_state = c->cc.in_recovery ? 3 : (c->retransmits ? 4 : 0); /* Recovery / Loss */
    out->retransmits = c->retransmits;
    out->probes = c->probes;
    out->backoff = c->rtt.backoff;
    out->options = (uint8_t)((c->ts_ok ? 1 : 0) | (c->sack_ok ? 2 : 0) | (c->ws_ok ? 4 : 0));
    out->snd_wscale = c->snd_wscale;
    out->rcv_wscale = c->rcv_wscale;
    out->rto_us = (uint32_t)(tcp_rto(c) / 1000);
    out->ato_us = (uint32_t)(TCP_DELACK_NS / 1000);
    out->snd_mss = c->mss;
    out->rcv_mss = c->peer_mss;
    out->unacked = c->mss ? (c->snd_max - c->snd_una + c->mss - 1) / c->mss : 0;
    out->sacked = c->mss ? tcp_ranges_bytes(&c->sb.sacked) / c->mss : 0;
    out->retrans = 0;
    out->last_data_sent_ms = ago_ms(now, c->last_data_tx);
    out->last_ack_sent_ms = ago_ms(now, c->last_ack_tx);
    out->last_data_recv_ms = ago_ms(now, c->last_data_rx);
    out->last_ack_recv_ms = ago_ms(now, c->last_ack_rx);
    out->pmtu = c->pmtu ? c->pmtu : (uint32_t)tcp_route_mss(c->remote_addr, 0) + 40;
    out->rcv_ssthresh = tcp_rcv_window(c);
    out->rtt_us = (uint32_t)(c->rtt.srtt_ns / 1000);
    out->rttvar_us = (uint32_t)(c->rtt.rttvar_ns / 1000);
    out->snd_ssthresh =
        c->mss && c->cc.ssthresh < TCP_CC_WINDOW_MAX ? c->cc.ssthresh / c->mss : 0x7fffffff;
    out->snd_cwnd = c->mss ? c->cc.cwnd / c->mss : 0;
    out->advmss = tcp_route_mss(c->remote_addr, 0);
    out->reordering = 3;
    out->rcv_space = c->rring.size ? c->rring.size : TCP_RING_INIT;
    out->total_retrans = c->total_retrans;
    out->bytes_acked = c->bytes_acked;
    out->bytes_received = c->bytes_received;
    out->bytes_sent = c->bytes_sent;
    out->bytes_retrans = c->bytes_retrans;
    out->segs_out = c->segs_out;
    out->segs_in = c->segs_in;
    out->data_segs_in = c->data_segs_in;
    out->data_segs_out = c->data_segs_out;
    out->snd_wnd = c->snd_wnd;
}

void tcp_icmp_error(uint32_t local, uint16_t lport, uint32_t remote, uint16_t rport, int err,
                    uint32_t next_mtu)
{
    struct tcp_conn *c = tcp_lookup(local, lport, remote, rport);
    if (!c) {
        net_counters.icmp_ignored++;
        return;
    }
    net_counters.icmp_errors_reported++;
    if (err == -EMSGSIZE) {
        /* Path MTU discovery (RFC 1191): a smaller MTU shrinks the MSS; what was lost is
         * resent at the new size. Values below 576 or above what we use are ignored. */
        uint16_t cur = c->pmtu ? c->pmtu : (uint16_t)(tcp_route_mss(remote, 0) + 40);
        if (next_mtu < 576 || next_mtu >= cur)
            return;
        c->pmtu = (uint16_t)next_mtu;
        uint16_t old = c->mss;
        tcp_update_mss(c);
        net_counters.tcp_pmtu_updates++;
        if (c->mss < old) {
            tcp_cc_set_mss(&c->cc, c->mss);
            c->snd_nxt = c->snd_una; /* resend what did not fit */
            tcp_schedule_output(c);
        }
        return;
    }
    /* RFC 1122 4.2.3.9: soft errors for a synchronized connection; a connection attempt that
     * meets port unreachable (Linux) or any hard error fails. */
    if (c->state == TCPS_SYN_SENT &&
        (err == -ECONNREFUSED || err == -EHOSTUNREACH || err == -ENETUNREACH)) {
        tcp_drop(c, err);
        return;
    }
    c->soft_error = err;
}
