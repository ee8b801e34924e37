/* virtio 1.x: status and feature bits, the split virtqueue, and the transport interface. */
#ifndef ATOLL_VIRTIO_H
#define ATOLL_VIRTIO_H

#include "atoll/klib.h"

/* Device status bits (virtio 1.1, 2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER      2
#define VIRTIO_STATUS_DRIVER_OK   4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_FAILED      128

/* Feature bits this driver knows; nothing else is ever accepted. */
#define VIRTIO_NET_F_CSUM       0 /* the device completes partial checksums */
#define VIRTIO_NET_F_GUEST_CSUM 1 /* the driver takes partial or verified checksums */
#define VIRTIO_NET_F_MTU        3
#define VIRTIO_NET_F_HOST_TSO4  11 /* the device segments TCP/IPv4 (needs VIRTIO_NET_F_CSUM) */
#define VIRTIO_NET_F_MAC        5
#define VIRTIO_F_RING_EVENT_IDX 29
#define VIRTIO_F_VERSION_1      32
#define VIRTIO_BIT(b)           (1ull << (b))

#define VIRTIO_ID_NET 1

/* struct virtio_net_hdr (virtio 1.x 5.1.6): flags and gso_type values the driver sends. */
#define VIRTIO_NET_HDR_F_NEEDS_CSUM 1
#define VIRTIO_NET_HDR_F_DATA_VALID 2
#define VIRTIO_NET_HDR_GSO_NONE     0
#define VIRTIO_NET_HDR_GSO_TCPV4    1

/* ---- Split virtqueue (virtio 1.1, 2.6), laid out as legacy devices require: descriptors, then
 * the available ring, then the used ring at the next 4 KiB boundary. ---- */

#define VIRTQ_DESC_F_NEXT          1
#define VIRTQ_DESC_F_WRITE         2
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1
#define VIRTQ_USED_F_NO_NOTIFY     1
#define VIRTQ_ALIGN                4096
#define VIRTQ_MAX_SIZE             32768

struct virtq_desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};

struct virtq_avail {
    uint16_t flags;
    uint16_t idx;
    uint16_t ring[]; /* size entries, then used_event */
};

struct virtq_used_elem {
    uint32_t id;
    uint32_t len;
};

struct virtq_used {
    uint16_t flags;
    uint16_t idx;
    struct virtq_used_elem ring[]; /* size entries, then avail_event */
};

/* The driver's side of one queue. The driver gives buffer slot N the descriptor N for good, so
 * the hot path only moves indices; a large transmit frame chains several slots. */
struct virtq {
    uint16_t size; /* a power of two */
    bool event_idx;
    struct virtq_desc *desc;
    struct virtq_avail *avail;
    struct virtq_used *used;
    uint16_t avail_idx;   /* next available-ring index the driver writes (not yet published) */
    uint16_t kicked_idx;  /* avail->idx at the last notification decision */
    uint16_t last_used;   /* next used-ring index the driver reads */
    uint16_t outstanding; /* descriptors the device holds */
};

/* Bytes of contiguous, zeroed, 4 KiB-aligned memory a queue of `size` entries needs. */
size_t virtq_bytes(uint16_t size);
/* Lays the queue out in mem (virtq_bytes(size) zeroed bytes); size must be a power of two. */
void virtq_init(struct virtq *q, uint16_t size, void *mem, bool event_idx);
/* Offers descriptor `id` (addr/len, device-writable or not) to the device; published by
 * virtq_publish. Returns 0, -EINVAL for a bad id, -ENOSPC when the device holds all of them. */
int virtq_add(struct virtq *q, uint16_t id, uint64_t addr, uint32_t len, bool device_writes);
/* True when the device holds published descriptors it has not consumed and asks to be notified
 * for one of them: it is idle, waiting for a notification that was never sent. Seen with QEMU's
 * virtio-net under load (a transmit queue left unconsumed with the protocol's kick skipped);
 * notifying again is harmless, so the driver re-checks this whenever it polls. */
bool virtq_device_waiting(const struct virtq *q);
/* Offers one buffer made of n descriptors (ids[i] for addrs[i]/lens[i], device-readable),
 * chained in that order. Returns 0, -EINVAL, or -ENOSPC when the device would hold more than
 * size descriptors. virtq_get_used gives back the first id and counts the chain as returned. */
int virtq_add_chain(struct virtq *q, const uint16_t *ids, const uint64_t *addrs,
                    const uint32_t *lens, unsigned n);
/* Makes added descriptors visible to the device; returns true when it must be notified. */
bool virtq_publish(struct virtq *q);
/* Takes back one descriptor the device is done with: its id, and through *len the bytes it
 * wrote. -EAGAIN when none is ready. */
int virtq_get_used(struct virtq *q, uint32_t *len);
/* Whether the device has returned buffers the driver has not taken yet. */
bool virtq_has_used(const struct virtq *q);
/* Asks the device for an interrupt at the next used buffer; returns true if one is already
 * there (the caller should poll again rather than sleep). */
bool virtq_enable_interrupts(struct virtq *q);
/* Asks the device not to interrupt for used buffers (a hint: devices may still). */
void virtq_disable_interrupts(struct virtq *q);

/* ---- Transports: PCI (modern and legacy) and MMIO (versions 1 and 2) ---- */

struct virtio_dev;
struct virtio_transport_ops {
    uint8_t (*get_status)(struct virtio_dev *d);
    void (*set_status)(struct virtio_dev *d, uint8_t status); /* 0 resets */
    uint64_t (*get_features)(struct virtio_dev *d);
    void (*set_features)(struct virtio_dev *d, uint64_t features);
    uint16_t (*queue_max)(struct virtio_dev *d, uint16_t index); /* 0: no such queue */
    /* Hands the queue's rings (identity-mapped memory, legacy layout) to the device. */
    int (*queue_setup)(struct virtio_dev *d, uint16_t index, struct virtq *q);
    void (*notify)(struct virtio_dev *d, uint16_t index);
    uint8_t (*config_read8)(struct virtio_dev *d, unsigned offset);
    uint8_t (*isr_ack)(struct virtio_dev *d); /* reads (and so clears) the interrupt status */
};

struct virtio_dev {
    const struct virtio_transport_ops *ops;
    bool modern;                          /* virtio 1.x interface: VERSION_1 must be negotiated */
    uint16_t device_id;                   /* VIRTIO_ID_* */
    char where[32];                       /* "pci 00:03.0" or "mmio 0xfeb00e00", for messages */
    uint64_t base;                        /* MMIO base, or legacy PCI I/O port base */
    uint64_t common, notify, isr, device; /* modern PCI: mapped capability addresses */
    uint32_t notify_mult;
    uint8_t irq;     /* legacy interrupt line (GSI), 0xff when unknown */
    bool msix;       /* PCI: MSI-X entry 0 delivers VIRTIO_NET_VECTOR for every queue */
    bool irq_routed; /* MMIO or legacy PCI: a line through the I/O APIC, acknowledged per IRQ */
};

/* The interrupt vector of every NIC: interrupts only wake the CPU from halt; frames are taken by
 * polling (atoll_net_poll). */
#define VIRTIO_NET_VECTOR 0x40

/* ioapic.c: level-triggered, active-high routing of a GSI to vector on APIC 0; 0 or -1. */
int ioapic_route_level(unsigned gsi, uint8_t vector);

/* virtio_pci.c / virtio_mmio.c: find devices; each calls found(d) for every virtio device. */
typedef void (*virtio_found_fn)(struct virtio_dev *d);
void virtio_pci_probe(virtio_found_fn found);
void virtio_mmio_probe(virtio_found_fn found);

/* virtio_net.c */
struct netdev;
void virtio_net_attach(struct virtio_dev *d);
/* Registers the NIC interrupt handler (before any device may raise one). */
void virtio_net_irq_init(void);
/* link_probe.c: an ARP probe for QEMU user networking's gateway, reported once answered. */
struct netbuf;
void link_probe_send(struct netdev *nd);
void link_probe_check(struct netdev *nd, const struct netbuf *nb);
/* The transport a NIC sits on ("pci 00:03.0"), and whether it is a legacy device. */
const char *virtio_net_where(const struct netdev *nd, bool *legacy);

#endif
