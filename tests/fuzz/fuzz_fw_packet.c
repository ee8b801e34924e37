/* libFuzzer harness: arbitrary IPv4 packets through the firewall's filter (connection tracking
 * and the shipped PoC policy), on every hook and direction. */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../../apps/firewall/filter.h"
#include "../../apps/firewall/parse_util.h"

static struct nf_engine eng;
static struct firewall fw;
static int ready;

static const char policy[] =
    "interface outside address 192.168.100.1/24 device eth0\n"
    "interface inside address 10.1.0.1/24 device eth1\n"
    "route 10.0.0.0/24 via 10.1.0.2\n"
    "set dmz = { 10.0.0.0/24 }\n"
    "chain input policy drop {\n ct established,related accept\n"
    " in inside proto icmp type echo-request accept\n}\n"
    "chain forward policy drop {\n ct invalid drop\n ct established,related accept\n"
    " in outside src $dmz log drop\n in outside proto icmp type echo-request drop\n"
    " in outside dst 10.0.0.100 proto udp dport 53 ct new accept\n"
    " in outside dst 10.0.0.80 proto tcp dport 80 flags syn,!ack ct new accept\n"
    " in inside src $dmz ct new accept\n}\n"
    "chain output policy accept {\n}\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ready) {
        nf_engine_init(&eng);
        fw_init(&fw, &eng);
        fw.log = fopen("/dev/null", "w");
        struct fw_diags d = {0};
        assert(fw_parse("fuzz.rules", policy, &fw.rules, &eng, &d) == 0);
        ready = 1;
    }
    if (size < 2 + 20)
        return 0;
    /* The engine hands the filter only packets whose header and total length are consistent. */
    const uint8_t *ip = data + 1;
    size_t len = size - 1;
    unsigned ihl = (ip[0] & 15u) * 4;
    unsigned total = (unsigned)(ip[2] << 8 | ip[3]);
    if (ip[0] >> 4 != 4 || ihl < 20 || total < ihl || total > len)
        return 0;
    static uint64_t now;
    now += data[0];
    struct nf_packet p = {.hook = (enum nf_hook)(data[0] % 3), .ip = ip, .len = total};
    p.in_if = p.hook == HOOK_OUTPUT ? -1 : (data[0] >> 2) & 1;
    p.out_if = p.hook == HOOK_INPUT ? -1 : !((data[0] >> 2) & 1);
    enum nf_verdict v = fw_filter(&fw, &p, now);
    assert(v == VERDICT_ACCEPT || v == VERDICT_DROP || v == VERDICT_REJECT);
    assert(fw.ct.count <= CT_TABLE_SIZE);
    return 0;
}
