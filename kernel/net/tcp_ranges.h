/* A bounded set of disjoint sequence ranges: the receiver's out-of-order map and SACK blocks,
 * and the sender's SACK scoreboard. */
#ifndef ATOLL_NET_TCP_RANGES_H
#define ATOLL_NET_TCP_RANGES_H

#include <stddef.h>
#include <stdint.h>

#include "tcp_seq.h"

/* Capacity: 32 holes in one window is far beyond what a sane path produces; the bound keeps the
 * structure a fixed 392 bytes embedded in the connection, with no allocation. */
#define TCP_RANGES_MAX 32

/* Invariants (checked by the unit tests after every operation):
 *  - r[0..n) are non-empty, sorted by start (mod 2^32), disjoint and not adjacent (touching
 *    ranges are merged), and all lie within 2^31 of each other;
 *  - stamp[i] orders ranges by the last time tcp_ranges_add touched them (larger = more recent).
 * The caller owns the memory (embed it); tcp_ranges_init before first use. Plain data: it may
 * be copied or zeroed (a zeroed set is a valid empty set). */
struct tcp_ranges {
    uint32_t n;
    uint32_t clock; /* source of stamp values */
    struct tcp_range r[TCP_RANGES_MAX];
    uint32_t stamp[TCP_RANGES_MAX];
};

void tcp_ranges_init(struct tcp_ranges *s);

static inline unsigned tcp_ranges_count(const struct tcp_ranges *s)
{
    return s->n;
}

/* Adds [start, end), merging it with every range it overlaps or touches; the merged range
 * becomes the most recent. Returns 0; -EINVAL when the range is empty or longer than 2^30
 * bytes (the set is unchanged); -ENOSPC when it would be a new range and the set is full (the
 * set is unchanged: a receiver then drops the segment, a sender loses only SACK information,
 * which is safe: RFC 6675 treats un-SACKed data as outstanding). */
int tcp_ranges_add(struct tcp_ranges *s, uint32_t start, uint32_t end);

/* Forgets every sequence number before seq: ranges wholly before it go, a range straddling it
 * is cut to start at seq. Used when snd_una or rcv_nxt advances. */
void tcp_ranges_trim(struct tcp_ranges *s, uint32_t seq);

/* The receiver's step: when the lowest range starts at or before rcv_nxt, returns its end (the
 * new rcv_nxt: that data is now in order) and removes it and everything before it; otherwise
 * returns rcv_nxt unchanged. Trims ranges before rcv_nxt in either case. */
uint32_t tcp_ranges_advance(struct tcp_ranges *s, uint32_t rcv_nxt);

/* True when every byte of [start, end) is in the set (true for an empty query range). */
bool tcp_ranges_contains(const struct tcp_ranges *s, uint32_t start, uint32_t end);

/* Bytes of [start, end) that are in the set. */
uint32_t tcp_ranges_covered(const struct tcp_ranges *s, uint32_t start, uint32_t end);

/* Total bytes in the set. */
uint32_t tcp_ranges_bytes(const struct tcp_ranges *s);

/* The lowest range, or NULL when the set is empty. Pointer into s, valid until s changes. */
const struct tcp_range *tcp_ranges_first(const struct tcp_ranges *s);

/* One past the highest byte in the set (the end of the last range); fallback when empty. */
uint32_t tcp_ranges_highest(const struct tcp_ranges *s, uint32_t fallback);

/* The first range that ends after seq (contains seq or starts after it), or NULL. */
const struct tcp_range *tcp_ranges_find(const struct tcp_ranges *s, uint32_t seq);

/* SACK blocks for an outgoing ACK (RFC 2018 §4): up to max ranges copied to out, most recently
 * added first, so the block holding the segment that triggered the ACK leads and the others
 * follow in the order they were last reported. Returns the count written. */
unsigned tcp_ranges_sack_blocks(const struct tcp_ranges *s, struct tcp_range *out, unsigned max);

#endif
