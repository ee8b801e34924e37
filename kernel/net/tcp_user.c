/* The socket layer's calls on a connection: connect, send and receive through the rings,
 * shutdown, close, readiness and errors. */
#include "tcp_internal.h"

uint8_t tcp_choose_wscale(uint32_t rcv_limit)
{
    uint8_t s = 0;
    while (s < TCP_WSCALE_MAX && (65535u << s) < rcv_limit)
        s++;
    return s;
}

int tcp_connect(struct tcp_conn *c, uint32_t addr, uint16_t port)
{
    switch (c->state) {
    case TCPS_CLOSED:
        break;
    case TCPS_SYN_SENT:
    case TCPS_SYN_RECEIVED:
        return -EALREADY;
    case TCPS_LISTEN:
        return -EINVAL;
    default:
        return -EISCONN;
    }
    if (c->connected_once)
        return c->error ? -ECONNRESET : -EISCONN;
    if (port == 0)
        return -ECONNREFUSED;
    if (addr == 0)
        addr = NET_IPV4(127, 0, 0, 1); /* Linux: INADDR_ANY means this host */
    uint32_t src = c->local_addr;
    if (!net_addr_is_local(addr)) {
        struct net_route_result r;
        if (net_route_lookup(addr, &r) < 0)
            return -ENETUNREACH;
        if (!src)
            src = r.src;
    } else if (!src) {
        src = (addr >> 24) == 127 ? addr : addr;
    }
    if (!src)
        return -EADDRNOTAVAIL;
    uint32_t old_src = c->local_addr;
    c->local_addr = src;
    if (!c->bound) {
        int rc = tcp_pick_ephemeral(c, addr, port);
        if (rc < 0) {
            c->local_addr = old_src;
            return rc;
        }
    } else if (tcp_lookup(src, c->local_port, addr, port)) {
        c->local_addr = old_src;
        return -EADDRNOTAVAIL;
    }
    c->remote_addr = addr;
    c->remote_port = port;
    c->iss = tcp_new_isn(src, c->local_port, addr, port);
    c->snd_una = c->snd_nxt = c->snd_max = c->iss;
    c->snd_buf_start = c->iss + 1;
    c->snd_buf_len = 0;
    c->ws_ok = c->sack_ok = c->ts_ok = true;
    c->rcv_wscale = tcp_choose_wscale(c->rcv_limit);
    c->ts_offset = (uint32_t)tcp_hash_tuple(TCP_SECRET_ISN, src, c->local_port, addr, port, 0x7473);
    c->peer_mss = tcp_route_mss(addr, 0);
    tcp_update_mss(c);
    c->connected_once = true;
    tcp_set_state(c, TCPS_SYN_SENT);
    tcp_hash_insert(c);
    tcp_send_syn(c);
    tcp_arm(c, &c->rtx_at, net_now() + tcp_rto(c));
    return 0;
}

/* What a send finds before it may queue bytes: 0 to go ahead, or the error to return. */
static int send_check(struct tcp_conn *c)
{
    switch (c->state) {
    case TCPS_ESTABLISHED:
    case TCPS_CLOSE_WAIT:
        break;
    case TCPS_SYN_SENT:
    case TCPS_SYN_RECEIVED:
        return c->fin_queued ? -EPIPE : -EAGAIN;
    case TCPS_LISTEN:
        return -ENOTCONN;
    case TCPS_CLOSED:
        if (c->error) {
            int e = c->error;
            c->error = 0;
            return e == -ECONNREFUSED || e == -ETIMEDOUT || e == -ECONNRESET ? e : -EPIPE;
        }
        return c->connected_once ? -EPIPE : -ENOTCONN;
    default:
        return -EPIPE;
    }
    if (c->fin_queued)
        return -EPIPE;
    if (!c->sring.size &&
        !tcp_ring_alloc(&c->sring, MIN(TCP_RING_INIT, MAX(c->snd_limit, TCP_RING_MIN))))
        return -ENOMEM;
    return 0;
}

/* Doubles the send ring while the program keeps it full and memory allows. */
static void grow_sring(struct tcp_conn *c)
{
    uint32_t size = c->sring.size * 2;
    if (size > c->snd_limit || size > TCP_RING_MAX || !tcp_mem_plentiful(size))
        return;
    struct tcp_ring nr;
    if (!tcp_ring_alloc(&nr, size))
        return;
    uint32_t end = c->snd_buf_start + c->snd_buf_len;
    for (uint32_t s = c->snd_buf_start; s != end;) {
        uint32_t from = s & (c->sring.size - 1), to = s & (size - 1);
        uint32_t n = MIN(end - s, MIN(c->sring.size - from, size - to));
        memcpy(nr.buf + to, c->sring.buf + from, n);
        s += n;
    }
    tcp_ring_free(&c->sring);
    c->sring = nr;
}

int tcp_send_space(struct tcp_conn *c, struct net_iov area[2], size_t max)
{
    int rc = send_check(c);
    if (rc < 0)
        return rc;
    if (c->snd_buf_len == c->sring.size)
        grow_sring(c);
    uint32_t free_bytes = c->sring.size - c->snd_buf_len;
    if (free_bytes > max)
        free_bytes = (uint32_t)max;
    if (!free_bytes)
        return 0;
    uint32_t at = (c->snd_buf_start + c->snd_buf_len) & (c->sring.size - 1);
    uint32_t first = MIN(free_bytes, c->sring.size - at);
    area[0] = (struct net_iov){c->sring.buf + at, first};
    if (first == free_bytes)
        return 1;
    area[1] = (struct net_iov){c->sring.buf, free_bytes - first};
    return 2;
}

void tcp_send_commit(struct tcp_conn *c, size_t n, bool more)
{
    if (!c->sring.size || n > c->sring.size - c->snd_buf_len)
        return;
    c->snd_buf_len += (uint32_t)n;
    c->more = more;
    tcp_output(c);
}

long tcp_send(struct tcp_conn *c, const struct net_iov *iov, unsigned iovcnt, bool more)
{
    size_t total = 0;
    for (unsigned i = 0; i < iovcnt; i++) {
        size_t off = 0;
        while (off < iov[i].len) {
            struct net_iov area[2];
            int n = tcp_send_space(c, area, iov[i].len - off);
            if (n < 0)
                return total ? (long)total : n;
            if (n == 0)
                goto out;
            size_t put = 0;
            for (int k = 0; k < n; k++) {
                memcpy((void *)area[k].base, (const uint8_t *)iov[i].base + off + put, area[k].len);
                put += area[k].len;
            }
            c->snd_buf_len += (uint32_t)put;
            off += put;
            total += put;
        }
    }
out:
    if (!total && iovcnt) {
        size_t want = 0;
        for (unsigned i = 0; i < iovcnt; i++)
            want += iov[i].len;
        if (want)
            return -EAGAIN;
    }
    c->more = more;
    tcp_output(c);
    return (long)total;
}

static uint32_t readable(const struct tcp_conn *c)
{
    uint32_t end = c->rcv_fin ? c->rcv_nxt - 1 : c->rcv_nxt;
    return c->rring.size ? end - c->rcv_user : 0;
}

/* The program made room: tell the peer when the window it sees has become small and the one we
 * can offer is at least twice as large (Linux's rule in tcp_cleanup_rbuf), so that a bulk reader
 * does not answer every read with an ACK. */
static void window_update(struct tcp_conn *c)
{
    if (c->rcv_fin || c->state == TCPS_CLOSED || c->state == TCPS_TIME_WAIT)
        return;
    uint32_t open = seq_gt(c->rcv_adv, c->rcv_nxt) ? c->rcv_adv - c->rcv_nxt : 0;
    uint32_t offer = tcp_rcv_window(c);
    if (2 * open <= c->rring.size && offer >= 2 * open && offer - open >= c->mss)
        tcp_send_ack(c);
}

long tcp_recv(struct tcp_conn *c, const struct net_iov *iov, unsigned iovcnt, bool peek)
{
    if (c->state == TCPS_LISTEN)
        return -ENOTCONN;
    uint32_t avail = readable(c);
    if (avail) {
        size_t done = 0;
        uint32_t seq = c->rcv_user;
        for (unsigned i = 0; i < iovcnt && avail; i++) {
            uint32_t want = (uint32_t)MIN((size_t)avail, iov[i].len);
            uint32_t at = seq & (c->rring.size - 1);
            uint32_t first = MIN(want, c->rring.size - at);
            memcpy((void *)iov[i].base, c->rring.buf + at, first);
            if (first < want)
                memcpy((uint8_t *)iov[i].base + first, c->rring.buf, want - first);
            seq += want;
            avail -= want;
            done += want;
        }
        if (!peek && done) {
            c->rcv_user = seq;
            window_update(c);
        }
        return (long)done;
    }
    if (c->rcv_fin || c->shut_rd)
        return 0;
    if (c->state == TCPS_CLOSED) {
        if (c->error) {
            int e = c->error;
            c->error = 0;
            return e;
        }
        return c->connected_once ? 0 : -ENOTCONN;
    }
    if (c->state == TCPS_SYN_SENT || c->state == TCPS_SYN_RECEIVED)
        return -EAGAIN;
    return -EAGAIN;
}

int tcp_shutdown(struct tcp_conn *c, int how)
{
    if (how < 0 || how > 2)
        return -EINVAL;
    switch (c->state) {
    case TCPS_CLOSED:
        return -ENOTCONN;
    case TCPS_LISTEN:
        if (how != 1)
            tcp_listen_close(c); /* accept then fails with EINVAL, as on Linux */
        return 0;
    default:
        break;
    }
    if (how == 0 || how == 2)
        c->shut_rd = true;
    if (how == 1 || how == 2) {
        if (c->state == TCPS_SYN_SENT) {
            tcp_drop(c, 0);
            return 0;
        }
        if (!c->fin_queued) {
            c->fin_queued = true;
            if (c->state == TCPS_ESTABLISHED)
                tcp_set_state(c, TCPS_FIN_WAIT_1);
            else if (c->state == TCPS_CLOSE_WAIT)
                tcp_set_state(c, TCPS_LAST_ACK);
            tcp_output(c);
        }
    }
    return 0;
}

void tcp_close(struct tcp_conn *c, bool abort)
{
    c->notify = NULL;
    switch (c->state) {
    case TCPS_LISTEN:
        tcp_listen_close(c);
        tcp_conn_free(c);
        return;
    case TCPS_CLOSED:
    case TCPS_SYN_SENT:
        tcp_conn_free(c);
        return;
    default:
        break;
    }
    bool unread = c->rcv_nxt != c->rcv_user + (c->rcv_fin ? 1 : 0);
    if (abort || unread || tcp_g.orphans >= TCP_MAX_ORPHANS) {
        if (!abort && !unread)
            net_counters.tcp_orphan_overflow++;
        if (c->state != TCPS_TIME_WAIT)
            tcp_send_fin_rst(c, TH_RST | TH_ACK);
        net_counters.tcp_aborts++;
        tcp_conn_free(c);
        return;
    }
    c->orphan = true;
    tcp_g.orphans++;
    tcp_ring_free(&c->rring);
    if (c->state == TCPS_TIME_WAIT)
        return;
    if (!c->fin_queued) {
        c->fin_queued = true;
        if (c->state == TCPS_ESTABLISHED || c->state == TCPS_SYN_RECEIVED)
            tcp_set_state(c, c->state == TCPS_SYN_RECEIVED ? TCPS_SYN_RECEIVED : TCPS_FIN_WAIT_1);
        else if (c->state == TCPS_CLOSE_WAIT)
            tcp_set_state(c, TCPS_LAST_ACK);
    }
    if (c->state == TCPS_FIN_WAIT_2)
        tcp_arm(c, &c->wait_at, net_now() + TCP_FIN_TIMEOUT_NS);
    tcp_output(c);
}

unsigned tcp_poll(struct tcp_conn *c)
{
    unsigned m = 0;
    if (c->state == TCPS_LISTEN)
        return c->acceptq_head ? TCP_EV_IN : 0;
    bool rcv_shut = c->rcv_fin || c->shut_rd || c->state == TCPS_CLOSED;
    bool snd_shut = c->fin_queued || c->state == TCPS_CLOSED;
    if ((rcv_shut && snd_shut) || c->state == TCPS_CLOSED)
        m |= TCP_EV_HUP;
    if (rcv_shut)
        m |= TCP_EV_IN | TCP_EV_RDHUP;
    if (c->state != TCPS_SYN_SENT && c->state != TCPS_SYN_RECEIVED) {
        if (readable(c))
            m |= TCP_EV_IN;
        if (snd_shut || !c->sring.size || c->sring.size - c->snd_buf_len >= c->snd_buf_len / 2)
            m |= TCP_EV_OUT;
    }
    if (c->error)
        m |= TCP_EV_ERR;
    return m;
}

int tcp_take_error(struct tcp_conn *c)
{
    int e = c->error;
    c->error = 0;
    return -e;
}

size_t tcp_unread(struct tcp_conn *c)
{
    return readable(c);
}

size_t tcp_unsent(struct tcp_conn *c)
{
    return c->snd_buf_len;
}
