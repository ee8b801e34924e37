/* ARP: a neighbour cache with expiry, a bounded queue of frames awaiting resolution, replies for
 * our own addresses, gratuitous announcements and defence of our addresses against spoofing. */
#include "net_internal.h"

#define ARP_CACHE_SIZE      64
#define ARP_POOL_FRAMES     64
#define ARP_POOL_FRAME_SIZE (NET_ETH_HLEN + 1500) /* larger (jumbo) frames are not queued */
#define ARP_QUEUE_MAX       48 /* a 65535-byte datagram is 45 fragments at MTU 1500 */
#define ARP_REACHABLE_NS    (60 * NET_NS_PER_SEC)
#define ARP_RETRY_NS        (1 * NET_NS_PER_SEC)
#define ARP_MAX_TRIES       3
#define ARP_DEFEND_NS       (10 * NET_NS_PER_SEC) /* RFC 5227 DEFEND_INTERVAL */
#define ARP_PKT_LEN         28
#define ARP_OP_REQUEST      1
#define ARP_OP_REPLY        2

enum arp_state { ARP_FREE, ARP_INCOMPLETE, ARP_REACHABLE };

struct arp_entry {
    uint8_t state;
    uint8_t tries;
    uint8_t mac[ETH_ADDR_LEN];
    unsigned dev;
    uint32_t ip;
    uint64_t deadline; /* INCOMPLETE: next retry; REACHABLE: expiry */
    uint64_t created;
    int16_t queue_head, queue_tail; /* pool indices, -1 = none */
    uint16_t queued;
};

struct arp_pending {
    int16_t next;
    uint16_t len;
    uint8_t data[ARP_POOL_FRAME_SIZE];
};

static struct arp_entry cache[ARP_CACHE_SIZE];
static struct arp_pending pool[ARP_POOL_FRAMES];
static int16_t pool_free;
/* No entry is due before this (it may be earlier than the true minimum: a freed or resolved entry
 * leaves it early, and the poll then finds nothing due and recomputes it). The wait loop asks for
 * the next deadline before every halt: scanning the whole cache each time cost more guest
 * instructions than the rest of a TCP round trip. */
static uint64_t next_due = UINT64_MAX;
static uint64_t last_defend[NET_MAX_IF];
static bool defended_once[NET_MAX_IF];

void arp_reset(void)
{
    memset(cache, 0, sizeof(cache));
    next_due = UINT64_MAX;
    for (int i = 0; i < ARP_POOL_FRAMES; i++)
        pool[i].next = (int16_t)(i + 1 < ARP_POOL_FRAMES ? i + 1 : -1);
    pool_free = 0;
    memset(last_defend, 0, sizeof(last_defend));
    memset(defended_once, 0, sizeof(defended_once));
}

static void arp_send(unsigned dev, uint16_t op, const uint8_t *eth_dst, const uint8_t *tha,
                     uint32_t spa, uint32_t tpa)
{
    uint8_t frame[60] = {0}; /* padded to Ethernet's minimum */
    uint8_t *p = frame + NET_ETH_HLEN;
    put16(p, 1);
    put16(p + 2, ETH_TYPE_IPV4);
    p[4] = ETH_ADDR_LEN;
    p[5] = 4;
    put16(p + 6, op);
    memcpy(p + 8, net_ifs[dev].mac, ETH_ADDR_LEN);
    put32(p + 14, spa);
    memcpy(p + 18, tha, ETH_ADDR_LEN);
    put32(p + 24, tpa);
    if (op == ARP_OP_REQUEST)
        net_counters.arp_requests_sent++;
    else
        net_counters.arp_replies_sent++;
    eth_output(dev, eth_dst, ETH_TYPE_ARP, frame, sizeof(frame));
}

static void send_request(unsigned dev, uint32_t ip)
{
    static const uint8_t zero[ETH_ADDR_LEN];
    arp_send(dev, ARP_OP_REQUEST, net_eth_broadcast, zero, net_ifs[dev].addr, ip);
}

void net_arp_announce(unsigned dev)
{
    static const uint8_t zero[ETH_ADDR_LEN];
    if (dev >= NET_MAX_IF || !net_ifs[dev].attached || !net_ifs[dev].addr)
        return;
    arp_send(dev, ARP_OP_REQUEST, net_eth_broadcast, zero, net_ifs[dev].addr, net_ifs[dev].addr);
}

static struct arp_entry *find(unsigned dev, uint32_t ip)
{
    for (unsigned i = 0; i < ARP_CACHE_SIZE; i++)
        if (cache[i].state != ARP_FREE && cache[i].dev == dev && cache[i].ip == ip)
            return &cache[i];
    return NULL;
}

/* Frees e and the frames queued on it (counted as unresolved when `lost`). */
static void entry_free(struct arp_entry *e)
{
    for (int16_t i = e->queue_head; i >= 0;) {
        int16_t next = pool[i].next;
        pool[i].next = pool_free;
        pool_free = i;
        net_counters.arp_unresolved++;
        i = next;
    }
    e->state = ARP_FREE;
    e->queue_head = e->queue_tail = -1;
    e->queued = 0;
}

/* A free entry, else the oldest one pushed out (resolved ones first: they cost only a request). */
static struct arp_entry *entry_alloc(unsigned dev, uint32_t ip)
{
    struct arp_entry *victim = NULL;
    for (unsigned i = 0; i < ARP_CACHE_SIZE; i++) {
        struct arp_entry *e = &cache[i];
        if (e->state == ARP_FREE) {
            victim = e;
            break;
        }
        if (!victim || (e->state == ARP_REACHABLE && victim->state != ARP_REACHABLE) ||
            (e->state == victim->state && e->created < victim->created))
            victim = e;
    }
    if (victim->state != ARP_FREE)
        entry_free(victim);
    memset(victim, 0, sizeof(*victim));
    victim->dev = dev;
    victim->ip = ip;
    victim->created = net_now();
    victim->queue_head = victim->queue_tail = -1;
    return victim;
}

static void entry_resolved(struct arp_entry *e, const uint8_t *mac)
{
    memcpy(e->mac, mac, ETH_ADDR_LEN);
    e->state = ARP_REACHABLE;
    e->deadline = net_now() + ARP_REACHABLE_NS;
    next_due = MIN(next_due, e->deadline);
    /* Unlink the queue first: sending may not touch it, but the entry is consistent either way. */
    int16_t i = e->queue_head;
    e->queue_head = e->queue_tail = -1;
    e->queued = 0;
    while (i >= 0) {
        int16_t next = pool[i].next;
        eth_output(e->dev, e->mac, ETH_TYPE_IPV4, pool[i].data, pool[i].len);
        pool[i].next = pool_free;
        pool_free = i;
        i = next;
    }
}

void arp_output(unsigned dev, uint32_t next_hop, uint8_t *frame, size_t len)
{
    if (next_hop == NET_IP_BROADCAST || next_hop == net_if_broadcast(dev)) {
        eth_output(dev, net_eth_broadcast, ETH_TYPE_IPV4, frame, len);
        return;
    }
    if ((next_hop >> 28) == 0xe) { /* multicast: the MAC is derived, never resolved (RFC 1112) */
        uint8_t mac[ETH_ADDR_LEN] = {0x01,
                                     0x00,
                                     0x5e,
                                     (uint8_t)((next_hop >> 16) & 0x7f),
                                     (uint8_t)(next_hop >> 8),
                                     (uint8_t)next_hop};
        eth_output(dev, mac, ETH_TYPE_IPV4, frame, len);
        return;
    }
    struct arp_entry *e = find(dev, next_hop);
    if (e && e->state == ARP_REACHABLE) {
        eth_output(dev, e->mac, ETH_TYPE_IPV4, frame, len);
        return;
    }
    if (!e) {
        e = entry_alloc(dev, next_hop);
        e->state = ARP_INCOMPLETE;
        e->tries = 1;
        e->deadline = net_now() + ARP_RETRY_NS;
        next_due = MIN(next_due, e->deadline);
        send_request(dev, next_hop);
    }
    if (e->queued >= ARP_QUEUE_MAX || pool_free < 0 || len > ARP_POOL_FRAME_SIZE) {
        net_counters.arp_queue_full++;
        return;
    }
    int16_t i = pool_free;
    pool_free = pool[i].next;
    pool[i].next = -1;
    pool[i].len = (uint16_t)len;
    memcpy(pool[i].data, frame, len);
    if (e->queue_tail >= 0)
        pool[e->queue_tail].next = i;
    else
        e->queue_head = i;
    e->queue_tail = i;
    e->queued++;
}

bool arp_lookup_mac(unsigned dev, uint32_t next_hop, uint8_t mac[ETH_ADDR_LEN])
{
    if (next_hop == NET_IP_BROADCAST || next_hop == net_if_broadcast(dev)) {
        memcpy(mac, net_eth_broadcast, ETH_ADDR_LEN);
        return true;
    }
    if ((next_hop >> 28) == 0xe) {
        const uint8_t m[ETH_ADDR_LEN] = {0x01,
                                         0x00,
                                         0x5e,
                                         (uint8_t)((next_hop >> 16) & 0x7f),
                                         (uint8_t)(next_hop >> 8),
                                         (uint8_t)next_hop};
        memcpy(mac, m, ETH_ADDR_LEN);
        return true;
    }
    struct arp_entry *e = find(dev, next_hop);
    if (!e || e->state != ARP_REACHABLE)
        return false;
    memcpy(mac, e->mac, ETH_ADDR_LEN);
    return true;
}

static bool is_our_mac(const uint8_t *mac)
{
    for (unsigned i = 0; i < NET_MAX_IF; i++)
        if (net_ifs[i].attached && memcmp(net_ifs[i].mac, mac, ETH_ADDR_LEN) == 0)
            return true;
    return false;
}

void arp_input(unsigned dev, const uint8_t *p, size_t len)
{
    net_counters.arp_rx++;
    if (len < ARP_PKT_LEN) {
        net_counters.arp_truncated++;
        return;
    }
    uint16_t op = get16(p + 6);
    const uint8_t *sha = p + 8;
    if (get16(p) != 1 || get16(p + 2) != ETH_TYPE_IPV4 || p[4] != ETH_ADDR_LEN || p[5] != 4 ||
        (op != ARP_OP_REQUEST && op != ARP_OP_REPLY) || (sha[0] & 1)) {
        net_counters.arp_bad++;
        return;
    }
    const struct net_if *nif = &net_ifs[dev];
    uint32_t spa = get32(p + 14), tpa = get32(p + 24);

    if (spa && net_if_by_addr(spa) >= 0) {
        if (is_our_mac(sha)) {
            /* Our own announcement, looped back or heard by another of our NICs. */
            net_counters.arp_not_for_us++;
            return;
        }
        /* Someone claims our address: keep it (RFC 5227 defence), at most once per interval. */
        net_counters.arp_spoof++;
        uint64_t now = net_now();
        if (spa == nif->addr && (!defended_once[dev] || now - last_defend[dev] >= ARP_DEFEND_NS)) {
            defended_once[dev] = true;
            last_defend[dev] = now;
            net_arp_announce(dev);
        }
        return;
    }
    bool for_us = nif->addr && tpa == nif->addr;
    bool acted = false;
    struct arp_entry *e = spa ? find(dev, spa) : NULL;
    if (!e && for_us && spa)
        e = entry_alloc(dev, spa); /* they talk to us: we will answer them */
    if (e) {
        entry_resolved(e, sha);
        acted = true;
    }
    if (op == ARP_OP_REQUEST && for_us) {
        arp_send(dev, ARP_OP_REPLY, sha, sha, nif->addr, spa);
        acted = true;
    }
    if (!acted)
        net_counters.arp_not_for_us++;
}

void arp_poll(uint64_t now)
{
    if (now < next_due)
        return;
    uint64_t next = UINT64_MAX;
    for (unsigned i = 0; i < ARP_CACHE_SIZE; i++) {
        struct arp_entry *e = &cache[i];
        if (e->state == ARP_FREE)
            continue;
        if (now >= e->deadline) {
            if (e->state == ARP_INCOMPLETE && e->tries < ARP_MAX_TRIES) {
                e->tries++;
                e->deadline = now + ARP_RETRY_NS;
                send_request(e->dev, e->ip);
            } else {
                entry_free(e);
                continue;
            }
        }
        next = MIN(next, e->deadline);
    }
    next_due = next;
}

uint64_t arp_next_deadline(void)
{
    return next_due;
}
