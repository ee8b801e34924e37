/* A simulated path for whole-transfer tests of the TCP engine: one-way delay, scripted and random
 * losses, reordering and duplication, and a receiving peer modelled on RFC 9293 / RFC 2018 (its
 * out-of-order map and SACK blocks come from tcp_ranges, its D-SACKs follow RFC 2883). */
#ifndef TCP_LOSSY_PATH_H
#define TCP_LOSSY_PATH_H

#include "tcp_sim.h"

#define DELAY      (10 * TCP_MS) /* one way */
#define MAX_QUEUED 4096
#define MAX_BYTES  (1u << 20)

/* A segment in flight on the path. */
struct flight {
    uint64_t at; /* arrival time */
    uint32_t seq, ack, len;
    uint8_t flags;
    uint16_t wnd;
    struct tcp_opts opts;
    uint8_t data[1500];
};

/* The path: what the stack sent, towards the peer, and the peer's ACKs, towards the stack. */
static struct flight *to_peer, *to_stack;
static unsigned n_to_peer, n_to_stack;

/* Scripted impairments, by the index of a data segment's transmission of a given start. */
struct impair {
    uint32_t lose_offsets[16]; /* stream offsets whose transmissions are dropped ... */
    unsigned lose_copies[16];  /* ... this many times (1: the original only) */
    unsigned n_lose;
    uint32_t late_offsets[16]; /* stream offsets whose first copy arrives after ... */
    unsigned late_by[16];      /* ... this many later data segments */
    unsigned n_late;
    uint32_t dup_offsets[16]; /* stream offsets whose first copy arrives twice */
    unsigned n_dup;
    uint64_t blackout_from, blackout_to; /* everything the stack sends in between is lost */
    /* Random impairments, as netem applies them, per mille, both directions; jitter in ns. */
    unsigned loss_pm, dup_pm;
    uint64_t jitter;
    uint64_t rng;
};

/* The receiving peer. */
static struct {
    uint32_t irs_plus1; /* the stream's first sequence number */
    uint32_t rcv_nxt;
    struct tcp_ranges ooo;
    uint8_t *got; /* received bytes by stream offset */
    uint32_t ts_recent;
    uint32_t seq; /* the peer's own sequence number (it sends no data) */
    bool fin;
    uint32_t fin_seq;
} peer;

static uint32_t tx_count[2048];    /* transmissions per segment-aligned offset / mss */
static uint64_t tx_times[2048][8]; /* when the first 8 of them left */
static struct flight held;         /* a segment overtaken by the next ones */
static unsigned held_for;          /* data segments still to pass it (0: none held) */
static uint32_t our_ts = 100;
static struct impair imp;
static bool sack_on;

static inline void reset_path(void)
{
    if (!to_peer) {
        to_peer = calloc(MAX_QUEUED, sizeof(*to_peer));
        to_stack = calloc(MAX_QUEUED, sizeof(*to_stack));
        peer.got = calloc(MAX_BYTES, 1);
    }
    n_to_peer = n_to_stack = 0;
    held_for = 0;
    memset(tx_count, 0, sizeof(tx_count));
    memset(tx_times, 0, sizeof(tx_times));
    memset(&imp, 0, sizeof(imp));
}

static inline void enqueue(struct flight *q, unsigned *n, const struct flight *f)
{
    assert_true(*n < MAX_QUEUED);
    /* Keep the queue ordered by arrival time (stable for equal times). */
    unsigned i = *n;
    while (i > 0 && q[i - 1].at > f->at) {
        q[i] = q[i - 1];
        i--;
    }
    q[i] = *f;
    (*n)++;
}

static inline struct flight pop(struct flight *q, unsigned *n)
{
    struct flight f = q[0];
    memmove(q, q + 1, (*n - 1) * sizeof(*q));
    (*n)--;
    return f;
}

static inline uint32_t rnd(uint32_t n)
{
    imp.rng ^= imp.rng << 13;
    imp.rng ^= imp.rng >> 7;
    imp.rng ^= imp.rng << 17;
    return (uint32_t)(imp.rng % n);
}

/* Applies the random impairments to f on its way into q. */
static inline void impaired_enqueue(struct flight *q, unsigned *n, struct flight *f)
{
    if (imp.loss_pm && rnd(1000) < imp.loss_pm)
        return;
    if (imp.jitter)
        f->at += rnd((uint32_t)(imp.jitter / 1000)) * 1000ull;
    enqueue(q, n, f);
    if (imp.dup_pm && rnd(1000) < imp.dup_pm)
        enqueue(q, n, f);
}

static inline unsigned matches(const uint32_t *offsets, unsigned n, uint32_t off)
{
    for (unsigned i = 0; i < n; i++)
        if (offsets[i] == off)
            return i + 1;
    return 0;
}

/* Moves what the stack sent since the last call onto the path, applying the impairments. */
static inline void collect(uint32_t mss)
{
    for (unsigned i = 0; i < sim_nframes; i++) {
        struct pseg s;
        tsim_parse(i, &s);
        struct flight f = {.at = sim_time + DELAY,
                           .seq = s.seq,
                           .ack = s.ack,
                           .len = (uint32_t)s.len,
                           .flags = s.flags,
                           .wnd = s.wnd,
                           .opts = s.opts};
        memcpy(f.data, s.data, s.len);
        uint32_t off = s.seq - peer.irs_plus1;
        unsigned copy = 0;
        if (s.len) {
            assert_true(off / mss < 2048);
            copy = tx_count[off / mss]++;
            if (copy < 8)
                tx_times[off / mss][copy] = sim_time;
        }
        if (sim_time >= imp.blackout_from && sim_time < imp.blackout_to)
            continue;
        unsigned k;
        if (s.len && (k = matches(imp.lose_offsets, imp.n_lose, off)) &&
            copy < imp.lose_copies[k - 1])
            continue;
        if (s.len && copy == 0 && !held_for && (k = matches(imp.late_offsets, imp.n_late, off))) {
            held = f;
            held_for = imp.late_by[k - 1];
            continue;
        }
        impaired_enqueue(to_peer, &n_to_peer, &f);
        if (s.len && held_for && --held_for == 0) {
            held.at = f.at;
            enqueue(to_peer, &n_to_peer, &held);
        }
        if (s.len && copy == 0 && matches(imp.dup_offsets, imp.n_dup, off))
            enqueue(to_peer, &n_to_peer, &f); /* right behind the original, as netem does */
    }
    sim_clear();
}

/* The peer takes one segment and answers with an ACK (every segment, with SACK blocks). */
static inline void peer_receive(const struct flight *f)
{
    if (f->opts.present & TCP_OPTF_TIMESTAMP)
        peer.ts_recent = f->opts.ts_val;
    struct tcp_range dsack = {0, 0};
    if (f->len) {
        uint32_t end = f->seq + f->len;
        if (seq_leq(end, peer.rcv_nxt) || tcp_ranges_contains(&peer.ooo, f->seq, end))
            dsack = (struct tcp_range){f->seq, end}; /* RFC 2883: report the duplicate */
        if (seq_gt(end, peer.rcv_nxt)) {
            uint32_t start = seq_max(f->seq, peer.rcv_nxt);
            memcpy(peer.got + (start - peer.irs_plus1), f->data + (start - f->seq), end - start);
            assert_int_equal(tcp_ranges_add(&peer.ooo, start, end), 0);
            peer.rcv_nxt = tcp_ranges_advance(&peer.ooo, peer.rcv_nxt);
        }
    }
    if (f->flags & TH_FIN) {
        peer.fin = true;
        peer.fin_seq = f->seq + f->len;
    }
    if (peer.fin && peer.rcv_nxt == peer.fin_seq)
        peer.rcv_nxt++;
    if (!f->len && !(f->flags & TH_FIN))
        return; /* pure ACKs (window updates) are not answered */
    struct flight a = {.at = sim_time + DELAY,
                       .seq = peer.seq,
                       .ack = peer.rcv_nxt,
                       .flags = TH_ACK,
                       .wnd = 65535};
    a.opts.present = TCP_OPTF_TIMESTAMP;
    a.opts.ts_val = our_ts++;
    a.opts.ts_ecr = peer.ts_recent;
    if (sack_on) {
        unsigned first = tcp_range_len(dsack) ? 1 : 0;
        a.opts.sack[0] = dsack;
        a.opts.nsack =
            (uint8_t)(first + tcp_ranges_sack_blocks(&peer.ooo, a.opts.sack + first, 3 - first));
        if (a.opts.nsack)
            a.opts.present |= TCP_OPTF_SACK;
    }
    impaired_enqueue(to_stack, &n_to_stack, &a);
}

/* Runs the path until both directions are empty and the stack has nothing left to do, or the
 * virtual time limit passes. The program writes total bytes (then shuts down writing if fin). */
static inline void run_transfer(struct tcp_conn *c, const uint8_t *src, uint32_t total, bool fin,
                                uint64_t limit)
{
    uint32_t written = 0;
    bool shut = false;
    uint64_t end_time = sim_time + limit;
    for (unsigned guard = 0; guard < 2000000; guard++) {
        while (written < total) {
            long w = tsim_write(c, src + written, total - written);
            if (w <= 0)
                break;
            written += (uint32_t)w;
        }
        if (written == total && fin && !shut) {
            assert_int_equal(tcp_shutdown(c, 1), 0);
            shut = true;
        }
        collect(c->mss);
        uint64_t next = UINT64_MAX;
        if (n_to_peer)
            next = to_peer[0].at;
        if (n_to_stack && to_stack[0].at < next)
            next = to_stack[0].at;
        uint64_t deadline = tsim_next();
        if (next == UINT64_MAX && !held_for && (deadline == UINT64_MAX || c->snd_una == c->snd_max))
            return;
        if (deadline < next)
            next = deadline;
        assert_true(next <= end_time);
        if (next > sim_time)
            tsim_run_until(next);
        collect(c->mss);
        while (n_to_peer && to_peer[0].at <= sim_time) {
            struct flight f = pop(to_peer, &n_to_peer);
            peer_receive(&f);
        }
        while (n_to_stack && to_stack[0].at <= sim_time) {
            struct flight a = pop(to_stack, &n_to_stack);
            tsim_send(a.seq, a.ack, a.flags, a.wnd, &a.opts, NULL, 0);
            collect(c->mss);
        }
    }
    fail_msg("the transfer did not settle");
}

static inline uint8_t *pattern(uint32_t n)
{
    static uint8_t *p;
    if (!p)
        p = malloc(MAX_BYTES);
    for (uint32_t i = 0; i < n; i++)
        p[i] = (uint8_t)(i * 2654435761u >> 13);
    return p;
}

/* An established connection where the peer negotiated timestamps, window scaling and (when sack)
 * SACK, with a 256 KiB send buffer. */
static inline struct tcp_conn *connect_peer(bool sack)
{
    reset_path();
    sack_on = sack;
    struct tcp_opts o = tsim_syn_opts(1460, 7, sack, true, our_ts++);
    uint32_t isn;
    struct tcp_conn *c = tsim_accept(&o, 65535, &isn, NULL);
    assert_int_equal(tcp_setopt(c, TCP_OPTION_SNDBUF, 256 * 1024), 0);
    peer.irs_plus1 = isn + 1;
    peer.rcv_nxt = isn + 1;
    peer.seq = tsim_peer_isn + 1;
    peer.fin = false;
    tcp_ranges_init(&peer.ooo);
    peer.ts_recent = 0;
    sim_clear();
    return c;
}

static inline void check_delivered(const uint8_t *src, uint32_t total)
{
    assert_int_equal(peer.rcv_nxt - peer.irs_plus1, total + (peer.fin ? 1 : 0));
    assert_memory_equal(peer.got, src, total);
}

/* Retransmissions beyond the first copy of every segment, and those of segments not lost. */
static inline unsigned retransmissions(uint32_t total, uint32_t mss, unsigned *of_delivered)
{
    unsigned n = 0, spurious = 0;
    for (uint32_t i = 0; i * mss < total; i++) {
        uint32_t extra = tx_count[i] ? tx_count[i] - 1 : 0;
        n += extra;
        unsigned k = matches(imp.lose_offsets, imp.n_lose, i * mss);
        unsigned lost = k ? imp.lose_copies[k - 1] : 0;
        if (extra > lost)
            spurious += extra - lost;
    }
    *of_delivered = spurious;
    return n;
}

static inline void lose(uint32_t segment, unsigned copies, uint32_t mss)
{
    imp.lose_offsets[imp.n_lose] = segment * mss;
    imp.lose_copies[imp.n_lose++] = copies;
}

#endif
