/* Host driver for bench/tcp_callgrind.sh: the TCP stack against a scripted peer on the simulated
 * link (tests/unit/tcp_sim.h), one workload per run, so callgrind can count the instructions the
 * stack spends per byte and per request. Collection is limited to the stack's entry points by
 * the script (--toggle-collect), so the peer's own work is not counted. */
#include <stdio.h>

#include "../tests/unit/tcp_sim.h"

#define REQ_LEN 64

/* What the peer knows of the stack's side of the connection. */
struct view {
    uint32_t ack;      /* the stack's highest ACK of the peer's data */
    uint32_t wnd;      /* its window in bytes, scaled */
    uint32_t data_end; /* one past the highest data byte the stack sent */
    uint32_t tsval;    /* its latest TSval, echoed as our TSecr */
    unsigned data_segs;
    uint8_t wscale;
};

static struct view v;
static uint32_t peer_ts = 1;
static uint32_t peer_nxt; /* the peer's next sequence number */

static uint8_t payload[65536];
static uint8_t sink[65536];

static void die(const char *what)
{
    fprintf(stderr, "tcp_callgrind: %s\n", what);
    exit(1);
}

/* Parses and forgets every frame the stack sent since the last call. */
static void drain(void)
{
    for (unsigned i = 0; i < sim_nframes; i++) {
        struct pseg s;
        tsim_parse(i, &s);
        if (s.flags & TH_ACK) {
            if (seq_geq(s.ack, v.ack))
                v.ack = s.ack;
            v.wnd = (uint32_t)s.wnd << v.wscale;
        }
        if (s.opts.present & TCP_OPTF_TIMESTAMP)
            v.tsval = s.opts.ts_val;
        if (s.len) {
            v.data_segs++;
            if (seq_gt(s.seq + (uint32_t)s.len, v.data_end))
                v.data_end = s.seq + (uint32_t)s.len;
        }
    }
    sim_clear();
}

/* One segment from the peer, with the timestamp option the connection negotiated. */
static void peer_send(uint32_t ack, uint8_t flags, const void *data, size_t len)
{
    struct tcp_opts o = {.present = TCP_OPTF_TIMESTAMP, .ts_val = peer_ts++, .ts_ecr = v.tsval};
    tsim_send(peer_nxt, ack, flags, 65535, &o, data, len);
    peer_nxt += (uint32_t)len;
    drain();
}

static struct tcp_conn *open_connection(void)
{
    tsim_setup(NULL);
    struct tcp_opts o = tsim_syn_opts(1460, 7, true, true, peer_ts++);
    uint32_t isn;
    struct tcp_conn *c = tsim_accept(&o, 65535, &isn, NULL);
    memset(&v, 0, sizeof(v));
    peer_nxt = tsim_peer_isn + 1;
    v.ack = peer_nxt;
    v.data_end = isn + 1;
    v.wscale = c->rcv_wscale;
    v.wnd = 65535; /* until the first scaled window arrives */
    return c;
}

/* The stack sends total bytes; the peer ACKs every second segment, as a Linux receiver does. */
static void bulk_send(size_t total)
{
    struct tcp_conn *c = open_connection();
    size_t written = 0;
    const uint32_t start = v.data_end;
    uint32_t acked_to = start;
    for (unsigned guard = 0; acked_to - start < total; guard++) {
        if (guard > 50000000)
            die("bulk-send made no progress");
        while (written < total) {
            size_t n = total - written < sizeof(payload) ? total - written : sizeof(payload);
            long w = tsim_write(c, payload, n);
            if (w <= 0)
                break;
            written += (size_t)w;
        }
        drain();
        uint32_t outstanding = v.data_end - acked_to;
        if (outstanding == 0) {
            tsim_advance(TCP_DELACK_NS); /* let a timer (or Nagle's wait) run */
            drain();
            continue;
        }
        /* ACK up to two full segments of what arrived (or all of it when less is left). */
        uint32_t step = 2u * c->mss;
        acked_to += outstanding < step ? outstanding : step;
        peer_send(acked_to, TH_ACK, NULL, 0);
    }
    printf("bulk-send bytes=%zu data_segs=%u\n", written, v.data_segs);
}

/* The peer sends total bytes in full segments within the stack's window; the program reads. */
static void bulk_recv(size_t total)
{
    struct tcp_conn *c = open_connection();
    const size_t mss = 1460 - 12; /* the stack announced 1460; timestamps take 12 */
    size_t sent = 0, got = 0;
    for (unsigned guard = 0; got < total; guard++) {
        if (guard > 50000000)
            die("bulk-recv made no progress");
        bool moved = false;
        while (sent < total && (uint32_t)(peer_nxt - v.ack) + mss <= v.wnd) {
            size_t n = total - sent < mss ? total - sent : mss;
            peer_send(v.data_end, TH_ACK | (sent + n == total ? TH_PSH : 0), payload, n);
            sent += n;
            moved = true;
        }
        long r;
        while ((r = tsim_recv(c, sink, sizeof(sink))) > 0) {
            got += (size_t)r;
            moved = true;
        }
        drain();
        if (!moved) {
            tsim_advance(TCP_DELACK_NS); /* the delayed ACK / window update */
            drain();
        }
    }
    printf("bulk-recv bytes=%zu acked=%u\n", got, v.ack - tsim_peer_isn - 1);
}

/* count requests of REQ_LEN bytes, each answered by REQ_LEN bytes (TCP_NODELAY). */
static void request_response(unsigned count)
{
    struct tcp_conn *c = open_connection();
    assert_int_equal(tcp_setopt(c, TCP_OPTION_NODELAY, 1), 0);
    uint8_t req[REQ_LEN], resp[REQ_LEN];
    memset(req, 'q', sizeof(req));
    for (unsigned i = 0; i < count; i++) {
        peer_send(v.data_end, TH_ACK | TH_PSH, req, sizeof(req));
        size_t have = 0;
        while (have < sizeof(resp)) {
            long r = tsim_recv(c, resp + have, sizeof(resp) - have);
            if (r <= 0)
                die("request-response: request not delivered");
            have += (size_t)r;
        }
        uint32_t before = v.data_end;
        if (tsim_write(c, resp, sizeof(resp)) != (long)sizeof(resp))
            die("request-response: response not accepted");
        drain();
        if (v.data_end - before != sizeof(resp))
            die("request-response: the response did not leave at once");
    }
    /* The last response is acknowledged so nothing is left in flight. */
    peer_send(v.data_end, TH_ACK, NULL, 0);
    printf("request-response requests=%u data_segs=%u\n", count, v.data_segs);
}

/* The same exchange over UDP through the same stack: the reference for request/response. */
static void udp_request_response(unsigned count)
{
    tsim_setup(NULL);
    static uint8_t rx_buf[65536];
    static struct udp_endpoint ep;
    udp_endpoint_init(&ep, rx_buf, sizeof(rx_buf));
    if (udp_bind(&ep, 0, OUR_PORT) != 0)
        die("udp-rr: bind failed");
    uint8_t req[REQ_LEN], resp[REQ_LEN], dgram[8 + REQ_LEN];
    static uint8_t frame[NET_ETH_HLEN + NET_ETH_MAX_PAYLOAD];
    memset(req, 'q', sizeof(req));
    for (unsigned i = 0; i < count; i++) {
        size_t n = sim_udp(dgram, SIM_PEER_IP, SIM_OUR_IP, PEER_PORT, OUR_PORT, req, sizeof(req));
        net_rx(0, frame,
               sim_ip(frame, SIM_PEER_IP, SIM_OUR_IP, 17, tsim_ip_id++, 0x4000, dgram, n));
        net_poll(sim_time);
        struct udp_datagram_info info;
        if (!udp_peek(&ep, &info) || udp_copy_at(&ep, 0, resp, sizeof(resp)) != sizeof(resp))
            die("udp-rr: request not delivered");
        udp_pop(&ep);
        struct net_iov iov = {resp, sizeof(resp)};
        if (udp_sendv(&ep, SIM_PEER_IP, PEER_PORT, &iov, 1) != (int)sizeof(resp))
            die("udp-rr: reply not sent");
        if (sim_nframes != 1)
            die("udp-rr: expected one reply frame");
        sim_clear();
    }
    printf("udp request-response requests=%u\n", count);
}

/* The floor: one copy and one Internet checksum pass over every byte, in segment-sized pieces;
 * the least work a stack that copies data into its buffers can do. */
uint32_t floor_pass(uint8_t *dst, const uint8_t *src, size_t n); /* external: callgrind finds it */
__attribute__((noinline)) uint32_t floor_pass(uint8_t *dst, const uint8_t *src, size_t n)
{
    memcpy(dst, src, n);
    return csum_add(0, dst, n);
}

static void floor_copy_checksum(size_t total)
{
    static uint8_t ring[1 << 20];
    uint32_t sum = 0;
    for (size_t done = 0; done < total; done += 1448) {
        size_t n = total - done < 1448 ? total - done : 1448;
        sum += floor_pass(ring + done % (sizeof(ring) - 1448), payload, n);
    }
    printf("floor bytes=%zu sum=%u\n", total, sum);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s bulk-send|bulk-recv|rr|udp-rr|floor AMOUNT\n", argv[0]);
        return 2;
    }
    for (size_t i = 0; i < sizeof(payload); i++)
        payload[i] = (uint8_t)(i * 131 + 7);
    size_t amount = strtoull(argv[2], NULL, 10);
    if (!strcmp(argv[1], "bulk-send"))
        bulk_send(amount);
    else if (!strcmp(argv[1], "bulk-recv"))
        bulk_recv(amount);
    else if (!strcmp(argv[1], "rr"))
        request_response((unsigned)amount);
    else if (!strcmp(argv[1], "udp-rr"))
        udp_request_response((unsigned)amount);
    else if (!strcmp(argv[1], "floor"))
        floor_copy_checksum(amount);
    else
        return 2;
    return 0;
}
