/* Interface discovery ioctls (SIOCGIF*): names, indexes, addresses, flags and MTUs of the NICs,
 * in Linux's struct ifreq / struct ifconf layouts, so if_nametoindex and friends work. */
#include "atoll/errno.h"
#include "atoll/net.h"
#include "atoll/netdev.h"
#include "socket.h"

#define SIOCGIFNAME    0x8910
#define SIOCGIFCONF    0x8912
#define SIOCGIFFLAGS   0x8913
#define SIOCGIFADDR    0x8915
#define SIOCGIFBRDADDR 0x8919
#define SIOCGIFNETMASK 0x891b
#define SIOCGIFMTU     0x8921
#define SIOCGIFHWADDR  0x8927
#define SIOCGIFINDEX   0x8933

#define IFF_UP        0x1
#define IFF_BROADCAST 0x2
#define IFF_RUNNING   0x40
#define IFF_MULTICAST 0x1000
#define ARPHRD_ETHER  1
#define IFNAMSIZ      16

/* Linux's struct ifreq (40 bytes): a name, then one of these. */
struct ifreq {
    char name[IFNAMSIZ];
    union {
        struct {
            uint16_t family;
            uint8_t data[14]; /* sockaddr_in: port, then the address at data[2..6) */
        } addr;
        int16_t flags;
        int32_t ivalue; /* ifindex, mtu */
        uint8_t pad[24];
    } u;
};

/* Linux's struct ifconf. */
struct ifconf {
    int32_t len;
    int32_t pad;
    struct ifreq *req;
};

/* The device named like name (NUL-terminated within IFNAMSIZ), or -ENODEV. */
static int dev_by_name(const char *name)
{
    char wanted[IFNAMSIZ];
    memcpy(wanted, name, IFNAMSIZ);
    wanted[IFNAMSIZ - 1] = '\0';
    for (unsigned i = 0; i < netdev_count(); i++)
        if (strcmp(netdev_get(i)->name, wanted) == 0)
            return (int)i;
    return -ENODEV;
}

static void put_inet(struct ifreq *r, uint32_t addr)
{
    memset(&r->u, 0, sizeof(r->u));
    r->u.addr.family = AF_INET;
    r->u.addr.data[2] = (uint8_t)(addr >> 24);
    r->u.addr.data[3] = (uint8_t)(addr >> 16);
    r->u.addr.data[4] = (uint8_t)(addr >> 8);
    r->u.addr.data[5] = (uint8_t)addr;
}

static long if_conf(struct ifconf *conf)
{
    /* Lists the interfaces that have an IPv4 address, as Linux does; a NULL buffer asks for the
     * length a full list needs. */
    int32_t used = 0;
    for (unsigned i = 0; i < netdev_count(); i++) {
        struct net_if_info info;
        if (!net_if_get(i, &info) || info.addr == 0)
            continue;
        if (conf->req != NULL) {
            if (used + (int32_t)sizeof(struct ifreq) > conf->len)
                break;
            struct ifreq *r = &conf->req[used / (int32_t)sizeof(struct ifreq)];
            memset(r, 0, sizeof(*r));
            memcpy(r->name, netdev_get(i)->name, IFNAMSIZ);
            put_inet(r, info.addr);
        }
        used += (int32_t)sizeof(struct ifreq);
    }
    conf->len = used;
    return 0;
}

long net_ifreq_ioctl(unsigned long req, void *arg)
{
    if (arg == NULL)
        return -EFAULT;
    if (req == SIOCGIFCONF)
        return if_conf(arg);
    struct ifreq *r = arg;
    int dev;
    if (req == SIOCGIFNAME) {
        dev = r->u.ivalue - 1;
        if (dev < 0 || netdev_get((unsigned)dev) == NULL)
            return -ENODEV;
        memcpy(r->name, netdev_get((unsigned)dev)->name, IFNAMSIZ);
        return 0;
    }
    dev = dev_by_name(r->name);
    if (dev < 0)
        return dev;
    struct netdev *d = netdev_get((unsigned)dev);
    struct net_if_info info;
    if (!net_if_get((unsigned)dev, &info))
        return -ENODEV;
    switch (req) {
    case SIOCGIFINDEX:
        r->u.ivalue = (int32_t)d->index;
        return 0;
    case SIOCGIFFLAGS:
        r->u.flags = IFF_UP | IFF_RUNNING | IFF_BROADCAST | IFF_MULTICAST;
        return 0;
    case SIOCGIFMTU:
        r->u.ivalue = info.mtu;
        return 0;
    case SIOCGIFHWADDR:
        memset(&r->u, 0, sizeof(r->u));
        r->u.addr.family = ARPHRD_ETHER;
        memcpy(r->u.addr.data, info.mac, ETH_ADDR_LEN);
        return 0;
    case SIOCGIFADDR:
    case SIOCGIFNETMASK:
    case SIOCGIFBRDADDR:
        if (info.addr == 0)
            return -EADDRNOTAVAIL;
        if (req == SIOCGIFADDR)
            put_inet(r, info.addr);
        else if (req == SIOCGIFNETMASK)
            put_inet(r, info.prefix ? 0xffffffffu << (32 - info.prefix) : 0);
        else
            put_inet(r, info.addr | (info.prefix ? ~(0xffffffffu << (32 - info.prefix)) : 0));
        return 0;
    default:
        return -ENOTTY;
    }
}
