/* IPv4 fragmentation of a forwarded packet too big for the next link (DF clear). */
#ifndef NETFN_FRAG_H
#define NETFN_FRAG_H

#include <stddef.h>
#include <stdint.h>

struct nf_engine;

/* Splits the packet in `frame` (Ethernet + IPv4, TTL already lowered) into fragments of at most
 * `mtu` bytes of IP and sends each to next_hop on out_if (in_if: where it came from). */
void frag_send(struct nf_engine *e, unsigned in_if, unsigned out_if, uint32_t next_hop,
               const uint8_t *frame, size_t len, unsigned mtu);
/* engine.c: sends one frame towards next_hop (ARP as needed). */
void nf_send_fragment(struct nf_engine *e, int in_if, unsigned out_if, uint32_t next_hop,
                      uint8_t *frame, size_t len);

#endif
