/* The ARP cache of a network function: entries with expiry, and a bounded queue of frames that
 * wait for an address to resolve. */
#ifndef NETFN_ARP_H
#define NETFN_ARP_H

#include <stddef.h>
#include <stdint.h>

#include "wire.h"

#define ARP_ENTRIES    128
#define ARP_PENDING    32
#define ARP_TTL_MS     60000 /* a resolved entry is believed this long */
#define ARP_RETRY_MS   1000  /* a request is repeated at most this often */
#define ARP_GIVE_UP_MS 3000  /* frames that waited this long are dropped */

struct arp_entry {
    uint32_t ip;
    uint8_t mac[6];
    uint8_t ifidx;
    uint8_t resolved;
    uint64_t expires_ms;      /* resolved: until when; unresolved: when to give up */
    uint64_t last_request_ms; /* unresolved: when we last asked */
};

struct arp_pending {
    uint32_t next_hop;
    uint16_t len;
    uint8_t ifidx;
    uint8_t used;
    int8_t in_ifidx; /* where it came from (-1: made here), for host unreachable */
    uint64_t since_ms;
    uint8_t frame[NF_FRAME_MAX];
};

struct arp_cache {
    struct arp_entry entries[ARP_ENTRIES];
    struct arp_pending pending[ARP_PENDING];
};

void arp_init(struct arp_cache *c);
/* The MAC of ip on interface ifidx if resolved and fresh, else NULL. */
const uint8_t *arp_lookup(struct arp_cache *c, unsigned ifidx, uint32_t ip, uint64_t now_ms);
/* Records ip -> mac on ifidx (an answer, or a request that names us). */
void arp_learn(struct arp_cache *c, unsigned ifidx, uint32_t ip, const uint8_t *mac,
               uint64_t now_ms);
/* Queues a frame for next_hop; returns whether a request should go out now (none recently).
 * Returns -1 when the queue is full. */
int arp_enqueue(struct arp_cache *c, unsigned ifidx, uint32_t next_hop, const uint8_t *frame,
                size_t len, int in_ifidx, uint64_t now_ms);
/* The next queued frame waiting for ip on ifidx (NULL when none); the caller sends it and calls
 * arp_pending_done. */
struct arp_pending *arp_pending_for(struct arp_cache *c, unsigned ifidx, uint32_t ip);
void arp_pending_done(struct arp_pending *p);
/* The next queued frame that waited too long (NULL when none); the caller answers it with host
 * unreachable and calls arp_pending_done. */
struct arp_pending *arp_pending_expired(struct arp_cache *c, uint64_t now_ms);
/* Forgets stale entries. */
void arp_expire(struct arp_cache *c, uint64_t now_ms);

/* Builds an ARP frame (op 1 request, 2 reply) into out (42 bytes); returns its length. */
size_t arp_build(uint8_t *out, unsigned op, const uint8_t *src_mac, uint32_t src_ip,
                 const uint8_t *dst_mac, uint32_t dst_ip);

#endif
