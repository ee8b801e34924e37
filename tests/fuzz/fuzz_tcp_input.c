/* libFuzzer harness: TCP segments against a listener and an established connection. The input
 * is a script of records (op, length, bytes): segments from the peer (checksums repaired, and
 * sequence/ack numbers optionally made relative to the connection so they land in its window),
 * time advancing, and the program's reads, writes, shutdowns and closes. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "atoll/errno.h"
#include "atoll/net.h"
#include "atoll/netcounters.h"

#include "../../kernel/net/tcp_internal.h"

#define OUR_IP  0x0a000002u
#define PEER_IP 0x0a000001u

static uint64_t now_ns;

static uint64_t fake_now(void)
{
    return now_ns;
}

static void fake_tx(unsigned dev, const uint8_t *frame, size_t len)
{
    assert(dev == 0);
    assert(len >= 14 + 20 + 20 && len <= 14 + 1500);
    (void)frame;
}

static const struct net_hooks hooks = {fake_now, fake_tx, NULL};
static const uint8_t our_mac[6] = {0x52, 0x54, 0, 0x12, 0x34, 0x56};
static const uint8_t peer_mac[6] = {2, 0, 0, 0, 0, 2};

static uint16_t csum(uint32_t sum, const uint8_t *p, size_t len)
{
    for (size_t i = 0; i + 1 < len; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (len & 1)
        sum += (uint32_t)p[len - 1] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

/* Sends a TCP segment (header + options + data as given) from the peer, checksums made right. */
static void send_seg(uint8_t *seg, size_t len)
{
    static uint8_t f[14 + 1500];
    if (len > 1480)
        len = 1480;
    memcpy(f, our_mac, 6);
    memcpy(f + 6, peer_mac, 6);
    f[12] = 0x08, f[13] = 0;
    uint8_t *h = f + 14;
    memset(h, 0, 20);
    h[0] = 0x45;
    h[2] = (uint8_t)((20 + len) >> 8), h[3] = (uint8_t)(20 + len);
    h[8] = 64, h[9] = 6;
    put32(h + 12, PEER_IP);
    put32(h + 16, OUR_IP);
    uint16_t c = csum(0, h, 20);
    h[10] = (uint8_t)(c >> 8), h[11] = (uint8_t)c;
    memcpy(h + 20, seg, len);
    uint8_t *t = h + 20;
    if (len >= 18) {
        t[16] = t[17] = 0;
        uint32_t ps = (PEER_IP >> 16) + (PEER_IP & 0xffff) + (OUR_IP >> 16) + (OUR_IP & 0xffff) +
                      6 + (uint32_t)len;
        c = csum(ps, t, len);
        t[16] = (uint8_t)(c >> 8), t[17] = (uint8_t)c;
    }
    net_rx(0, f, 14 + 20 + len);
    net_poll(now_ns);
}

static struct tcp_conn *listener, *conn;

/* The canned handshake: the peer (port 5000) opens a connection to port 80 with MSS, window
 * scale, SACK and timestamps, and it is accepted. */
static void open_connection(void)
{
    uint8_t syn[40] = {0x13, 0x88, 0, 80, 0, 0, 0x10, 0, 0, 0, 0, 0, 0xa0, TH_SYN, 0xff, 0xff};
    uint8_t opts[] = {2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7};
    memcpy(syn + 20, opts, sizeof(opts));
    send_seg(syn, 40);
    struct tcp_conn *child = NULL;
    for (struct tcp_conn *c = tcp_g.all; c; c = c->all_next)
        if (c->state == TCPS_SYN_RECEIVED)
            child = c;
    if (!child)
        return;
    uint8_t ack[32] = {0x13, 0x88, 0, 80, 0, 0, 0x10, 1, 0, 0, 0, 0, 0x80, TH_ACK, 0x10, 0};
    put32(ack + 8, child->iss + 1);
    uint8_t ts[] = {1, 1, 8, 10, 0, 0, 0, 2, 0, 0, 0, 0};
    put32(ts + 8, child->ts_offset); /* roughly what was echoed; PAWS does not check TSecr */
    memcpy(ack + 20, ts, sizeof(ts));
    send_seg(ack, 32);
    if (tcp_accept(listener, &conn) < 0)
        conn = NULL;
}

static void app_action(uint8_t what, const uint8_t *p, size_t n)
{
    if (!conn)
        return;
    static uint8_t buf[70000];
    struct net_iov v = {buf, sizeof(buf)};
    switch (what % 6) {
    case 0:
        tcp_recv(conn, &v, 1, false);
        break;
    case 1:
        v.base = p;
        v.len = n;
        tcp_send(conn, &v, 1, what & 0x40);
        break;
    case 2:
        tcp_shutdown(conn, 1);
        break;
    case 3:
        tcp_close(conn, what & 0x80);
        conn = NULL;
        break;
    case 4:
        tcp_setopt(conn, TCP_OPTION_NODELAY, what & 0x10);
        break;
    default: {
        struct tcp_conn_info info;
        tcp_get_info(conn, &info);
        (void)tcp_poll(conn);
        (void)tcp_unread(conn);
        break;
    }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    now_ns = 1000ull * 1000000000ull;
    net_init(&hooks);
    net_if_attach(0, our_mac, 1500);
    net_if_configure(0, OUR_IP, 24, 0);
    /* The peer's MAC, learnt from its ARP request. */
    uint8_t arp[42] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 2, 8, 6,
                       0,    1,    8,    0,    6,    4,    0, 1, 2, 0, 0, 0, 0, 2};
    put32(arp + 28, PEER_IP);
    put32(arp + 38, OUR_IP);
    net_rx(0, arp, sizeof(arp));
    conn = NULL;
    if (tcp_open(&listener) < 0 || tcp_bind(listener, 0, 80) < 0 || tcp_listen(listener, 4) < 0)
        abort();
    open_connection();

    size_t i = 0;
    while (i + 3 <= size) {
        uint8_t op = data[i];
        size_t n = (size_t)(data[i + 1] << 8 | data[i + 2]);
        i += 3;
        if (n > size - i)
            n = size - i;
        const uint8_t *p = data + i;
        i += n;
        if (op < 0x80) {
            static uint8_t seg[1500];
            if (n < 20 || n > sizeof(seg))
                continue;
            memcpy(seg, p, n);
            seg[0] = 0x13, seg[1] = (uint8_t)(op & 1 ? 0x89 : 0x88); /* from port 5000 or 5001 */
            seg[2] = 0, seg[3] = 80;
            if (conn && (op & 2))
                put32(seg + 4, get32(seg + 4) + conn->rcv_nxt);
            if (conn && (op & 4))
                put32(seg + 8, get32(seg + 8) + conn->snd_una);
            send_seg(seg, n);
        } else if (op < 0xc0) {
            now_ns += (uint64_t)(n ? p[0] : 1) * ((op & 0x3f) + 1) * 1000000ull;
            net_poll(now_ns);
        } else {
            app_action(op, p, n);
            net_poll(now_ns);
        }
    }
    /* Everything ends within bounds, and an idle hour frees every orphan. */
    unsigned conns, orphans;
    size_t bytes;
    tcp_stats(&conns, &orphans, &bytes);
    assert(conns <= TCP_MAX_CONNS && orphans <= conns);
    if (conn)
        tcp_close(conn, false);
    tcp_close(listener, false);
    for (int k = 0; k < 200; k++) {
        now_ns += 30ull * 1000000000ull;
        net_poll(now_ns);
    }
    tcp_stats(&conns, &orphans, &bytes);
    assert(conns == 0 && orphans == 0 && bytes == 0);
    return 0;
}
