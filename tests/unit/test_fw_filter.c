/* Unit tests of the firewall's rule evaluation and connection tracking: first match wins,
 * policies, sets and negation, TCP states and windows, UDP and ICMP pseudo-connections, related
 * ICMP errors, fragments, eviction under pressure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../apps/firewall/filter.h"
#include "../../apps/firewall/parse_util.h"
#include "csum.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))
#define CLIENT         IP(192, 168, 100, 10)
#define WEB            IP(10, 0, 0, 80)
#define DNS            IP(10, 0, 0, 100)
enum { OUTSIDE = 0, INSIDE = 1 };

static struct nf_engine eng;
static struct firewall fw;
static uint8_t pkt[1600];
static uint64_t now = 1000;

static void load_policy(void)
{
    FILE *f = fopen("apps/firewall/rootfs/etc/firewall/poc.rules", "r");
    assert_non_null(f);
    static char text[8192];
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    fclose(f);
    text[n] = '\0';
    nf_engine_init(&eng);
    fw_init(&fw, &eng);
    fw.log = fopen("/dev/null", "w");
    struct fw_diags d = {0};
    assert_int_equal(fw_parse("poc.rules", text, &fw.rules, &eng, &d), 0);
    assert_int_equal(fw_finish("poc.rules", &fw.rules, &d), 0);
}

static int setup(void **state)
{
    (void)state;
    load_policy();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    fclose(fw.log);
    return 0;
}

static size_t ip_header(uint32_t src, uint32_t dst, uint8_t proto, size_t l4_len)
{
    memset(pkt, 0, 20);
    pkt[0] = 0x45;
    put16(pkt + IP_TOTAL_LEN, (uint16_t)(20 + l4_len));
    pkt[IP_TTL] = 64;
    pkt[IP_PROTO] = proto;
    put32(pkt + IP_SRC, src);
    put32(pkt + IP_DST, dst);
    put16(pkt + IP_CSUM, csum(pkt, 20));
    return 20 + l4_len;
}

static size_t tcp(uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport, uint8_t flags,
                  uint32_t seq, uint32_t ack, uint16_t win, size_t payload)
{
    size_t len = ip_header(src, dst, IP_PROTO_TCP, 20 + payload);
    uint8_t *t = pkt + 20;
    memset(t, 0, 20 + payload);
    put16(t, sport);
    put16(t + 2, dport);
    put32(t + 4, seq);
    put32(t + 8, ack);
    t[12] = 5 << 4;
    t[13] = flags;
    put16(t + 14, win);
    return len;
}

static size_t udp(uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport)
{
    size_t len = ip_header(src, dst, IP_PROTO_UDP, 8 + 10);
    put16(pkt + 20, sport);
    put16(pkt + 22, dport);
    put16(pkt + 24, 18);
    return len;
}

static size_t icmp(uint32_t src, uint32_t dst, uint8_t type, uint16_t id)
{
    size_t len = ip_header(src, dst, IP_PROTO_ICMP, 8);
    memset(pkt + 20, 0, 8);
    pkt[20] = type;
    put16(pkt + 24, id);
    return len;
}

static enum nf_verdict run(enum nf_hook hook, int in_if, int out_if, size_t len)
{
    struct nf_packet p = {.hook = hook, .in_if = in_if, .out_if = out_if, .ip = pkt, .len = len};
    return fw_filter(&fw, &p, now);
}

static enum nf_verdict fwd_in(size_t len) /* outside -> inside */
{
    return run(HOOK_FORWARD, OUTSIDE, INSIDE, len);
}

static enum nf_verdict fwd_out(size_t len) /* inside -> outside */
{
    return run(HOOK_FORWARD, INSIDE, OUTSIDE, len);
}

static void test_policy_first_match_and_counters(void **state)
{
    (void)state;
    /* DNS over UDP in, its answer back; other ports and hosts dropped by the policy. */
    assert_int_equal(fwd_in(udp(CLIENT, DNS, 5000, 53)), VERDICT_ACCEPT);
    assert_int_equal(fwd_out(udp(DNS, CLIENT, 53, 5000)), VERDICT_ACCEPT);
    assert_int_equal(fwd_in(udp(CLIENT, DNS, 5000, 54)), VERDICT_DROP);
    assert_int_equal(fwd_in(udp(CLIENT, WEB, 5000, 53)), VERDICT_DROP);
    assert_int_equal(fwd_in(tcp(CLIENT, WEB, 6000, 22, TCPF_SYN, 1, 0, 1000, 0)), VERDICT_DROP);
    /* Ping from outside to the DMZ: dropped by its own rule, not by the policy. */
    assert_int_equal(fwd_in(icmp(CLIENT, WEB, 8, 1)), VERDICT_DROP);
    /* A spoofed inside source from outside: dropped (and logged). */
    assert_int_equal(fwd_in(tcp(IP(10, 0, 0, 66), WEB, 1, 80, TCPF_SYN, 1, 0, 1000, 0)),
                     VERDICT_DROP);
    const struct fw_chain *c = &fw.rules.chains[HOOK_FORWARD];
    const struct fw_rule *r = &fw.rules.rules[c->first];
    unsigned spoof = 2, echo = 3, dns_udp = 4;
    assert_int_equal(r[spoof].packets, 1);
    assert_int_equal(r[echo].packets, 1);
    assert_int_equal(r[dns_udp].packets, 1);
    assert_int_equal(r[1].packets, 1); /* established: the answer */
    assert_int_equal(c->policy_packets, 3);
    /* The input chain: ping from inside answered, from outside not. */
    assert_int_equal(run(HOOK_INPUT, INSIDE, -1, icmp(DNS, IP(10, 1, 0, 1), 8, 7)), VERDICT_ACCEPT);
    assert_int_equal(run(HOOK_INPUT, OUTSIDE, -1, icmp(CLIENT, IP(192, 168, 100, 1), 8, 7)),
                     VERDICT_DROP);
    /* The output chain accepts what the firewall sends itself. */
    assert_int_equal(run(HOOK_OUTPUT, -1, INSIDE, icmp(IP(10, 1, 0, 1), DNS, 0, 7)),
                     VERDICT_ACCEPT);
}

static void test_tcp_handshake_data_and_close(void **state)
{
    (void)state;
    uint32_t c = 1000, s = 5000000;
    assert_int_equal(fwd_in(tcp(CLIENT, WEB, 40000, 80, TCPF_SYN, c, 0, 65535, 0)), VERDICT_ACCEPT);
    assert_int_equal(fw.ct.tcp_state_entries[TCP_SYN_SENT], 1);
    assert_int_equal(fwd_out(tcp(WEB, CLIENT, 80, 40000, TCPF_SYN | TCPF_ACK, s, c + 1, 65535, 0)),
                     VERDICT_ACCEPT);
    assert_int_equal(fw.ct.tcp_state_entries[TCP_SYN_RECV], 1);
    assert_int_equal(fwd_in(tcp(CLIENT, WEB, 40000, 80, TCPF_ACK, c + 1, s + 1, 65535, 0)),
                     VERDICT_ACCEPT);
    assert_int_equal(fw.ct.tcp_state_entries[TCP_ESTABLISHED], 1);
    /* Data both ways, inside the windows. */
    assert_int_equal(
        fwd_in(tcp(CLIENT, WEB, 40000, 80, TCPF_ACK | TCPF_PSH, c + 1, s + 1, 65535, 100)),
        VERDICT_ACCEPT);
    assert_int_equal(fwd_out(tcp(WEB, CLIENT, 80, 40000, TCPF_ACK, s + 1, c + 101, 65535, 1000)),
                     VERDICT_ACCEPT);
    /* Out of window: far beyond the right edge, or acknowledging data never sent. */
    assert_int_equal(
        fwd_in(tcp(CLIENT, WEB, 40000, 80, TCPF_ACK, c + 1 + 3000000, s + 1, 65535, 10)),
        VERDICT_DROP);
    assert_int_equal(fwd_in(tcp(CLIENT, WEB, 40000, 80, TCPF_ACK, c + 101, s + 900000, 65535, 0)),
                     VERDICT_DROP);
    assert_int_equal(fw.ct.state_packets[3], 2); /* invalid */
    /* A SYN inside the connection is invalid too. */
    assert_int_equal(fwd_in(tcp(CLIENT, WEB, 40000, 80, TCPF_SYN, c + 101, 0, 65535, 0)),
                     VERDICT_DROP);
    /* FIN both ways: time-wait. */
    assert_int_equal(
        fwd_in(tcp(CLIENT, WEB, 40000, 80, TCPF_FIN | TCPF_ACK, c + 101, s + 1001, 65535, 0)),
        VERDICT_ACCEPT);
    assert_int_equal(fw.ct.tcp_state_entries[TCP_FIN_WAIT], 1);
    assert_int_equal(
        fwd_out(tcp(WEB, CLIENT, 80, 40000, TCPF_FIN | TCPF_ACK, s + 1001, c + 102, 65535, 0)),
        VERDICT_ACCEPT);
    assert_int_equal(fw.ct.tcp_state_entries[TCP_TIME_WAIT], 1);
    /* Time-wait ends after its timeout; then a bare ACK of that flow is invalid. */
    now += 61000;
    assert_int_equal(fwd_in(tcp(CLIENT, WEB, 40000, 80, TCPF_ACK, c + 102, s + 1002, 65535, 0)),
                     VERDICT_DROP);
    assert_int_equal(fw.ct.count, 0);
}

static void test_unsolicited_and_reset(void **state)
{
    (void)state;
    /* A SYN-ACK or a bare ACK nobody asked for: invalid. */
    assert_int_equal(fwd_in(tcp(CLIENT, WEB, 1, 80, TCPF_SYN | TCPF_ACK, 1, 1, 1000, 0)),
                     VERDICT_DROP);
    assert_int_equal(fwd_in(tcp(CLIENT, WEB, 1, 80, TCPF_ACK, 1, 1, 1000, 0)), VERDICT_DROP);
    assert_int_equal(fw.ct.state_packets[3], 2);
    assert_int_equal(fw.ct.count, 0);
    /* A SYN-ACK that acknowledges the wrong number: invalid; the right one passes. */
    assert_int_equal(fwd_in(tcp(CLIENT, WEB, 2, 80, TCPF_SYN, 100, 0, 1000, 0)), VERDICT_ACCEPT);
    assert_int_equal(fwd_out(tcp(WEB, CLIENT, 80, 2, TCPF_SYN | TCPF_ACK, 7, 555, 1000, 0)),
                     VERDICT_DROP);
    /* The server refuses: RST+ACK closes the entry. */
    assert_int_equal(fwd_out(tcp(WEB, CLIENT, 80, 2, TCPF_RST | TCPF_ACK, 0, 101, 0, 0)),
                     VERDICT_ACCEPT);
    assert_int_equal(fw.ct.tcp_state_entries[TCP_CLOSE], 1);
    /* A stray ACK stays invalid; a new SYN on the same ports opens a new connection. */
    assert_int_equal(fwd_in(tcp(CLIENT, WEB, 2, 80, TCPF_ACK, 101, 1, 1000, 0)), VERDICT_DROP);
    assert_int_equal(fwd_in(tcp(CLIENT, WEB, 2, 80, TCPF_SYN, 9000, 0, 1000, 0)), VERDICT_ACCEPT);
    assert_int_equal(fw.ct.tcp_state_entries[TCP_CLOSE], 0);
    assert_int_equal(fw.ct.tcp_state_entries[TCP_SYN_SENT], 1);
}

static void test_udp_icmp_and_related_errors(void **state)
{
    (void)state;
    /* An echo reply nobody asked for is invalid; from inside, echo out and its reply in. */
    assert_int_equal(fwd_in(icmp(CLIENT, WEB, 0, 9)), VERDICT_DROP);
    assert_int_equal(fwd_out(icmp(WEB, CLIENT, 8, 9)), VERDICT_ACCEPT);
    assert_int_equal(fwd_in(icmp(CLIENT, WEB, 0, 9)), VERDICT_ACCEPT);
    /* An ICMP error quoting a tracked UDP flow is related; quoting nothing known, invalid. */
    assert_int_equal(fwd_in(udp(CLIENT, DNS, 7000, 53)), VERDICT_ACCEPT);
    size_t quoted = udp(CLIENT, DNS, 7000, 53);
    uint8_t inner[28];
    memcpy(inner, pkt, 28);
    (void)quoted;
    size_t len = ip_header(IP(10, 1, 0, 2), CLIENT, IP_PROTO_ICMP, 8 + 28);
    memset(pkt + 20, 0, 8);
    pkt[20] = 11; /* time exceeded */
    memcpy(pkt + 28, inner, 28);
    assert_int_equal(fwd_out(len), VERDICT_ACCEPT);
    assert_int_equal(fw.ct.state_packets[2], 1); /* related */
    put16(pkt + 28 + 20, 7001);                  /* another source port: unknown flow */
    assert_int_equal(fwd_out(len), VERDICT_DROP);
    /* UDP entries expire after 30 s without a reply... */
    assert_int_equal(fwd_in(udp(CLIENT, DNS, 7100, 53)), VERDICT_ACCEPT);
    unsigned before = fw.ct.count;
    now += 31000;
    ct_expire(&fw.ct, now);
    assert_true(fw.ct.count < before);
}

static void test_fragments_and_truncated_headers(void **state)
{
    (void)state;
    /* A first fragment too short for the TCP header: dropped before any rule, counted. */
    size_t len = ip_header(CLIENT, WEB, IP_PROTO_TCP, 8);
    put16(pkt + 20, 40000);
    put16(pkt + 22, 80);
    put16(pkt + IP_FRAG, IP_FLAG_MF);
    assert_int_equal(fwd_in(len), VERDICT_DROP);
    assert_int_equal(fw.untrackable, 1);
    /* A later fragment matches no rule that needs ports or states: the policy drops it. */
    len = ip_header(CLIENT, WEB, IP_PROTO_TCP, 100);
    put16(pkt + IP_FRAG, 10);
    assert_int_equal(fwd_in(len), VERDICT_DROP);
    assert_int_equal(fw.untrackable, 1);
    /* Truncated UDP and ICMP headers. */
    assert_int_equal(fwd_in(ip_header(CLIENT, DNS, IP_PROTO_UDP, 4)), VERDICT_DROP);
    assert_int_equal(fwd_in(ip_header(CLIENT, DNS, IP_PROTO_ICMP, 3)), VERDICT_DROP);
    assert_int_equal(fw.untrackable, 3);
}

static void test_table_pressure_evicts_oldest_unestablished(void **state)
{
    (void)state;
    /* One established connection, then a flood of SYNs: the flood evicts its own oldest. */
    uint32_t c = 1, s = 9;
    assert_int_equal(fwd_in(tcp(CLIENT, WEB, 1, 80, TCPF_SYN, c, 0, 1000, 0)), VERDICT_ACCEPT);
    assert_int_equal(fwd_out(tcp(WEB, CLIENT, 80, 1, TCPF_SYN | TCPF_ACK, s, c + 1, 1000, 0)),
                     VERDICT_ACCEPT);
    assert_int_equal(fwd_in(tcp(CLIENT, WEB, 1, 80, TCPF_ACK, c + 1, s + 1, 1000, 0)),
                     VERDICT_ACCEPT);
    for (unsigned i = 0; i < CT_TABLE_SIZE + 100; i++) {
        now++;
        assert_int_equal(fwd_in(tcp(IP(192, 168, 100, 20 + i % 200), WEB, (uint16_t)(2000 + i), 80,
                                    TCPF_SYN, 1, 0, 1000, 0)),
                         VERDICT_ACCEPT);
    }
    assert_int_equal(fw.ct.count, CT_TABLE_SIZE);
    assert_true(fw.ct.evicted >= 100);
    /* The established connection survived. */
    assert_int_equal(fwd_in(tcp(CLIENT, WEB, 1, 80, TCPF_ACK, c + 1, s + 1, 1000, 0)),
                     VERDICT_ACCEPT);
    assert_int_equal(fw.ct.tcp_state_entries[TCP_ESTABLISHED], 1);
}

static void test_counters_print(void **state)
{
    (void)state;
    fwd_in(udp(CLIENT, DNS, 5000, 53));
    char buf[8192];
    FILE *out = fmemopen(buf, sizeof(buf), "w");
    fw_print_counters(&fw, out);
    fclose(out);
    assert_non_null(strstr(buf, "rule poc.rules:23 chain forward accept packets 1 bytes 38"));
    assert_non_null(strstr(buf, "policy forward drop packets 0"));
    assert_non_null(strstr(buf, "ct_state new packets 1"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_policy_first_match_and_counters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tcp_handshake_data_and_close, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unsolicited_and_reset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_udp_icmp_and_related_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fragments_and_truncated_headers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_table_pressure_evicts_oldest_unestablished, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_counters_print, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
