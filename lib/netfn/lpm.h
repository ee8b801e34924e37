/* Longest-prefix match over IPv4: a multibit trie of four 8-bit strides with controlled prefix
 * expansion (at most four memory reads per lookup), nodes from a fixed pool. */
#ifndef NETFN_LPM_H
#define NETFN_LPM_H

#include <stdint.h>

#define LPM_MAX_NODES 256
#define LPM_NONE      0xffffu

/* One slot: the value of the longest prefix that covers it at this level (LPM_NONE: none), that
 * prefix's length (to let a longer prefix replace a shorter one and not the reverse), and the
 * child node for the next 8 bits (0: none; node 0 is the root). */
struct lpm_slot {
    uint16_t value;
    uint8_t plen;
    uint8_t pad;
    uint16_t child;
};

struct lpm_node {
    struct lpm_slot slot[256];
};

struct lpm {
    struct lpm_node nodes[LPM_MAX_NODES];
    unsigned used;
};

void lpm_init(struct lpm *t);
/* Adds prefix/plen -> value (value < LPM_NONE). A prefix already present gets the new value.
 * Returns 0, or -1 when the node pool is full. */
int lpm_add(struct lpm *t, uint32_t prefix, unsigned plen, uint16_t value);
/* The value of the longest prefix holding addr, or LPM_NONE. */
uint16_t lpm_lookup(const struct lpm *t, uint32_t addr);

#endif
