/* The ARP cache of a network function: entries with expiry, and a bounded queue of frames that
 * wait for an address to resolve. Fixed tables; nothing allocated. */
#include "arp.h"

#include <string.h>

void arp_init(struct arp_cache *c)
{
    memset(c, 0, sizeof(*c));
}

static struct arp_entry *find(struct arp_cache *c, unsigned ifidx, uint32_t ip)
{
    for (int i = 0; i < ARP_ENTRIES; i++) {
        struct arp_entry *e = &c->entries[i];
        if (e->ip == ip && e->ifidx == ifidx && e->expires_ms)
            return e;
    }
    return NULL;
}

/* A free slot, else the one that expires first (an unresolved one before a resolved one). */
static struct arp_entry *slot_for(struct arp_cache *c)
{
    struct arp_entry *victim = &c->entries[0];
    for (int i = 0; i < ARP_ENTRIES; i++) {
        struct arp_entry *e = &c->entries[i];
        if (!e->expires_ms)
            return e;
        if (e->resolved > victim->resolved ||
            (e->resolved == victim->resolved && e->expires_ms < victim->expires_ms))
            continue;
        victim = e;
    }
    return victim;
}

const uint8_t *arp_lookup(struct arp_cache *c, unsigned ifidx, uint32_t ip, uint64_t now_ms)
{
    struct arp_entry *e = find(c, ifidx, ip);
    return e && e->resolved && e->expires_ms > now_ms ? e->mac : NULL;
}

void arp_learn(struct arp_cache *c, unsigned ifidx, uint32_t ip, const uint8_t *mac,
               uint64_t now_ms)
{
    struct arp_entry *e = find(c, ifidx, ip);
    if (!e)
        e = slot_for(c);
    e->ip = ip;
    e->ifidx = (uint8_t)ifidx;
    memcpy(e->mac, mac, 6);
    e->resolved = 1;
    e->expires_ms = now_ms + ARP_TTL_MS;
}

int arp_enqueue(struct arp_cache *c, unsigned ifidx, uint32_t next_hop, const uint8_t *frame,
                size_t len, int in_ifidx, uint64_t now_ms)
{
    struct arp_pending *free_slot = NULL;
    for (int i = 0; i < ARP_PENDING && !free_slot; i++) {
        if (!c->pending[i].used)
            free_slot = &c->pending[i];
    }
    if (!free_slot || len > NF_FRAME_MAX)
        return -1;
    free_slot->used = 1;
    free_slot->ifidx = (uint8_t)ifidx;
    free_slot->next_hop = next_hop;
    free_slot->len = (uint16_t)len;
    free_slot->since_ms = now_ms;
    free_slot->in_ifidx = (int8_t)in_ifidx;
    memcpy(free_slot->frame, frame, len);
    struct arp_entry *e = find(c, ifidx, next_hop);
    if (e && e->resolved && e->expires_ms <= now_ms)
        e->resolved = 0; /* stale: ask again */
    if (!e || e->resolved) {
        e = slot_for(c);
        *e = (struct arp_entry){.ip = next_hop, .ifidx = (uint8_t)ifidx};
        e->expires_ms = now_ms + ARP_GIVE_UP_MS;
        e->last_request_ms = now_ms;
        return 1;
    }
    if (now_ms - e->last_request_ms >= ARP_RETRY_MS) {
        e->last_request_ms = now_ms;
        return 1;
    }
    return 0;
}

struct arp_pending *arp_pending_for(struct arp_cache *c, unsigned ifidx, uint32_t ip)
{
    for (int i = 0; i < ARP_PENDING; i++) {
        struct arp_pending *p = &c->pending[i];
        if (p->used && p->ifidx == ifidx && p->next_hop == ip)
            return p;
    }
    return NULL;
}

void arp_pending_done(struct arp_pending *p)
{
    p->used = 0;
}

struct arp_pending *arp_pending_expired(struct arp_cache *c, uint64_t now_ms)
{
    for (int i = 0; i < ARP_PENDING; i++) {
        struct arp_pending *p = &c->pending[i];
        if (p->used && now_ms - p->since_ms >= ARP_GIVE_UP_MS)
            return p;
    }
    return NULL;
}

void arp_expire(struct arp_cache *c, uint64_t now_ms)
{
    for (int i = 0; i < ARP_ENTRIES; i++) {
        struct arp_entry *e = &c->entries[i];
        if (e->expires_ms && e->expires_ms <= now_ms)
            e->expires_ms = 0;
    }
}

size_t arp_build(uint8_t *out, unsigned op, const uint8_t *src_mac, uint32_t src_ip,
                 const uint8_t *dst_mac, uint32_t dst_ip)
{
    static const uint8_t broadcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    memcpy(out, op == 1 ? broadcast : dst_mac, 6);
    memcpy(out + 6, src_mac, 6);
    put16(out + 12, ETHERTYPE_ARP);
    uint8_t *a = out + ETH_HDR_LEN;
    put16(a, 1); /* Ethernet */
    put16(a + 2, ETHERTYPE_IPV4);
    a[4] = 6;
    a[5] = 4;
    put16(a + 6, (uint16_t)op);
    memcpy(a + 8, src_mac, 6);
    put32(a + 14, src_ip);
    if (op == 1)
        memset(a + 18, 0, 6);
    else
        memcpy(a + 18, dst_mac, 6);
    put32(a + 24, dst_ip);
    return ETH_HDR_LEN + 28;
}
