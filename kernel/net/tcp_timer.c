/* TCP timers: retransmission (RTO with backoff, SYN and SYN-ACK), zero-window probes, delayed
 * ACKs, keepalives, TIME_WAIT and the orphan FIN_WAIT_2 limit; the engine's poll entry points. */
#include "tcp_internal.h"

/* Gives up a connection whose peer stopped answering: the soft error (an ICMP report) if any. */
static void timed_out(struct tcp_conn *c)
{
    net_counters.tcp_timeouts++;
    int err = c->soft_error ? c->soft_error : -ETIMEDOUT;
    if (c->state == TCPS_SYN_SENT || c->state == TCPS_SYN_RECEIVED || c->orphan ||
        c->state == TCPS_CLOSED)
        tcp_drop(c, err);
    else {
        tcp_send_fin_rst(c, TH_RST | TH_ACK);
        tcp_drop(c, err);
    }
}

static bool retries_exhausted(struct tcp_conn *c, uint64_t now)
{
    if (c->user_timeout_ms && c->first_rtx &&
        now - c->first_rtx >= (uint64_t)c->user_timeout_ms * TCP_MS)
        return true;
    if (c->user_timeout_ms)
        return false;
    unsigned limit = c->orphan ? TCP_ORPHAN_RETRIES : TCP_RETRIES2;
    return c->retransmits > limit;
}

static void rtx_timer(struct tcp_conn *c, uint64_t now)
{
    c->rtx_at = 0;
    switch (c->state) {
    case TCPS_SYN_SENT:
    case TCPS_SYN_RECEIVED: {
        unsigned limit = c->state == TCPS_SYN_SENT ? TCP_SYN_RETRIES : TCP_SYNACK_RETRIES;
        if (c->syn_retries >= limit || (c->user_timeout_ms && c->first_rtx &&
                                        now - c->first_rtx >= c->user_timeout_ms * TCP_MS)) {
            timed_out(c);
            return;
        }
        if (!c->first_rtx)
            c->first_rtx = now;
        c->syn_retries++;
        c->rtt_timing = false;
        tcp_rtt_backoff(&c->rtt);
        tcp_send_syn(c);
        net_counters.tcp_syn_retransmits++;
        tcp_arm(c, &c->rtx_at, now + tcp_rto(c));
        return;
    }
    case TCPS_ESTABLISHED:
    case TCPS_CLOSE_WAIT:
    case TCPS_FIN_WAIT_1:
    case TCPS_CLOSING:
    case TCPS_LAST_ACK:
        break;
    default:
        return;
    }
    uint32_t end = c->snd_buf_start + c->snd_buf_len;
    if (c->snd_wnd == 0 && c->snd_una == c->snd_max && seq_lt(c->snd_una, end)) {
        /* Persist: probe the closed window; each answer resets the count (tcp_ack_received). */
        if (c->probes >= TCP_RETRIES2) {
            timed_out(c);
            return;
        }
        c->probes++;
        net_counters.tcp_window_probes++;
        tcp_send_probe(c);
        tcp_rtt_backoff(&c->rtt);
        tcp_arm(c, &c->rtx_at, now + MAX(tcp_rto(c), TCP_PERSIST_MIN_NS));
        return;
    }
    if (c->snd_una == c->snd_max)
        return; /* nothing outstanding */
    if (!c->first_rtx)
        c->first_rtx = now;
    c->retransmits++;
    if (retries_exhausted(c, now)) {
        timed_out(c);
        return;
    }
    net_counters.tcp_rto_expired++;
    tcp_recovery_on_rto(c);
    tcp_output(c);
    tcp_arm(c, &c->rtx_at, now + tcp_rto(c));
}

static void keepalive_timer(struct tcp_conn *c, uint64_t now)
{
    c->keep_at = 0;
    if (!c->keepalive || (c->state != TCPS_ESTABLISHED && c->state != TCPS_CLOSE_WAIT &&
                          c->state != TCPS_FIN_WAIT_2))
        return;
    uint64_t idle = c->keepidle_s * NET_NS_PER_SEC;
    if (now - c->last_rx < idle && !c->keep_probes) {
        tcp_arm(c, &c->keep_at, c->last_rx + idle);
        return;
    }
    if (c->keep_probes >= c->keepcnt) {
        timed_out(c);
        return;
    }
    c->keep_probes++;
    net_counters.tcp_keepalives_sent++;
    tcp_send_probe(c);
    tcp_arm(c, &c->keep_at, now + c->keepintvl_s * NET_NS_PER_SEC);
}

void tcp_timer_conn(struct tcp_conn *c, uint64_t now)
{
    if (c->wait_at && now >= c->wait_at) {
        c->wait_at = 0;
        if (c->state == TCPS_TIME_WAIT || c->state == TCPS_FIN_WAIT_2) {
            if (c->state == TCPS_FIN_WAIT_2)
                net_counters.tcp_finwait2_timeouts++;
            tcp_drop(c, 0);
            return;
        }
    }
    if (c->rtx_at && now >= c->rtx_at) {
        rtx_timer(c, now);
        if (c->state == TCPS_CLOSED)
            return;
    }
    if (c->delack_at && now >= c->delack_at) {
        c->delack_at = 0;
        if (c->last_ack_sent != c->rcv_nxt || c->delack_segs) {
            net_counters.tcp_delayed_acks++;
            tcp_send_ack(c);
        }
    }
    if (c->keep_at && now >= c->keep_at)
        keepalive_timer(c, now);
}

static uint64_t conn_deadline(const struct tcp_conn *c)
{
    uint64_t d = 0;
    const uint64_t t[4] = {c->rtx_at, c->delack_at, c->keep_at, c->wait_at};
    for (unsigned i = 0; i < 4; i++)
        if (t[i] && (!d || t[i] < d))
            d = t[i];
    return d;
}

void tcp_timers(uint64_t now)
{
    tcp_loopback_run();
    tcp_flush();
    if (tcp_g.next_deadline && now >= tcp_g.next_deadline) {
        tcp_g.next_deadline = 0;
        for (struct tcp_conn *c = tcp_g.all, *next; c; c = next) {
            next = c->all_next;
            tcp_timer_conn(c, now);
        }
        /* Timers armed while scanning lowered next_deadline; the full minimum is taken now. */
        uint64_t d = 0;
        for (struct tcp_conn *c = tcp_g.all; c; c = c->all_next) {
            uint64_t cd = conn_deadline(c);
            if (cd && (!d || cd < d))
                d = cd;
        }
        tcp_g.next_deadline = d;
        tcp_flush();
    }
}

uint64_t tcp_next_deadline(void)
{
    if (tcp_g.flush || tcp_loopback_pending())
        return 0;
    return tcp_g.next_deadline ? tcp_g.next_deadline : UINT64_MAX;
}
