/* The netdev interface: the only thing the network stack knows about a NIC (bursts of frames). */
#ifndef ATOLL_NETDEV_H
#define ATOLL_NETDEV_H

#include "atoll/klib.h"

#define NETDEV_MAX      8
#define NETDEV_NAME_LEN 16
#define ETH_ADDR_LEN    6
#define NETBUF_SIZE     2048 /* one frame of up to 1514 bytes (+ headroom), never chained */
/* The largest frame tx_gather takes: an Ethernet header and a 64 KiB IPv4 datagram (TSO). */
#define NETDEV_GATHER_MAX (14 + 65535)

/* What a device does for the sender (netdev.offloads); the stack uses only these. */
#define NETDEV_F_CSUM 1u /* fills in a partial checksum (csum_start/csum_offset) */
#define NETDEV_F_TSO4 2u /* cuts a TCP/IPv4 frame of up to 64 KiB into gso_size segments */
/* What a device tells the receiver (netdev.offloads): each received frame's checksum state. */
#define NETDEV_F_RXCSUM 4u

/* A received frame's transport checksum, as the device reports it (virtio 1.x 5.1.6.4). */
enum netdev_rx_csum_state {
    NETDEV_RX_CSUM_NONE = 0, /* nothing known: the stack verifies it */
    NETDEV_RX_CSUM_VALID,    /* the device (the host's stack) verified it: DATA_VALID */
    NETDEV_RX_CSUM_PARTIAL,  /* never computed (the host's own stack sent it): the field at
                              * start + offset holds the pseudo-header sum: NEEDS_CSUM */
};
struct netdev_rx_csum {
    uint8_t state;   /* enum netdev_rx_csum_state */
    uint16_t start;  /* PARTIAL: from the frame's start to where the sum starts (L4) */
    uint16_t offset; /* PARTIAL: from start to the checksum field */
};

/* A frame buffer owned by whoever holds it; the driver's RX ring lends them to the stack and takes
 * them back with netdev_rx_done, so the hot path allocates nothing. */
struct netbuf {
    uint8_t *data;              /* start of the Ethernet header */
    uint16_t len;               /* frame length, FCS excluded */
    uint16_t dev;               /* index of the device it came from or goes to */
    struct netdev_rx_csum csum; /* received frames: what the device says of the checksum */
    void *priv;                 /* the driver's */
};

/* Offload metadata of one gathered frame (virtio 1.x 5.1.6.2, struct virtio_net_hdr). */
struct netdev_offload {
    uint16_t csum_start;  /* from the frame's start to where the checksum sum starts (L4) */
    uint16_t csum_offset; /* from csum_start to the checksum field, which holds the folded
                           * pseudo-header sum, not complemented */
    uint16_t gso_size;    /* TSO: payload bytes per segment; 0 for one plain frame */
    uint16_t hdr_len;     /* TSO: Ethernet + IP + TCP header bytes */
};

/* One piece of a gathered frame. */
struct netdev_frag {
    const void *base;
    size_t len;
};

struct netdev;
struct netdev_ops {
    /* Fills up to max received frames; returns how many (0 when none). */
    unsigned (*rx_burst)(struct netdev *d, struct netbuf **bufs, unsigned max);
    /* Gives received buffers back to the driver once the stack is done with them. */
    void (*rx_done)(struct netdev *d, struct netbuf **bufs, unsigned n);
    /* Queues up to n frames (copied: the caller keeps its memory); returns how many were taken.
     * The device hears of them at once, unless netdev_tx_deferred is set: then at the next
     * tx_flush (or when a batch's worth is queued), so that a batch costs one notification. */
    unsigned (*tx_burst)(struct netdev *d, const struct netbuf *frames, unsigned n);
    /* Queues one frame made of n pieces (copied once into the device's buffers) with offload
     * metadata: only for a device whose offloads cover what off asks. 0, -EMSGSIZE (never fits),
     * -ENOBUFS (no room now). Notified as tx_burst's frames. NULL: the device gathers nothing. */
    int (*tx_gather)(struct netdev *d, const struct netdev_frag *frags, unsigned n,
                     const struct netdev_offload *off);
    /* Tells the device about frames tx_burst queued since the last flush. */
    void (*tx_flush)(struct netdev *d);
    /* Re-enables the device's "something arrived" interrupt after a burst came up empty. */
    void (*irq_enable)(struct netdev *d);
};

struct netdev {
    char name[NETDEV_NAME_LEN]; /* "net0", "net1", … in discovery order */
    uint8_t mac[ETH_ADDR_LEN];
    uint16_t mtu;      /* IP MTU, 1500 by default */
    unsigned index;    /* Linux-style ifindex: 1 + position */
    unsigned offloads; /* NETDEV_F_*: what the device accepted to do (tx_gather, rx checksums) */
    const struct netdev_ops *ops;
    void *priv;
    volatile bool pending; /* set by the interrupt handler: the scheduler polls this device */
};

/* netdev registry (kernel/dev/net/netdev.c) */
int netdev_register(struct netdev *d); /* returns the index, or -ENOSPC */
unsigned netdev_count(void);
struct netdev *netdev_get(unsigned i); /* 0-based; NULL past the end */
/* Set around a UDP send: its frames may wait for netdev_tx_flush_all, which runs before every
 * wait, every UDP receive and the instance's end. Other senders (TCP, packet sockets, ICMP) are
 * notified at once, as before. */
extern bool netdev_tx_deferred;
void netdev_tx_flush_all(void);

/* Receive checksum offload (kernel/net/rx_csum.c). The device's word for a frame of len bytes
 * (virtio_net_hdr flags, csum_start, csum_offset) as a checksum state: a PARTIAL whose checksum
 * field would lie outside the frame, or start inside the Ethernet header, is NONE (the stack
 * then verifies as without offload). */
struct netdev_rx_csum netdev_rx_csum_parse(uint8_t flags, uint16_t start, uint16_t offset,
                                           size_t len);
/* Completes a PARTIAL frame's checksum in place: sums from start to the frame's end (the field
 * holds the pseudo-header sum) and stores the result at start + offset, so that a frame handed on
 * unchanged (a packet socket's) carries a valid checksum. False, nothing written, when the
 * field is outside the frame. */
bool netdev_rx_csum_complete(uint8_t *frame, size_t len, uint16_t start, uint16_t offset);

#endif
