/* Internals shared by the AF_PACKET files: the socket's state and Linux's constants. */
#ifndef ATOLL_NET_PACKET_INTERNAL_H
#define ATOLL_NET_PACKET_INTERNAL_H

#include "atoll/errno.h"
#include "atoll/netdev.h"
#include "socket.h"

#define ETH_P_ALL              0x0003
#define ETH_HLEN               14
#define ARPHRD_ETHER           1
#define SOL_PACKET             263
#define PACKET_ADD_MEMBERSHIP  1
#define PACKET_DROP_MEMBERSHIP 2
#define PACKET_STATISTICS      6
#define PACKET_HOST            0
#define PACKET_BROADCAST       1
#define PACKET_MULTICAST       2
#define PACKET_OTHERHOST       3
#define FIONREAD               0x541b
#define FIONBIO                0x5421
#define SOL_SOCKET             1
#define SO_TYPE                3
#define SO_ERROR               4
#define SO_SNDBUF              7
#define SO_RCVBUF              8
#define SO_RCVTIMEO            20
#define SO_SNDTIMEO            21
#define SO_PROTOCOL            38
#define SO_DOMAIN              39
#ifndef EDOM
#define EDOM 33
#endif
#ifndef ESOCKTNOSUPPORT
#define ESOCKTNOSUPPORT 94
#endif

#define PACKET_MAX_SOCKS  16
#define PACKET_RING_SLOTS 128 /* frames waiting per socket; more are dropped and counted */
#define PACKET_SLOT_SIZE  NETBUF_SIZE
#define PACKET_RING_PAGES (PACKET_RING_SLOTS * PACKET_SLOT_SIZE / PAGE_SIZE)
#define PACKET_TX_BATCH   32 /* MSG_MORE frames held before they go to the driver together */
#define PACKET_TX_PAGES   (PACKET_TX_BATCH * PACKET_SLOT_SIZE / PAGE_SIZE)

/* Linux's struct sockaddr_ll (20 bytes). */
struct sockaddr_ll {
    uint16_t family;
    uint16_t protocol; /* network byte order */
    int32_t ifindex;
    uint16_t hatype;
    uint8_t pkttype;
    uint8_t halen;
    uint8_t addr[8];
};

struct packet_slot {
    uint16_t len;
    uint8_t dev;
    uint8_t pkttype;
};

struct packet_sock {
    struct sock sock; /* first: the generic layer's pointer is ours */
    bool used;
    uint16_t protocol; /* host byte order; 0 receives nothing, ETH_P_ALL everything */
    unsigned ifindex;  /* 0: every interface */
    uint8_t *ring;     /* PACKET_RING_SLOTS frames of PACKET_SLOT_SIZE bytes */
    struct packet_slot slots[PACKET_RING_SLOTS];
    unsigned head, count;     /* oldest frame, frames queued */
    uint32_t received, drops; /* since the last PACKET_STATISTICS */
    /* Transmit batch: frames sent with MSG_MORE wait in `stage` (allocated at the first such
     * send) and reach the driver in one tx_burst with the next send without MSG_MORE. */
    uint8_t *stage;
    struct netbuf pending[PACKET_TX_BATCH + 1]; /* + 1: the send that ends the batch */
    unsigned npending, nsent;                   /* frames held, frames the driver took */
    unsigned pending_dev;
    uint32_t tx_dropped; /* held frames the driver had no room for */
};

static inline struct packet_sock *to_packet(struct sock *s)
{
    return (struct packet_sock *)s;
}

static inline uint16_t swap16(uint16_t v)
{
    return (uint16_t)(v << 8 | v >> 8);
}

/* packet_opts.c */
int packet_setsockopt(struct sock *s, int level, int name, const void *val, unsigned len);
int packet_getsockopt(struct sock *s, int level, int name, void *val, unsigned *len);
long packet_ioctl(struct sock *s, unsigned long req, unsigned long arg);

#endif
