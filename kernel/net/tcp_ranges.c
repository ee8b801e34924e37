/* A bounded set of disjoint sequence ranges: the receiver's out-of-order map and SACK blocks,
 * and the sender's SACK scoreboard. */
#include "tcp_ranges.h"

#include "net_internal.h"

#define RANGE_LEN_MAX 0x40000000u /* 2^30: larger ones cannot come from a valid window */

void tcp_ranges_init(struct tcp_ranges *s)
{
    memset(s, 0, sizeof(*s));
}

/* Removes entries [from, to) of the arrays, keeping order. */
static void remove_span(struct tcp_ranges *s, unsigned from, unsigned to)
{
    unsigned gone = to - from;
    if (!gone)
        return;
    memmove(&s->r[from], &s->r[to], (s->n - to) * sizeof(s->r[0]));
    memmove(&s->stamp[from], &s->stamp[to], (s->n - to) * sizeof(s->stamp[0]));
    s->n -= gone;
}

/* Stamps only order ranges; before the clock could wrap, renumber them 1..n keeping the order. */
static void renumber_stamps(struct tcp_ranges *s)
{
    uint32_t next = 1, floor = 0;
    for (unsigned k = 0; k < s->n; k++) {
        unsigned best = 0;
        uint32_t best_stamp = UINT32_MAX;
        for (unsigned i = 0; i < s->n; i++)
            if (s->stamp[i] > floor && s->stamp[i] <= best_stamp) {
                best = i;
                best_stamp = s->stamp[i];
            }
        floor = best_stamp;
        s->stamp[best] = next++;
    }
    s->clock = next - 1;
}

int tcp_ranges_add(struct tcp_ranges *s, uint32_t start, uint32_t end)
{
    uint32_t len = end - start;
    if (len == 0 || len > RANGE_LEN_MAX)
        return -EINVAL;
    /* first: the first range that ends at or after start (it may touch or overlap). */
    unsigned first = 0;
    while (first < s->n && seq_lt(s->r[first].end, start))
        first++;
    /* last: one past the last range that starts at or before end. */
    unsigned last = first;
    while (last < s->n && seq_leq(s->r[last].start, end))
        last++;
    if (s->clock >= 0x7fffffffu)
        renumber_stamps(s);
    uint32_t stamp = ++s->clock;
    if (first == last) { /* touches nothing: insert at first */
        if (s->n == TCP_RANGES_MAX) {
            s->clock--;
            return -ENOSPC;
        }
        memmove(&s->r[first + 1], &s->r[first], (s->n - first) * sizeof(s->r[0]));
        memmove(&s->stamp[first + 1], &s->stamp[first], (s->n - first) * sizeof(s->stamp[0]));
        s->r[first].start = start;
        s->r[first].end = end;
        s->stamp[first] = stamp;
        s->n++;
        return 0;
    }
    uint32_t new_start = seq_min(start, s->r[first].start);
    uint32_t new_end = seq_max(end, s->r[last - 1].end);
    if (new_end - new_start > RANGE_LEN_MAX) {
        s->clock--;
        return -EINVAL;
    }
    s->r[first].start = new_start;
    s->r[first].end = new_end;
    s->stamp[first] = stamp;
    remove_span(s, first + 1, last);
    return 0;
}

void tcp_ranges_trim(struct tcp_ranges *s, uint32_t seq)
{
    unsigned gone = 0;
    while (gone < s->n && seq_leq(s->r[gone].end, seq))
        gone++;
    remove_span(s, 0, gone);
    if (s->n && seq_lt(s->r[0].start, seq))
        s->r[0].start = seq;
}

uint32_t tcp_ranges_advance(struct tcp_ranges *s, uint32_t rcv_nxt)
{
    tcp_ranges_trim(s, rcv_nxt);
    if (s->n && seq_leq(s->r[0].start, rcv_nxt)) {
        rcv_nxt = s->r[0].end;
        remove_span(s, 0, 1);
    }
    return rcv_nxt;
}

uint32_t tcp_ranges_covered(const struct tcp_ranges *s, uint32_t start, uint32_t end)
{
    uint32_t total = 0;
    if (!seq_lt(start, end))
        return 0;
    for (unsigned i = 0; i < s->n; i++) {
        if (seq_leq(s->r[i].end, start))
            continue;
        if (seq_geq(s->r[i].start, end))
            break;
        uint32_t a = seq_max(s->r[i].start, start);
        uint32_t b = seq_min(s->r[i].end, end);
        total += b - a;
    }
    return total;
}

bool tcp_ranges_contains(const struct tcp_ranges *s, uint32_t start, uint32_t end)
{
    if (!seq_lt(start, end))
        return true;
    /* Ranges never touch, so one range must hold all of it. */
    const struct tcp_range *r = tcp_ranges_find(s, start);
    return r && seq_leq(r->start, start) && seq_geq(r->end, end);
}

uint32_t tcp_ranges_bytes(const struct tcp_ranges *s)
{
    uint32_t total = 0;
    for (unsigned i = 0; i < s->n; i++)
        total += s->r[i].end - s->r[i].start;
    return total;
}

const struct tcp_range *tcp_ranges_first(const struct tcp_ranges *s)
{
    return s->n ? &s->r[0] : NULL;
}

uint32_t tcp_ranges_highest(const struct tcp_ranges *s, uint32_t fallback)
{
    return s->n ? s->r[s->n - 1].end : fallback;
}

const struct tcp_range *tcp_ranges_find(const struct tcp_ranges *s, uint32_t seq)
{
    for (unsigned i = 0; i < s->n; i++)
        if (seq_gt(s->r[i].end, seq))
            return &s->r[i];
    return NULL;
}

unsigned tcp_ranges_sack_blocks(const struct tcp_ranges *s, struct tcp_range *out, unsigned max)
{
    unsigned count = 0;
    uint32_t below = 0; /* every range with a stamp >= below was already copied */
    bool first = true;
    while (count < max) {
        int best = -1;
        for (unsigned i = 0; i < s->n; i++) {
            if (!first && s->stamp[i] >= below)
                continue;
            if (best < 0 || s->stamp[i] > s->stamp[best])
                best = (int)i;
        }
        if (best < 0)
            break;
        out[count++] = s->r[best];
        below = s->stamp[best];
        first = false;
    }
    return count;
}
