/* The TCP engine's interface to the socket layer (tcp_socket.c) and to the IPv4 stack. */
#ifndef ATOLL_NET_TCP_H
#define ATOLL_NET_TCP_H

#include "atoll/udp.h" /* struct net_iov */
#include "net_internal.h"

struct tcp_conn; /* a connection or a listener; the engine owns its memory */

/* Readiness bits, Linux's EPOLL* values. */
#define TCP_EV_IN    0x001u
#define TCP_EV_OUT   0x004u
#define TCP_EV_ERR   0x008u
#define TCP_EV_HUP   0x010u
#define TCP_EV_RDHUP 0x2000u

/* Called by the engine (inside net input or timers, never re-entrantly from a tcp_* call made by
 * the socket layer) when c's readiness may have changed: data or FIN arrived, send space freed,
 * connect finished or failed, an error is pending, the accept queue became non-empty. */
typedef void (*tcp_notify_fn)(void *arg);

/* Socket-side lifetime */
int tcp_open(struct tcp_conn **out); /* 0, or -ENOBUFS (connection limit) / -ENOMEM */
void tcp_set_notify(struct tcp_conn *c, tcp_notify_fn fn, void *arg);
/* The socket is closed. abort (SO_LINGER 0, or unread data as Linux does): send RST and free.
 * Otherwise graceful: FIN after the queued data; the engine keeps c as an orphan (bounded) and
 * frees it itself. The caller never touches c again. */
void tcp_close(struct tcp_conn *c, bool abort);

/* Addresses and ports in host byte order. */
int tcp_bind(struct tcp_conn *c, uint32_t addr, uint16_t port); /* port 0: ephemeral;
                                                  -EADDRINUSE, -EADDRNOTAVAIL, -EINVAL (bound) */
int tcp_listen(struct tcp_conn *c, int backlog); /* -EINVAL when connected; binds if unbound */
int tcp_accept(struct tcp_conn *l, struct tcp_conn **out); /* 0, -EAGAIN, -EINVAL */
/* Starts an active open; 0 (in progress: tcp_poll reports OUT when established or ERR/HUP on
 * failure, the error from tcp_take_error), -EISCONN, -EALREADY, -ENETUNREACH, -EADDRNOTAVAIL,
 * -ECONNREFUSED etc. */
int tcp_connect(struct tcp_conn *c, uint32_t addr, uint16_t port);
int tcp_getname(struct tcp_conn *c, bool peer, uint32_t *addr, uint16_t *port); /* -ENOTCONN */

/* Data. Both return bytes moved (possibly fewer than asked), or -EAGAIN (would block), -EPIPE
 * (send after SHUT_WR/close or on a reset connection; the socket layer adds SIGPIPE semantics),
 * -ENOTCONN, -ECONNRESET, -ETIMEDOUT, ... tcp_recv returns 0 at end of stream. */
long tcp_send(struct tcp_conn *c, const struct net_iov *iov, unsigned iovcnt, bool more);
long tcp_recv(struct tcp_conn *c, const struct net_iov *iov, unsigned iovcnt, bool peek);
/* Zero-copy-ish fill of the send ring: up to 2 contiguous free areas (ring wrap), total capped at
 * max; returns the count of areas (0: no space, or a negative errno like tcp_send). The caller
 * writes bytes into them, then commits how many it wrote. */
int tcp_send_space(struct tcp_conn *c, struct net_iov area[2], size_t max);
void tcp_send_commit(struct tcp_conn *c, size_t n, bool more);
int tcp_shutdown(struct tcp_conn *c, int how); /* SHUT_RD/WR/RDWR (0/1/2); -ENOTCONN */

unsigned tcp_poll(struct tcp_conn *c);  /* TCP_EV_* now */
int tcp_take_error(struct tcp_conn *c); /* SO_ERROR: the pending error (positive errno), cleared */
size_t tcp_unread(struct tcp_conn *c);  /* FIONREAD / SIOCINQ */
size_t tcp_unsent(struct tcp_conn *c);  /* SIOCOUTQ: bytes not yet acknowledged */

enum tcp_option {
    TCP_OPTION_NODELAY,
    TCP_OPTION_CORK,
    TCP_OPTION_KEEPALIVE,
    TCP_OPTION_KEEPIDLE,
    TCP_OPTION_KEEPINTVL,
    TCP_OPTION_KEEPCNT,
    TCP_OPTION_RCVBUF,
    TCP_OPTION_SNDBUF,
    TCP_OPTION_MAXSEG,
    TCP_OPTION_REUSEADDR,
    TCP_OPTION_REUSEPORT,
    TCP_OPTION_LINGER_SECS,
    /* -1: off */ TCP_OPTION_USER_TIMEOUT,
    TCP_OPTION_DEFER_ACCEPT,
    TCP_OPTION_QUICKACK,
};
/* Values in Linux's units (seconds for keepalive, ms for user timeout, bytes for buffers as the
 * socket layer computed them). 0 or -EINVAL / -ENOPROTOOPT. */
int tcp_setopt(struct tcp_conn *c, enum tcp_option o, int v);
int tcp_getopt(struct tcp_conn *c, enum tcp_option o, int *v);

/* The common fields of Linux's struct tcp_info; the socket layer writes Linux's layout. */
struct tcp_conn_info {
    uint8_t state; /* Linux's TCP_ESTABLISHED=1 ... TCP_CLOSING=11 numbering */
    uint8_t ca_state, retransmits, probes, backoff, options, snd_wscale, rcv_wscale;
    uint32_t rto_us, ato_us, snd_mss, rcv_mss, unacked, sacked, lost, retrans, fackets;
    uint32_t last_data_sent_ms, last_ack_sent_ms, last_data_recv_ms, last_ack_recv_ms;
    uint32_t pmtu, rcv_ssthresh, rtt_us, rttvar_us, snd_ssthresh, snd_cwnd, advmss, reordering;
    uint32_t rcv_rtt_us, rcv_space, total_retrans;
    uint64_t bytes_acked, bytes_received, bytes_sent, bytes_retrans;
    uint32_t segs_out, segs_in, data_segs_in, data_segs_out, snd_wnd;
};
void tcp_get_info(struct tcp_conn *c, struct tcp_conn_info *out);

/* Stack side (tcp-engine only). */
void tcp_reset(void);                   /* tests: forget everything */
void tcp_input(const struct ip_rx *ip); /* from ip_deliver, proto 6 */
void tcp_icmp_error(uint32_t local, uint16_t lport, uint32_t remote, uint16_t rport, int err,
                    uint32_t next_mtu); /* from icmp.c */
void tcp_timers(uint64_t now);          /* from net_poll */
uint64_t tcp_next_deadline(void);       /* for net_next_deadline */
/* Memory statistics for leak checks and netstat: connections alive, bytes of buffers held. */
void tcp_stats(unsigned *conns, unsigned *orphans, size_t *buffer_bytes);
/* Whether some connection to another host still has data not acknowledged or a FIN not sent or
 * not acknowledged (orphans included): what an exiting instance waits for, as Linux keeps
 * orphans going after the process ends. */
bool tcp_output_pending(void);

#endif
