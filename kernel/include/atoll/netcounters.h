/* The network stack's counters: one named field per drop reason, plus traffic totals. */
#ifndef ATOLL_NETCOUNTERS_H
#define ATOLL_NETCOUNTERS_H

#include "atoll/klib.h"

/* X-macro list: the struct's fields and the printed names come from one place. Every frame the
 * stack drops increments exactly one drop counter (kind D); the others (kind T) count traffic. */
#define NET_COUNTERS(D, T)                                                                         \
    T(eth_rx)                                                                                      \
    T(eth_tx)                                                                                      \
    D(eth_truncated)    /* shorter than an Ethernet header */                                      \
    D(eth_too_long)     /* longer than the interface's MTU allows */                               \
    D(eth_not_for_us)   /* destination neither our MAC nor broadcast */                            \
    D(eth_unknown_type) /* an ethertype that is neither IPv4 nor ARP */                            \
    D(eth_no_interface) /* arrived on a device the stack was not given */                          \
    T(arp_rx)                                                                                      \
    T(arp_replies_sent)                                                                            \
    T(arp_requests_sent)                                                                           \
    D(arp_truncated)  /* shorter than an Ethernet/IPv4 ARP packet */                               \
    D(arp_bad)        /* wrong hardware/protocol type or length, or bad opcode */                  \
    D(arp_not_for_us) /* a request for an address that is not ours */                              \
    D(arp_spoof)      /* someone else claims one of our addresses */                               \
    D(arp_queue_full) /* a packet waiting for resolution found its queue full */                   \
    D(arp_unresolved) /* a queued packet whose neighbour never answered */                         \
    T(ip_rx)                                                                                       \
    T(ip_tx)                                                                                       \
    D(ip_truncated)        /* shorter than its header, or total length beyond the frame */         \
    D(ip_bad_version)      /* version is not 4 */                                                  \
    D(ip_bad_ihl)          /* header length below 5 words */                                       \
    D(ip_bad_length)       /* total length smaller than the header */                              \
    D(ip_bad_checksum)     /* header checksum mismatch */                                          \
    D(ip_bad_source)       /* source is broadcast, multicast or loopback */                        \
    D(ip_not_for_us)       /* destination is not one of our addresses (we do not forward) */       \
    D(ip_unknown_protocol) /* neither ICMP, UDP nor TCP */                                         \
    D(ip_no_route)         /* an outgoing datagram with no route */                                \
    D(ip_too_big)          /* an outgoing datagram larger than IPv4 or UDP allows */               \
    T(frag_rx)                                                                                     \
    T(frag_reassembled)                                                                            \
    T(frag_tx)                                                                                     \
    D(frag_overlap)    /* a fragment overlapping data already received */                          \
    D(frag_too_big)    /* reassembled datagram would exceed 65535 bytes */                         \
    D(frag_bad_length) /* a non-final fragment whose length is not a multiple of 8 */              \
    D(frag_timeout)    /* fragments of a datagram that never completed */                          \
    D(frag_evicted)    /* fragments of an incomplete datagram pushed out by a newer one */         \
    T(icmp_rx)                                                                                     \
    T(icmp_echo_replies)                                                                           \
    T(icmp_unreach_sent)                                                                           \
    T(icmp_errors_reported)                                                                        \
    D(icmp_truncated)    /* shorter than an ICMP header */                                         \
    D(icmp_bad_checksum) /* ICMP checksum mismatch */                                              \
    D(icmp_ignored)      /* a type we do not serve, or an error about nothing of ours */           \
    D(icmp_rate_limited) /* an error we would have sent, suppressed by the rate limit */           \
    T(udp_rx)                                                                                      \
    T(udp_tx)                                                                                      \
    D(udp_truncated)    /* shorter than a UDP header */                                            \
    D(udp_bad_length)   /* UDP length field below 8 or beyond the IP payload */                    \
    D(udp_bad_checksum) /* UDP checksum mismatch */                                                \
    D(udp_no_port)      /* no endpoint bound to the destination port */                            \
    D(udp_rcvbuf_full)  /* the endpoint's receive queue had no room */                             \
    T(tcp_rx)                                                                                      \
    T(tcp_tx)                                                                                      \
    T(rx_csum_offload)     /* TCP, UDP or ICMP received with a checksum the device vouched for */  \
    T(tcp_tx_csum_offload) /* segments whose checksum the device filled in */                      \
    T(tcp_tx_tso)          /* large segments the device cut into MSS-sized ones (TSO) */           \
    T(tcp_tx_tso_split)    /* large segments cut in software: the device could not take them */    \
    T(tcp_fast_path)                                                                               \
    T(tcp_rst_sent)                                                                                \
    T(tcp_rst_received)                                                                            \
    T(tcp_retransmits)                                                                             \
    T(tcp_fast_retransmits)                                                                        \
    T(tcp_syn_retransmits)                                                                         \
    T(tcp_rto_expired)                                                                             \
    T(tcp_recoveries)                                                                              \
    T(tcp_dupacks_rx)                                                                              \
    T(tcp_delayed_acks)                                                                            \
    T(tcp_challenge_acks)                                                                          \
    T(tcp_challenge_limited)                                                                       \
    T(tcp_window_probes)                                                                           \
    T(tcp_keepalives_sent)                                                                         \
    T(tcp_ooo_queued)                                                                              \
    T(tcp_rcv_trimmed)                                                                             \
    T(tcp_syn_rx)                                                                                  \
    T(tcp_syncookies_sent)                                                                         \
    T(tcp_syncookies_ok)                                                                           \
    T(tcp_timewait_reused)                                                                         \
    T(tcp_timewait_overflow)                                                                       \
    T(tcp_orphan_overflow)                                                                         \
    T(tcp_pmtu_updates)                                                                            \
    T(tcp_timeouts)                                                                                \
    T(tcp_aborts)                                                                                  \
    T(tcp_finwait2_timeouts)                                                                       \
    D(tcp_truncated)        /* shorter than a TCP header */                                        \
    D(tcp_bad_offset)       /* data offset below 5 words or beyond the segment */                  \
    D(tcp_bad_checksum)     /* TCP checksum mismatch */                                            \
    D(tcp_bad_options)      /* a malformed options area */                                         \
    D(tcp_broadcast)        /* a segment sent to a broadcast address */                            \
    D(tcp_no_port)          /* no connection or listener (answered with RST) */                    \
    D(tcp_listen_bad)       /* to a listener: neither a SYN nor a valid SYN-cookie ACK */          \
    D(tcp_listen_overflow)  /* a SYN or cookie ACK while the accept queue was full */              \
    D(tcp_conn_limit)       /* a SYN or cookie ACK with no connection block free */                \
    D(tcp_unexpected)       /* no ACK on a synchronized connection, or a stray one in SYN-SENT */  \
    D(tcp_paws_rejected)    /* an old timestamp (RFC 7323 PAWS): an old duplicate */               \
    D(tcp_out_of_window)    /* a segment outside the receive window */                             \
    D(tcp_bad_ack)          /* an ACK of data never sent, or too old (RFC 5961 5.2) */             \
    D(tcp_rst_in_window)    /* a RST not at the exact next sequence (RFC 5961 3.2) */              \
    D(tcp_syn_in_window)    /* a SYN on a synchronized connection (RFC 5961 4.2) */                \
    D(tcp_rcv_window_full)  /* data beyond the receive buffer (or no memory for one) */            \
    D(tcp_ooo_dropped)      /* out-of-order data beyond the bounded out-of-order map */            \
    D(tcp_data_after_close) /* data for a socket the program closed (answered with RST) */         \
    D(tcp_loop_full)        /* a segment to ourselves found the loopback queue full */

struct net_counters {
#define NET_COUNTER_FIELD(name) uint64_t name;
    NET_COUNTERS(NET_COUNTER_FIELD, NET_COUNTER_FIELD)
#undef NET_COUNTER_FIELD
};

/* The stack's live counters (reset by net_init). */
extern struct net_counters net_counters;

/* Calls emit once per counter, in declaration order; is_drop tells drop reasons from totals. */
typedef void (*net_counter_emit_fn)(void *ctx, const char *name, uint64_t value, bool is_drop);
void net_counters_foreach(net_counter_emit_fn emit, void *ctx);
/* The sum of every drop counter. */
uint64_t net_counters_drops(void);

#endif
