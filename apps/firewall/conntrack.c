/* Connection tracking: TCP states with window checks in the manner of "Real Stateful TCP Packet
 * Filtering in IP Filter" (Rooij) as netfilter does it, UDP and ICMP echo pseudo-connections,
 * ICMP errors related to a tracked flow. Fixed table, bucket chains by a hash that is the same
 * for both directions. */
#include "conntrack.h"
#include "rules.h"
#include "wire.h"

#include <string.h>

#define SEC 1000ull
static const uint64_t tcp_timeouts[TCP_STATE_COUNT] = {
    [TCP_NONE] = 10 * SEC,          [TCP_SYN_SENT] = 30 * SEC,  [TCP_SYN_RECV] = 30 * SEC,
    [TCP_ESTABLISHED] = 3600 * SEC, [TCP_FIN_WAIT] = 120 * SEC, [TCP_TIME_WAIT] = 60 * SEC,
    [TCP_CLOSE] = 10 * SEC,
};
#define UDP_TIMEOUT         (30 * SEC)
#define UDP_REPLIED_TIMEOUT (120 * SEC)
#define ICMP_TIMEOUT        (30 * SEC)

static int before(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) < 0;
}

static uint32_t later(uint32_t a, uint32_t b)
{
    return before(a, b) ? b : a;
}

void ct_init(struct conntrack *ct)
{
    memset(ct, 0, sizeof(*ct));
    for (int i = 0; i < CT_BUCKETS; i++)
        ct->buckets[i] = -1;
    for (int i = 0; i < CT_TABLE_SIZE; i++)
        ct->entries[i].next = i + 1 < CT_TABLE_SIZE ? i + 1 : -1;
    ct->free_head = 0;
}

static unsigned bucket_of(const struct ct_key *k)
{
    uint32_t h = (k->src ^ k->dst) * 2654435761u;
    h ^= (uint32_t)(k->sport ^ k->dport) * 40503u + k->proto;
    h ^= h >> 15;
    return h % CT_BUCKETS;
}

static struct ct_key reversed(const struct ct_key *k)
{
    return (struct ct_key){k->dst, k->src, k->dport, k->sport, k->proto};
}

static int same(const struct ct_key *a, const struct ct_key *b)
{
    return a->src == b->src && a->dst == b->dst && a->sport == b->sport && a->dport == b->dport &&
           a->proto == b->proto;
}

/* The entry of key in either direction (*dir 0: original, 1: reply). */
static struct ct_entry *find(struct conntrack *ct, const struct ct_key *k, int *dir)
{
    struct ct_key r = reversed(k);
    for (int32_t i = ct->buckets[bucket_of(k)]; i >= 0; i = ct->entries[i].next) {
        struct ct_entry *e = &ct->entries[i];
        if (same(&e->key, k) || same(&e->key, &r)) {
            *dir = same(&e->key, k) ? 0 : 1;
            return e;
        }
    }
    return NULL;
}

static void unlink_entry(struct conntrack *ct, struct ct_entry *e)
{
    int32_t idx = (int32_t)(e - ct->entries);
    int32_t *link = &ct->buckets[bucket_of(&e->key)];
    while (*link != idx)
        link = &ct->entries[*link].next;
    *link = e->next;
    if (e->key.proto == IP_PROTO_TCP)
        ct->tcp_state_entries[e->tcp_state]--;
    e->used = 0;
    e->next = ct->free_head;
    ct->free_head = idx;
    ct->count--;
}

static void set_tcp_state(struct conntrack *ct, struct ct_entry *e, enum ct_tcp_state s,
                          uint64_t now_ms)
{
    ct->tcp_state_entries[e->tcp_state]--;
    ct->tcp_state_entries[s]++;
    e->tcp_state = (uint8_t)s;
    e->expires_ms = now_ms + tcp_timeouts[s];
}

/* The TCP state machine and window check for a segment of a tracked connection; 0 if valid. */
static int tcp_step(struct conntrack *ct, struct ct_entry *e, int d, const struct ct_packet *p,
                    uint64_t now_ms)
{
    uint8_t f = p->tcp_flags;
    int syn = f & TCPF_SYN, ack = f & TCPF_ACK, fin = f & TCPF_FIN, rst = f & TCPF_RST;
    struct ct_dir *snd = &e->dir[d], *rcv = &e->dir[!d];
    uint32_t end = p->seq + p->payload_len + !!syn + !!fin;
    switch (e->tcp_state) {
    case TCP_SYN_SENT:
        if (d == 0 && syn && !ack)
            return 0; /* a retransmitted SYN */
        if (d == 1 && rst && ack && p->ack == rcv->end) {
            set_tcp_state(ct, e, TCP_CLOSE, now_ms);
            return 0;
        }
        if (d != 1 || !syn || !ack || rst || p->ack != rcv->end)
            return -1;
        snd->end = end;
        snd->maxwin = p->window ? p->window : 1;
        snd->seen = 1;
        e->scaled = rcv->wscale != 0xff && p->wscale >= 0;
        snd->wscale = e->scaled ? (uint8_t)p->wscale : 0;
        if (!e->scaled)
            rcv->wscale = 0;
        rcv->maxend = p->ack + p->window; /* SYN-ACK windows are never scaled */
        snd->maxend = end + rcv->maxwin;
        set_tcp_state(ct, e, TCP_SYN_RECV, now_ms);
        return 0;
    case TCP_SYN_RECV:
        if (d == 1 && syn && ack)
            return 0; /* a retransmitted SYN-ACK */
        if (syn)
            return -1;
        break;
    case TCP_CLOSE:
        return rst ? 0 : -1;
    default:
        if (syn)
            return -1; /* no SYN inside a connection */
        break;
    }
    /* Window check: the segment starts no later than the right edge the peer allowed, ends no
     * earlier than a window before what was already sent, and acknowledges nothing unsent. */
    if (before(snd->maxend, p->seq) || before(end, snd->end - rcv->maxwin - 1))
        return -1;
    if (ack && before(rcv->end, p->ack))
        return -1;
    if (rst) {
        set_tcp_state(ct, e, TCP_CLOSE, now_ms);
        return 0;
    }
    uint32_t win = (uint32_t)p->window << snd->wscale;
    snd->end = later(snd->end, end);
    if (win > snd->maxwin)
        snd->maxwin = win;
    if (ack)
        rcv->maxend = later(rcv->maxend, p->ack + (win ? win : 1));
    if (fin)
        snd->fin = 1;
    enum ct_tcp_state next = e->tcp_state;
    if (e->tcp_state == TCP_SYN_RECV && d == 0 && ack)
        next = TCP_ESTABLISHED;
    if (e->dir[0].fin && e->dir[1].fin)
        next = TCP_TIME_WAIT;
    else if (fin && next == TCP_ESTABLISHED)
        next = TCP_FIN_WAIT;
    set_tcp_state(ct, e, next, now_ms);
    return 0;
}

static int count(struct conntrack *ct, int state)
{
    ct->state_packets[state == CT_NEW           ? 0
                      : state == CT_ESTABLISHED ? 1
                      : state == CT_RELATED     ? 2
                                                : 3]++;
    return state;
}

int ct_classify(struct conntrack *ct, const struct ct_packet *p, uint64_t now_ms,
                struct ct_entry **entry)
{
    *entry = NULL;
    int dir;
    if (p->icmp_error) {
        struct ct_entry *e = find(ct, &p->inner, &dir);
        if (e && e->expires_ms > now_ms) {
            *entry = e;
            return count(ct, CT_RELATED);
        }
        return count(ct, CT_INVALID);
    }
    struct ct_entry *e = find(ct, &p->key, &dir);
    if (e && e->expires_ms <= now_ms) {
        unlink_entry(ct, e);
        ct->expired++;
        e = NULL;
    }
    /* A fresh SYN on the 4-tuple of a closed or closing connection opens a new one (port
     * reuse), as a host would accept it. */
    if (e && p->key.proto == IP_PROTO_TCP &&
        (e->tcp_state == TCP_CLOSE || e->tcp_state == TCP_TIME_WAIT) &&
        (p->tcp_flags & (TCPF_SYN | TCPF_ACK | TCPF_RST | TCPF_FIN)) == TCPF_SYN) {
        unlink_entry(ct, e);
        e = NULL;
    }
    if (!e) {
        if (p->key.proto == IP_PROTO_TCP) {
            uint8_t f = p->tcp_flags;
            int pure_syn = (f & (TCPF_SYN | TCPF_ACK | TCPF_RST | TCPF_FIN)) == TCPF_SYN;
            return count(ct, pure_syn ? CT_NEW : CT_INVALID);
        }
        if (p->key.proto == IP_PROTO_ICMP && p->icmp_type == 0)
            return count(ct, CT_INVALID); /* an echo reply nobody asked for */
        return count(ct, CT_NEW);
    }
    if (p->key.proto == IP_PROTO_TCP) {
        if (tcp_step(ct, e, dir, p, now_ms) != 0)
            return count(ct, CT_INVALID);
    } else {
        e->expires_ms = now_ms + (p->key.proto == IP_PROTO_UDP
                                      ? (e->replied || dir ? UDP_REPLIED_TIMEOUT : UDP_TIMEOUT)
                                      : ICMP_TIMEOUT);
    }
    if (dir == 1)
        e->replied = 1;
    e->last_ms = now_ms;
    e->packets++;
    *entry = e;
    return count(ct, dir == 0 && !e->replied ? CT_NEW : CT_ESTABLISHED);
}

/* The oldest entry that is not established, to make room. */
static struct ct_entry *victim(struct conntrack *ct)
{
    struct ct_entry *best = NULL;
    for (int i = 0; i < CT_TABLE_SIZE; i++) {
        struct ct_entry *e = &ct->entries[i];
        int established =
            e->key.proto == IP_PROTO_TCP ? e->tcp_state == TCP_ESTABLISHED : e->replied;
        if (e->used && !established && (!best || e->last_ms < best->last_ms))
            best = e;
    }
    return best;
}

int ct_commit(struct conntrack *ct, const struct ct_packet *p, uint64_t now_ms)
{
    int dir;
    if (p->icmp_error || find(ct, &p->key, &dir))
        return 0;
    if (ct->free_head < 0) {
        struct ct_entry *v = victim(ct);
        if (!v) {
            ct->table_full++;
            return -1;
        }
        unlink_entry(ct, v);
        ct->evicted++;
    }
    int32_t idx = ct->free_head;
    struct ct_entry *e = &ct->entries[idx];
    ct->free_head = e->next;
    memset(e, 0, sizeof(*e));
    e->key = p->key;
    e->used = 1;
    e->last_ms = now_ms;
    e->packets = 1;
    unsigned b = bucket_of(&p->key);
    e->next = ct->buckets[b];
    ct->buckets[b] = idx;
    ct->count++;
    if (p->key.proto == IP_PROTO_TCP) {
        e->dir[0].end = p->seq + 1 + p->payload_len;
        e->dir[0].maxend = e->dir[0].end;
        e->dir[0].maxwin = p->window ? p->window : 1;
        e->dir[0].wscale = p->wscale >= 0 ? (uint8_t)p->wscale : 0xff;
        e->dir[0].seen = 1;
        ct->tcp_state_entries[TCP_NONE]++;
        set_tcp_state(ct, e, TCP_SYN_SENT, now_ms);
    } else {
        e->expires_ms = now_ms + (p->key.proto == IP_PROTO_UDP ? UDP_TIMEOUT : ICMP_TIMEOUT);
    }
    return 0;
}

void ct_expire(struct conntrack *ct, uint64_t now_ms)
{
    for (int i = 0; i < CT_TABLE_SIZE; i++) {
        struct ct_entry *e = &ct->entries[i];
        if (e->used && e->expires_ms <= now_ms) {
            unlink_entry(ct, e);
            ct->expired++;
        }
    }
}
