/* libFuzzer harness: arbitrary frames through lib/netfn's frame path (a two-interface router
 * with ARP entries, a default route and a small MTU so that every branch is reachable). */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "../../lib/netfn/engine.h"
#include "../../lib/netfn/netconf.h"

static struct nf_engine eng;
static int ready;

static int emit(void *ctx, unsigned ifidx, const uint8_t *frame, size_t len)
{
    (void)ctx;
    assert(ifidx < eng.nifaces);
    assert(len >= ETH_HDR_LEN && len <= NF_FRAME_MAX);
    assert(len <= (size_t)eng.ifaces[ifidx].mtu + ETH_HDR_LEN || frame[12] == 0x08);
    return 0;
}

static void setup(void)
{
    nf_engine_init(&eng);
    char *w0[] = {"interface", "eth0", "address", "10.1.0.2/24"};
    char *w1[] = {"interface", "eth1", "address", "10.0.0.1/24", "mtu", "576"};
    char *w2[] = {"default", "via", "10.1.0.1"};
    char err[200];
    unsigned bad;
    netconf_apply(&eng, w0, 4, err, sizeof(err), &bad);
    netconf_apply(&eng, w1, 6, err, sizeof(err), &bad);
    netconf_apply(&eng, w2, 3, err, sizeof(err), &bad);
    nf_engine_finish(&eng, err, sizeof(err));
    static const uint8_t mac0[6] = {2, 0, 0, 0, 0, 1}, mac1[6] = {2, 0, 0, 0, 0, 2};
    memcpy(eng.ifaces[0].mac, mac0, 6);
    memcpy(eng.ifaces[1].mac, mac1, 6);
    eng.ifaces[0].mtu = 1500;
    eng.emit = emit;
    ready = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ready)
        setup();
    if (size < 1 || size > NF_FRAME_MAX + 1)
        return 0;
    static uint8_t frame[NF_FRAME_MAX];
    memcpy(frame, data + 1, size - 1);
    static const uint8_t peer[6] = {2, 0, 0, 0, 2, 2};
    arp_learn(&eng.arp, 1, 0x0a000064, peer, eng.now_ms); /* 10.0.0.100 */
    nf_input(&eng, data[0] & 1, frame, size - 1);
    eng.now_ms += data[0] >> 1;
    nf_tick(&eng, eng.now_ms);
    return 0;
}
