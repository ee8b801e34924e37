/* Ethernet: accepts frames for our MAC or broadcast, dispatches by ethertype, sends frames. */
#include "net_internal.h"

void eth_input(unsigned dev, const uint8_t *frame, size_t len, bool csum_ok)
{
    const struct net_if *nif = &net_ifs[dev];
    if (len < NET_ETH_HLEN) {
        net_counters.eth_truncated++;
        return;
    }
    if (len > (size_t)NET_ETH_HLEN + nif->mtu) {
        net_counters.eth_too_long++;
        return;
    }
    if (memcmp(frame, nif->mac, ETH_ADDR_LEN) != 0 &&
        memcmp(frame, net_eth_broadcast, ETH_ADDR_LEN) != 0) {
        net_counters.eth_not_for_us++;
        return;
    }
    uint16_t type = get16(frame + 12);
    if (type == ETH_TYPE_IPV4)
        ip_input(dev, frame + NET_ETH_HLEN, len - NET_ETH_HLEN, csum_ok);
    else if (type == ETH_TYPE_ARP)
        arp_input(dev, frame + NET_ETH_HLEN, len - NET_ETH_HLEN);
    else
        net_counters.eth_unknown_type++;
}

void eth_output(unsigned dev, const uint8_t dst[ETH_ADDR_LEN], uint16_t type, uint8_t *frame,
                size_t len)
{
    memcpy(frame, dst, ETH_ADDR_LEN);
    memcpy(frame + 6, net_ifs[dev].mac, ETH_ADDR_LEN);
    put16(frame + 12, type);
    net_counters.eth_tx++;
    if (net_hooks_active && net_hooks_active->tx)
        net_hooks_active->tx(dev, frame, len);
}
