/* Packets a network function answers with: ICMP errors, echo replies, TCP resets. */
#ifndef NETFN_ICMP_H
#define NETFN_ICMP_H

#include <stddef.h>
#include <stdint.h>

struct nf_engine;

#define ICMP_ECHO_REPLY     0
#define ICMP_UNREACH        3
#define ICMP_ECHO_REQUEST   8
#define ICMP_TIME_EXCEEDED  11
#define UNREACH_NET         0
#define UNREACH_HOST        1
#define UNREACH_PORT        3
#define UNREACH_FRAG_NEEDED 4
#define UNREACH_ADMIN       13

/* Sends an ICMP error about the packet in `frame` (arrived on in_if) back to its sender, unless
 * RFC 1812 forbids it (an error about an error, a non-first fragment, a broadcast). `mtu` goes
 * into frag-needed errors. */
void icmp_send_error(struct nf_engine *e, unsigned in_if, const uint8_t *frame, size_t len,
                     uint8_t type, uint8_t code, uint16_t mtu);
/* Answers an echo request addressed to us (frame arrived on in_if). */
void icmp_send_echo_reply(struct nf_engine *e, unsigned in_if, const uint8_t *frame, size_t len);
/* Answers a TCP segment with a reset (RFC 793 rules), unless it is a reset itself. */
void tcp_send_reset(struct nf_engine *e, unsigned in_if, const uint8_t *frame, size_t len);
/* Whether an ICMP type is an error (3, 4, 5, 11, 12). */
int icmp_is_error(uint8_t type);

#endif
