/* IPv4 reassembly: a few fixed slots of 64 KiB, a bitmap of 8-byte blocks to catch overlaps, a
 * timeout, and the oldest incomplete datagram evicted when a new one needs a slot. */
#include "net_internal.h"

#define REASM_SLOTS      4
#define REASM_TIMEOUT_NS (30 * NET_NS_PER_SEC)      /* Linux's ipfrag_time */
#define REASM_MAX_DATA   (NET_IP_MAX_LEN - IP_HLEN) /* payload of the largest datagram */
#define REASM_BLOCKS     ((REASM_MAX_DATA + 7) / 8)

struct reasm_slot {
    bool used;
    unsigned dev;
    uint32_t src, dst;
    uint16_t id;
    uint8_t proto;
    uint64_t deadline;
    size_t received; /* payload bytes held */
    size_t max_end;  /* the end of the furthest fragment */
    size_t total;    /* payload length, known once the last fragment came (else 0) */
    bool have_first;
    size_t first_hlen;
    uint8_t first_hdr[60];
    uint8_t seen[REASM_BLOCKS / 8 + 1]; /* one bit per 8-byte block */
    uint8_t data[REASM_MAX_DATA];
};

static struct reasm_slot slots[REASM_SLOTS];
/* False only when no slot is used: set with each new slot, cleared by a scan that finds none. The
 * wait loop asks for the next deadline before every halt, and fragments are rare. */
static bool maybe_used;

void reasm_reset(void)
{
    for (unsigned i = 0; i < REASM_SLOTS; i++)
        slots[i].used = false;
    maybe_used = false;
}

static bool block_seen(const struct reasm_slot *s, size_t b)
{
    return s->seen[b / 8] & (1u << (b % 8));
}

static struct reasm_slot *slot_find(uint32_t src, uint32_t dst, uint16_t id, uint8_t proto)
{
    for (unsigned i = 0; i < REASM_SLOTS; i++) {
        struct reasm_slot *s = &slots[i];
        if (s->used && s->src == src && s->dst == dst && s->id == id && s->proto == proto)
            return s;
    }
    return NULL;
}

static struct reasm_slot *slot_new(unsigned dev, uint32_t src, uint32_t dst, uint16_t id,
                                   uint8_t proto)
{
    struct reasm_slot *s = NULL;
    for (unsigned i = 0; i < REASM_SLOTS && !s; i++)
        if (!slots[i].used)
            s = &slots[i];
    if (!s) {
        s = &slots[0];
        for (unsigned i = 1; i < REASM_SLOTS; i++)
            if (slots[i].deadline < s->deadline)
                s = &slots[i];
        net_counters.frag_evicted++;
    }
    s->used = true;
    maybe_used = true;
    s->dev = dev;
    s->src = src;
    s->dst = dst;
    s->id = id;
    s->proto = proto;
    s->deadline = net_now() + REASM_TIMEOUT_NS;
    s->received = 0;
    s->max_end = 0;
    s->total = 0;
    s->have_first = false;
    memset(s->seen, 0, sizeof(s->seen));
    return s;
}

void reasm_input(unsigned dev, const uint8_t *hdr, size_t hdr_len, const uint8_t *data, size_t len)
{
    net_counters.frag_rx++;
    uint16_t frag = get16(hdr + 6);
    bool more = frag & 0x2000;
    size_t off = (size_t)(frag & 0x1fff) * 8;
    size_t end = off + len;
    if (more && (len == 0 || len % 8 != 0)) {
        net_counters.frag_bad_length++;
        return;
    }
    uint32_t src = get32(hdr + 12), dst = get32(hdr + 16);
    uint16_t id = get16(hdr + 4);
    uint8_t proto = hdr[9];
    struct reasm_slot *s = slot_find(src, dst, id, proto);
    if (end > REASM_MAX_DATA) {
        net_counters.frag_too_big++;
        if (s) /* the datagram can never be whole: free its memory now */
            s->used = false;
        return;
    }
    if (!s)
        s = slot_new(dev, src, dst, id, proto);
    /* A second last fragment, or data past the known end, is an overlap of a kind. */
    if ((!more && s->total) || (s->total && end > s->total)) {
        net_counters.frag_overlap++;
        s->used = false;
        return;
    }
    size_t first_block = off / 8, end_block = (end + 7) / 8;
    for (size_t b = first_block; b < end_block; b++)
        if (block_seen(s, b)) {
            /* Overlapping fragments are an attack or a mess: drop the whole datagram. */
            net_counters.frag_overlap++;
            s->used = false;
            return;
        }
    if (!more && end < s->max_end) {
        net_counters.frag_overlap++; /* data beyond the end already received */
        s->used = false;
        return;
    }
    for (size_t b = first_block; b < end_block; b++)
        s->seen[b / 8] |= (uint8_t)(1u << (b % 8));
    memcpy(s->data + off, data, len);
    s->received += len;
    s->max_end = MAX(s->max_end, end);
    if (!more)
        s->total = end;
    if (off == 0) {
        s->have_first = true;
        s->first_hlen = hdr_len;
        memcpy(s->first_hdr, hdr, hdr_len);
    }
    if (!s->total || s->received != s->total)
        return;
    /* Complete (blocks never overlap, so the byte count proves every byte is present). */
    net_counters.frag_reassembled++;
    struct ip_rx ip = {
        .dev = s->dev,
        .src = src,
        .dst = dst,
        .proto = proto,
        .ttl = s->first_hdr[8],
        .hdr = s->first_hdr,
        .hdr_len = s->first_hlen,
        .payload = s->data,
        .len = s->total,
        .to_broadcast = net_addr_is_broadcast(dst),
    };
    ip_deliver(&ip);
    s->used = false;
}

void reasm_poll(uint64_t now)
{
    if (!maybe_used)
        return;
    for (unsigned i = 0; i < REASM_SLOTS; i++)
        if (slots[i].used && now >= slots[i].deadline) {
            slots[i].used = false;
            net_counters.frag_timeout++;
        }
}

uint64_t reasm_next_deadline(void)
{
    uint64_t next = UINT64_MAX;
    if (!maybe_used)
        return next;
    bool any = false;
    for (unsigned i = 0; i < REASM_SLOTS; i++)
        if (slots[i].used) {
            any = true;
            if (slots[i].deadline < next)
                next = slots[i].deadline;
        }
    maybe_used = any;
    return next;
}
