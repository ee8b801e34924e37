/* The frame path shared by the router and the firewall: Ethernet in, ARP, IPv4 validation,
 * local delivery (ARP and ping for our addresses), forwarding by longest-prefix match with TTL,
 * ICMP errors and fragmentation, and a filter hook the firewall plugs its rules into. */
#ifndef NETFN_ENGINE_H
#define NETFN_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "arp.h"
#include "counters.h"
#include "lpm.h"
#include "wire.h"

#define NF_MAX_IFACES 8
#define NF_MAX_ROUTES 256
#define NF_NAME_MAX   16

struct nf_iface {
    char name[NF_NAME_MAX];   /* as configured: eth0, outside... */
    char device[NF_NAME_MAX]; /* the link it owns (eth0, net0, a veth) */
    uint8_t mac[6];
    uint32_t addr; /* host order */
    uint8_t plen;
    uint16_t mtu;
    struct nf_if_counters c;
};

struct nf_route {
    uint32_t prefix; /* host order */
    uint8_t plen;
    uint8_t ifidx;
    uint32_t gateway; /* 0: the destination is on the link */
};

enum nf_hook { HOOK_INPUT, HOOK_FORWARD, HOOK_OUTPUT };
enum nf_verdict { VERDICT_ACCEPT, VERDICT_DROP, VERDICT_REJECT };

/* What a filter sees: one IPv4 packet, validated (header and total length consistent). */
struct nf_packet {
    enum nf_hook hook;
    int in_if, out_if; /* -1: none (OUTPUT has no in_if, INPUT no out_if) */
    const uint8_t *ip;
    size_t len;
};

typedef enum nf_verdict (*nf_filter_fn)(void *ctx, const struct nf_packet *p, uint64_t now_ms);
/* Sends one frame on an interface; returns 0, or -1 if it could not. */
typedef int (*nf_emit_fn)(void *ctx, unsigned ifidx, const uint8_t *frame, size_t len);

struct nf_engine {
    struct nf_iface ifaces[NF_MAX_IFACES];
    unsigned nifaces;
    struct nf_route routes[NF_MAX_ROUTES];
    unsigned nroutes;
    struct lpm lpm;
    struct arp_cache arp;
    struct nf_counters counters;
    nf_filter_fn filter;
    void *filter_ctx;
    nf_emit_fn emit;
    void *emit_ctx;
    uint64_t now_ms;
    uint16_t next_ip_id;
    uint8_t scratch[NF_FRAME_MAX];
};

void nf_engine_init(struct nf_engine *e);
/* Adds the connected routes of the interfaces, resolves each route's gateway to the interface
 * whose subnet holds it and fills the LPM table. Returns 0, or -1 with a reason in err. */
int nf_engine_finish(struct nf_engine *e, char *err, size_t errlen);
/* One frame that arrived on interface ifidx; `frame` may be modified. */
void nf_input(struct nf_engine *e, unsigned ifidx, uint8_t *frame, size_t len);
/* Ages the ARP cache and its queue; call every few hundred ms. */
void nf_tick(struct nf_engine *e, uint64_t now_ms);
/* Prints every counter, one `name value` a line. */
void nf_print_counters(const struct nf_engine *e, FILE *out);

/* Building blocks shared with icmp.c and frag.c (engine internal). */
void nf_send_ip(struct nf_engine *e, unsigned out_if, const uint8_t *dst_mac, uint8_t *frame,
                size_t len);
void nf_drop(struct nf_engine *e, enum nf_drop reason);
int nf_is_our_addr(const struct nf_engine *e, uint32_t addr);

#endif
