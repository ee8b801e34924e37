/* The TCP engine's internals: the connection block (TCB), constants and the files' entry points. */
#ifndef ATOLL_NET_TCP_INTERNAL_H
#define ATOLL_NET_TCP_INTERNAL_H

#include "tcp.h"
#include "tcp_cc.h"
#include "tcp_isn.h"
#include "tcp_options.h"
#include "tcp_ranges.h"
#include "tcp_rtt.h"
#include "tcp_sack.h"
#include "tcp_seq.h"
#include "tcp_syncookie.h"

#define TCP_HLEN 20

/* Header flags. */
#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10
#define TH_URG 0x20

#define TCP_MS             1000000ull
#define TCP_MSL_NS         (30 * NET_NS_PER_SEC) /* TIME_WAIT lasts 2 MSL = 60 s, as Linux */
#define TCP_DELACK_NS      (40 * TCP_MS)
#define TCP_SYN_RETRIES    6 /* Linux: about 127 s to give up */
#define TCP_SYNACK_RETRIES 5
#define TCP_RETRIES2       15 /* data retransmissions before the connection is dropped */
#define TCP_ORPHAN_RETRIES 8
#define TCP_FIN_TIMEOUT_NS (60 * NET_NS_PER_SEC) /* FIN_WAIT_2 of an orphan */
#define TCP_PERSIST_MIN_NS (200 * TCP_MS)
#define TCP_DEFAULT_MSS    536
#define TCP_MIN_MSS        88 /* Linux's floor for the peer's MSS and PMTU-derived MSS */

/* Buffers: power-of-two rings, allocated on first use and grown while memory is plentiful. */
#define TCP_RING_INIT     (16 * 1024u)
#define TCP_RING_MIN      (4 * 1024u)
#define TCP_RING_MAX      (4 * 1024 * 1024u)
#define TCP_RING_AUTO_MAX (512 * 1024u) /* growth without SO_RCVBUF/SO_SNDBUF stops here */

/* Limits. */
#define TCP_MAX_CONNS    4096 /* connections and listeners alive, orphans included */
#define TCP_MAX_ORPHANS  1024 /* closed by the program, still finishing (FIN, TIME_WAIT) */
#define TCP_SYNQ_MAX     256  /* half-open connections per listener before SYN cookies */
#define TCP_BACKLOG_MAX  4096 /* somaxconn */
#define TCP_HASH_BUCKETS 1024
#define TCP_EPHEMERAL_LO 32768
#define TCP_EPHEMERAL_HI 60999
#define TCP_OOO_RANGES   8 /* disjoint out-of-order pieces kept beyond rcv_nxt */
#define TCP_SACK_HOLES   16

/* RFC 9293 states (internal numbering; tcp_get_info maps to Linux's). */
enum tcp_state {
    TCPS_CLOSED,
    TCPS_LISTEN,
    TCPS_SYN_SENT,
    TCPS_SYN_RECEIVED,
    TCPS_ESTABLISHED,
    TCPS_FIN_WAIT_1,
    TCPS_FIN_WAIT_2,
    TCPS_CLOSE_WAIT,
    TCPS_CLOSING,
    TCPS_LAST_ACK,
    TCPS_TIME_WAIT,
};

/* A byte ring indexed by sequence number: byte s lives at buf[s & (size - 1)]. */
struct tcp_ring {
    uint8_t *buf;
    uint32_t size; /* 0 = not allocated yet */
};

struct tcp_conn {
    struct tcp_conn *all_next, *all_prev; /* every conn, for timers and port checks */
    struct tcp_conn *hash_next;           /* the 4-tuple bucket (connections, not listeners) */
    struct tcp_conn *listener;            /* SYN queue / accept queue owner */
    struct tcp_conn *q_next;              /* link in the listener's SYN or accept queue */
    struct tcp_conn *flush_next;          /* link in the list of conns with output pending */
    struct tcp_conn *listen_next;         /* link in the list of listeners */
    uint8_t state;
    bool hashed, in_flush, orphan, accept_queued, bound, connected_once;
    bool nodelay, cork, keepalive, reuseaddr, reuseport, quickack;
    bool ts_ok, sack_ok, ws_ok;                               /* negotiated options */
    bool fin_queued, fin_sent, shut_rd, rcv_fin, fin_pending; /* ends of the streams */
    bool ack_now, rtt_timing, more;                           /* output state */
    uint8_t delack_segs; /* full segments not yet acknowledged */
    uint8_t snd_wscale, rcv_wscale, dupacks, probes, keep_probes, syn_retries;

    uint32_t local_addr, remote_addr;
    uint16_t local_port, remote_port;
    tcp_notify_fn notify;
    void *notify_arg;
    int error;      /* pending error (negative errno), for tcp_take_error */
    int soft_error; /* last ICMP error, reported if the connection times out */

    /* Send side. */
    uint32_t iss, snd_una, snd_nxt, snd_max, snd_wnd, snd_wl1, snd_wl2, snd_up;
    uint32_t snd_buf_start; /* sequence of the first byte held in sring */
    uint32_t snd_buf_len;   /* bytes held: [snd_buf_start, snd_buf_start + len) */
    uint32_t max_snd_wnd;   /* the largest window the peer offered (Nagle, SWS) */
    uint16_t mss;           /* effective send MSS (payload bytes of a full segment) */
    uint16_t peer_mss;      /* what the peer announced */
    uint16_t user_mss;      /* TCP_MAXSEG, 0 = none */
    uint16_t pmtu;          /* path MTU learnt from ICMP, 0 = the interface's */
    struct tcp_ring sring;
    uint32_t snd_limit;       /* SO_SNDBUF: the ring's size limit */
    struct tcp_rtt rtt;       /* RFC 6298 estimator and backoff */
    struct tcp_cc cc;         /* CUBIC congestion window */
    struct tcp_sack_board sb; /* RFC 6675 scoreboard (peers with SACK) */
    struct tcp_newreno nr;    /* RFC 6582 recovery point (peers without) */
    uint32_t rtt_seq;         /* the timed segment (Karn: never a retransmitted one) */
    uint64_t rtt_start;

    /* Receive side. */
    uint32_t irs, rcv_nxt, rcv_adv; /* rcv_adv: the right edge we advertised */
    uint32_t rcv_user;              /* sequence of the first byte the program has not read */
    uint32_t rcv_fin_seq;
    uint32_t rcv_limit; /* SO_RCVBUF: the ring's size limit */
    struct tcp_ring rring;
    struct tcp_ranges ooo; /* out-of-order data held in rring beyond rcv_nxt */
    uint32_t last_ack_sent;
    uint32_t ts_recent, ts_offset;
    uint64_t ts_recent_at;

    /* Timers: absolute ns, 0 = off. */
    uint64_t rtx_at; /* retransmission, or the zero-window probe (persist) */
    uint64_t delack_at;
    uint64_t keep_at; /* keepalive */
    uint64_t wait_at; /* TIME_WAIT end, FIN_WAIT_2 timeout, connection establishment limit */
    uint64_t last_rx, last_data_rx, last_data_tx, last_ack_tx, last_ack_rx;
    uint64_t first_rtx; /* when the oldest outstanding retransmission began (user timeout) */
    uint32_t keepidle_s, keepintvl_s, keepcnt, user_timeout_ms;
    int linger_s; /* -1 = off */
    uint8_t retransmits;

    /* Listener. */
    int backlog;
    unsigned synq_len, acceptq_len;
    struct tcp_conn *synq, *acceptq_head, *acceptq_tail;
    uint32_t defer_accept_s;
    uint64_t cookie_at; /* when a SYN cookie was last sent (cookies are checked only then) */

    /* Statistics (TCP_INFO). */
    uint32_t total_retrans, segs_in, segs_out, data_segs_in, data_segs_out;
    uint64_t bytes_acked, bytes_received, bytes_sent, bytes_retrans;
};

/* Engine-wide state. */
struct tcp_globals {
    struct tcp_conn *all; /* list head */
    struct tcp_conn *hash[TCP_HASH_BUCKETS];
    struct tcp_conn *flush;     /* conns whose output was deferred to the end of the input burst */
    struct tcp_conn *listeners; /* every conn in LISTEN (a SYN looks only here) */
    unsigned conns, orphans;
    size_t buffer_bytes;
    uint16_t next_ephemeral;
    uint64_t next_deadline; /* the earliest timer, a lower bound (0 = recompute at next run) */
    uint64_t challenge_at;  /* RFC 5961 challenge ACK budget: the current second, and count */
    unsigned challenge_count;
};
extern struct tcp_globals tcp_g;

/* tcp_conn.c */
struct tcp_conn *tcp_conn_alloc(void);
void tcp_conn_free(struct tcp_conn *c); /* unhashes, unlinks and frees rings */
void tcp_hash_insert(struct tcp_conn *c);
void tcp_hash_remove(struct tcp_conn *c);
struct tcp_conn *tcp_lookup(uint32_t laddr, uint16_t lport, uint32_t raddr, uint16_t rport);
struct tcp_conn *tcp_lookup_listener(uint32_t laddr, uint16_t lport, uint32_t raddr,
                                     uint16_t rport);
int tcp_pick_ephemeral(struct tcp_conn *c, uint32_t raddr, uint16_t rport);
void tcp_set_state(struct tcp_conn *c, uint8_t state); /* keeps the listener list */
/* Ends the connection: records err (0 none), notifies, and frees it if the program closed it. */
void tcp_drop(struct tcp_conn *c, int err);
void tcp_wake(struct tcp_conn *c);
bool tcp_ring_alloc(struct tcp_ring *r, uint32_t size);
void tcp_ring_free(struct tcp_ring *r);
bool tcp_mem_plentiful(size_t more);
void tcp_arm(struct tcp_conn *c, uint64_t *timer, uint64_t at); /* sets a timer */
uint32_t tcp_new_isn(uint32_t laddr, uint16_t lport, uint32_t raddr, uint16_t rport);
void tcp_conn_defaults(struct tcp_conn *c);

/* tcp_user.c */
uint8_t tcp_choose_wscale(uint32_t rcv_limit); /* the shift that lets the window reach it */

/* tcp_output.c */
void tcp_output(struct tcp_conn *c);   /* sends what the windows allow, and due ACKs */
void tcp_send_ack(struct tcp_conn *c); /* a pure ACK now */
void tcp_send_syn(struct tcp_conn *c); /* SYN or SYN-ACK (state decides) */
void tcp_send_fin_rst(struct tcp_conn *c, uint8_t flags); /* RST|ACK from the TCB */
void tcp_schedule_output(struct tcp_conn *c); /* run tcp_output at the end of the input burst */
void tcp_flush(void);
/* A RST answering a segment that matched no connection (RFC 9293 "reset generation"). */
void tcp_reply_rst(const struct ip_rx *ip, uint32_t seq, uint32_t ack, uint8_t flags);
uint16_t tcp_route_mss(uint32_t raddr, uint16_t pmtu); /* MSS the route's MTU allows */
void tcp_update_mss(struct tcp_conn *c);
uint32_t tcp_rcv_window(const struct tcp_conn *c);  /* free receive space, bytes */
uint32_t tcp_payload_max(const struct tcp_conn *c); /* data in one segment now (MSS - SACK) */
void tcp_send_probe(struct tcp_conn *c);            /* zero-window probe or keepalive */
void tcp_send_segment(struct tcp_conn *c, uint32_t seq, uint32_t len, uint8_t flags);
/* tcp_emit.c: sends a built header (checksum field filled here or by the NIC) and its payload;
 * gso_size non-zero when the payload is longer: cut by the NIC (TSO) or here. */
void tcp_emit(uint32_t src, uint32_t dst, uint8_t *hdr, size_t hlen, const struct net_iov *iov,
              unsigned n, uint16_t gso_size);
uint32_t tcp_ts_now(const struct tcp_conn *c);
/* tcp_loopback.c: segments to our own addresses wait there; tcp_timers delivers them. */
#define TCP_LOOP_MSS 1460
void tcp_loopback_queue(uint32_t src, uint32_t dst, const uint8_t *hdr, size_t hlen,
                        const struct net_iov *iov, unsigned n);
unsigned tcp_loopback_room(void); /* free slots */
void tcp_loopback_run(void);
bool tcp_loopback_pending(void);
#ifdef ATOLL_HOST
/* Tests: the fate of each segment to ourselves (a lossy loopback link). */
enum tcp_loop_fate { TCP_LOOP_PASS, TCP_LOOP_DROP, TCP_LOOP_DUP, TCP_LOOP_DELAY };
extern enum tcp_loop_fate (*tcp_loop_filter)(const uint8_t *seg, size_t len);
#endif

/* One received segment, validated and parsed. */
struct tcp_seg {
    const struct ip_rx *ip;
    uint32_t seq, ack;
    uint8_t flags;
    uint16_t wnd; /* as received (unscaled) */
    const uint8_t *data;
    uint32_t len;
    struct tcp_opts opts;
};

/* tcp_input.c */
void tcp_process(struct tcp_conn *c, struct tcp_seg *s);
void tcp_challenge_ack(struct tcp_conn *c);

/* tcp_receive.c: the ACK field and the data of an accepted segment */
void tcp_ack_received(struct tcp_conn *c, const struct tcp_seg *s);
void tcp_data_received(struct tcp_conn *c, const struct tcp_seg *s);
void tcp_enter_time_wait(struct tcp_conn *c);

/* tcp_listen.c */
void tcp_listen_input(struct tcp_conn *l, const struct tcp_seg *s);
/* Negotiated options of a SYN into c (both ends). */
void tcp_syn_options(struct tcp_conn *c, const struct tcp_opts *o);
void tcp_listen_established(struct tcp_conn *child); /* a child reached ESTABLISHED */
void tcp_listen_close(struct tcp_conn *l);
void tcp_listen_forget(struct tcp_conn *child); /* a queued child dies: unlink and free */
/* The ACK to half-open child carries a valid SYN cookie instead: the child gives way to the
 * cookie's connection (true; child is freed), or false when it is no cookie. */
bool tcp_listen_cookie_takeover(struct tcp_conn *child, const struct tcp_seg *s);

/* tcp_recovery.c: congestion control and loss recovery over tcp_cc, tcp_sack and tcp_rtt */
void tcp_recovery_start(struct tcp_conn *c); /* the connection is established */
/* An ACK: old_una/flight before it; newly_sacked from the scoreboard; dup: a duplicate ACK. */
void tcp_recovery_on_ack(struct tcp_conn *c, uint32_t acked, uint32_t flight, uint32_t newly_sacked,
                         bool dup);
void tcp_recovery_on_rto(struct tcp_conn *c);
/* Sends retransmissions and new data as RFC 6675's NextSeg allows; false when not in SACK
 * recovery (the ordinary send loop runs). */
bool tcp_recovery_output(struct tcp_conn *c);
bool tcp_in_recovery(const struct tcp_conn *c);
uint64_t tcp_rto(const struct tcp_conn *c); /* the timeout to arm now, backoff included */

/* tcp_timer.c */
void tcp_timer_conn(struct tcp_conn *c, uint64_t now);

#endif
