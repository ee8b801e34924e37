/* Interface configuration from the boot keys netN=, netN.mtu=, gw= and route=: checked, then
 * applied to the stack. */
#ifndef ATOLL_NETCONFIG_H
#define ATOLL_NETCONFIG_H

#include "atoll/net.h"

#define NET_CONFIG_MIN_MTU 68

struct net_config_if {
    const char *addr_key; /* the netN= token that set addr/prefix, NULL: none */
    const char *mtu_key;  /* the netN.mtu= token, NULL: the device's MTU */
    uint32_t addr;
    unsigned prefix;
    uint16_t mtu;
};

struct net_config_route {
    const char *key; /* the route= or gw= token */
    uint32_t dst;
    unsigned prefix;
    uint32_t gw;
};

struct net_config {
    struct net_config_if ifs[NET_MAX_IF];
    struct net_config_route gateway; /* key NULL: no default gateway */
    unsigned nroutes;
    struct net_config_route routes[NET_MAX_ROUTES];
};

/*
 * Reads the keys (whole tokens such as "net0=10.0.0.2/24", in command-line order; a later
 * netN=, netN.mtu=, gw= or route= for the same destination replaces an earlier one) into cfg.
 * Returns 0, or -EINVAL / -E2BIG with one line in err naming the key and what is wrong.
 */
int net_config_parse(struct net_config *cfg, const char *const *keys, int nkeys, char *err,
                     size_t errlen);

/*
 * Applies cfg to the stack: addresses and MTUs of the attached interfaces, then the routes and
 * the default gateway (each gateway must lie in a configured interface's subnet), then a
 * gratuitous ARP for every configured interface. Returns 0, or a negative errno with one line
 * in err (a NIC that does not exist, an MTU above the device's, an unreachable gateway).
 */
int net_config_apply(const struct net_config *cfg, char *err, size_t errlen);

/* Kernel only (kernel/dev/net/net_boot.c): applies the boot command line's network keys, or stops
 * the boot with status 2 and one line naming the key. */
void net_config_boot(void);

#endif
