/* The engine's loss recovery end to end: whole transfers over a simulated path with one-way delay,
 * scripted losses, reordering and duplication, against a receiver modelled on RFC 2018 / RFC 9293
 * (out-of-order map and SACK blocks from tcp_ranges). Checks delivery, and that recovery follows
 * RFC 6675 / RFC 6582: each lost segment retransmitted once, no timeout when fast recovery can
 * repair the losses, none when reordering stays below DupThresh. */
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

static void reset_path(void)
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

static void enqueue(struct flight *q, unsigned *n, const struct flight *f)
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

static struct flight pop(struct flight *q, unsigned *n)
{
    struct flight f = q[0];
    memmove(q, q + 1, (*n - 1) * sizeof(*q));
    (*n)--;
    return f;
}

static uint32_t rnd(uint32_t n)
{
    imp.rng ^= imp.rng << 13;
    imp.rng ^= imp.rng >> 7;
    imp.rng ^= imp.rng << 17;
    return (uint32_t)(imp.rng % n);
}

/* Applies the random impairments to f on its way into q. */
static void impaired_enqueue(struct flight *q, unsigned *n, struct flight *f)
{
    if (imp.loss_pm && rnd(1000) < imp.loss_pm)
        return;
    if (imp.jitter)
        f->at += rnd((uint32_t)(imp.jitter / 1000)) * 1000ull;
    enqueue(q, n, f);
    if (imp.dup_pm && rnd(1000) < imp.dup_pm)
        enqueue(q, n, f);
}

static unsigned matches(const uint32_t *offsets, unsigned n, uint32_t off)
{
    for (unsigned i = 0; i < n; i++)
        if (offsets[i] == off)
            return i + 1;
    return 0;
}

/* Moves what the stack sent since the last call onto the path, applying the impairments. */
static void collect(uint32_t mss)
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
static void peer_receive(const struct flight *f)
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
static void run_transfer(struct tcp_conn *c, const uint8_t *src, uint32_t total, bool fin,
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

static uint8_t *pattern(uint32_t n)
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
static struct tcp_conn *connect_peer(bool sack)
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

static void check_delivered(const uint8_t *src, uint32_t total)
{
    assert_int_equal(peer.rcv_nxt - peer.irs_plus1, total + (peer.fin ? 1 : 0));
    assert_memory_equal(peer.got, src, total);
}

/* Retransmissions beyond the first copy of every segment, and those of segments not lost. */
static unsigned retransmissions(uint32_t total, uint32_t mss, unsigned *of_delivered)
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

static void lose(uint32_t segment, unsigned copies, uint32_t mss)
{
    imp.lose_offsets[imp.n_lose] = segment * mss;
    imp.lose_copies[imp.n_lose++] = copies;
}

static void test_sack_repairs_scattered_losses_without_timeout_rfc6675(void **state)
{
    (void)state;
    struct tcp_conn *c = connect_peer(true);
    uint32_t mss = c->mss, total = 200 * mss;
    static const uint32_t lost[] = {5, 17, 18, 40, 41, 42, 90, 130};
    for (unsigned i = 0; i < sizeof(lost) / sizeof(lost[0]); i++)
        lose(lost[i], 1, mss);
    uint8_t *src = pattern(total);
    run_transfer(c, src, total, false, 30 * SIM_SEC);
    check_delivered(src, total);
    unsigned spurious;
    assert_int_equal(retransmissions(total, mss, &spurious), 8);
    assert_int_equal(spurious, 0);
    assert_int_equal(net_counters.tcp_rto_expired, 0);
    assert_true(net_counters.tcp_recoveries >= 1 && net_counters.tcp_recoveries <= 5);
}

static void test_lost_retransmission_is_repaired_by_the_timeout_rfc6675_s5_1(void **state)
{
    (void)state;
    struct tcp_conn *c = connect_peer(true);
    uint32_t mss = c->mss, total = 60 * mss;
    lose(20, 2, mss); /* the original and the fast retransmission */
    uint8_t *src = pattern(total);
    run_transfer(c, src, total, false, 60 * SIM_SEC);
    check_delivered(src, total);
    assert_true(net_counters.tcp_rto_expired >= 1);
    assert_true(tx_count[20] >= 3);
}

static void test_reordering_below_dupthresh_is_not_loss_rfc5681_s3_2(void **state)
{
    (void)state;
    struct tcp_conn *c = connect_peer(true);
    uint32_t mss = c->mss, total = 100 * mss;
    /* Segments arrive up to two places late: at most 2 SACKed segments above the gap. */
    static const uint32_t late[] = {7, 30, 55, 80};
    for (unsigned i = 0; i < 4; i++) {
        imp.late_offsets[imp.n_late] = late[i] * mss;
        imp.late_by[imp.n_late++] = 2;
    }
    uint8_t *src = pattern(total);
    run_transfer(c, src, total, false, 30 * SIM_SEC);
    check_delivered(src, total);
    unsigned spurious;
    assert_int_equal(retransmissions(total, mss, &spurious), 0);
    assert_int_equal(net_counters.tcp_recoveries, 0);
}

static void test_duplicated_segments_are_harmless(void **state)
{
    (void)state;
    struct tcp_conn *c = connect_peer(true);
    uint32_t mss = c->mss, total = 80 * mss;
    static const uint32_t dups[] = {3, 33, 34, 60};
    for (unsigned i = 0; i < 4; i++)
        imp.dup_offsets[imp.n_dup++] = dups[i] * mss;
    uint8_t *src = pattern(total);
    run_transfer(c, src, total, false, 30 * SIM_SEC);
    check_delivered(src, total);
    unsigned spurious;
    assert_int_equal(retransmissions(total, mss, &spurious), 0);
    assert_int_equal(net_counters.tcp_rto_expired, 0);
}

static void test_newreno_repairs_two_losses_in_a_window_rfc6582(void **state)
{
    (void)state;
    struct tcp_conn *c = connect_peer(false);
    uint32_t mss = c->mss, total = 150 * mss;
    lose(12, 1, mss);
    lose(40, 1, mss);
    lose(43, 1, mss); /* the same window as 40: a partial ACK reveals it */
    uint8_t *src = pattern(total);
    run_transfer(c, src, total, false, 30 * SIM_SEC);
    check_delivered(src, total);
    unsigned spurious;
    unsigned n = retransmissions(total, mss, &spurious);
    assert_int_equal(net_counters.tcp_rto_expired, 0);
    assert_int_equal(n, 3);
    assert_int_equal(spurious, 0);
}

static void test_fin_with_losses_in_the_last_window(void **state)
{
    (void)state;
    struct tcp_conn *c = connect_peer(true);
    uint32_t mss = c->mss, total = 30 * mss + 100;
    lose(24, 1, mss);
    uint8_t *src = pattern(total);
    run_transfer(c, src, total, true, 30 * SIM_SEC);
    check_delivered(src, total);
    assert_int_equal(c->state, TCPS_FIN_WAIT_2);
    /* The lost segment once; the FIN can never be SACKed, so RFC 6675's rescue retransmission
     * (NextSeg rule 4: the last SMSS of unSACKed data, the FIN with it) may go once too. */
    unsigned spurious;
    unsigned n = retransmissions(total, mss, &spurious);
    assert_true(n >= 1 && n <= 2);
    assert_true(spurious <= 1);
    assert_int_equal(tx_count[24], 2);
    assert_int_equal(net_counters.tcp_rto_expired, 0);
}

static void test_window_after_recovery_is_beta_times_the_window_at_loss_rfc9438_s4_6(void **state)
{
    (void)state;
    struct tcp_conn *c = connect_peer(true);
    uint32_t mss = c->mss, total = 120 * mss;
    lose(100, 1, mss);
    uint8_t *src = pattern(total);
    /* Run until the loss is detected, then compare cwnd with the window at that moment. */
    run_transfer(c, src, total, false, 30 * SIM_SEC);
    check_delivered(src, total);
    assert_int_equal(net_counters.tcp_recoveries, 1);
    assert_true(c->cc.ssthresh < TCP_CC_WINDOW_MAX);
    /* ssthresh = 0.7 * W_max (cwnd when the loss was found), W_max remembered by CUBIC. */
    uint64_t want = (uint64_t)c->cc.w_max * TCP_CC_BETA_1024 / 1024;
    assert_true(c->cc.ssthresh + 2 >= want && c->cc.ssthresh <= want + 2);
    assert_true(c->cc.w_max >= 20 * mss); /* slow start had grown the window */
}

/* The stack as receiver: every ACK for out-of-order data reports it in SACK blocks, the block
 * holding the segment just received first, then the others most recent first (RFC 2018 §4);
 * the cumulative ACK jumps when a hole fills, and the program reads the stream intact. */
static void test_receiver_sack_blocks_rfc2018_s4(void **state)
{
    (void)state;
    reset_path();
    struct tcp_opts o = tsim_syn_opts(1460, 7, true, true, our_ts++);
    uint32_t isn;
    struct tcp_conn *c = tsim_accept(&o, 65535, &isn, NULL);
    const uint32_t mss = 1448, base = tsim_peer_isn + 1;
    /* 10 segments: within the 16 KiB a fresh connection's receive ring holds. */
    static const unsigned order[] = {0, 1, 3, 4, 6, 8, 9, 2, 7, 5};
    enum { N = 10 };
    uint8_t *src = pattern(N * mss);
    struct tcp_ranges model;
    tcp_ranges_init(&model);
    uint32_t rcv_nxt = base, tsval = 0;
    for (unsigned i = 0; i < N; i++) {
        unsigned k = order[i];
        sim_clear();
        struct tcp_opts t = {.present = TCP_OPTF_TIMESTAMP, .ts_val = our_ts++, .ts_ecr = tsval};
        tsim_send(base + k * mss, isn + 1, TH_ACK, 65535, &t, src + k * mss, mss);
        tcp_ranges_add(&model, base + k * mss, base + (k + 1) * mss);
        rcv_nxt = tcp_ranges_advance(&model, rcv_nxt);
        if (rcv_nxt != base + (k + 1) * mss && tcp_ranges_count(&model) == 0)
            continue; /* in order with nothing queued: a delayed ACK is allowed */
        assert_true(sim_nframes >= 1);
        struct pseg s;
        tsim_last(&s);
        tsval = s.opts.ts_val;
        assert_int_equal(s.ack, rcv_nxt);
        unsigned want = tcp_ranges_count(&model) < 3 ? tcp_ranges_count(&model) : 3;
        if (!want) {
            assert_false(s.opts.present & TCP_OPTF_SACK);
            continue;
        }
        assert_true(s.opts.present & TCP_OPTF_SACK);
        assert_int_equal(s.opts.nsack, want);
        /* The first block holds the segment that triggered this ACK, unless it filled a hole. */
        if (seq_geq(base + k * mss, rcv_nxt)) {
            assert_true(seq_leq(s.opts.sack[0].start, base + k * mss));
            assert_true(seq_geq(s.opts.sack[0].end, base + (k + 1) * mss));
        }
        for (unsigned b = 0; b < s.opts.nsack; b++) {
            const struct tcp_range *r = tcp_ranges_find(&model, s.opts.sack[b].start);
            assert_non_null(r);
            assert_int_equal(r->start, s.opts.sack[b].start); /* exactly a queued range */
            assert_int_equal(r->end, s.opts.sack[b].end);
            for (unsigned b2 = 0; b2 < b; b2++)
                assert_int_not_equal(s.opts.sack[b].start, s.opts.sack[b2].start);
        }
    }
    assert_int_equal(rcv_nxt, base + N * mss);
    static uint8_t got[N * 1448];
    assert_int_equal(tsim_recv(c, got, sizeof(got)), N * mss);
    assert_memory_equal(got, src, N * mss);
}

/* A path that loses everything for 3 s: the retransmission timer backs off, doubling each time
 * (RFC 6298 §5.5), the transfer resumes when the path returns, and no RTT sample is taken from a
 * retransmitted segment (Karn, RFC 6298 §3), so SRTT still reflects the 20 ms path. */
static void test_blackout_backs_off_and_karn_keeps_srtt_rfc6298_s3_s5_5(void **state)
{
    (void)state;
    struct tcp_conn *c = connect_peer(true);
    uint32_t mss = c->mss, total = 100 * mss;
    imp.blackout_from = sim_time + 50 * TCP_MS;
    imp.blackout_to = sim_time + 3050 * TCP_MS;
    uint8_t *src = pattern(total);
    run_transfer(c, src, total, false, 60 * SIM_SEC);
    check_delivered(src, total);
    assert_true(net_counters.tcp_rto_expired >= 3);
    /* The segment retransmitted most: its timeouts doubled while the path was down. */
    unsigned most = 0;
    for (unsigned i = 1; i < 100; i++)
        if (tx_count[i] > tx_count[most])
            most = i;
    assert_true(tx_count[most] >= 4);
    unsigned checked = 0;
    for (unsigned k = 2; k < tx_count[most] && k < 8; k++) {
        if (tx_times[most][k - 1] >= imp.blackout_to)
            break; /* the path is back: no more timeouts to compare */
        uint64_t prev = tx_times[most][k - 1] - tx_times[most][k - 2];
        uint64_t gap = tx_times[most][k] - tx_times[most][k - 1];
        assert_int_equal(gap, 2 * prev);
        checked++;
    }
    assert_true(checked >= 2);
    assert_true(c->rtt.srtt_ns < 60 * TCP_MS);
    assert_int_equal(c->rtt.backoff, 0);
}

/* The e2e suite's netem profile, deterministically: 5% loss and 1% duplication each way, up to
 * 10 ms of jitter (reordering) on a 10 ms path; several seeds, with and without SACK. Every
 * transfer must complete intact within a bounded virtual time. */
static void test_random_loss_duplication_and_reordering(void **state)
{
    (void)state;
    for (unsigned seed = 1; seed <= 12; seed++) {
        bool sack = seed % 3 != 0;
        tcp_reset();
        sim_setup(NULL);
        sim_learn_peer();
        struct tcp_conn *c = connect_peer(sack);
        imp.loss_pm = 50;
        imp.dup_pm = 10;
        imp.jitter = 10 * TCP_MS;
        imp.rng = 0x9e3779b97f4a7c15ull * seed;
        uint32_t total = 300 * c->mss;
        uint8_t *src = pattern(total);
        run_transfer(c, src, total, seed % 2 == 0, 600 * SIM_SEC);
        check_delivered(src, total);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sack_repairs_scattered_losses_without_timeout_rfc6675,
                                        tsim_setup, tsim_teardown),
        cmocka_unit_test_setup_teardown(
            test_lost_retransmission_is_repaired_by_the_timeout_rfc6675_s5_1, tsim_setup,
            tsim_teardown),
        cmocka_unit_test_setup_teardown(test_reordering_below_dupthresh_is_not_loss_rfc5681_s3_2,
                                        tsim_setup, tsim_teardown),
        cmocka_unit_test_setup_teardown(test_duplicated_segments_are_harmless, tsim_setup,
                                        tsim_teardown),
        cmocka_unit_test_setup_teardown(test_newreno_repairs_two_losses_in_a_window_rfc6582,
                                        tsim_setup, tsim_teardown),
        cmocka_unit_test_setup_teardown(test_fin_with_losses_in_the_last_window, tsim_setup,
                                        tsim_teardown),
        cmocka_unit_test_setup_teardown(
            test_window_after_recovery_is_beta_times_the_window_at_loss_rfc9438_s4_6, tsim_setup,
            tsim_teardown),
        cmocka_unit_test_setup_teardown(test_receiver_sack_blocks_rfc2018_s4, tsim_setup,
                                        tsim_teardown),
        cmocka_unit_test_setup_teardown(test_blackout_backs_off_and_karn_keeps_srtt_rfc6298_s3_s5_5,
                                        tsim_setup, tsim_teardown),
        cmocka_unit_test_setup_teardown(test_random_loss_duplication_and_reordering, tsim_setup,
                                        tsim_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
