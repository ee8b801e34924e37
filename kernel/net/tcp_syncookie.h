/* SYN cookies: the listener's state for a half-open connection folded into its ISN (and, when the
 * peer uses timestamps, into TSval), so a full SYN queue need not drop legitimate clients. */
#ifndef ATOLL_NET_TCP_SYNCOOKIE_H
#define ATOLL_NET_TCP_SYNCOOKIE_H

#include <stdbool.h>
#include <stdint.h>

#define TCP_COOKIE_PERIOD_NS (64ull * 1000000000ull) /* the counter ticks every 64 s */
#define TCP_COOKIE_MSS_COUNT 8

/* The MSS values a cookie can carry, ascending (bytes); the cookie holds an index into it. */
extern const uint16_t tcp_cookie_mss_table[TCP_COOKIE_MSS_COUNT];

/* The ISN for a SYN-ACK answering a SYN from (raddr, rport) to (laddr, lport) (host byte order)
 * with sequence number peer_isn and MSS option peer_mss (TCP_MSS_DEFAULT, 536, when absent)
 * at now_ns. Layout: bits 31..3 a 29-bit MAC (SipHash-2-4 under the cookie key) over the tuple,
 * peer_isn, the 64 s counter and the MSS index; bits 2..0 the index of the largest table MSS
 * not above peer_mss (index 0 when peer_mss is below all). *mss_out (may be NULL) gets that
 * MSS: the listener must advertise/use it, since only it survives. */
uint32_t tcp_syncookie_make(uint32_t laddr, uint16_t lport, uint32_t raddr, uint16_t rport,
                            uint32_t peer_isn, uint16_t peer_mss, uint64_t now_ns,
                            uint16_t *mss_out);

/* Checks the ACK completing a cookie handshake: its seq - 1 is peer_isn, its ack - 1 is cookie.
 * Valid when the MAC matches for the counter of now_ns or the one before (so a cookie lives 64
 * to 128 s). Returns 0 and the MSS in *mss, or -EINVAL (forged, corrupted or expired). */
int tcp_syncookie_check(uint32_t laddr, uint16_t lport, uint32_t raddr, uint16_t rport,
                        uint32_t peer_isn, uint32_t cookie, uint64_t now_ns, uint16_t *mss);

/* Options the cookie cannot hold, carried in TSval's low 6 bits as Linux does (the peer echoes
 * TSval in TSecr): bits 0-3 the peer's window scale (15 = none), bit 4 SACK-permitted. Only
 * when the SYN carried timestamps; otherwise the connection gets neither option. */
#define TCP_COOKIE_TS_BITS 6

/* TSval for the SYN-ACK: ts_now with its low 6 bits replaced by the options; when that would
 * make it larger than ts_now, 64 is subtracted first so TSval never runs ahead of the clock
 * (RFC 7323 §5.4 monotonicity). wscale: the peer's shift 0..14, or -1 when it sent none. */
uint32_t tcp_syncookie_ts_make(uint32_t ts_now, int wscale, bool sack_ok);

/* Decodes TSecr of the completing ACK into *wscale (-1: none) and *sack_ok. Returns false when
 * the bits cannot come from tcp_syncookie_ts_make (bit 5 set, or a window scale nibble of 15 >
 * n > 14); the caller then treats the ACK as not carrying a valid cookie. */
bool tcp_syncookie_ts_check(uint32_t tsecr, int *wscale, bool *sack_ok);

#endif
