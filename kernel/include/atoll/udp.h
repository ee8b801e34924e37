/* The UDP API the socket layer calls: endpoints, binding, receive queues and sending. */
#ifndef ATOLL_UDP_H
#define ATOLL_UDP_H

#include "atoll/net.h"

#define UDP_MAX_PAYLOAD    (NET_IP_MAX_LEN - 20 - 8) /* 65507 */
#define UDP_MAX_ENDPOINTS  256
#define UDP_EPHEMERAL_LOW  32768 /* Linux's ip_local_port_range */
#define UDP_EPHEMERAL_HIGH 60999

/* One datagram as the receive queue stores it (the payload follows the header in the queue). */
struct udp_datagram_info {
    uint32_t src_addr; /* the sender */
    uint16_t src_port;
    uint32_t dst_addr; /* the local address it was sent to (IP_PKTINFO's ipi_addr) */
    unsigned dev;      /* the device it arrived on (IP_PKTINFO's ipi_ifindex is dev + 1) */
    size_t len;        /* payload bytes */
};

/* A UDP endpoint. The socket layer owns its memory (embed it in the socket) and the receive
 * buffer, both set up when the socket is created, so receiving never allocates. Fields marked
 * "stack" are the stack's; the socket layer reads them but does not write them. */
struct udp_endpoint {
    /* Set by the socket layer before udp_bind: */
    bool reuse_addr; /* SO_REUSEADDR */
    bool reuse_port; /* SO_REUSEPORT */
    uint8_t ttl;     /* IP_TTL for what it sends; 0 means 64 */
    /* Called (if set) when a datagram was queued or an error recorded: wake the waiters. */
    void (*notify)(struct udp_endpoint *ep);
    void *owner; /* the socket layer's */

    /* stack: where it is bound and, after udp_connect, the only peer it receives from. */
    uint32_t local_addr;
    uint16_t local_port; /* 0 = not bound */
    uint32_t remote_addr;
    uint16_t remote_port; /* 0 = not connected */
    /* stack: the last ICMP error reported for this endpoint (0 = none): -ECONNREFUSED (port
     * unreachable), -EHOSTUNREACH, -ENETUNREACH, -EMSGSIZE (frag needed; error_info holds the
     * next-hop MTU). Linux reports these only to connected sockets (or with IP_RECVERR); the
     * socket layer decides, and clears it with udp_take_error. */
    int error;
    uint32_t error_info;

    /* stack: the receive queue, a ring of (struct udp_datagram_info, payload) records padded to
     * 8 bytes. Records never wrap: when one does not fit at the end, rx_wrap marks where the
     * data stops and it goes to offset 0. A datagram that does not fit is dropped, so the buffer
     * must hold UDP_MAX_PAYLOAD + 64 bytes for the largest datagrams to arrive. */
    uint8_t *rx_buf;
    size_t rx_size, rx_head, rx_tail, rx_wrap; /* rx_wrap 0 = not wrapped */
    size_t rx_bytes;                           /* payload bytes queued */
    unsigned rx_count;                         /* datagrams queued */
    bool in_table;
};

/* Prepares ep with a receive buffer of size bytes (the limit of what can be queued: SO_RCVBUF).
 * Resets everything else; the socket layer then sets its options and calls udp_bind. */
void udp_endpoint_init(struct udp_endpoint *ep, void *rx_buf, size_t size);
/* Replaces the receive buffer (SO_RCVBUF); queued datagrams are dropped. */
void udp_set_rxbuf(struct udp_endpoint *ep, void *rx_buf, size_t size);

/* Binds to addr:port. addr 0 = INADDR_ANY; port 0 = an ephemeral port. -EADDRNOTAVAIL when addr
 * is not local (and not broadcast), -EADDRINUSE when taken (unless both sides set SO_REUSEADDR, or
 * both SO_REUSEPORT), -EINVAL when already bound, -ENOSPC when UDP_MAX_ENDPOINTS are bound. */
int udp_bind(struct udp_endpoint *ep, uint32_t addr, uint16_t port);
/* Sets the peer (binding to an ephemeral port and the route's source address first if unbound).
 * addr 0 dissolves the association (AF_UNSPEC). -ENETUNREACH when there is no route. */
int udp_connect(struct udp_endpoint *ep, uint32_t addr, uint16_t port);
/* Unbinds ep and forgets its queue; ep may then be freed. */
void udp_close(struct udp_endpoint *ep);

/* Sends one datagram of the gathered payload from ep to dst:dst_port (ep's peer when dst_port is
 * 0). Binds ep to an ephemeral port first if unbound. Fragments when larger than the MTU.
 * Returns the payload length, or -EMSGSIZE (> UDP_MAX_PAYLOAD), -ENETUNREACH, -EDESTADDRREQ
 * (no destination), -EINVAL (port 0). A datagram lost for lack of ARP resolution still counts
 * as sent, as on Linux. */
struct net_iov {
    const void *base;
    size_t len;
};
int udp_sendv(struct udp_endpoint *ep, uint32_t dst, uint16_t dst_port, const struct net_iov *iov,
              unsigned iovcnt);
/* The same without an endpoint: from src:src_port (src 0 = the route's source address). */
int udp_send(uint32_t src, uint16_t src_port, uint32_t dst, uint16_t dst_port, const void *payload,
             size_t len);

/* Looks at the oldest queued datagram: fills *info and returns true, or returns false when the
 * queue is empty (FIONREAD is info.len). */
bool udp_peek(const struct udp_endpoint *ep, struct udp_datagram_info *info);
/* Copies up to cap bytes of the oldest datagram's payload from offset 0 into buf (scattered
 * reads call it with successive iov pieces through udp_copy_at). Returns bytes copied. */
size_t udp_copy_at(const struct udp_endpoint *ep, size_t offset, void *buf, size_t cap);
/* Removes the oldest datagram (after MSG_PEEK-less reads). */
void udp_pop(struct udp_endpoint *ep);
/* Returns and clears the pending ICMP error (0 when none). */
int udp_take_error(struct udp_endpoint *ep);

/* Finds the endpoint a datagram to dst:dst_port from src:src_port goes to (NULL when none). */
struct udp_endpoint *udp_lookup(uint32_t dst, uint16_t dst_port, uint32_t src, uint16_t src_port);

#endif
