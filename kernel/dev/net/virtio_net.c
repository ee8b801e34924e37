/* virtio-net: feature negotiation, one RX and one TX queue with recycled buffers, and the netdev
 * operations the stack calls (bursts in and out, no allocation after attach). */
#include "atoll/arch.h"
#include "atoll/kernel.h"
#include "atoll/mm.h"
#include "atoll/netdev.h"
#include "atoll/virtio.h"
#include "atoll/x86.h"

#define RX_QUEUE       0
#define TX_QUEUE       1
#define MAX_QUEUE_SIZE 256 /* ring entries requested from modern devices */
#define MAX_BUFS       128 /* buffers per direction: 256 KiB each at 2 KiB a frame */
#define HDR_LEN_MODERN 12  /* struct virtio_net_hdr with num_buffers (VERSION_1) */
#define HDR_LEN_LEGACY 10  /* without num_buffers: legacy and no VIRTIO_NET_F_MRG_RXBUF */
/* Deferred frames (netdev_tx_deferred) queued before the device must hear of them: under TCG each
 * notification is an MMIO exit that takes QEMU's global lock and wakes its I/O thread, so a
 * sendmmsg batch of replies shares one. */
#define TX_KICK_BATCH 32
#define FEATURES_WANTED                                                                            \
    (VIRTIO_BIT(VIRTIO_NET_F_MAC) | VIRTIO_BIT(VIRTIO_NET_F_MTU) | VIRTIO_BIT(VIRTIO_NET_F_CSUM) | \
     VIRTIO_BIT(VIRTIO_NET_F_HOST_TSO4) | VIRTIO_BIT(VIRTIO_NET_F_GUEST_CSUM) |                    \
     VIRTIO_BIT(VIRTIO_F_RING_EVENT_IDX) | VIRTIO_BIT(VIRTIO_F_VERSION_1))
#define TX_CHAIN_END 0xffff
/* How long a gathered frame waits for the device to free buffers before it is dropped: QEMU
 * consumes the queue in its own thread, microseconds per frame. */
#define TX_WAIT_NS 5000000ull

struct vnet {
    struct netdev nd;
    struct virtio_dev *vd;
    struct virtq rx, tx;
    uint16_t hdr_len;
    uint16_t nrx, ntx; /* buffers in each direction (<= queue size) */
    uint8_t *rx_mem, *tx_mem;
    struct netbuf rxb[MAX_BUFS];
    uint16_t tx_free[MAX_BUFS];
    uint16_t tx_next[MAX_BUFS]; /* the next buffer of a gathered frame's chain, or TX_CHAIN_END */
    uint16_t tx_nfree;
    uint16_t tx_unkicked; /* frames queued since the last tx_flush */
    bool tx_notified;     /* the transmit queue was notified since the last irq_enable */
    struct {
        uint64_t rx_frames, rx_runt, tx_frames, tx_ring_full, tx_too_big, device_errors;
        uint64_t tx_gathered, tx_waits;
    } stats;
};

static struct vnet nics[NETDEV_MAX];
static unsigned nnics;

/* Rings must start zeroed; frame buffers need not (the device or the driver writes them before
 * anyone reads them), and skipping their 0.5 MiB per NIC shortens the boot. */
static uint8_t *alloc_pages(size_t bytes, bool zeroed)
{
    uint64_t pages = ALIGN_UP(bytes, PAGE_SIZE) / PAGE_SIZE;
    uint64_t addr = pagealloc_alloc(&phys, pages, 1, false);
    if (addr != 0 && zeroed)
        memset((void *)addr, 0, pages * PAGE_SIZE);
    return (uint8_t *)addr;
}

static void kick(struct vnet *v, struct virtq *q, uint16_t index)
{
    if (virtq_publish(q)) {
        v->vd->ops->notify(v->vd, index);
        v->tx_notified |= index == TX_QUEUE;
    }
}

static void rx_post(struct vnet *v, uint16_t id)
{
    uint64_t addr = (uint64_t)(v->rx_mem + (size_t)id * NETBUF_SIZE);
    if (virtq_add(&v->rx, id, addr, NETBUF_SIZE, true) < 0)
        v->stats.device_errors++;
}

static unsigned vnet_rx_burst(struct netdev *d, struct netbuf **bufs, unsigned max)
{
    struct vnet *v = d->priv;
    unsigned n = 0;
    bool recycled = false;
    while (n < max) {
        uint32_t len;
        int id = virtq_get_used(&v->rx, &len);
        if (id == -EAGAIN)
            break;
        if (id < 0 || id >= v->nrx) {
            v->stats.device_errors++;
            continue;
        }
        if (len < v->hdr_len + 14u || len > NETBUF_SIZE) {
            v->stats.rx_runt++;
            rx_post(v, (uint16_t)id);
            recycled = true;
            continue;
        }
        struct netbuf *nb = &v->rxb[id];
        const uint8_t *h = v->rx_mem + (size_t)id * NETBUF_SIZE;
        nb->data = v->rx_mem + (size_t)id * NETBUF_SIZE + v->hdr_len;
        nb->len = (uint16_t)(len - v->hdr_len);
        /* Without GUEST_CSUM the device sets no flags (DATA_VALID may come anyway, 5.1.6.4). */
        nb->csum = netdev_rx_csum_parse(h[0], (uint16_t)(h[6] | h[7] << 8),
                                        (uint16_t)(h[8] | h[9] << 8), nb->len);
        bufs[n++] = nb;
    }
    v->stats.rx_frames += n;
    if (recycled)
        kick(v, &v->rx, RX_QUEUE);
    return n;
}

static void vnet_rx_done(struct netdev *d, struct netbuf **bufs, unsigned n)
{
    struct vnet *v = d->priv;
    for (unsigned i = 0; i < n; i++) {
        ptrdiff_t id = bufs[i] - v->rxb;
        if (id >= 0 && id < v->nrx)
            rx_post(v, (uint16_t)id);
    }
    kick(v, &v->rx, RX_QUEUE);
}

static void tx_reclaim(struct vnet *v)
{
    uint32_t len;
    int id;
    while ((id = virtq_get_used(&v->tx, &len)) != -EAGAIN) {
        if (id < 0 || id >= v->ntx) {
            v->stats.device_errors++;
            continue;
        }
        /* A gathered frame's buffers all come back with its first one. */
        for (unsigned k = 0; id < v->ntx && v->tx_nfree < v->ntx && k < v->ntx; k++) {
            v->tx_free[v->tx_nfree++] = (uint16_t)id;
            id = v->tx_next[id];
        }
    }
}

static unsigned vnet_tx_burst(struct netdev *d, const struct netbuf *frames, unsigned n)
{
    struct vnet *v = d->priv;
    tx_reclaim(v);
    unsigned taken = 0;
    for (; taken < n; taken++) {
        const struct netbuf *f = &frames[taken];
        if ((size_t)f->len + v->hdr_len > NETBUF_SIZE) {
            v->stats.tx_too_big++; /* taken and dropped: it can never fit */
            continue;
        }
        if (v->tx_nfree == 0) {
            v->stats.tx_ring_full++;
            break;
        }
        uint16_t id = v->tx_free[--v->tx_nfree];
        v->tx_next[id] = TX_CHAIN_END;
        uint8_t *slot = v->tx_mem + (size_t)id * NETBUF_SIZE;
        memset(slot, 0, v->hdr_len); /* no offloads: an all-zero header */
        memcpy(slot + v->hdr_len, f->data, f->len);
        virtq_add(&v->tx, id, (uint64_t)slot, (uint32_t)(v->hdr_len + f->len), false);
        v->stats.tx_frames++;
        v->tx_unkicked++;
    }
    if (!netdev_tx_deferred || v->tx_unkicked >= TX_KICK_BATCH || v->tx_nfree == 0) {
        v->tx_unkicked = 0;
        kick(v, &v->tx, TX_QUEUE);
    }
    return taken;
}

/* Writes struct virtio_net_hdr (little-endian fields) for off at the start of a frame. */
static void put_net_hdr(const struct vnet *v, uint8_t *h, const struct netdev_offload *off)
{
    memset(h, 0, v->hdr_len);
    h[0] = VIRTIO_NET_HDR_F_NEEDS_CSUM;
    h[1] = off->gso_size ? VIRTIO_NET_HDR_GSO_TCPV4 : VIRTIO_NET_HDR_GSO_NONE;
    const uint16_t fields[4] = {off->gso_size ? off->hdr_len : 0, off->gso_size, off->csum_start,
                                off->csum_offset};
    for (unsigned i = 0; i < 4; i++) {
        h[2 + 2 * i] = (uint8_t)fields[i];
        h[3 + 2 * i] = (uint8_t)(fields[i] >> 8);
    }
}

/* Frees buffers the device is done with, waiting a bounded time for `need` of them. */
static bool tx_room(struct vnet *v, unsigned need)
{
    tx_reclaim(v);
    if (v->tx_nfree >= need)
        return true;
    v->tx_unkicked = 0;
    kick(v, &v->tx, TX_QUEUE);
    v->stats.tx_waits++;
    uint64_t deadline = clock_monotonic_ns() + TX_WAIT_NS;
    while (v->tx_nfree < need && clock_monotonic_ns() < deadline) {
        cpu_relax();
        tx_reclaim(v);
        if (virtq_device_waiting(&v->tx))
            v->vd->ops->notify(v->vd, TX_QUEUE);
    }
    return v->tx_nfree >= need;
}

/* One copy from the stack's pieces into a chain of 2 KiB buffers, the header in the first. */
static int vnet_tx_gather(struct netdev *d, const struct netdev_frag *frags, unsigned n,
                          const struct netdev_offload *off)
{
    struct vnet *v = d->priv;
    size_t total = v->hdr_len;
    for (unsigned i = 0; i < n; i++)
        total += frags[i].len;
    unsigned need = (unsigned)((total + NETBUF_SIZE - 1) / NETBUF_SIZE);
    if (total > v->hdr_len + (size_t)NETDEV_GATHER_MAX || need > v->ntx / 2u ||
        (off->gso_size && !(d->offloads & NETDEV_F_TSO4))) {
        v->stats.tx_too_big++;
        return -EMSGSIZE;
    }
    if (!tx_room(v, need)) {
        v->stats.tx_ring_full++;
        return -ENOBUFS;
    }
    uint16_t ids[NETDEV_GATHER_MAX / NETBUF_SIZE + 2];
    uint64_t addrs[NETDEV_GATHER_MAX / NETBUF_SIZE + 2];
    uint32_t lens[NETDEV_GATHER_MAX / NETBUF_SIZE + 2];
    for (unsigned k = 0; k < need; k++) {
        ids[k] = v->tx_free[--v->tx_nfree];
        addrs[k] = (uint64_t)(v->tx_mem + (size_t)ids[k] * NETBUF_SIZE);
        lens[k] = (uint32_t)MIN((size_t)NETBUF_SIZE, total - (size_t)k * NETBUF_SIZE);
    }
    for (unsigned k = 0; k < need; k++)
        v->tx_next[ids[k]] = k + 1 < need ? ids[k + 1] : TX_CHAIN_END;
    put_net_hdr(v, (uint8_t *)addrs[0], off);
    unsigned k = 0;
    size_t at = v->hdr_len; /* within buffer k */
    for (unsigned i = 0; i < n; i++) {
        const uint8_t *src = frags[i].base;
        size_t left = frags[i].len;
        while (left) {
            if (at == NETBUF_SIZE) {
                k++;
                at = 0;
            }
            size_t take = MIN(left, (size_t)NETBUF_SIZE - at);
            memcpy((uint8_t *)addrs[k] + at, src, take); /* 64 bytes a loop: kernel/lib/string.c */
            src += take;
            left -= take;
            at += take;
        }
    }
    virtq_add_chain(&v->tx, ids, addrs, lens, need); /* cannot fail: need <= free buffers */
    v->stats.tx_frames++;
    v->stats.tx_gathered++;
    v->tx_unkicked++;
    if (!netdev_tx_deferred || v->tx_unkicked >= TX_KICK_BATCH || v->tx_nfree == 0) {
        v->tx_unkicked = 0;
        kick(v, &v->tx, TX_QUEUE);
    }
    return 0;
}

static void vnet_tx_flush(struct netdev *d)
{
    struct vnet *v = d->priv;
    if (v->tx_unkicked) {
        v->tx_unkicked = 0;
        kick(v, &v->tx, TX_QUEUE);
    }
}

static void vnet_irq_enable(struct netdev *d)
{
    struct vnet *v = d->priv;
    vnet_tx_flush(d);
    if (virtq_enable_interrupts(&v->rx))
        d->pending = true;
    /* Before the CPU idles: a transmit queue the device stopped consuming gets its kick again,
     * unless it was notified since the last irq_enable (then at the next one): right after a
     * notification QEMU has not run yet (it consumes in its I/O thread), and a second one is an
     * exit that only waits for that thread. */
    if (!v->tx_notified && virtq_device_waiting(&v->tx))
        v->vd->ops->notify(v->vd, TX_QUEUE);
    v->tx_notified = false;
}

static const struct netdev_ops vnet_ops = {
    .rx_burst = vnet_rx_burst,
    .rx_done = vnet_rx_done,
    .tx_burst = vnet_tx_burst,
    .tx_gather = vnet_tx_gather,
    .tx_flush = vnet_tx_flush,
    .irq_enable = vnet_irq_enable,
};

/* Sets up queue `index` with up to MAX_BUFS buffers; returns how many, or 0 on failure. */
static uint16_t setup_queue(struct vnet *v, uint16_t index, struct virtq *q, bool event_idx)
{
    struct virtio_dev *d = v->vd;
    uint16_t max = d->ops->queue_max(d, index);
    if (max == 0 || (max & (max - 1)) != 0)
        return 0;
    /* Legacy devices fix the size; modern ones take any power of two up to their maximum. */
    uint16_t size = d->modern && max > MAX_QUEUE_SIZE ? MAX_QUEUE_SIZE : max;
    uint8_t *ring = alloc_pages(virtq_bytes(size), true);
    if (ring == NULL)
        return 0;
    virtq_init(q, size, ring, event_idx);
    if (d->ops->queue_setup(d, index, q) < 0)
        return 0;
    virtq_disable_interrupts(q);
    return size < MAX_BUFS ? size : MAX_BUFS;
}

static void fail(struct virtio_dev *d, const char *why)
{
    d->ops->set_status(d, VIRTIO_STATUS_FAILED);
    kprintf_always("atoll: virtio-net (%s): %s; device ignored\n", d->where, why);
}

void virtio_net_attach(struct virtio_dev *d)
{
    if (nnics >= NETDEV_MAX) {
        kprintf_always("atoll: virtio-net (%s): more than %d NICs; device ignored\n", d->where,
                       NETDEV_MAX);
        return;
    }
    struct vnet *v = &nics[nnics];
    memset(v, 0, sizeof(*v));
    v->vd = d;

    d->ops->set_status(d, 0);
    for (int i = 0; i < 1000000 && d->ops->get_status(d) != 0; i++)
        ;
    d->ops->set_status(d, VIRTIO_STATUS_ACKNOWLEDGE);
    d->ops->set_status(d, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    uint64_t offered = d->ops->get_features(d);
    uint64_t features = offered & FEATURES_WANTED;
    if (!d->modern)
        features &= 0xffffffffu;
    if (!(features & VIRTIO_BIT(VIRTIO_NET_F_CSUM)))
        features &= ~VIRTIO_BIT(VIRTIO_NET_F_HOST_TSO4); /* TSO4 depends on CSUM */
    if (d->modern && !(features & VIRTIO_BIT(VIRTIO_F_VERSION_1))) {
        fail(d, "modern device without VIRTIO_F_VERSION_1");
        return;
    }
    d->ops->set_features(d, features);
    uint8_t status = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER;
    if (d->modern) {
        status |= VIRTIO_STATUS_FEATURES_OK;
        d->ops->set_status(d, status);
        if (!(d->ops->get_status(d) & VIRTIO_STATUS_FEATURES_OK)) {
            fail(d, "device refused the features");
            return;
        }
    }
    v->hdr_len = features & VIRTIO_BIT(VIRTIO_F_VERSION_1) ? HDR_LEN_MODERN : HDR_LEN_LEGACY;

    bool event_idx = features & VIRTIO_BIT(VIRTIO_F_RING_EVENT_IDX);
    v->nrx = setup_queue(v, RX_QUEUE, &v->rx, event_idx);
    v->ntx = setup_queue(v, TX_QUEUE, &v->tx, event_idx);
    if (v->nrx == 0 || v->ntx == 0) {
        fail(d, "cannot set up its queues");
        return;
    }
    v->rx_mem = alloc_pages((size_t)v->nrx * NETBUF_SIZE, false);
    v->tx_mem = alloc_pages((size_t)v->ntx * NETBUF_SIZE, false);
    if (v->rx_mem == NULL || v->tx_mem == NULL) {
        fail(d, "out of memory for its buffers");
        return;
    }
    for (uint16_t id = 0; id < v->nrx; id++) {
        v->rxb[id].priv = v;
        rx_post(v, id);
    }
    for (uint16_t id = 0; id < v->ntx; id++)
        v->tx_free[v->tx_nfree++] = (uint16_t)(v->ntx - 1 - id);

    struct netdev *nd = &v->nd;
    if (features & VIRTIO_BIT(VIRTIO_NET_F_MAC)) {
        for (unsigned i = 0; i < ETH_ADDR_LEN; i++)
            nd->mac[i] = d->ops->config_read8(d, i);
    } else {
        random_bytes(nd->mac, ETH_ADDR_LEN);
        nd->mac[0] = (uint8_t)((nd->mac[0] & 0xfe) | 0x02); /* unicast, locally administered */
    }
    nd->mtu = 1500;
    if (features & VIRTIO_BIT(VIRTIO_NET_F_MTU)) {
        uint16_t mtu = (uint16_t)(d->ops->config_read8(d, 10) | d->ops->config_read8(d, 11) << 8);
        if (mtu >= 68 && mtu <= NETBUF_SIZE - HDR_LEN_MODERN - 14)
            nd->mtu = mtu;
    }
    /* TSO needs checksum offload (virtio 1.x 5.1.3.1) and room for two 64 KiB frames. */
    if (features & VIRTIO_BIT(VIRTIO_NET_F_CSUM)) {
        nd->offloads |= NETDEV_F_CSUM;
        if ((features & VIRTIO_BIT(VIRTIO_NET_F_HOST_TSO4)) &&
            v->ntx >= 2 * ((HDR_LEN_MODERN + NETDEV_GATHER_MAX) / NETBUF_SIZE + 1))
            nd->offloads |= NETDEV_F_TSO4;
    }
    /* Frames from the host's own stack then come with their checksum left undone (NEEDS_CSUM),
     * others the host verified with DATA_VALID: the stack sums neither. */
    if (features & VIRTIO_BIT(VIRTIO_NET_F_GUEST_CSUM))
        nd->offloads |= NETDEV_F_RXCSUM;
    nd->ops = &vnet_ops;
    nd->priv = v;
    if (netdev_register(nd) < 0) {
        fail(d, "no netdev slot left");
        return;
    }
    for (uint16_t i = 0; i < v->nrx; i++)
        v->rxb[i].dev = (uint16_t)(nd->index - 1);
    nnics++;
    d->ops->set_status(d, status | VIRTIO_STATUS_DRIVER_OK);
    kick(v, &v->rx, RX_QUEUE);
}

/* Only wakes the CPU: marks every NIC for the next poll. A line-based device must be acknowledged
 * here (it reads and clears its interrupt status), or its level interrupt would fire again. */
static void virtio_net_interrupt(struct trap_frame *f)
{
    (void)f;
    for (unsigned i = 0; i < nnics; i++) {
        struct vnet *v = &nics[i];
        if (v->vd->irq_routed)
            v->vd->ops->isr_ack(v->vd);
        v->nd.pending = true;
    }
    lapic_eoi();
}

void virtio_net_irq_init(void)
{
    idt_set_handler(VIRTIO_NET_VECTOR, virtio_net_interrupt);
}

const char *virtio_net_where(const struct netdev *nd, bool *legacy)
{
    const struct vnet *v = nd->priv;
    *legacy = !v->vd->modern;
    return v->vd->where;
}
