/* TCP sequence-number arithmetic modulo 2^32 (RFC 9293 §3.4) and the half-open range type. */
#ifndef ATOLL_NET_TCP_SEQ_H
#define ATOLL_NET_TCP_SEQ_H

#include <stdbool.h>
#include <stdint.h>

/* Every comparison is valid only between numbers less than 2^31 apart, which TCP guarantees for
 * the values a connection holds at once (windows are at most 2^30 bytes, RFC 7323 §2.3). */

/* a - b as a signed distance: negative when a is before b. */
static inline int32_t seq_diff(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b);
}
static inline bool seq_lt(uint32_t a, uint32_t b)
{
    return seq_diff(a, b) < 0;
}
static inline bool seq_leq(uint32_t a, uint32_t b)
{
    return seq_diff(a, b) <= 0;
}
static inline bool seq_gt(uint32_t a, uint32_t b)
{
    return seq_diff(a, b) > 0;
}
static inline bool seq_geq(uint32_t a, uint32_t b)
{
    return seq_diff(a, b) >= 0;
}
static inline uint32_t seq_max(uint32_t a, uint32_t b)
{
    return seq_gt(a, b) ? a : b;
}
static inline uint32_t seq_min(uint32_t a, uint32_t b)
{
    return seq_lt(a, b) ? a : b;
}
/* lo <= s < hi, i.e. s lies in the half-open window [lo, hi). Empty when lo == hi. */
static inline bool seq_in(uint32_t s, uint32_t lo, uint32_t hi)
{
    return seq_geq(s, lo) && seq_lt(s, hi);
}
/* lo <= s <= hi. */
static inline bool seq_between(uint32_t s, uint32_t lo, uint32_t hi)
{
    return seq_geq(s, lo) && seq_leq(s, hi);
}

/* A half-open range of sequence numbers [start, end): end is one past the last byte, as in the
 * right edge of a SACK block (RFC 2018 §3). Non-empty ranges have seq_lt(start, end). */
struct tcp_range {
    uint32_t start;
    uint32_t end;
};

/* Bytes in r (0 for an empty or inverted range). */
static inline uint32_t tcp_range_len(struct tcp_range r)
{
    return seq_lt(r.start, r.end) ? r.end - r.start : 0;
}

#endif
