/* Counters of a network function: frames and bytes per interface, drops per reason. */
#ifndef NETFN_COUNTERS_H
#define NETFN_COUNTERS_H

#include <stdint.h>
#include <stdio.h>

/* Why a frame was dropped; each has a counter and a name in nf_drop_name. */
enum nf_drop {
    DROP_RUNT,          /* shorter than an Ethernet header */
    DROP_NOT_FOR_US,    /* another host's unicast MAC (NICs are promiscuous) */
    DROP_ETHERTYPE,     /* neither IPv4 nor ARP */
    DROP_ARP_MALFORMED, /* ARP that is not Ethernet/IPv4 or too short */
    DROP_IP_MALFORMED,  /* version, header length, total length */
    DROP_IP_CHECKSUM,   /* bad header checksum */
    DROP_MARTIAN,       /* impossible source: 0/8, 127/8, multicast, broadcast, our own */
    DROP_NO_FORWARD,    /* broadcast, multicast or link-local destination: never forwarded */
    DROP_TTL,           /* TTL expired (time exceeded sent) */
    DROP_NO_ROUTE,      /* no route (net unreachable sent) */
    DROP_FRAG_NEEDED,   /* too big with DF set (frag needed sent) */
    DROP_ARP_QUEUE,     /* waiting for ARP: queue full or no answer in time */
    DROP_FILTER,        /* a filter rule or policy dropped it */
    DROP_REJECT,        /* a filter rule rejected it (RST or unreachable sent) */
    DROP_LOCAL,         /* for us, but nothing here answers it */
    DROP_TX,            /* the interface did not take it */
    DROP_COUNT
};

struct nf_if_counters {
    uint64_t rx_frames, rx_bytes, tx_frames, tx_bytes;
};

struct nf_counters {
    uint64_t drops[DROP_COUNT];
    uint64_t forwarded, local_in, icmp_errors_sent, fragments_made, arp_requests, arp_replies;
};

const char *nf_drop_name(enum nf_drop reason);

#endif
