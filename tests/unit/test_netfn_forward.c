/* Unit tests of lib/netfn's frame path: ARP, forwarding with TTL and checksum, ICMP errors,
 * fragmentation, martians and malformed frames, the ARP queue's bounds, router config lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../../lib/netfn/csum.h"
#include "../../lib/netfn/engine.h"
#include "../../lib/netfn/icmp.h"
#include "../../lib/netfn/netconf.h"

#define MAX_OUT 64

static struct nf_engine eng;
static struct {
    unsigned ifidx;
    size_t len;
    uint8_t data[NF_FRAME_MAX];
} out[MAX_OUT];
static unsigned nout;

static const uint8_t mac0[6] = {2, 0, 0, 0, 0, 1}, mac1[6] = {2, 0, 0, 0, 0, 2};
static const uint8_t peer0[6] = {2, 0, 0, 0, 1, 1}, peer1[6] = {2, 0, 0, 0, 2, 2};
#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

static int capture(void *ctx, unsigned ifidx, const uint8_t *frame, size_t len)
{
    (void)ctx;
    assert_true(nout < MAX_OUT);
    out[nout].ifidx = ifidx;
    out[nout].len = len;
    memcpy(out[nout].data, frame, len);
    nout++;
    return 0;
}

/* eth0 10.1.0.2/24 (mtu 1500), eth1 10.0.0.1/24 (mtu 576), default via 10.1.0.1. */
static int setup(void **state)
{
    (void)state;
    nf_engine_init(&eng);
    char *w0[] = {"interface", "eth0", "address", "10.1.0.2/24"};
    char *w1[] = {"interface", "eth1", "address", "10.0.0.1/24", "mtu", "576"};
    char *w2[] = {"default", "via", "10.1.0.1"};
    char err[200];
    unsigned bad;
    assert_int_equal(netconf_apply(&eng, w0, 4, err, sizeof(err), &bad), 0);
    assert_int_equal(netconf_apply(&eng, w1, 6, err, sizeof(err), &bad), 0);
    assert_int_equal(netconf_apply(&eng, w2, 3, err, sizeof(err), &bad), 0);
    assert_int_equal(nf_engine_finish(&eng, err, sizeof(err)), 0);
    memcpy(eng.ifaces[0].mac, mac0, 6);
    memcpy(eng.ifaces[1].mac, mac1, 6);
    eng.ifaces[0].mtu = 1500;
    eng.emit = capture;
    eng.now_ms = 1000;
    nout = 0;
    return 0;
}

/* An Ethernet+IPv4 frame to `dst_mac` with `payload_len` bytes of UDP-ish payload. */
static size_t ip_frame(uint8_t *f, const uint8_t *dst_mac, const uint8_t *src_mac, uint32_t src,
                       uint32_t dst, uint8_t proto, uint8_t ttl, size_t payload_len, int df)
{
    memcpy(f, dst_mac, 6);
    memcpy(f + 6, src_mac, 6);
    put16(f + 12, ETHERTYPE_IPV4);
    uint8_t *ip = f + 14;
    memset(ip, 0, 20);
    ip[0] = 0x45;
    put16(ip + IP_TOTAL_LEN, (uint16_t)(20 + payload_len));
    put16(ip + IP_ID, 0x4242);
    put16(ip + IP_FRAG, df ? IP_FLAG_DF : 0);
    ip[IP_TTL] = ttl;
    ip[IP_PROTO] = proto;
    put32(ip + IP_SRC, src);
    put32(ip + IP_DST, dst);
    for (size_t i = 0; i < payload_len; i++)
        ip[20 + i] = (uint8_t)(i * 7);
    put16(ip + IP_CSUM, csum(ip, 20));
    return 14 + 20 + payload_len;
}

static void learn(unsigned ifidx, uint32_t ip, const uint8_t *mac)
{
    arp_learn(&eng.arp, ifidx, ip, mac, eng.now_ms);
}

static void test_arp_request_for_us_is_answered(void **state)
{
    (void)state;
    uint8_t f[64];
    static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    arp_build(f, 1, peer0, IP(10, 1, 0, 1), bcast, IP(10, 1, 0, 2));
    nf_input(&eng, 0, f, 42);
    assert_int_equal(nout, 1);
    assert_memory_equal(out[0].data, peer0, 6);
    assert_int_equal(get16(out[0].data + 14 + 6), 2);
    assert_memory_equal(out[0].data + 14 + 8, mac0, 6);
    /* A request for another address gets nothing. */
    nout = 0;
    arp_build(f, 1, peer0, IP(10, 1, 0, 1), bcast, IP(10, 1, 0, 9));
    nf_input(&eng, 0, f, 42);
    assert_int_equal(nout, 0);
}

static void test_forward_waits_for_arp_then_lowers_ttl(void **state)
{
    (void)state;
    uint8_t f[NF_FRAME_MAX];
    size_t n = ip_frame(f, mac0, peer0, IP(192, 168, 100, 10), IP(10, 0, 0, 100), 17, 64, 100, 0);
    nf_input(&eng, 0, f, n);
    assert_int_equal(nout, 1); /* an ARP request on eth1 */
    assert_int_equal(out[0].ifidx, 1);
    assert_int_equal(get16(out[0].data + 12), ETHERTYPE_ARP);
    assert_int_equal(get32(out[0].data + 14 + 24), IP(10, 0, 0, 100));
    nout = 0;
    uint8_t reply[64];
    arp_build(reply, 2, peer1, IP(10, 0, 0, 100), mac1, IP(10, 0, 0, 1));
    nf_input(&eng, 1, reply, 42);
    assert_int_equal(nout, 1);
    const uint8_t *ip = out[0].data + 14;
    assert_memory_equal(out[0].data, peer1, 6);
    assert_memory_equal(out[0].data + 6, mac1, 6);
    assert_int_equal(ip[IP_TTL], 63);
    assert_int_equal(csum(ip, 20), 0);
    assert_int_equal(eng.counters.forwarded, 1);
    /* Now resolved: the next one leaves at once. */
    nout = 0;
    n = ip_frame(f, mac0, peer0, IP(192, 168, 100, 10), IP(10, 0, 0, 100), 6, 2, 40, 0);
    nf_input(&eng, 0, f, n);
    assert_int_equal(nout, 1);
    assert_int_equal(out[0].data[14 + IP_TTL], 1);
    assert_int_equal(csum(out[0].data + 14, 20), 0);
}

static void test_ttl_expiry_sends_time_exceeded(void **state)
{
    (void)state;
    uint8_t f[NF_FRAME_MAX];
    size_t n = ip_frame(f, mac0, peer0, IP(192, 168, 100, 10), IP(10, 0, 0, 100), 17, 1, 30, 0);
    nf_input(&eng, 0, f, n);
    assert_int_equal(nout, 1);
    const uint8_t *ip = out[0].data + 14;
    assert_memory_equal(out[0].data, peer0, 6);
    assert_int_equal(get32(ip + IP_SRC), IP(10, 1, 0, 2));
    assert_int_equal(get32(ip + IP_DST), IP(192, 168, 100, 10));
    assert_int_equal(ip[20], ICMP_TIME_EXCEEDED);
    assert_int_equal(csum(ip, 20), 0);
    assert_int_equal(csum(ip + 20, out[0].len - 34), 0);
    assert_memory_equal(ip + 28, f + 14, 28); /* the header and 8 bytes quoted */
    assert_int_equal(eng.counters.drops[DROP_TTL], 1);
}

static void test_frag_needed_and_fragmentation(void **state)
{
    (void)state;
    learn(1, IP(10, 0, 0, 100), peer1);
    uint8_t f[NF_FRAME_MAX];
    size_t n = ip_frame(f, mac0, peer0, IP(192, 168, 100, 10), IP(10, 0, 0, 100), 17, 64, 1000, 1);
    nf_input(&eng, 0, f, n);
    assert_int_equal(nout, 1);
    const uint8_t *icmp = out[0].data + 34;
    assert_int_equal(icmp[0], ICMP_UNREACH);
    assert_int_equal(icmp[1], UNREACH_FRAG_NEEDED);
    assert_int_equal(get16(icmp + 6), 576);
    assert_int_equal(eng.counters.drops[DROP_FRAG_NEEDED], 1);
    /* DF clear: fragments of at most 576 bytes whose payloads put back give the original. */
    nout = 0;
    n = ip_frame(f, mac0, peer0, IP(192, 168, 100, 10), IP(10, 0, 0, 100), 17, 64, 1000, 0);
    uint8_t original[1000];
    memcpy(original, f + 34, 1000);
    nf_input(&eng, 0, f, n);
    assert_int_equal(nout, 2);
    uint8_t joined[1000];
    size_t total = 0;
    for (unsigned i = 0; i < nout; i++) {
        const uint8_t *ip = out[i].data + 14;
        assert_true(get16(ip + IP_TOTAL_LEN) <= 576);
        assert_int_equal(csum(ip, 20), 0);
        assert_int_equal(ip[IP_TTL], 63);
        unsigned off = (get16(ip + IP_FRAG) & IP_FRAG_OFF_MASK) * 8u;
        size_t piece = get16(ip + IP_TOTAL_LEN) - 20u;
        assert_int_equal(!!(get16(ip + IP_FRAG) & IP_FLAG_MF), i + 1 < nout);
        memcpy(joined + off, ip + 20, piece);
        total += piece;
    }
    assert_int_equal(total, 1000);
    assert_memory_equal(joined, original, 1000);
}

static void test_no_route_gives_net_unreachable(void **state)
{
    (void)state;
    nf_engine_init(&eng);
    char *w0[] = {"interface", "eth0", "address", "10.1.0.2/24"};
    char *w1[] = {"interface", "eth1", "address", "10.0.0.1/24"};
    char err[200];
    unsigned bad;
    assert_int_equal(netconf_apply(&eng, w0, 4, err, sizeof(err), &bad), 0);
    assert_int_equal(netconf_apply(&eng, w1, 4, err, sizeof(err), &bad), 0);
    assert_int_equal(nf_engine_finish(&eng, err, sizeof(err)), 0);
    memcpy(eng.ifaces[0].mac, mac0, 6);
    eng.ifaces[0].mtu = eng.ifaces[1].mtu = 1500;
    eng.emit = capture;
    uint8_t f[NF_FRAME_MAX];
    size_t n = ip_frame(f, mac0, peer0, IP(10, 1, 0, 5), IP(8, 8, 8, 8), 17, 64, 10, 0);
    nf_input(&eng, 0, f, n);
    assert_int_equal(nout, 1);
    assert_int_equal(out[0].data[34], ICMP_UNREACH);
    assert_int_equal(out[0].data[35], UNREACH_NET);
    assert_int_equal(eng.counters.drops[DROP_NO_ROUTE], 1);
}

static void test_ping_to_us_is_answered(void **state)
{
    (void)state;
    uint8_t f[NF_FRAME_MAX];
    size_t n = ip_frame(f, mac0, peer0, IP(10, 1, 0, 1), IP(10, 1, 0, 2), 1, 64, 16, 0);
    uint8_t *icmp = f + 34;
    memset(icmp, 0, 16);
    icmp[0] = ICMP_ECHO_REQUEST;
    put16(icmp + 4, 77);
    put16(icmp + 2, csum(icmp, 16));
    nf_input(&eng, 0, f, n);
    assert_int_equal(nout, 1);
    const uint8_t *r = out[0].data + 34;
    assert_int_equal(r[0], ICMP_ECHO_REPLY);
    assert_int_equal(get16(r + 4), 77);
    assert_int_equal(csum(r, 16), 0);
    assert_int_equal(get32(out[0].data + 14 + IP_DST), IP(10, 1, 0, 1));
}

static void test_hostile_frames_are_dropped_and_counted(void **state)
{
    (void)state;
    learn(1, IP(10, 0, 0, 100), peer1);
    uint8_t f[NF_FRAME_MAX];
    nf_input(&eng, 0, f, 5);
    assert_int_equal(eng.counters.drops[DROP_RUNT], 1);
    size_t n = ip_frame(f, mac0, peer0, IP(127, 0, 0, 1), IP(10, 0, 0, 100), 17, 64, 10, 0);
    nf_input(&eng, 0, f, n);
    n = ip_frame(f, mac0, peer0, IP(10, 0, 0, 1), IP(10, 0, 0, 100), 17, 64, 10, 0);
    nf_input(&eng, 0, f, n); /* our own address as source */
    assert_int_equal(eng.counters.drops[DROP_MARTIAN], 2);
    n = ip_frame(f, mac0, peer0, IP(10, 1, 0, 1), IP(10, 0, 0, 100), 17, 64, 10, 0);
    f[14 + IP_CSUM] ^= 1;
    nf_input(&eng, 0, f, n);
    assert_int_equal(eng.counters.drops[DROP_IP_CHECKSUM], 1);
    n = ip_frame(f, mac0, peer0, IP(10, 1, 0, 1), IP(10, 0, 0, 100), 17, 64, 10, 0);
    nf_input(&eng, 0, f, n - 5); /* total length beyond the frame */
    f[14] = 0x44;
    nf_input(&eng, 0, f, n); /* header length 16 */
    assert_int_equal(eng.counters.drops[DROP_IP_MALFORMED], 2);
    n = ip_frame(f, mac0, peer0, IP(10, 1, 0, 1), IP(10, 0, 0, 255), 17, 64, 10, 0);
    nf_input(&eng, 0, f, n); /* directed broadcast of the DMZ */
    n = ip_frame(f, mac0, peer0, IP(10, 1, 0, 1), IP(224, 0, 0, 1), 17, 64, 10, 0);
    nf_input(&eng, 0, f, n);
    assert_int_equal(eng.counters.drops[DROP_NO_FORWARD], 2);
    n = ip_frame(f, peer1, peer0, IP(10, 1, 0, 1), IP(10, 0, 0, 100), 17, 64, 10, 0);
    nf_input(&eng, 0, f, n);
    assert_int_equal(eng.counters.drops[DROP_NOT_FOR_US], 1);
    assert_int_equal(nout, 0);
    assert_int_equal(eng.counters.forwarded, 0);
}

static void test_arp_queue_is_bounded_and_expires(void **state)
{
    (void)state;
    uint8_t f[NF_FRAME_MAX];
    for (int i = 0; i < ARP_PENDING + 5; i++) {
        size_t n = ip_frame(f, mac0, peer0, IP(10, 1, 0, 1), IP(10, 0, 0, 50), 17, 64, 10, 0);
        nf_input(&eng, 0, f, n);
    }
    assert_int_equal(eng.counters.drops[DROP_ARP_QUEUE], 5);
    assert_int_equal(eng.counters.arp_requests, 1); /* asked once, not once per frame */
    nout = 0;
    nf_tick(&eng, eng.now_ms + ARP_GIVE_UP_MS);
    assert_int_equal(eng.counters.drops[DROP_ARP_QUEUE], 5 + ARP_PENDING);
    /* Each frame given up is answered with host unreachable to its sender. */
    assert_int_equal(nout, ARP_PENDING);
    assert_int_equal(out[0].ifidx, 0);
    assert_memory_equal(out[0].data, peer0, 6);
    assert_int_equal(out[0].data[34], ICMP_UNREACH);
    assert_int_equal(out[0].data[35], UNREACH_HOST);
}

static void test_config_errors_name_the_word(void **state)
{
    (void)state;
    nf_engine_init(&eng);
    char err[200];
    unsigned bad = 99;
    char *a[] = {"interface", "eth0", "address", "10.1.0.300/24"};
    assert_int_equal(netconf_apply(&eng, a, 4, err, sizeof(err), &bad), -1);
    assert_int_equal(bad, 3);
    char *b[] = {"route", "10.0.0.1/8", "via", "10.1.0.1"};
    assert_int_equal(netconf_apply(&eng, b, 4, err, sizeof(err), &bad), -1);
    assert_int_equal(bad, 1);
    assert_non_null(strstr(err, "host bits"));
    char *c[] = {"default", "through", "10.1.0.1"};
    assert_int_equal(netconf_apply(&eng, c, 3, err, sizeof(err), &bad), -1);
    assert_int_equal(bad, 1);
    char *d[] = {"bridge", "eth0"};
    assert_int_equal(netconf_apply(&eng, d, 2, err, sizeof(err), &bad), -1);
    assert_int_equal(bad, 0);
    /* A gateway on no subnet is refused when the table is built. */
    char *e1[] = {"interface", "eth0", "address", "10.1.0.2/24"};
    char *e2[] = {"default", "via", "172.16.0.1"};
    assert_int_equal(netconf_apply(&eng, e1, 4, err, sizeof(err), &bad), 0);
    assert_int_equal(netconf_apply(&eng, e2, 3, err, sizeof(err), &bad), 0);
    assert_int_equal(nf_engine_finish(&eng, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "172.16.0.1"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_arp_request_for_us_is_answered, setup),
        cmocka_unit_test_setup(test_forward_waits_for_arp_then_lowers_ttl, setup),
        cmocka_unit_test_setup(test_ttl_expiry_sends_time_exceeded, setup),
        cmocka_unit_test_setup(test_frag_needed_and_fragmentation, setup),
        cmocka_unit_test_setup(test_no_route_gives_net_unreachable, setup),
        cmocka_unit_test_setup(test_ping_to_us_is_answered, setup),
        cmocka_unit_test_setup(test_hostile_frames_are_dropped_and_counted, setup),
        cmocka_unit_test_setup(test_arp_queue_is_bounded_and_expires, setup),
        cmocka_unit_test_setup(test_config_errors_name_the_word, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
