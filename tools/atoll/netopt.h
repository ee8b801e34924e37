/* `atoll run --net`: parsing NIC specifications and turning them into QEMU arguments. */
#ifndef ATOLL_TOOL_NETOPT_H
#define ATOLL_TOOL_NETOPT_H

#include <stdbool.h>
#include <stddef.h>

#include "strvec.h"

#define NET_MAX_NICS 8

enum net_kind { NET_USER, NET_TAP, NET_DGRAM, NET_STREAM };

struct net_spec {
    enum net_kind kind;
    char *tap;             /* NET_TAP: the host's tap interface */
    char *own, *peer;      /* NET_DGRAM: this NIC's Unix datagram socket and its peer's */
    char *stream;          /* NET_STREAM: the Unix stream socket's path */
    bool listen;           /* NET_STREAM: QEMU listens on it (else it connects to it) */
    char *mac;             /* NULL: QEMU's default */
    char *ip, *gw;         /* NET_TAP and NET_DGRAM settings for the guest, for the kernel keys */
    struct strvec hostfwd; /* NET_USER: QEMU hostfwd values, "udp:127.0.0.1:5353-:53" */
};

/* Parses one --net value into *spec; returns 0, or -1 with a one-line reason in err. */
int net_spec_parse(const char *text, struct net_spec *spec, char *err, size_t errlen);
void net_spec_free(struct net_spec *spec);
/* Appends -netdev/-device for NIC `index` (virtio-net-device on microvm, virtio-net-pci else). */
void net_spec_qemu_args(const struct net_spec *spec, unsigned index, const char *machine,
                        struct strvec *argv);
/* Appends what every NIC on `machine` needs once: modern (virtio 1.x) virtio-mmio transports on
 * microvm, where QEMU otherwise makes them legacy. */
void net_qemu_globals(const char *machine, struct strvec *argv);
/* QEMU user networking's fixed addresses, given to the first `--net user` NIC. */
#define NET_USER_GUEST_IP "10.0.2.15/24"
#define NET_USER_GATEWAY  "10.0.2.2"
/* Appends to keys the kernel keys that configure the NICs from their --net settings: a tap's or
 * a datagram link's ip= becomes netN=ADDR/PREFIX and its gw= becomes gw=ADDR; the first user NIC
 * gets netN=10.0.2.15/24 and, when no NIC gave a gateway, gw=10.0.2.2. A key is left out when the
 * user's own kernel keys (appends, the --append values) already set netN= or gw=. */
void net_kernel_keys(const struct net_spec *specs, unsigned count, const struct strvec *appends,
                     struct strvec *keys);
/* Checks a network namespace name and that /run/netns/NAME exists; -1 with a reason in err. */
int netns_check(const char *name, char *err, size_t errlen);

#endif
