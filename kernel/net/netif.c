/* Interfaces, the routing table (longest-prefix match) and the stack's entry points. */
#include "net_internal.h"
#include "tcp.h"

struct net_if net_ifs[NET_MAX_IF];
const struct net_hooks *net_hooks_active;
const uint8_t net_eth_broadcast[ETH_ADDR_LEN] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

struct net_route {
    bool used;
    bool connected; /* made by net_if_configure, replaced with the address */
    uint32_t dst;
    unsigned prefix;
    uint32_t gw;
    unsigned dev;
};
static struct net_route routes[NET_MAX_ROUTES];
/* The last lookup's answer, valid while the generation is unchanged (every change of a route or
 * an interface bumps it): a connection sends to one destination again and again, and the scan of
 * every route slot was a twentieth of a web request's guest instructions under TCG. */
static uint32_t route_generation = 1;
static struct {
    uint32_t generation, dst;
    int rc;
    struct net_route_result result;
} route_cache;

/* The attached interfaces' addresses and directed broadcasts, packed, rebuilt whenever an
 * interface changes: every packet in and out asks whether an address is ours or a broadcast, and
 * scanning every interface slot for that was 4% of a web request's guest instructions. */
struct net_local_addr net_local_addrs[NET_MAX_IF];
unsigned net_local_count;
static uint32_t broadcast_addrs[NET_MAX_IF]; /* net_if_broadcast of each attached interface */
static unsigned broadcast_count;

static void addr_index_rebuild(void)
{
    net_local_count = broadcast_count = 0;
    for (unsigned i = 0; i < NET_MAX_IF; i++) {
        if (!net_ifs[i].attached)
            continue;
        if (net_ifs[i].addr) {
            net_local_addrs[net_local_count].addr = net_ifs[i].addr;
            net_local_addrs[net_local_count++].dev = i;
        }
        broadcast_addrs[broadcast_count++] = net_if_broadcast(i);
    }
}

void net_init(const struct net_hooks *hooks)
{
    net_hooks_active = hooks;
    memset(net_ifs, 0, sizeof(net_ifs));
    memset(routes, 0, sizeof(routes));
    route_generation++;
    addr_index_rebuild();
    memset(&net_counters, 0, sizeof(net_counters));
    arp_reset();
    ip_reset();
    reasm_reset();
    icmp_reset();
    udp_reset();
    tcp_reset();
}

int net_if_attach(unsigned dev, const uint8_t mac[ETH_ADDR_LEN], uint16_t mtu)
{
    if (dev >= NET_MAX_IF || (mtu && (mtu < 68 || mtu > NET_ETH_MAX_PAYLOAD)))
        return -EINVAL;
    struct net_if *nif = &net_ifs[dev];
    nif->attached = true;
    memcpy(nif->mac, mac, ETH_ADDR_LEN);
    nif->mtu = mtu ? mtu : 1500;
    nif->offloads = 0;
    route_generation++;
    addr_index_rebuild();
    return 0;
}

int net_if_set_offloads(unsigned dev, unsigned offloads)
{
    if (dev >= NET_MAX_IF || !net_ifs[dev].attached)
        return -EINVAL;
    net_ifs[dev].offloads = offloads & (NETDEV_F_CSUM | NETDEV_F_TSO4);
    return 0;
}

static int route_insert(uint32_t dst, unsigned prefix, uint32_t gw, unsigned dev, bool connected)
{
    dst &= net_mask(prefix);
    struct net_route *free_slot = NULL;
    for (unsigned i = 0; i < NET_MAX_ROUTES; i++) {
        if (!routes[i].used) {
            if (!free_slot)
                free_slot = &routes[i];
        } else if (routes[i].dst == dst && routes[i].prefix == prefix) {
            return -EEXIST;
        }
    }
    if (!free_slot)
        return -ENOSPC;
    *free_slot = (struct net_route){true, connected, dst, prefix, gw, dev};
    route_generation++;
    return 0;
}

int net_if_configure(unsigned dev, uint32_t addr, unsigned prefix, uint16_t mtu)
{
    if (dev >= NET_MAX_IF || !net_ifs[dev].attached || prefix > 32 ||
        (mtu && (mtu < 68 || mtu > NET_ETH_MAX_PAYLOAD)))
        return -EINVAL;
    struct net_if *nif = &net_ifs[dev];
    route_generation++;
    for (unsigned i = 0; i < NET_MAX_ROUTES; i++)
        if (routes[i].used && routes[i].connected && routes[i].dev == dev)
            routes[i].used = false;
    if (mtu)
        nif->mtu = mtu;
    nif->addr = addr;
    nif->prefix = addr ? prefix : 0;
    addr_index_rebuild();
    if (addr && prefix > 0)
        return route_insert(addr, prefix, 0, dev, true);
    return 0;
}

bool net_if_get(unsigned dev, struct net_if_info *out)
{
    if (dev >= NET_MAX_IF || !net_ifs[dev].attached)
        return false;
    memcpy(out->mac, net_ifs[dev].mac, ETH_ADDR_LEN);
    out->mtu = net_ifs[dev].mtu;
    out->addr = net_ifs[dev].addr;
    out->prefix = net_ifs[dev].prefix;
    return true;
}

uint32_t net_if_broadcast(unsigned dev)
{
    const struct net_if *nif = &net_ifs[dev];
    if (!nif->addr || nif->prefix >= 31)
        return 0;
    return nif->addr | ~net_mask(nif->prefix);
}

bool net_addr_is_broadcast(uint32_t dst)
{
    if (dst == NET_IP_BROADCAST)
        return true;
    for (unsigned i = 0; i < broadcast_count; i++)
        if (broadcast_addrs[i] == dst)
            return true;
    return false;
}

int net_route_add(uint32_t dst, unsigned prefix, uint32_t gw, unsigned dev)
{
    if (prefix > 32 || dev >= NET_MAX_IF || !net_ifs[dev].attached)
        return -EINVAL;
    return route_insert(dst, prefix, gw, dev, false);
}

int net_route_del(uint32_t dst, unsigned prefix)
{
    if (prefix > 32)
        return -EINVAL;
    dst &= net_mask(prefix);
    for (unsigned i = 0; i < NET_MAX_ROUTES; i++)
        if (routes[i].used && routes[i].dst == dst && routes[i].prefix == prefix) {
            routes[i].used = false;
            route_generation++;
            return 0;
        }
    return -ENOENT;
}

static int route_lookup_scan(uint32_t dst, struct net_route_result *out)
{
    const struct net_route *best = NULL;
    for (unsigned i = 0; i < NET_MAX_ROUTES; i++) {
        const struct net_route *r = &routes[i];
        if (!r->used || (dst & net_mask(r->prefix)) != r->dst || !net_ifs[r->dev].attached)
            continue;
        if (!best || r->prefix > best->prefix)
            best = r;
    }
    /* The limited broadcast goes out of the first configured interface, as Linux's default. */
    if (!best && dst == NET_IP_BROADCAST)
        for (unsigned i = 0; i < NET_MAX_IF; i++)
            if (net_ifs[i].attached && net_ifs[i].addr) {
                *out = (struct net_route_result){i, dst, net_ifs[i].addr};
                return 0;
            }
    if (!best)
        return -ENETUNREACH;
    out->dev = best->dev;
    out->next_hop = best->gw ? best->gw : dst;
    out->src = net_ifs[best->dev].addr;
    return 0;
}

int net_route_lookup(uint32_t dst, struct net_route_result *out)
{
    if (route_cache.generation != route_generation || route_cache.dst != dst) {
        route_cache.rc = route_lookup_scan(dst, &route_cache.result);
        route_cache.generation = route_generation, route_cache.dst = dst;
    }
    if (route_cache.rc == 0)
        *out = route_cache.result;
    return route_cache.rc;
}

void net_rx(unsigned dev, const uint8_t *frame, size_t len)
{
    net_rx_csum(dev, frame, len, NETDEV_RX_CSUM_NONE);
}

void net_rx_csum(unsigned dev, const uint8_t *frame, size_t len, unsigned csum_state)
{
    net_counters.eth_rx++;
    if (dev >= NET_MAX_IF || !net_ifs[dev].attached) {
        net_counters.eth_no_interface++;
        return;
    }
    eth_input(dev, frame, len, csum_state != NETDEV_RX_CSUM_NONE);
}

void net_poll(uint64_t now_ns)
{
    arp_poll(now_ns);
    reasm_poll(now_ns);
    tcp_timers(now_ns);
}

bool net_output_pending(void)
{
    return tcp_output_pending();
}

uint64_t net_next_deadline(void)
{
    uint64_t d = MIN(arp_next_deadline(), reasm_next_deadline());
    return MIN(d, tcp_next_deadline());
}
