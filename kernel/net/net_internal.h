/* Shared internals of kernel/net: interface state, byte helpers and the layers' entry points. */
#ifndef ATOLL_NET_INTERNAL_H
#define ATOLL_NET_INTERNAL_H

#include "atoll/errno.h"
#include "atoll/net.h"
#include "atoll/netcounters.h"
#include "atoll/udp.h"

#define ETH_TYPE_IPV4  0x0800
#define ETH_TYPE_ARP   0x0806
#define IP_PROTO_ICMP  1
#define IP_PROTO_UDP   17
#define IP_PROTO_TCP   6
#define IP_HLEN        20
#define IP_DEFAULT_TTL 64
#define NET_NS_PER_SEC 1000000000ull

/* Frames are byte arrays of any alignment: fields are read and written byte by byte. */
static inline uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}
static inline uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}
static inline void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

struct net_if {
    bool attached;
    uint8_t mac[ETH_ADDR_LEN];
    uint16_t mtu;
    uint32_t addr;
    unsigned prefix;
    unsigned offloads; /* NETDEV_F_*, set by net_if_set_offloads */
};
extern struct net_if net_ifs[NET_MAX_IF];
extern const struct net_hooks *net_hooks_active;
extern const uint8_t net_eth_broadcast[ETH_ADDR_LEN];

/* netif.c: the attached interfaces' addresses, packed (rebuilt on every change). The stack asks
 * for every packet in and out whether an address is its own: inline, as a call and return are
 * each a translated-block exit under TCG. */
struct net_local_addr {
    uint32_t addr;
    unsigned dev;
};
extern struct net_local_addr net_local_addrs[NET_MAX_IF];
extern unsigned net_local_count;
/* The device whose address is addr, or -EADDRNOTAVAIL. */
static inline int net_if_by_addr(uint32_t addr)
{
    for (unsigned i = 0; i < net_local_count; i++)
        if (net_local_addrs[i].addr == addr)
            return (int)net_local_addrs[i].dev;
    return -EADDRNOTAVAIL;
}
/* True when addr is one of this instance's addresses (or in 127.0.0.0/8). */
static inline bool net_addr_is_local(uint32_t addr)
{
    return (addr >> 24) == 127 || (addr && net_if_by_addr(addr) >= 0);
}

static inline uint64_t net_now(void)
{
    return net_hooks_active && net_hooks_active->now_ns ? net_hooks_active->now_ns() : 0;
}
static inline uint32_t net_mask(unsigned prefix)
{
    return prefix == 0 ? 0 : 0xffffffffu << (32 - prefix);
}
/* The directed broadcast address of dev's subnet (0 when it has no address or is /31, /32). */
uint32_t net_if_broadcast(unsigned dev);

/* checksum.c: the Internet checksum (RFC 1071), in pieces. */
uint32_t csum_add(uint32_t sum, const void *data, size_t len);
uint16_t csum_fold(uint32_t sum);
uint32_t csum_pseudo(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len);
/* Adds a piece that starts at an odd offset of the summed whole when `odd`. */
uint32_t csum_add_at(uint32_t sum, const void *data, size_t len, bool odd);

/* eth.c */
/* csum_ok: the device vouched for the transport checksum (net_rx_csum). */
void eth_input(unsigned dev, const uint8_t *frame, size_t len, bool csum_ok);
/* Sends a frame whose payload (after the 14-byte header the caller left room for) is built. */
void eth_output(unsigned dev, const uint8_t dst[ETH_ADDR_LEN], uint16_t type, uint8_t *frame,
                size_t len);

/* arp.c */
void arp_reset(void);
void arp_input(unsigned dev, const uint8_t *pkt, size_t len);
/* Sends an IPv4 frame (header room included) to next_hop on dev, resolving the MAC first and
 * queuing the frame while resolution is pending. */
void arp_output(unsigned dev, uint32_t next_hop, uint8_t *frame, size_t len);
/* The destination MAC of a frame to next_hop on dev when known now (broadcast, multicast, a
 * reachable entry); false otherwise, with nothing sent or queued. */
bool arp_lookup_mac(unsigned dev, uint32_t next_hop, uint8_t mac[ETH_ADDR_LEN]);
void arp_poll(uint64_t now);
uint64_t arp_next_deadline(void);

/* A received IPv4 datagram, complete (possibly reassembled). */
struct ip_rx {
    unsigned dev;
    uint32_t src, dst;
    uint8_t proto, ttl;
    const uint8_t *hdr; /* the original header (of the first fragment), hdr_len bytes */
    size_t hdr_len;
    const uint8_t *payload;
    size_t len;
    bool to_broadcast;
    bool csum_ok; /* the device vouched for the transport checksum: it is not summed */
};

/* Whether a received segment's transport checksum needs no summing: the device vouched for it
 * (counted as rx_csum_offload). */
static inline bool csum_vouched(const struct ip_rx *ip)
{
    if (!ip->csum_ok)
        return false;
    net_counters.rx_csum_offload++;
    return true;
}

/* ipv4.c */
void ip_input(unsigned dev, const uint8_t *pkt, size_t len, bool csum_ok);
void ip_deliver(const struct ip_rx *ip);
/* Sends a datagram whose payload is pre (a transport header) then what iov gathers; fragments as
 * needed. src 0 = the route's address. Returns 0 or -ENETUNREACH / -EMSGSIZE. */
int ip_output(uint32_t src, uint32_t dst, uint8_t proto, uint8_t ttl, const void *pre,
              size_t pre_len, const struct net_iov *iov, unsigned iovcnt);
void ip_reset(void);
/* The offloads (NETDEV_F_*) a datagram to dst would get: 0 for our own addresses, no route, or
 * a stack without a tx_gather hook. */
unsigned ip_route_offloads(uint32_t dst);
/* Sends a transport segment (header l4 of l4_len bytes, then iov) through the route's device
 * with its checksum left to the device: the field at csum_offset in l4 gets the pseudo-header
 * sum. gso_size non-zero (the payload is longer): a TSO frame the device cuts into gso_size
 * payloads. -EOPNOTSUPP when the device cannot (no such offload, a local or unresolved
 * destination): nothing was sent and the caller sends it in software; otherwise 0 or the error
 * of a send that failed. */
int ip_output_offload(uint32_t src, uint32_t dst, uint8_t proto, uint8_t *l4, size_t l4_len,
                      const struct net_iov *iov, unsigned iovcnt, uint16_t csum_offset,
                      uint16_t gso_size);

/* reasm.c */
void reasm_reset(void);
/* Takes one fragment (header validated); calls ip_deliver when it completes a datagram. */
void reasm_input(unsigned dev, const uint8_t *hdr, size_t hdr_len, const uint8_t *data, size_t len);
void reasm_poll(uint64_t now);
uint64_t reasm_next_deadline(void);

/* icmp.c */
void icmp_reset(void);
void icmp_input(const struct ip_rx *ip);
/* Sends a destination unreachable (code) about the received datagram ip, rate-limited. */
void icmp_send_unreachable(const struct ip_rx *ip, uint8_t code);

/* udp.c */
void udp_reset(void);
void udp_input(const struct ip_rx *ip);
/* An ICMP error about a datagram we sent from local:lport to remote:rport. */
void udp_icmp_error(uint32_t local, uint16_t lport, uint32_t remote, uint16_t rport, int err,
                    uint32_t info);
/* udp_queue.c: the endpoint's receive ring. */
bool udp_queue_push(struct udp_endpoint *ep, const struct udp_datagram_info *info,
                    const uint8_t *payload);

#endif
