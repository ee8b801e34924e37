/* Connection tracking: TCP with states, window checks and timeouts per state; UDP and ICMP echo
 * as pseudo-connections; ICMP errors related to a tracked flow. A fixed table; under pressure
 * the oldest entry that is not established makes room. */
#ifndef FIREWALL_CONNTRACK_H
#define FIREWALL_CONNTRACK_H

#include <stddef.h>
#include <stdint.h>

#define CT_TABLE_SIZE 4096
#define CT_BUCKETS    1024

enum ct_tcp_state {
    TCP_NONE,
    TCP_SYN_SENT,
    TCP_SYN_RECV,
    TCP_ESTABLISHED,
    TCP_FIN_WAIT,  /* one side sent FIN */
    TCP_TIME_WAIT, /* both sent FIN */
    TCP_CLOSE,     /* reset */
    TCP_STATE_COUNT
};

struct ct_key {
    uint32_t src, dst;
    uint16_t sport, dport; /* ICMP echo: the identifier, 0 */
    uint8_t proto;
};

struct ct_dir {
    uint32_t end;    /* highest seq + len sent */
    uint32_t maxend; /* highest right edge the peer allowed (ack + window) */
    uint32_t maxwin; /* largest window advertised */
    uint8_t wscale, seen, fin;
};

struct ct_entry {
    struct ct_key key; /* original direction */
    int32_t next;      /* bucket chain, -1 ends */
    uint8_t used, replied, tcp_state, scaled;
    uint64_t last_ms, expires_ms;
    struct ct_dir dir[2];
    uint64_t packets;
};

/* A packet's view for tracking: its 5-tuple and the fields the state machine reads. */
struct ct_packet {
    struct ct_key key;
    uint8_t tcp_flags;
    uint32_t seq, ack;
    uint16_t window;
    int8_t wscale; /* window scale option of a SYN, -1 none */
    uint32_t payload_len;
    uint8_t icmp_type;
    int icmp_error; /* an ICMP error: inner is the quoted packet's key */
    struct ct_key inner;
};

struct conntrack {
    struct ct_entry entries[CT_TABLE_SIZE];
    int32_t buckets[CT_BUCKETS];
    int32_t free_head;
    unsigned count;
    uint64_t state_packets[4]; /* new, established, related, invalid */
    uint64_t tcp_state_entries[TCP_STATE_COUNT];
    uint64_t evicted, table_full, expired;
};

void ct_init(struct conntrack *ct);
/* Classifies a packet (CT_NEW, CT_ESTABLISHED, CT_RELATED or CT_INVALID) and, unless it is NEW
 * or INVALID, updates its entry. *entry is the entry (NULL for new and invalid). */
int ct_classify(struct conntrack *ct, const struct ct_packet *p, uint64_t now_ms,
                struct ct_entry **entry);
/* Creates the entry of a NEW packet that the rules accepted. Returns 0, or -1 if the table is
 * full of established connections. */
int ct_commit(struct conntrack *ct, const struct ct_packet *p, uint64_t now_ms);
/* Removes expired entries (call now and then). */
void ct_expire(struct conntrack *ct, uint64_t now_ms);
/* Reads a packet's tracking view; returns 0, or -1 when it cannot be tracked. */
int ct_parse(const uint8_t *ip, size_t len, struct ct_packet *p);

#endif
