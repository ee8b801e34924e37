/* The network stack's API for drivers and the kernel: interfaces, routes, receive, timers. */
#ifndef ATOLL_NET_H
#define ATOLL_NET_H

#include "atoll/klib.h"
#include "atoll/netdev.h"

/* Conventions of the whole stack:
 *  - IPv4 addresses are uint32_t in HOST byte order (10.0.0.1 is 0x0a000001); ports are host order.
 *  - `dev` is the 0-based position of a device (netdev_get(dev), netbuf.dev); Linux's ifindex is
 *    dev + 1.
 *  - Errors are negative errno values.
 *  - All memory is static and sized here; the receive path allocates nothing.
 *  - Single-threaded: the caller serialises net_rx, net_poll and the UDP API. */

#define NET_MAX_IF          NETDEV_MAX
#define NET_MAX_ROUTES      32
#define NET_ETH_HLEN        14
#define NET_ETH_MAX_PAYLOAD 9000 /* the largest MTU an interface may be given */
#define NET_IP_MAX_LEN      65535

#define NET_IPV4(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((c) << 8) | (d))
#define NET_IP_ANY           0u
#define NET_IP_BROADCAST     0xffffffffu

/* What the stack needs from its host: a clock and a way to put a frame on a link. */
struct net_hooks {
    /* Monotonic time in nanoseconds (the kernel passes clock_monotonic_ns; tests a virtual one). */
    uint64_t (*now_ns)(void);
    /* Sends one Ethernet frame (FCS excluded) on device dev; the frame memory is the stack's and
     * is reused after the call returns, so the callee copies it. Must not call net_rx itself. */
    void (*tx)(unsigned dev, const uint8_t *frame, size_t len);
    /* Optional: sends one frame made of n pieces with offload metadata, on a device given
     * offloads with net_if_set_offloads (TCP checksum offload, TSO frames up to 64 KiB). The
     * pieces are copied before the call returns. 0, or a negative errno when it was not sent. */
    int (*tx_gather)(unsigned dev, const struct netdev_frag *frags, unsigned n,
                     const struct netdev_offload *off);
};

/* Resets all state (interfaces, routes, caches, endpoints, counters) and installs the hooks. */
void net_init(const struct net_hooks *hooks);

/* Makes device dev known to the stack with its MAC address and MTU (0 = 1500). */
int net_if_attach(unsigned dev, const uint8_t mac[ETH_ADDR_LEN], uint16_t mtu);
/* What device dev does for TCP output (NETDEV_F_CSUM, NETDEV_F_TSO4); used only with a
 * tx_gather hook. 0, the default, keeps every frame whole and software-checksummed. */
int net_if_set_offloads(unsigned dev, unsigned offloads);
/* Sets the IPv4 address and prefix length (0..32) and, when mtu is not 0, the MTU (68..9000).
 * Replaces the interface's connected route. addr 0 removes the address. */
int net_if_configure(unsigned dev, uint32_t addr, unsigned prefix, uint16_t mtu);

/* Interface facts for ioctls and the socket layer; false when dev is not attached. */
struct net_if_info {
    uint8_t mac[ETH_ADDR_LEN];
    uint16_t mtu;
    uint32_t addr; /* 0 when unconfigured */
    unsigned prefix;
};
bool net_if_get(unsigned dev, struct net_if_info *out);
/* True for 255.255.255.255 and for the directed broadcast of any interface's subnet (what
 * SO_BROADCAST guards on sending). */
bool net_addr_is_broadcast(uint32_t addr);

/* Adds a route: dst/prefix reached through gateway gw (0 = directly connected) on device dev.
 * A default gateway is net_route_add(0, 0, gw, dev). -ENOSPC when the table is full, -EEXIST
 * for a duplicate of dst/prefix, -EINVAL for a bad prefix or device. */
int net_route_add(uint32_t dst, unsigned prefix, uint32_t gw, unsigned dev);
int net_route_del(uint32_t dst, unsigned prefix);
/* Longest-prefix match: fills the device and next hop (dst itself when connected). */
struct net_route_result {
    unsigned dev;
    uint32_t next_hop;
    uint32_t src; /* the device's address: the source to use */
};
int net_route_lookup(uint32_t dst, struct net_route_result *out); /* 0 or -ENETUNREACH */

/* Hands one received Ethernet frame (FCS excluded) from device dev to the stack. The frame is
 * only read, and not kept after the call returns. */
void net_rx(unsigned dev, const uint8_t *frame, size_t len);
/* The same, with the device's word on the transport checksum (enum netdev_rx_csum_state): a
 * frame the host verified (VALID) or whose checksum it left undone (PARTIAL: it never left the
 * host) has its TCP, UDP or ICMP checksum taken as good, unsummed. */
void net_rx_csum(unsigned dev, const uint8_t *frame, size_t len, unsigned csum_state);

/* Runs the timers (ARP expiry and retries, reassembly timeouts) due at time now. */
void net_poll(uint64_t now_ns);
/* The earliest time net_poll has something to do, or UINT64_MAX. */
uint64_t net_next_deadline(void);
/* Whether TCP still has data or a FIN to deliver to another host (closed sockets included). */
bool net_output_pending(void);

/* Broadcasts a gratuitous ARP announcing dev's address (no-op when it has none). */
void net_arp_announce(unsigned dev);

#endif
