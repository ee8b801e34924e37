/* TCP options: a bounded parser and a builder for MSS, window scale, SACK and timestamps. */
#ifndef ATOLL_NET_TCP_OPTIONS_H
#define ATOLL_NET_TCP_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "tcp_seq.h"

/* Option kinds (RFC 9293 §3.2, RFC 7323, RFC 2018). */
#define TCP_OPT_EOL       0
#define TCP_OPT_NOP       1
#define TCP_OPT_MSS       2
#define TCP_OPT_WSCALE    3
#define TCP_OPT_SACK_PERM 4
#define TCP_OPT_SACK      5
#define TCP_OPT_TIMESTAMP 8

#define TCP_OPT_MAXLEN   40  /* the options area of a header with data offset 15 */
#define TCP_OPT_MAX_SACK 4   /* blocks that fit in 40 bytes (RFC 2018 §3) */
#define TCP_OPT_TS_LEN   12  /* NOP NOP TS, as the builder lays it out: subtract from the MSS */
#define TCP_WSCALE_MAX   14  /* RFC 7323 §2.3: larger shifts are treated as 14 */
#define TCP_MSS_DEFAULT  536 /* RFC 9293 §3.7.1: assumed when a SYN carries no MSS option */

/* Which fields of struct tcp_opts are present. */
#define TCP_OPTF_MSS       0x01u
#define TCP_OPTF_WSCALE    0x02u
#define TCP_OPTF_SACK_PERM 0x04u
#define TCP_OPTF_TIMESTAMP 0x08u
#define TCP_OPTF_SACK      0x10u

/* Options of one segment, parsed or to be built. Fields are meaningful only when their flag is
 * set in .present; all values in host byte order. */
struct tcp_opts {
    uint8_t present; /* TCP_OPTF_* */
    uint8_t wscale;  /* shift count as sent; parsing clamps values above 14 to 14 (RFC 7323) */
    uint16_t mss;    /* bytes */
    uint32_t ts_val; /* TSval */
    uint32_t ts_ecr; /* TSecr */
    uint8_t nsack;   /* blocks in sack[] (1..4 when TCP_OPTF_SACK is set) */
    struct tcp_range sack[TCP_OPT_MAX_SACK]; /* as received/to send: not validated here */
};

/* Parses the options area p[0..len) (len <= 40, the bytes between the fixed header and the data)
 * into *out, which is fully overwritten. syn: the segment has SYN set; MSS, window scale and
 * SACK-permitted are reported only on SYN segments (RFC 9293 §3.7.1, RFC 7323 §2.2, RFC 2018 §2)
 * and silently ignored otherwise. Unknown kinds with a well-formed length are skipped; EOL ends
 * the list. A later copy of an option replaces an earlier one.
 *
 * Returns 0, or -EINVAL when the area is malformed: len > 40, a length byte missing, below 2 or
 * running past the end, or a known option with the wrong length (MSS 4, WS 3, SACK-permitted 2,
 * timestamps 10, SACK 2 + 8n with n = 1..4). On error *out holds the options before the bad
 * one; a receiver should drop the segment and count it. Never reads outside p[0..len). */
int tcp_opts_parse(const uint8_t *p, size_t len, bool syn, struct tcp_opts *out);

/* Length in bytes (a multiple of 4, at most 40) that tcp_opts_build writes for o. */
size_t tcp_opts_len(const struct tcp_opts *o);

/* Writes the options in o into buf (room for TCP_OPT_MAXLEN bytes), padded with NOPs to a
 * multiple of 4, laid out as Linux does so middleboxes see familiar bytes: MSS; SACK-permitted
 * and timestamps sharing one word when both are present (else NOP NOP TS / NOP NOP SACK-perm);
 * NOP WS; NOP NOP SACK blocks. SACK blocks that do not fit in the 40 bytes left by the others
 * are dropped from the end (3 fit beside timestamps, 4 without: RFC 2018 §3), so pass the most
 * important (most recent) first. Returns the length written, equal to tcp_opts_len(o). */
size_t tcp_opts_build(uint8_t *buf, const struct tcp_opts *o);

#endif
