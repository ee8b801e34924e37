/* The network member's entry points: NIC discovery at boot, and the receive poll the scheduler
 * runs before it checks readiness or halts. */
#include "atoll/kernel.h"
#include "atoll/netdev.h"
#include "atoll/pci.h"
#include "atoll/virtio.h"

#define RX_BURST 32

static void found(struct virtio_dev *d)
{
    if (d->device_id == VIRTIO_ID_NET)
        virtio_net_attach(d);
}

/* pc and q35 have a host bridge at 00:00.0; microvm has no PCI unless asked for. */
static bool pci_present(void)
{
    struct pci_addr host = {0, 0, 0};
    return (pci_read32(host, PCI_VENDOR_ID) & 0xffff) != 0xffff;
}

void atoll_net_init(void)
{
    if (pci_present())
        virtio_pci_probe(found);
    else
        virtio_mmio_probe(found);
    for (unsigned i = 0; i < netdev_count(); i++) {
        struct netdev *d = netdev_get(i);
        bool legacy;
        const char *where = virtio_net_where(d, &legacy);
        kprintf("atoll: %s: virtio-net (%s) mac %02x:%02x:%02x:%02x:%02x:%02x mtu %u%s\n", d->name,
                where, d->mac[0], d->mac[1], d->mac[2], d->mac[3], d->mac[4], d->mac[5], d->mtu,
                legacy ? " legacy" : "");
    }
}

/* Until the stack is linked, received frames are only counted and handed straight back. */
static uint64_t frames_seen;

void atoll_net_poll(void)
{
    for (unsigned i = 0; i < netdev_count(); i++) {
        struct netdev *d = netdev_get(i);
        d->pending = false;
        struct netbuf *bufs[RX_BURST];
        unsigned n;
        while ((n = d->ops->rx_burst(d, bufs, RX_BURST)) > 0) {
            frames_seen += n;
            d->ops->rx_done(d, bufs, n);
        }
    }
}
