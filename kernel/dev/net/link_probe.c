/* A link check at boot: ARP probes per NIC for QEMU user networking's gateway (10.0.2.2); the
 * answer is reported once as `atoll: net0: link up (arp reply from MAC after N us)`. Costs two
 * frames per NIC, and an ARP probe (sender address 0.0.0.0) claims no address on any link. */
#include "atoll/kernel.h"
#include "atoll/netdev.h"
#include "atoll/virtio.h"

#define ETHERTYPE_ARP 0x0806
#define ARP_REQUEST   1
#define ARP_REPLY     2
#define ARP_FRAME_LEN 42

static const uint8_t slirp_gateway[4] = {10, 0, 2, 2};

static struct {
    uint64_t sent_ns;
    bool waiting;
    unsigned answers;
} probes[NETDEV_MAX];

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

void link_probe_send(struct netdev *d)
{
    uint8_t f[ARP_FRAME_LEN];
    memset(f, 0xff, 6); /* broadcast */
    memcpy(f + 6, d->mac, 6);
    put16(f + 12, ETHERTYPE_ARP);
    put16(f + 14, 1);      /* Ethernet */
    put16(f + 16, 0x0800); /* IPv4 */
    f[18] = 6;
    f[19] = 4;
    put16(f + 20, ARP_REQUEST);
    memcpy(f + 22, d->mac, 6);
    memset(f + 28, 0, 4); /* sender 0.0.0.0: a probe */
    memset(f + 32, 0, 6);
    memcpy(f + 38, slirp_gateway, 4);
    struct netbuf nb = {.data = f, .len = sizeof(f), .dev = (uint16_t)(d->index - 1)};
    unsigned i = d->index - 1;
    probes[i].sent_ns = clock_monotonic_ns();
    probes[i].waiting = d->ops->tx_burst(d, &nb, 1) == 1;
}

void link_probe_check(struct netdev *d, const struct netbuf *nb)
{
    unsigned i = d->index - 1;
    if (!probes[i].waiting || nb->len < ARP_FRAME_LEN)
        return;
    const uint8_t *f = nb->data;
    if (get16(f + 12) != ETHERTYPE_ARP || get16(f + 20) != ARP_REPLY ||
        memcmp(f + 28, slirp_gateway, 4) != 0 || memcmp(f + 32, d->mac, 6) != 0)
        return;
    probes[i].waiting = false;
    /* The first answer may be found by a poll that would have run anyway; the second probe goes
     * out from this poll, just before the CPU halts, so its delay shows how fast an arrival
     * wakes the CPU (about a millisecond; a missing interrupt shows as the whole sleep). */
    if (++probes[i].answers == 1) {
        link_probe_send(d);
        return;
    }
    uint64_t us = (clock_monotonic_ns() - probes[i].sent_ns) / 1000;
    kprintf("atoll: %s: link up (arp reply from %02x:%02x:%02x:%02x:%02x:%02x after %llu us)\n",
            d->name, f[22], f[23], f[24], f[25], f[26], f[27], (unsigned long long)us);
}
