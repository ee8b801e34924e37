/* Interface configuration from the boot keys: parsing netN=, netN.mtu=, gw=, route= and applying
 * them to the stack (addresses, MTUs, routes, a gratuitous ARP per configured interface). */
#include "atoll/netconfig.h"
#include "atoll/errno.h"

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
    if (err != NULL && errlen > 0) {
        va_list ap;
        va_start(ap, fmt);
        kvsnprintf(err, errlen, fmt, ap);
        va_end(ap);
        for (char *c = err; *c != '\0'; c++) {
            if ((unsigned char)*c < 0x20 || *c == 0x7f)
                *c = '?'; /* one line, whatever the token held */
        }
    }
    return rc;
}

/* A decimal number of at most max_digits digits; returns the end, or NULL. */
static const char *parse_decimal(const char *s, unsigned max_digits, uint32_t *out)
{
    uint32_t n = 0;
    unsigned digits = 0;
    for (; *s >= '0' && *s <= '9'; s++) {
        if (++digits > max_digits)
            return NULL;
        n = n * 10 + (uint32_t)(*s - '0');
    }
    if (digits == 0)
        return NULL;
    *out = n;
    return s;
}

/* Dotted quad, four parts 0..255; returns the end, or NULL. */
static const char *parse_ipv4(const char *s, uint32_t *out)
{
    uint32_t addr = 0;
    for (int part = 0; part < 4; part++) {
        uint32_t v;
        if (part > 0 && *s++ != '.')
            return NULL;
        if ((s = parse_decimal(s, 3, &v)) == NULL || v > 255)
            return NULL;
        addr = addr << 8 | v;
    }
    *out = addr;
    return s;
}

/* "/PREFIX" with PREFIX 0..32; returns the end, or NULL. */
static const char *parse_prefix(const char *s, unsigned *out)
{
    uint32_t v;
    if (*s++ != '/' || (s = parse_decimal(s, 2, &v)) == NULL || v > 32)
        return NULL;
    *out = v;
    return s;
}

static uint32_t prefix_mask(unsigned prefix)
{
    return prefix == 0 ? 0 : 0xffffffffu << (32 - prefix);
}

/* Why addr cannot be a host's own or a gateway's address, or NULL when it can. */
static const char *not_unicast(uint32_t addr)
{
    if (addr == 0)
        return "0.0.0.0 is not a host address";
    if (addr >> 24 == 127)
        return "a loopback address (127.0.0.0/8) is not a NIC's";
    if (addr >> 28 == 14)
        return "a multicast address is not a host address";
    if (addr >> 28 == 15)
        return "a reserved or broadcast address is not a host address";
    return NULL;
}

static int parse_if_addr(struct net_config_if *nif, const char *key, const char *value, char *err,
                         size_t errlen)
{
    uint32_t addr;
    unsigned prefix;
    const char *end = parse_ipv4(value, &addr);
    if (end == NULL || (end = parse_prefix(end, &prefix)) == NULL || *end != '\0')
        return fail(err, errlen, -EINVAL, "%s: expected ADDR/PREFIX such as 10.0.0.2/24", key);
    const char *why = not_unicast(addr);
    if (why != NULL)
        return fail(err, errlen, -EINVAL, "%s: %s", key, why);
    uint32_t host = addr & ~prefix_mask(prefix);
    if (prefix <= 30 && host == 0)
        return fail(err, errlen, -EINVAL, "%s: that is the subnet's own address, not a host's",
                    key);
    if (prefix <= 30 && host == ~prefix_mask(prefix))
        return fail(err, errlen, -EINVAL, "%s: that is the subnet's broadcast address", key);
    nif->addr_key = key;
    nif->addr = addr;
    nif->prefix = prefix;
    return 0;
}

static int parse_mtu(struct net_config_if *nif, const char *key, const char *value, char *err,
                     size_t errlen)
{
    uint32_t mtu;
    const char *end = parse_decimal(value, 5, &mtu);
    if (end == NULL || *end != '\0')
        return fail(err, errlen, -EINVAL, "%s: expected a number of bytes such as 1500", key);
    if (mtu < NET_CONFIG_MIN_MTU || mtu > NET_ETH_MAX_PAYLOAD)
        return fail(err, errlen, -EINVAL, "%s: the MTU must be between %d and %d bytes", key,
                    NET_CONFIG_MIN_MTU, NET_ETH_MAX_PAYLOAD);
    nif->mtu_key = key;
    nif->mtu = (uint16_t)mtu;
    return 0;
}

static int parse_gateway(const char *s, const char *key, uint32_t *gw, char *err, size_t errlen)
{
    const char *end = parse_ipv4(s, gw);
    if (end == NULL || *end != '\0')
        return fail(err, errlen, -EINVAL, "%s: the gateway '%s' is not an IPv4 address", key, s);
    const char *why = not_unicast(*gw);
    if (why != NULL)
        return fail(err, errlen, -EINVAL, "%s: the gateway: %s", key, why);
    return 0;
}

static int parse_route(struct net_config *cfg, const char *key, const char *value, char *err,
                       size_t errlen)
{
    struct net_config_route r = {.key = key};
    const char *end = parse_ipv4(value, &r.dst);
    if (end == NULL || (end = parse_prefix(end, &r.prefix)) == NULL || *end != ',')
        return fail(err, errlen, -EINVAL,
                    "%s: expected route=DST/PREFIX,GATEWAY such as 192.168.0.0/16,10.0.0.1", key);
    if (r.dst & ~prefix_mask(r.prefix))
        return fail(err, errlen, -EINVAL, "%s: the destination has bits set beyond its /%u", key,
                    r.prefix);
    int rc = parse_gateway(end + 1, key, &r.gw, err, errlen);
    if (rc < 0)
        return rc;
    for (unsigned i = 0; i < cfg->nroutes; i++) {
        if (cfg->routes[i].dst == r.dst && cfg->routes[i].prefix == r.prefix) {
            cfg->routes[i] = r; /* the later setting wins, as for every key */
            return 0;
        }
    }
    if (cfg->nroutes >= NET_MAX_ROUTES)
        return fail(err, errlen, -E2BIG, "%s: too many routes (at most %d)", key, NET_MAX_ROUTES);
    cfg->routes[cfg->nroutes++] = r;
    return 0;
}

static int parse_key(struct net_config *cfg, const char *key, char *err, size_t errlen)
{
    const char *eq = strchr(key, '=');
    if (eq == NULL || eq[1] == '\0')
        return fail(err, errlen, -EINVAL, "%s: expected a value after '='", key);
    const char *value = eq + 1;
    size_t namelen = (size_t)(eq - key);
    if (namelen == 2 && memcmp(key, "gw", 2) == 0) {
        int rc = parse_gateway(value, key, &cfg->gateway.gw, err, errlen);
        cfg->gateway.key = rc == 0 ? key : NULL;
        return rc;
    }
    if (namelen == 5 && memcmp(key, "route", 5) == 0)
        return parse_route(cfg, key, value, err, errlen);
    if (namelen >= 4 && memcmp(key, "net", 3) == 0 && key[3] >= '0' && key[3] < '0' + NET_MAX_IF) {
        struct net_config_if *nif = &cfg->ifs[key[3] - '0'];
        if (namelen == 4)
            return parse_if_addr(nif, key, value, err, errlen);
        if (namelen == 8 && memcmp(key + 4, ".mtu", 4) == 0)
            return parse_mtu(nif, key, value, err, errlen);
    }
    return fail(err, errlen, -EINVAL, "%s: not a network key (netN=, netN.mtu=, gw=, route=)", key);
}

int net_config_parse(struct net_config *cfg, const char *const *keys, int nkeys, char *err,
                     size_t errlen)
{
    memset(cfg, 0, sizeof(*cfg));
    if (err != NULL && errlen > 0)
        err[0] = '\0';
    for (int i = 0; i < nkeys; i++) {
        int rc = parse_key(cfg, keys[i], err, errlen);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static unsigned attached_count(void)
{
    unsigned n = 0;
    struct net_if_info info;
    while (n < NET_MAX_IF && net_if_get(n, &info))
        n++;
    return n;
}

static int apply_route(const struct net_config_route *r, char *err, size_t errlen)
{
    struct net_route_result via;
    if (net_route_lookup(r->gw, &via) < 0 || via.next_hop != r->gw)
        return fail(err, errlen, -ENETUNREACH,
                    "%s: the gateway is not in the subnet of any configured interface", r->key);
    int rc = net_route_add(r->dst, r->prefix, r->gw, via.dev);
    if (rc == -EEXIST)
        return fail(err, errlen, rc, "%s: another setting already routes %u.%u.%u.%u/%u", r->key,
                    r->dst >> 24, (r->dst >> 16) & 0xff, (r->dst >> 8) & 0xff, r->dst & 0xff,
                    r->prefix);
    if (rc < 0)
        return fail(err, errlen, rc, "%s: the route table is full", r->key);
    return 0;
}

int net_config_apply(const struct net_config *cfg, char *err, size_t errlen)
{
    if (err != NULL && errlen > 0)
        err[0] = '\0';
    unsigned nics = attached_count();
    for (unsigned dev = 0; dev < NET_MAX_IF; dev++) {
        const struct net_config_if *nif = &cfg->ifs[dev];
        const char *key = nif->addr_key ? nif->addr_key : nif->mtu_key;
        if (key == NULL)
            continue;
        struct net_if_info info;
        if (!net_if_get(dev, &info))
            return fail(err, errlen, -ENODEV, "%s: there is no NIC net%u (this instance has %u)",
                        key, dev, nics);
        if (nif->mtu_key && nif->mtu > info.mtu)
            return fail(err, errlen, -EINVAL, "%s: above the device's MTU of %u bytes",
                        nif->mtu_key, info.mtu);
        int rc = net_if_configure(dev, nif->addr, nif->prefix, nif->mtu);
        if (rc < 0)
            return fail(err, errlen, rc, "%s: the interface refused the setting (%d)", key, rc);
    }
    for (unsigned i = 0; i < cfg->nroutes; i++) {
        int rc = apply_route(&cfg->routes[i], err, errlen);
        if (rc < 0)
            return rc;
    }
    if (cfg->gateway.key != NULL) {
        int rc = apply_route(&cfg->gateway, err, errlen);
        if (rc < 0)
            return rc;
    }
    for (unsigned dev = 0; dev < NET_MAX_IF; dev++) {
        if (cfg->ifs[dev].addr_key != NULL)
            net_arp_announce(dev);
    }
    return 0;
}
