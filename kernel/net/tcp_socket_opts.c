/* Options and ioctls of AF_INET SOCK_STREAM sockets: SOL_SOCKET and IPPROTO_TCP levels with Linux's
 * checks and units, TCP_INFO in Linux's struct tcp_info layout, FIONREAD/SIOCINQ and SIOCOUTQ. */
#include "tcp_socket.h"

#include "atoll/errno.h"
#include "atoll/kernel.h"

#define SO_REUSEADDR   2
#define SO_TYPE        3
#define SO_ERROR       4
#define SO_SNDBUF      7
#define SO_RCVBUF      8
#define SO_KEEPALIVE   9
#define SO_LINGER      13
#define SO_REUSEPORT   15
#define SO_RCVTIMEO    20
#define SO_SNDTIMEO    21
#define SO_ACCEPTCONN  30
#define SO_SNDBUFFORCE 32
#define SO_RCVBUFFORCE 33
#define SO_PROTOCOL    38
#define SO_DOMAIN      39

#define TCP_NODELAY      1
#define TCP_MAXSEG       2
#define TCP_CORK         3
#define TCP_KEEPIDLE     4
#define TCP_KEEPINTVL    5
#define TCP_KEEPCNT      6
#define TCP_DEFER_ACCEPT 9
#define TCP_INFO         11
#define TCP_QUICKACK     12
#define TCP_USER_TIMEOUT 18

#define FIONREAD 0x541b /* SIOCINQ */
#define SIOCOUTQ 0x5411

/* Linux's bounds: net.core.rmem_max/wmem_max, SOCK_MIN_RCVBUF/SNDBUF, MAX_TCP_KEEP*, TCP_MIN_MSS,
 * MAX_TCP_WINDOW. */
#define RCVBUF_MIN     2304
#define SNDBUF_MIN     4608
#define KEEPIDLE_MAX   32767
#define KEEPINTVL_MAX  32767
#define KEEPCNT_MAX    127
#define TCP_MIN_MSS    88
#define MAX_TCP_WINDOW 32767

struct linux_linger {
    int onoff, secs;
};

/* Linux's struct tcp_info up to tcpi_snd_wnd (232 bytes); getsockopt copies what fits. */
struct linux_tcp_info {
    uint8_t state, ca_state, retransmits, probes, backoff, options;
    uint8_t wscale;    /* snd_wscale in the low 4 bits, rcv_wscale in the high 4 */
    uint8_t app_limit; /* delivery_rate_app_limited, fastopen_client_fail */
    uint32_t rto, ato, snd_mss, rcv_mss;
    uint32_t unacked, sacked, lost, retrans, fackets;
    uint32_t last_data_sent, last_ack_sent, last_data_recv, last_ack_recv;
    uint32_t pmtu, rcv_ssthresh, rtt, rttvar, snd_ssthresh, snd_cwnd, advmss, reordering;
    uint32_t rcv_rtt, rcv_space;
    uint32_t total_retrans;
    uint64_t pacing_rate, max_pacing_rate;
    uint64_t bytes_acked, bytes_received;
    uint32_t segs_out, segs_in;
    uint32_t notsent_bytes, min_rtt, data_segs_in, data_segs_out;
    uint64_t delivery_rate;
    uint64_t busy_time, rwnd_limited, sndbuf_limited;
    uint32_t delivered, delivered_ce;
    uint64_t bytes_sent, bytes_retrans;
    uint32_t dsack_dups, reord_seen;
    uint32_t rcv_ooopack;
    uint32_t snd_wnd;
};
_Static_assert(sizeof(struct linux_tcp_info) == 232, "Linux's struct tcp_info layout");

static int set_socket_level(struct tcp_sock *t, int name, const void *val, unsigned len)
{
    struct sock *s = &t->sock;
    struct tcp_conn *c = t->conn;
    if (name == SO_RCVTIMEO)
        return sock_opt_timeout(val, len, &s->rcvtimeo_ns);
    if (name == SO_SNDTIMEO)
        return sock_opt_timeout(val, len, &s->sndtimeo_ns);
    if (name == SO_LINGER) {
        struct linux_linger l;
        if (len < sizeof(l))
            return -EINVAL;
        if (!val)
            return -EFAULT;
        memcpy(&l, val, sizeof(l));
        t->linger_on = l.onoff != 0;
        t->linger_secs = l.secs < 0 ? 0 : l.secs;
        return tcp_setopt(c, TCP_OPTION_LINGER_SECS, t->linger_on ? t->linger_secs : -1);
    }
    int v, rc;
    switch (name) {
    case SO_REUSEADDR:
    case SO_REUSEPORT:
    case SO_KEEPALIVE:
    case SO_RCVBUF:
    case SO_RCVBUFFORCE:
    case SO_SNDBUF:
    case SO_SNDBUFFORCE:
        if ((rc = sock_opt_int(val, len, &v)) < 0)
            return rc;
        break;
    default:
        return -ENOPROTOOPT;
    }
    switch (name) {
    case SO_REUSEADDR:
        return tcp_setopt(c, TCP_OPTION_REUSEADDR, v != 0);
    case SO_REUSEPORT:
        return tcp_setopt(c, TCP_OPTION_REUSEPORT, v != 0);
    case SO_KEEPALIVE:
        return tcp_setopt(c, TCP_OPTION_KEEPALIVE, v != 0);
    case SO_RCVBUF:
    case SO_RCVBUFFORCE:
        v = sock_buffer_size(v, name == SO_RCVBUFFORCE, RCVBUF_MIN);
        if ((rc = tcp_setopt(c, TCP_OPTION_RCVBUF, v)) == 0)
            s->rcvbuf = v;
        return rc;
    default: /* SO_SNDBUF, SO_SNDBUFFORCE */
        v = sock_buffer_size(v, name == SO_SNDBUFFORCE, SNDBUF_MIN);
        if ((rc = tcp_setopt(c, TCP_OPTION_SNDBUF, v)) == 0)
            s->sndbuf = v;
        return rc;
    }
}

/* IPPROTO_TCP options that take an int: the engine's option and Linux's accepted range. */
struct tcp_int_option {
    int name;
    enum tcp_option option;
    int min, max;
};

static const struct tcp_int_option tcp_int_options[] = {
    {TCP_NODELAY, TCP_OPTION_NODELAY, INT32_MIN, INT32_MAX},
    {TCP_CORK, TCP_OPTION_CORK, INT32_MIN, INT32_MAX},
    {TCP_KEEPIDLE, TCP_OPTION_KEEPIDLE, 1, KEEPIDLE_MAX},
    {TCP_KEEPINTVL, TCP_OPTION_KEEPINTVL, 1, KEEPINTVL_MAX},
    {TCP_KEEPCNT, TCP_OPTION_KEEPCNT, 1, KEEPCNT_MAX},
    {TCP_MAXSEG, TCP_OPTION_MAXSEG, 0, MAX_TCP_WINDOW},
    {TCP_USER_TIMEOUT, TCP_OPTION_USER_TIMEOUT, 0, INT32_MAX},
    {TCP_DEFER_ACCEPT, TCP_OPTION_DEFER_ACCEPT, INT32_MIN, INT32_MAX},
    {TCP_QUICKACK, TCP_OPTION_QUICKACK, INT32_MIN, INT32_MAX},
};

static const struct tcp_int_option *tcp_int_option(int name)
{
    for (size_t i = 0; i < ARRAY_SIZE(tcp_int_options); i++)
        if (tcp_int_options[i].name == name)
            return &tcp_int_options[i];
    return NULL;
}

static bool is_flag(int name)
{
    return name == TCP_NODELAY || name == TCP_CORK || name == TCP_QUICKACK;
}

static int set_tcp_level(struct tcp_sock *t, int name, const void *val, unsigned len)
{
    const struct tcp_int_option *o = tcp_int_option(name);
    if (!o)
        return -ENOPROTOOPT;
    int v, rc = sock_opt_int(val, len, &v);
    if (rc < 0)
        return rc;
    if (v < o->min || v > o->max || (name == TCP_MAXSEG && v && v < TCP_MIN_MSS))
        return -EINVAL;
    if (is_flag(name))
        v = v != 0;
    if (name == TCP_DEFER_ACCEPT && v < 0)
        v = 0;
    return tcp_setopt(t->conn, o->option, v);
}

int tcp_sock_setsockopt(struct sock *s, int level, int name, const void *val, unsigned len)
{
    if (level == SOL_SOCKET)
        return set_socket_level(tcp_sock_of(s), name, val, len);
    if (level == IPPROTO_TCP)
        return set_tcp_level(tcp_sock_of(s), name, val, len);
    return -ENOPROTOOPT;
}

static int get_tcp_info(struct tcp_sock *t, void *val, unsigned *len)
{
    struct tcp_conn_info i;
    memset(&i, 0, sizeof(i));
    tcp_get_info(t->conn, &i);
    struct linux_tcp_info o;
    memset(&o, 0, sizeof(o));
    o.state = i.state, o.ca_state = i.ca_state, o.retransmits = i.retransmits;
    o.probes = i.probes, o.backoff = i.backoff, o.options = i.options;
    o.wscale = (uint8_t)((i.snd_wscale & 0xf) | (i.rcv_wscale & 0xf) << 4);
    o.rto = i.rto_us, o.ato = i.ato_us, o.snd_mss = i.snd_mss, o.rcv_mss = i.rcv_mss;
    o.unacked = i.unacked, o.sacked = i.sacked, o.lost = i.lost, o.retrans = i.retrans;
    o.fackets = i.fackets;
    o.last_data_sent = i.last_data_sent_ms, o.last_ack_sent = i.last_ack_sent_ms;
    o.last_data_recv = i.last_data_recv_ms, o.last_ack_recv = i.last_ack_recv_ms;
    o.pmtu = i.pmtu, o.rcv_ssthresh = i.rcv_ssthresh, o.rtt = i.rtt_us, o.rttvar = i.rttvar_us;
    o.snd_ssthresh = i.snd_ssthresh, o.snd_cwnd = i.snd_cwnd, o.advmss = i.advmss;
    o.reordering = i.reordering, o.rcv_rtt = i.rcv_rtt_us, o.rcv_space = i.rcv_space;
    o.total_retrans = i.total_retrans;
    o.pacing_rate = o.max_pacing_rate = UINT64_MAX; /* no pacing, as Linux reports it */
    o.bytes_acked = i.bytes_acked, o.bytes_received = i.bytes_received;
    o.segs_out = i.segs_out, o.segs_in = i.segs_in;
    o.data_segs_in = i.data_segs_in, o.data_segs_out = i.data_segs_out;
    o.bytes_sent = i.bytes_sent, o.bytes_retrans = i.bytes_retrans;
    o.snd_wnd = i.snd_wnd;
    return sock_put_bytes(val, len, &o, sizeof(o));
}

static int get_socket_level(struct tcp_sock *t, int name, void *val, unsigned *len)
{
    struct sock *s = &t->sock;
    int v, rc = 0;
    switch (name) {
    case SO_RCVTIMEO:
        return sock_put_timeout(val, len, s->rcvtimeo_ns);
    case SO_SNDTIMEO:
        return sock_put_timeout(val, len, s->sndtimeo_ns);
    case SO_LINGER: {
        struct linux_linger l = {t->linger_on, t->linger_secs};
        return sock_put_bytes(val, len, &l, sizeof(l));
    }
    case SO_TYPE:
        v = SOCK_STREAM;
        break;
    case SO_DOMAIN:
        v = AF_INET;
        break;
    case SO_PROTOCOL:
        v = IPPROTO_TCP;
        break;
    case SO_ACCEPTCONN:
        v = t->listening;
        break;
    case SO_ERROR:
        v = tcp_take_error(t->conn);
        sock_readiness_changed(s);
        break;
    case SO_REUSEADDR:
        rc = tcp_getopt(t->conn, TCP_OPTION_REUSEADDR, &v);
        break;
    case SO_REUSEPORT:
        rc = tcp_getopt(t->conn, TCP_OPTION_REUSEPORT, &v);
        break;
    case SO_KEEPALIVE:
        rc = tcp_getopt(t->conn, TCP_OPTION_KEEPALIVE, &v);
        break;
    case SO_RCVBUF:
        v = s->rcvbuf;
        break;
    case SO_SNDBUF:
        v = s->sndbuf;
        break;
    default:
        return -ENOPROTOOPT;
    }
    return rc < 0 ? rc : sock_put_int(val, len, v);
}

int tcp_sock_getsockopt(struct sock *s, int level, int name, void *val, unsigned *len)
{
    struct tcp_sock *t = tcp_sock_of(s);
    if (level == SOL_SOCKET)
        return get_socket_level(t, name, val, len);
    if (level != IPPROTO_TCP)
        return -ENOPROTOOPT;
    if (name == TCP_INFO)
        return get_tcp_info(t, val, len);
    const struct tcp_int_option *o = tcp_int_option(name);
    if (!o)
        return -ENOPROTOOPT;
    int v, rc = tcp_getopt(t->conn, o->option, &v);
    return rc < 0 ? rc : sock_put_int(val, len, v);
}

long tcp_sock_ioctl(struct sock *s, unsigned long req, unsigned long arg)
{
    struct tcp_sock *t = tcp_sock_of(s);
    int value;
    switch (req) {
    case FIONREAD:
        if (t->listening)
            return -EINVAL; /* as Linux */
        value = (int)MIN(tcp_unread(t->conn), (size_t)INT32_MAX);
        break;
    case SIOCOUTQ:
        if (t->listening)
            return -EINVAL;
        value = (int)MIN(tcp_unsent(t->conn), (size_t)INT32_MAX);
        break;
    default:
        return -ENOTTY;
    }
    if (!arg)
        return -EFAULT;
    memcpy((void *)arg, &value, sizeof(value));
    return 0;
}
