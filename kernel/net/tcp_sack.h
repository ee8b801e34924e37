/* Sender-side loss recovery: the RFC 6675 SACK scoreboard (IsLost, SetPipe, NextSeg) and the
 * RFC 6582 NewReno recovery point for peers without SACK. */
#ifndef ATOLL_NET_TCP_SACK_H
#define ATOLL_NET_TCP_SACK_H

#include <stdbool.h>
#include <stdint.h>

#include "tcp_ranges.h"
#include "tcp_seq.h"

#define TCP_DUPTHRESH 3 /* RFC 6675 §2 DupThresh, RFC 5681 §3.2 */

/* The scoreboard of one connection (embed it in the TCB; plain data). Sequence numbers are the
 * connection's own: snd_una (HighACK in RFC 6675 terms) and snd_nxt (HighData + 1) are passed in
 * by the engine on every call, never stored, so they cannot go stale. All ranges are half-open.
 *
 * RFC 6675 names -> fields (exclusive right edges: "HighRxt" here is one past the highest byte
 * retransmitted, so bytes before high_rxt have been retransmitted in this recovery):
 *   HighRxt -> high_rxt, RescueRxt -> rescue_rxt, RecoveryPoint -> recovery_point. */
struct tcp_sack_board {
    struct tcp_ranges sacked; /* bytes SACKed above snd_una */
    uint32_t high_rxt;
    uint32_t rescue_rxt;
    uint32_t recovery_point;
    bool in_recovery;
    bool rescue_valid; /* RescueRxt defined (a rescue retransmission was sent this recovery) */
    bool point_valid;  /* recovery_point set: no new recovery until snd_una reaches it */
};

/* An empty scoreboard, not in recovery. */
void tcp_sack_init(struct tcp_sack_board *b);

/* Processes one incoming ACK: forgets SACK information below the cumulative ack snd_una (the
 * new value), then records the valid blocks of blocks[0..n). A block is ignored when it is empty,
 * ends after snd_nxt, ends at or before snd_una (a D-SACK, RFC 2883, or stale) or is longer than
 * 2^30 bytes; one straddling snd_una is clipped to start there. *dsack (may be NULL) is set when
 * the first block reports a duplicate (RFC 2883 §4: it ends at or below snd_una, or lies inside
 * the second block). Returns the bytes newly SACKed by this ACK. On a SACK connection this is
 * what makes an ACK a duplicate (RFC 6675 §2: besides RFC 5681's tests, a duplicate must SACK
 * data not SACKed before): an ACK returning 0 here, such as a D-SACK for a duplicated segment,
 * must not count towards DupThresh. Blocks that do not fit the bounded set are dropped, which
 * only makes recovery more conservative. */
uint32_t tcp_sack_update(struct tcp_sack_board *b, uint32_t snd_una, uint32_t snd_nxt,
                         const struct tcp_range *blocks, unsigned n, bool *dsack);

/* RFC 6675 §4 IsLost(seq): true when DupThresh discontiguous SACKed ranges lie above seq, or more
 * than (DupThresh - 1) * smss bytes above seq are SACKed. smss in bytes. */
bool tcp_sack_is_lost(const struct tcp_sack_board *b, uint32_t seq, uint32_t smss);

/* RFC 6675 §4 SetPipe(): bytes the sender estimates are still in the network among
 * [snd_una, snd_nxt): every un-SACKed byte not deemed lost counts once, and every un-SACKed byte
 * retransmitted in this recovery (before high_rxt) counts once more. */
uint32_t tcp_sack_pipe(const struct tcp_sack_board *b, uint32_t snd_una, uint32_t snd_nxt,
                       uint32_t smss);

/* RFC 6675 §5 entry test, for each ACK outside recovery: dupacks consecutive duplicate ACKs
 * reached DupThresh, or the first un-ACKed byte IsLost; and never before snd_una reached the
 * RecoveryPoint of the previous recovery or timeout (RFC 6675 §5.1). */
bool tcp_sack_should_enter(const struct tcp_sack_board *b, uint32_t snd_una, unsigned dupacks,
                           uint32_t smss);

/* RFC 6675 §5 steps (1)-(2): RecoveryPoint = snd_nxt (HighData), HighRxt = snd_una, RescueRxt
 * undefined. The engine reduces cwnd through tcp_cc and retransmits the first segment itself
 * (§5 step 3: NextSeg rule 1 would return it once IsLost holds; after DupThresh dupacks without
 * enough SACK information the engine retransmits snd_una directly and calls
 * tcp_sack_retransmitted for it). */
void tcp_sack_enter_recovery(struct tcp_sack_board *b, uint32_t snd_una, uint32_t snd_nxt);

/* True once the cumulative ack covers RecoveryPoint (RFC 6675 §5: "an ACK acknowledging all
 * data up to and including RecoveryPoint"; with the exclusive edge: snd_una >= recovery_point),
 * and then clears in_recovery. Call after tcp_sack_update on each ACK while in recovery. */
bool tcp_sack_recovery_done(struct tcp_sack_board *b, uint32_t snd_una);

/* What NextSeg chose. */
enum tcp_nextseg {
    TCP_NEXTSEG_NONE = 0,   /* nothing may be sent now */
    TCP_NEXTSEG_LOST = 1,   /* rule 1: retransmit a hole deemed lost */
    TCP_NEXTSEG_NEW = 2,    /* rule 2: send new data at snd_nxt */
    TCP_NEXTSEG_HOLE = 3,   /* rule 3: retransmit a hole not yet deemed lost */
    TCP_NEXTSEG_RESCUE = 4, /* rule 4: the one rescue retransmission */
};

/* RFC 6675 §4 NextSeg(): the next range to send while in recovery, at most smss bytes, in *out.
 * unsent: bytes queued but not yet sent that the peer's window allows now (rule 2 sends
 * min(smss, unsent) at snd_nxt). Does not change the scoreboard: once the engine really sent
 * the range it calls tcp_sack_sent with the rule returned. Rule 3 is used only when no rule 1
 * or 2 segment exists; rule 4 only when no rule 1-3 segment exists and un-SACKed data remains:
 * it returns the last smss bytes before the highest un-SACKed byte below snd_nxt. */
enum tcp_nextseg tcp_sack_next_seg(const struct tcp_sack_board *b, uint32_t snd_una,
                                   uint32_t snd_nxt, uint32_t smss, uint32_t unsent,
                                   struct tcp_range *out);

/* Records that range r chosen by NextSeg under rule was sent: rules 1 and 3 advance HighRxt to
 * r.end; rule 4 sets RescueRxt = RecoveryPoint (HighRxt unchanged, RFC 6675 §4 rule 4); rule 2
 * changes nothing (the engine advances snd_nxt). Also used for a retransmission the engine
 * decided itself (rule 1 semantics), e.g. the first one on entering recovery. */
void tcp_sack_sent(struct tcp_sack_board *b, enum tcp_nextseg rule, struct tcp_range r);

/* A retransmission timeout: RFC 2018 §8 and RFC 6675 §5.1 — prior SACK information must not
 * be trusted (the receiver may have reneged), so the scoreboard is cleared; recovery ends and
 * RecoveryPoint = snd_nxt, so that fast recovery is not re-entered for data sent before the
 * timeout. */
void tcp_sack_on_rto(struct tcp_sack_board *b, uint32_t snd_nxt);

/* NewReno (RFC 6582) for connections without SACK. recover is RFC 6582's "recover", stored as
 * one past the highest byte sent when recovery started (exclusive, like snd_nxt). */
struct tcp_newreno {
    uint32_t recover;
    bool in_recovery;
};

/* recover = iss (RFC 6582 §3.2 step 1: initialised to the initial send sequence number). */
void tcp_newreno_init(struct tcp_newreno *nr, uint32_t iss);

/* RFC 6582 §3.2 step 2: on the DupThresh-th duplicate ACK, fast retransmit is entered only when
 * the cumulative ack covers more than recover (ack > recover); then recover = snd_nxt and
 * in_recovery is set, and true is returned. False: stay out of fast retransmit, do not reduce
 * ssthresh. */
bool tcp_newreno_enter(struct tcp_newreno *nr, uint32_t ack, uint32_t snd_nxt);

enum tcp_newreno_ack {
    TCP_NEWRENO_NOT_IN_RECOVERY = 0,
    TCP_NEWRENO_PARTIAL = 1, /* §3.2 step 5: retransmit the first un-ACKed segment, deflate */
    TCP_NEWRENO_FULL = 2,    /* §3.2 step 3: recovery over (in_recovery cleared), exit cc */
};

/* Classifies an ACK that advanced snd_una to ack while in recovery. */
enum tcp_newreno_ack tcp_newreno_on_ack(struct tcp_newreno *nr, uint32_t ack);

/* On RTO: recover = snd_nxt and recovery ends (RFC 6582 §3.2 step 1 note: after a timeout,
 * duplicate ACKs for data sent before it must not trigger another fast retransmit). */
void tcp_newreno_on_rto(struct tcp_newreno *nr, uint32_t snd_nxt);

#endif
