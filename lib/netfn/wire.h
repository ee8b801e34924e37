/* Wire formats of the frames a network function handles: byte access, Ethernet, ARP, IPv4. */
#ifndef NETFN_WIRE_H
#define NETFN_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define ETH_HDR_LEN      14
#define ETHERTYPE_IPV4   0x0800
#define ETHERTYPE_ARP    0x0806
#define IPV4_MIN_HDR     20
#define IP_PROTO_ICMP    1
#define IP_PROTO_TCP     6
#define IP_PROTO_UDP     17
#define IP_FLAG_DF       0x4000
#define IP_FLAG_MF       0x2000
#define IP_FRAG_OFF_MASK 0x1fff
/* The largest frame any interface carries here (MTU 1500 plus the Ethernet header, with room). */
#define NF_FRAME_MAX 2048

/* Offsets inside an IPv4 header. */
enum {
    IP_VER_IHL = 0,
    IP_TOS = 1,
    IP_TOTAL_LEN = 2,
    IP_ID = 4,
    IP_FRAG = 6,
    IP_TTL = 8,
    IP_PROTO = 9,
    IP_CSUM = 10,
    IP_SRC = 12,
    IP_DST = 16,
};

static inline uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static inline void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* A prefix length as a host-order mask (0 gives 0). */
static inline uint32_t prefix_mask(unsigned plen)
{
    return plen == 0 ? 0 : 0xffffffffu << (32 - plen);
}

#endif
