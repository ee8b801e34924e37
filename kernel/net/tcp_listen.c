/* TCP listeners: the bounded SYN queue (half-open children) and accept queue, SYN cookies when
 * the SYN queue is full, accept, and closing a listener. */
#include "tcp_internal.h"

int tcp_listen(struct tcp_conn *c, int backlog)
{
    if (c->state == TCPS_LISTEN) {
        c->backlog = backlog < 1 ? 1 : MIN(backlog, TCP_BACKLOG_MAX);
        return 0;
    }
    if (c->state != TCPS_CLOSED || c->hashed || c->remote_port)
        return -EINVAL;
    if (!c->bound) {
        int rc = tcp_bind(c, 0, 0);
        if (rc < 0)
            return rc;
    }
    for (const struct tcp_conn *o = tcp_g.all; o; o = o->all_next)
        if (o != c && o->state == TCPS_LISTEN && o->local_port == c->local_port &&
            (!o->local_addr || !c->local_addr || o->local_addr == c->local_addr) &&
            !(o->reuseport && c->reuseport))
            return -EADDRINUSE;
    c->backlog = backlog < 1 ? 1 : MIN(backlog, TCP_BACKLOG_MAX);
    c->rcv_wscale = tcp_choose_wscale(c->rcv_limit);
    tcp_set_state(c, TCPS_LISTEN);
    return 0;
}

static unsigned synq_limit(const struct tcp_conn *l)
{
    return MIN((unsigned)TCP_SYNQ_MAX, MAX((unsigned)l->backlog, 16u));
}

/* A child inherits the listener's options, as on Linux. */
static void inherit(struct tcp_conn *child, const struct tcp_conn *l, const struct tcp_seg *s)
{
    const struct ip_rx *ip = s->ip;
    child->local_addr = ip->dst;
    child->local_port = l->local_port;
    child->remote_addr = ip->src;
    child->remote_port = get16(ip->payload);
    child->bound = true;
    child->connected_once = true;
    child->nodelay = l->nodelay;
    child->keepalive = l->keepalive;
    child->keepidle_s = l->keepidle_s;
    child->keepintvl_s = l->keepintvl_s;
    child->keepcnt = l->keepcnt;
    child->user_timeout_ms = l->user_timeout_ms;
    child->user_mss = l->user_mss;
    child->rcv_limit = l->rcv_limit;
    child->snd_limit = l->snd_limit;
    child->linger_s = l->linger_s;
    child->rcv_wscale = l->rcv_wscale;
    child->ts_offset =
        (uint32_t)tcp_hash_tuple(TCP_SECRET_ISN, child->local_addr, child->local_port,
                                 child->remote_addr, child->remote_port, 0x7473);
}

static void accept_queue_push(struct tcp_conn *l, struct tcp_conn *child)
{
    child->q_next = NULL;
    child->accept_queued = true;
    if (l->acceptq_tail)
        l->acceptq_tail->q_next = child;
    else
        l->acceptq_head = child;
    l->acceptq_tail = child;
    l->acceptq_len++;
    if (l->notify)
        l->notify(l->notify_arg);
}

static void synq_remove(struct tcp_conn *l, struct tcp_conn *child)
{
    for (struct tcp_conn **p = &l->synq; *p; p = &(*p)->q_next)
        if (*p == child) {
            *p = child->q_next;
            l->synq_len--;
            return;
        }
}

static void acceptq_remove(struct tcp_conn *l, struct tcp_conn *child)
{
    struct tcp_conn *prev = NULL;
    for (struct tcp_conn *p = l->acceptq_head; p; prev = p, p = p->q_next)
        if (p == child) {
            if (prev)
                prev->q_next = p->q_next;
            else
                l->acceptq_head = p->q_next;
            if (l->acceptq_tail == p)
                l->acceptq_tail = prev;
            l->acceptq_len--;
            return;
        }
}

void tcp_listen_established(struct tcp_conn *child)
{
    struct tcp_conn *l = child->listener;
    synq_remove(l, child);
    accept_queue_push(l, child);
}

void tcp_listen_forget(struct tcp_conn *child)
{
    struct tcp_conn *l = child->listener;
    if (child->accept_queued)
        acceptq_remove(l, child);
    else
        synq_remove(l, child);
    child->listener = NULL;
    tcp_conn_free(child);
}

/* The SYN-ACK of a SYN cookie: sent from a TCB on the stack that is never kept. */
static void send_cookie_synack(struct tcp_conn *l, const struct tcp_seg *s)
{
    static struct tcp_conn tmp; /* static: a TCB is too large for a kernel stack frame */
    memset(&tmp, 0, sizeof(tmp));
    tcp_conn_defaults(&tmp);
    inherit(&tmp, l, s);
    uint16_t peer_mss = (s->opts.present & TCP_OPTF_MSS) ? s->opts.mss : TCP_MSS_DEFAULT;
    uint16_t mss;
    tmp.iss = tcp_syncookie_make(tmp.local_addr, tmp.local_port, tmp.remote_addr, tmp.remote_port,
                                 s->seq, peer_mss, net_now(), &mss);
    tmp.state = TCPS_SYN_RECEIVED;
    tmp.rcv_nxt = tmp.rcv_user = s->seq + 1; /* the window offered is the usual one */
    tmp.rcv_adv = tmp.rcv_nxt;
    tmp.ws_ok = tmp.sack_ok = tmp.ts_ok = true;
    tcp_syn_options(&tmp, &s->opts);
    if (tmp.ts_ok) {
        /* The options the cookie cannot hold ride in TSval's low bits. */
        uint32_t now_ts = tcp_ts_now(&tmp);
        uint32_t ts = tcp_syncookie_ts_make(now_ts, tmp.ws_ok ? tmp.snd_wscale : -1, tmp.sack_ok);
        tmp.ts_offset += ts - now_ts;
    } else {
        tmp.ws_ok = tmp.sack_ok = false; /* no room for them without timestamps */
        tmp.rcv_wscale = 0;
    }
    tmp.user_mss = mss;
    tcp_send_syn(&tmp);
    net_counters.tcp_syncookies_sent++;
    l->cookie_at = net_now();
}

/* An ACK to a listener that may complete a SYN cookie handshake. */
static void cookie_ack(struct tcp_conn *l, const struct tcp_seg *s)
{
    const struct ip_rx *ip = s->ip;
    uint16_t rport = get16(ip->payload), mss;
    bool cookies_live = l->cookie_at && net_now() - l->cookie_at <= 2 * TCP_COOKIE_PERIOD_NS;
    if (!cookies_live || tcp_syncookie_check(ip->dst, l->local_port, ip->src, rport, s->seq - 1,
                                             s->ack - 1, net_now(), &mss) < 0) {
        net_counters.tcp_listen_bad++;
        /* The cookie can only be checked on the segment at the peer's ISN + 1. Data or a FIN
         * further on may belong to a cookie connection whose ACK and first segments were lost
         * (a full RX ring, a full accept queue): a reset would kill a good connection, while a
         * quiet drop makes the peer resend from its first byte, which carries the cookie. */
        if (cookies_live && (s->len || (s->flags & TH_FIN)))
            return;
        tcp_reply_rst(ip, s->ack, 0, TH_RST);
        return;
    }
    int ws = -1;
    bool sack = false, ts = s->opts.present & TCP_OPTF_TIMESTAMP;
    if (ts && !tcp_syncookie_ts_check(s->opts.ts_ecr, &ws, &sack)) {
        net_counters.tcp_listen_bad++;
        return;
    }
    if (l->acceptq_len >= (unsigned)l->backlog) {
        net_counters.tcp_listen_overflow++;
        return;
    }
    struct tcp_conn *c = tcp_conn_alloc();
    if (!c) {
        net_counters.tcp_conn_limit++;
        return;
    }
    inherit(c, l, s);
    c->iss = s->ack - 1;
    c->snd_una = c->snd_nxt = c->snd_max = s->ack;
    c->snd_buf_start = s->ack;
    c->irs = s->seq - 1;
    c->rcv_nxt = c->rcv_user = c->rcv_adv = s->seq;
    c->peer_mss = mss;
    c->ts_ok = ts;
    c->ws_ok = ws >= 0;
    c->snd_wscale = c->ws_ok ? (uint8_t)ws : 0;
    if (!c->ws_ok)
        c->rcv_wscale = 0;
    c->sack_ok = sack;
    if (ts) {
        c->ts_recent = s->opts.ts_val;
        c->ts_recent_at = net_now();
    }
    tcp_update_mss(c);
    c->snd_wnd = c->max_snd_wnd = (uint32_t)s->wnd << c->snd_wscale;
    c->snd_wl1 = s->seq;
    c->snd_wl2 = s->ack;
    c->last_ack_sent = c->rcv_nxt;
    c->rcv_adv = c->rcv_nxt + MIN(tcp_rcv_window(c), 65535u); /* what the SYN-ACK offered */
    tcp_recovery_start(c);
    tcp_set_state(c, TCPS_ESTABLISHED);
    tcp_hash_insert(c);
    net_counters.tcp_syncookies_ok++;
    c->listener = l;
    accept_queue_push(l, c);
    if (s->len || (s->flags & TH_FIN))
        tcp_process(c, (struct tcp_seg *)s);
}

bool tcp_listen_cookie_takeover(struct tcp_conn *child, const struct tcp_seg *s)
{
    struct tcp_conn *l = child->listener;
    const struct ip_rx *ip = s->ip;
    uint16_t mss;
    if (!l->cookie_at || net_now() - l->cookie_at > 2 * TCP_COOKIE_PERIOD_NS ||
        (s->flags & (TH_SYN | TH_RST)) || s->seq != child->irs + 1 ||
        tcp_syncookie_check(ip->dst, l->local_port, ip->src, get16(ip->payload), s->seq - 1,
                            s->ack - 1, net_now(), &mss) < 0)
        return false;
    tcp_listen_forget(child);
    cookie_ack(l, s);
    return true;
}

void tcp_listen_input(struct tcp_conn *l, const struct tcp_seg *s)
{
    if (s->flags & TH_RST) {
        net_counters.tcp_listen_bad++;
        return;
    }
    if (s->flags & TH_ACK) {
        if (s->flags & TH_SYN) {
            net_counters.tcp_listen_bad++;
            tcp_reply_rst(s->ip, s->ack, 0, TH_RST);
        } else {
            cookie_ack(l, s);
        }
        return;
    }
    if (!(s->flags & TH_SYN)) {
        net_counters.tcp_listen_bad++;
        return;
    }
    net_counters.tcp_syn_rx++;
    if (l->acceptq_len >= (unsigned)l->backlog) {
        net_counters.tcp_listen_overflow++; /* Linux drops the SYN: the client retries */
        return;
    }
    struct tcp_conn *c = NULL;
    if (l->synq_len < synq_limit(l))
        c = tcp_conn_alloc();
    if (!c) {
        send_cookie_synack(l, s); /* SYN queue full or no TCB free: state rides in the ISN */
        return;
    }
    inherit(c, l, s);
    c->irs = s->seq;
    c->rcv_nxt = c->rcv_user = c->rcv_adv = s->seq + 1;
    c->ws_ok = c->sack_ok = c->ts_ok = true;
    tcp_syn_options(c, &s->opts);
    c->snd_wnd = c->max_snd_wnd = s->wnd;
    c->iss = tcp_new_isn(c->local_addr, c->local_port, c->remote_addr, c->remote_port);
    c->snd_una = c->snd_nxt = c->snd_max = c->iss;
    c->snd_buf_start = c->iss + 1;
    c->listener = l;
    c->q_next = l->synq;
    l->synq = c;
    l->synq_len++;
    tcp_set_state(c, TCPS_SYN_RECEIVED);
    tcp_hash_insert(c);
    tcp_send_syn(c);
    tcp_arm(c, &c->rtx_at, net_now() + tcp_rto(c));
}

int tcp_accept(struct tcp_conn *l, struct tcp_conn **out)
{
    if (l->state != TCPS_LISTEN)
        return -EINVAL;
    struct tcp_conn *c = l->acceptq_head;
    if (!c)
        return -EAGAIN;
    l->acceptq_head = c->q_next;
    if (!l->acceptq_head)
        l->acceptq_tail = NULL;
    l->acceptq_len--;
    c->q_next = NULL;
    c->listener = NULL;
    c->accept_queued = false;
    *out = c;
    return 0;
}

void tcp_listen_close(struct tcp_conn *l)
{
    while (l->synq)
        tcp_listen_forget(l->synq);
    while (l->acceptq_head) {
        struct tcp_conn *c = l->acceptq_head;
        if (c->state != TCPS_CLOSED)
            tcp_send_fin_rst(c, TH_RST | TH_ACK);
        tcp_listen_forget(c);
    }
    tcp_set_state(l, TCPS_CLOSED);
}
