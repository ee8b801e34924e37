/* The loopback queue: TCP segments to one of our own addresses, delivered from tcp_timers. */
#include "tcp_internal.h"

/* Segments to our own addresses wait here and are delivered from tcp_timers: delivering them
 * from inside the output path would re-enter the engine. */
#define LOOP_SLOTS 32
struct loop_seg {
    uint32_t src, dst;
    uint16_t len;
    uint8_t data[TCP_HLEN + TCP_OPT_MAXLEN + TCP_LOOP_MSS];
};
static struct loop_seg loop_q[LOOP_SLOTS];
static unsigned loop_head, loop_count;

#ifdef ATOLL_HOST
enum tcp_loop_fate (*tcp_loop_filter)(const uint8_t *seg, size_t len);
static struct loop_seg loop_held; /* TCP_LOOP_DELAY: goes after the next segment */
static bool loop_holding;
#endif

void tcp_loopback_queue(uint32_t src, uint32_t dst, const uint8_t *hdr, size_t hlen,
                        const struct net_iov *iov, unsigned n)
{
    if (loop_count == LOOP_SLOTS) {
        net_counters.tcp_loop_full++;
        return;
    }
    struct loop_seg *s = &loop_q[(loop_head + loop_count) % LOOP_SLOTS];
    s->src = src;
    s->dst = dst;
    memcpy(s->data, hdr, hlen);
    size_t len = hlen;
    for (unsigned i = 0; i < n; i++) {
        if (len + iov[i].len > sizeof(s->data))
            return;
        memcpy(s->data + len, iov[i].base, iov[i].len);
        len += iov[i].len;
    }
    s->len = (uint16_t)len;
#ifdef ATOLL_HOST
    enum tcp_loop_fate fate = tcp_loop_filter ? tcp_loop_filter(s->data, len) : TCP_LOOP_PASS;
    if (fate == TCP_LOOP_DROP)
        return;
    if (fate == TCP_LOOP_DELAY && !loop_holding) {
        loop_held = *s;
        loop_holding = true;
        return;
    }
    loop_count++;
    if (fate == TCP_LOOP_DUP && loop_count < LOOP_SLOTS) {
        loop_q[(loop_head + loop_count) % LOOP_SLOTS] = *s;
        loop_count++;
    }
    if (loop_holding && fate != TCP_LOOP_DELAY && loop_count < LOOP_SLOTS) {
        loop_q[(loop_head + loop_count) % LOOP_SLOTS] = loop_held;
        loop_count++;
        loop_holding = false;
    }
#else
    loop_count++;
#endif
}

bool tcp_loopback_pending(void)
{
    return loop_count != 0;
}

void tcp_loopback_run(void)
{
    if (!net_hooks_active || tcp_g.conns == 0) {
        loop_count = 0;
#ifdef ATOLL_HOST
        loop_holding = false;
#endif
        return;
    }
    /* Bounded: what these segments make the engine send to itself waits for the next run. */
    for (unsigned n = loop_count; n && loop_count; n--) {
        struct loop_seg *s = &loop_q[loop_head];
        loop_head = (loop_head + 1) % LOOP_SLOTS;
        loop_count--;
        static uint8_t hdr[IP_HLEN];
        memset(hdr, 0, sizeof(hdr));
        hdr[0] = 0x45;
        struct ip_rx ip = {
            .dev = 0,
            .src = s->src,
            .dst = s->dst,
            .proto = IP_PROTO_TCP,
            .ttl = IP_DEFAULT_TTL,
            .hdr = hdr,
            .hdr_len = IP_HLEN,
            .payload = s->data,
            .len = s->len,
        };
        static uint8_t copy[sizeof(s->data)];
        memcpy(copy, s->data, s->len); /* the slot may be reused by what input sends */
        ip.payload = copy;
        tcp_input(&ip);
    }
}

unsigned tcp_loopback_room(void)
{
    return LOOP_SLOTS - loop_count;
}
