/* Sender-side loss recovery: the RFC 6675 SACK scoreboard (IsLost, SetPipe, NextSeg) and the
 * RFC 6582 NewReno recovery point for peers without SACK. */
#include "tcp_sack.h"

#include "net_internal.h"

#define BLOCK_LEN_MAX 0x40000000u

void tcp_sack_init(struct tcp_sack_board *b)
{
    memset(b, 0, sizeof(*b));
}

static bool inside(struct tcp_range in, struct tcp_range out)
{
    return seq_geq(in.start, out.start) && seq_leq(in.end, out.end);
}

uint32_t tcp_sack_update(struct tcp_sack_board *b, uint32_t snd_una, uint32_t snd_nxt,
                         const struct tcp_range *blocks, unsigned n, bool *dsack)
{
    tcp_ranges_trim(&b->sacked, snd_una);
    if (dsack)
        *dsack =
            n > 0 && (seq_leq(blocks[0].end, snd_una) || (n > 1 && inside(blocks[0], blocks[1])));
    uint32_t before = tcp_ranges_bytes(&b->sacked);
    for (unsigned i = 0; i < n; i++) {
        struct tcp_range r = blocks[i];
        uint32_t len = r.end - r.start;
        if (len == 0 || len > BLOCK_LEN_MAX || seq_gt(r.end, snd_nxt) || seq_leq(r.end, snd_una))
            continue;
        if (seq_lt(r.start, snd_una))
            r.start = snd_una;
        (void)tcp_ranges_add(&b->sacked, r.start, r.end);
    }
    return tcp_ranges_bytes(&b->sacked) - before;
}

/* IsLost for any byte of the hole just below range index i: ranges i.. lie above it. */
static bool lost_below(unsigned ranges_above, uint32_t bytes_above, uint32_t smss)
{
    return ranges_above >= TCP_DUPTHRESH || bytes_above > (TCP_DUPTHRESH - 1) * smss;
}

bool tcp_sack_is_lost(const struct tcp_sack_board *b, uint32_t seq, uint32_t smss)
{
    const struct tcp_ranges *s = &b->sacked;
    unsigned count = 0;
    uint32_t bytes = 0;
    for (unsigned i = 0; i < s->n; i++) {
        if (seq_leq(s->r[i].end, seq + 1))
            continue;
        if (seq_gt(s->r[i].start, seq))
            count++;
        bytes += s->r[i].end - seq_max(s->r[i].start, seq + 1);
    }
    return lost_below(count, bytes, smss);
}

/* The un-SACKed holes of [snd_una, snd_nxt), lowest first, each with the SACK information above
 * it: ranges_above/bytes_above describe every SACKed range above the hole. */
struct hole {
    struct tcp_range r;
    bool lost;
};

/* Fills holes[] (room for TCP_RANGES_MAX + 1) and returns the count. */
static unsigned list_holes(const struct tcp_sack_board *b, uint32_t snd_una, uint32_t snd_nxt,
                           uint32_t smss, struct hole *holes)
{
    const struct tcp_ranges *s = &b->sacked;
    uint32_t suffix_bytes = tcp_ranges_bytes(s);
    uint32_t cur = snd_una;
    unsigned nh = 0;
    for (unsigned i = 0; i < s->n && seq_lt(cur, snd_nxt); i++) {
        uint32_t start = seq_max(s->r[i].start, snd_una);
        uint32_t stop = seq_min(start, snd_nxt);
        if (seq_lt(cur, stop)) {
            holes[nh].r.start = cur;
            holes[nh].r.end = stop;
            holes[nh].lost = lost_below(s->n - i, suffix_bytes, smss);
            nh++;
        }
        suffix_bytes -= s->r[i].end - s->r[i].start;
        cur = seq_max(cur, s->r[i].end);
    }
    if (seq_lt(cur, snd_nxt)) {
        holes[nh].r.start = cur;
        holes[nh].r.end = snd_nxt;
        holes[nh].lost = false; /* nothing SACKed above it */
        nh++;
    }
    return nh;
}

uint32_t tcp_sack_pipe(const struct tcp_sack_board *b, uint32_t snd_una, uint32_t snd_nxt,
                       uint32_t smss)
{
    struct hole holes[TCP_RANGES_MAX + 1];
    unsigned nh = list_holes(b, snd_una, snd_nxt, smss, holes);
    uint32_t pipe = 0;
    for (unsigned i = 0; i < nh; i++) {
        struct tcp_range h = holes[i].r;
        if (!holes[i].lost)
            pipe += h.end - h.start;
        if (b->in_recovery && seq_lt(h.start, b->high_rxt))
            pipe += seq_min(h.end, b->high_rxt) - h.start;
    }
    return pipe;
}

bool tcp_sack_should_enter(const struct tcp_sack_board *b, uint32_t snd_una, unsigned dupacks,
                           uint32_t smss)
{
    if (b->in_recovery || (b->point_valid && seq_lt(snd_una, b->recovery_point)))
        return false;
    return dupacks >= TCP_DUPTHRESH || tcp_sack_is_lost(b, snd_una, smss);
}

void tcp_sack_enter_recovery(struct tcp_sack_board *b, uint32_t snd_una, uint32_t snd_nxt)
{
    b->in_recovery = true;
    b->recovery_point = snd_nxt;
    b->point_valid = true;
    b->high_rxt = snd_una;
    b->rescue_valid = false;
}

bool tcp_sack_recovery_done(struct tcp_sack_board *b, uint32_t snd_una)
{
    if (!b->in_recovery || seq_lt(snd_una, b->recovery_point))
        return false;
    b->in_recovery = false;
    return true;
}

static struct tcp_range segment_at(uint32_t start, uint32_t limit, uint32_t smss)
{
    struct tcp_range r = {start, limit};
    if (limit - start > smss)
        r.end = start + smss;
    return r;
}

enum tcp_nextseg tcp_sack_next_seg(const struct tcp_sack_board *b, uint32_t snd_una,
                                   uint32_t snd_nxt, uint32_t smss, uint32_t unsent,
                                   struct tcp_range *out)
{
    struct hole holes[TCP_RANGES_MAX + 1];
    unsigned nh = list_holes(b, snd_una, snd_nxt, smss, holes);
    uint32_t high_sacked = tcp_ranges_highest(&b->sacked, snd_una);
    uint32_t rxt_from = b->in_recovery ? seq_max(b->high_rxt, snd_una) : snd_una;

    /* Rules 1 and 3 look at the first un-SACKed byte at or above HighRxt, below the highest
     * SACKed byte (1.a, 1.b). IsLost only weakens going up, so the first such hole decides. */
    const struct hole *cand = NULL;
    uint32_t cand_start = 0;
    for (unsigned i = 0; i < nh; i++) {
        if (seq_geq(holes[i].r.start, high_sacked))
            break;
        uint32_t start = seq_max(holes[i].r.start, rxt_from);
        if (seq_lt(start, holes[i].r.end)) {
            cand = &holes[i];
            cand_start = start;
            break;
        }
    }
    if (cand && cand->lost) { /* rule 1 (1.c: IsLost) */
        *out = segment_at(cand_start, cand->r.end, smss);
        return TCP_NEXTSEG_LOST;
    }
    if (unsent) { /* rule 2 */
        out->start = snd_nxt;
        out->end = snd_nxt + (unsent < smss ? unsent : smss);
        return TCP_NEXTSEG_NEW;
    }
    if (cand) { /* rule 3 */
        *out = segment_at(cand_start, cand->r.end, smss);
        return TCP_NEXTSEG_HOLE;
    }
    /* Rule 4: one rescue retransmission per recovery, of the highest un-SACKed data. */
    if (nh == 0 || !b->in_recovery || (b->rescue_valid && seq_leq(snd_una, b->rescue_rxt)))
        return TCP_NEXTSEG_NONE;
    struct tcp_range top = holes[nh - 1].r;
    out->end = top.end;
    out->start = top.end - top.start > smss ? top.end - smss : top.start;
    return TCP_NEXTSEG_RESCUE;
}

void tcp_sack_sent(struct tcp_sack_board *b, enum tcp_nextseg rule, struct tcp_range r)
{
    switch (rule) {
    case TCP_NEXTSEG_LOST:
    case TCP_NEXTSEG_HOLE:
        b->high_rxt = seq_max(b->high_rxt, r.end);
        break;
    case TCP_NEXTSEG_RESCUE:
        b->rescue_rxt = b->recovery_point;
        b->rescue_valid = true;
        break;
    default:
        break;
    }
}

void tcp_sack_on_rto(struct tcp_sack_board *b, uint32_t snd_nxt)
{
    tcp_ranges_init(&b->sacked);
    b->in_recovery = false;
    b->rescue_valid = false;
    b->recovery_point = snd_nxt;
    b->point_valid = true;
    b->high_rxt = snd_nxt;
}

void tcp_newreno_init(struct tcp_newreno *nr, uint32_t iss)
{
    nr->recover = iss;
    nr->in_recovery = false;
}

bool tcp_newreno_enter(struct tcp_newreno *nr, uint32_t ack, uint32_t snd_nxt)
{
    if (nr->in_recovery || !seq_gt(ack, nr->recover))
        return false;
    nr->recover = snd_nxt;
    nr->in_recovery = true;
    return true;
}

enum tcp_newreno_ack tcp_newreno_on_ack(struct tcp_newreno *nr, uint32_t ack)
{
    if (!nr->in_recovery)
        return TCP_NEWRENO_NOT_IN_RECOVERY;
    if (seq_lt(ack, nr->recover))
        return TCP_NEWRENO_PARTIAL;
    nr->in_recovery = false;
    return TCP_NEWRENO_FULL;
}

void tcp_newreno_on_rto(struct tcp_newreno *nr, uint32_t snd_nxt)
{
    nr->recover = snd_nxt;
    nr->in_recovery = false;
}
