/* The network member's entry points: NIC discovery at boot, and the poll the scheduler runs
 * before it checks readiness or halts (receive bursts into the stack, the stack's timers). */
#include "atoll/kernel.h"
#include "atoll/net.h"
#include "atoll/netconfig.h"
#include "atoll/netdev.h"
#include "atoll/packet.h"
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

static void stack_tx(unsigned dev, const uint8_t *frame, size_t len)
{
    struct netdev *d = netdev_get(dev);
    if (d == NULL || len > UINT16_MAX)
        return;
    struct netbuf f = {.data = (uint8_t *)frame, .len = (uint16_t)len, .dev = (uint16_t)dev};
    d->ops->tx_burst(d, &f, 1);
}

static int stack_tx_gather(unsigned dev, const struct netdev_frag *frags, unsigned n,
                           const struct netdev_offload *off)
{
    struct netdev *d = netdev_get(dev);
    if (d == NULL || d->ops->tx_gather == NULL)
        return -ENODEV;
    return d->ops->tx_gather(d, frags, n, off);
}

static const struct net_hooks hooks = {
    .now_ns = clock_monotonic_ns, .tx = stack_tx, .tx_gather = stack_tx_gather};

void atoll_net_init(void)
{
    virtio_net_irq_init();
    if (pci_present())
        virtio_pci_probe(found);
    else
        virtio_mmio_probe(found);
    net_init(&hooks);
    for (unsigned i = 0; i < netdev_count(); i++) {
        struct netdev *d = netdev_get(i);
        bool legacy;
        const char *where = virtio_net_where(d, &legacy);
        kprintf("atoll: %s: virtio-net (%s) mac %02x:%02x:%02x:%02x:%02x:%02x mtu %u%s%s%s%s\n",
                d->name, where, d->mac[0], d->mac[1], d->mac[2], d->mac[3], d->mac[4], d->mac[5],
                d->mtu, legacy ? " legacy" : "", d->offloads & NETDEV_F_CSUM ? " csum" : "",
                d->offloads & NETDEV_F_TSO4 ? " tso" : "",
                d->offloads & NETDEV_F_RXCSUM ? " rxcsum" : "");
        net_if_attach(i, d->mac, d->mtu);
        net_if_set_offloads(i, d->ops->tx_gather ? d->offloads : 0);
    }
    net_config_boot(); /* the netN=, gw= and route= keys; stops the boot when one is wrong */
}

void atoll_net_poll(void)
{
    netdev_tx_flush_all(); /* the program is about to wait: what it sent goes out now */
    /* The link probes go out at the first poll, right before the CPU first idles: their answers
     * then arrive while it halts, and show that a NIC interrupt wakes it. */
    static bool probed;
    if (!probed) {
        probed = true;
        for (unsigned i = 0; i < netdev_count(); i++)
            link_probe_send(netdev_get(i));
    }
    for (unsigned i = 0; i < netdev_count(); i++) {
        struct netdev *d = netdev_get(i);
        struct netbuf *bufs[RX_BURST];
        unsigned n;
        do {
            d->pending = false;
            while ((n = d->ops->rx_burst(d, bufs, RX_BURST)) > 0) {
                for (unsigned k = 0; k < n; k++) {
                    link_probe_check(d, bufs[k]);
                    /* An interface with a bound packet socket belongs to it, not to the IP stack.
                     */
                    struct netbuf *b = bufs[k];
                    if (!packet_rx(i, b->data, b->len, &b->csum))
                        net_rx_csum(i, b->data, b->len, b->csum.state);
                }
                d->ops->rx_done(d, bufs, n);
            }
            /* Empty: ask for an interrupt at the next arrival, so that halting wakes for it. A
             * frame that came in before the request took effect raises no interrupt (the device
             * already passed the event index): irq_enable reports it as pending, and it is taken
             * now rather than left until some timer wakes the CPU. */
            d->ops->irq_enable(d);
        } while (d->pending);
    }
    net_poll(clock_monotonic_ns());
}

uint64_t atoll_net_next_deadline(void)
{
    return net_next_deadline();
}
