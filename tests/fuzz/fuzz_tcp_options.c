/* libFuzzer harness: TCP option areas from the network, parsed, rebuilt and re-parsed, and their
 * SACK blocks fed to the RFC 6675 scoreboard, checking every invariant on the way. */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "atoll/errno.h"
#include "../../kernel/net/tcp_options.h"
#include "../../kernel/net/tcp_sack.h"

static void check_ranges(const struct tcp_ranges *s, uint32_t una, uint32_t nxt)
{
    assert(s->n <= TCP_RANGES_MAX);
    for (unsigned i = 0; i < s->n; i++) {
        assert(seq_lt(s->r[i].start, s->r[i].end));
        assert(seq_geq(s->r[i].start, una) && seq_leq(s->r[i].end, nxt));
        if (i + 1 < s->n)
            assert(seq_lt(s->r[i].end, s->r[i + 1].start));
    }
}

/* Parse -> build -> parse gives the same options. The builder aligns its options to 32-bit words,
 * so an area the peer packed tightly may not fit again in 40 bytes: then it keeps the first SACK
 * blocks that fit (the most recent, RFC 2018) and leaves no room for another one. */
static void check_round_trip(const struct tcp_opts *o, bool syn)
{
    uint8_t buf[TCP_OPT_MAXLEN];
    size_t n = tcp_opts_build(buf, o);
    assert(n == tcp_opts_len(o) && n % 4 == 0 && n <= TCP_OPT_MAXLEN);
    struct tcp_opts back;
    assert(tcp_opts_parse(buf, n, syn, &back) == 0);
    assert(back.present == o->present);
    if (o->present & TCP_OPTF_MSS)
        assert(back.mss == o->mss);
    if (o->present & TCP_OPTF_WSCALE)
        assert(back.wscale == o->wscale);
    if (o->present & TCP_OPTF_TIMESTAMP)
        assert(back.ts_val == o->ts_val && back.ts_ecr == o->ts_ecr);
    if (o->present & TCP_OPTF_SACK) {
        assert(back.nsack >= 1 && back.nsack <= o->nsack);
        assert(back.nsack == o->nsack || n + 8 > TCP_OPT_MAXLEN);
        assert(memcmp(back.sack, o->sack, back.nsack * sizeof(o->sack[0])) == 0);
    }
}

/* Input: flags, snd_una (4), bytes sent (4), then chunks: one length byte (0..40 used modulo 41),
 * one byte of cumulative-ack advance (in 256-byte steps), and the option bytes. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 9)
        return 0;
    bool syn = data[0] & 1;
    uint32_t una =
        (uint32_t)data[1] << 24 | (uint32_t)data[2] << 16 | (uint32_t)data[3] << 8 | data[4];
    uint32_t sent =
        ((uint32_t)data[5] << 24 | (uint32_t)data[6] << 16 | (uint32_t)data[7] << 8 | data[8]) &
        0x3fffffffu;
    uint32_t nxt = una + sent;
    const uint32_t smss = 1000;
    struct tcp_sack_board b;
    tcp_sack_init(&b);
    size_t i = 9;
    while (i + 2 <= size) {
        size_t len = data[i] % 41;
        uint32_t advance = (uint32_t)data[i + 1] * 256;
        i += 2;
        if (len > size - i)
            len = size - i;
        struct tcp_opts o;
        int err = tcp_opts_parse(data + i, len, syn, &o);
        assert(err == 0 || err == -EINVAL);
        if (err == 0)
            check_round_trip(&o, syn);
        if ((o.present & TCP_OPTF_SACK))
            assert(o.nsack >= 1 && o.nsack <= TCP_OPT_MAX_SACK);
        i += len;

        if (advance > nxt - una)
            advance = nxt - una;
        una += advance;
        bool dsack;
        uint32_t newly = tcp_sack_update(&b, una, nxt, o.sack, o.nsack, &dsack);
        assert(newly <= nxt - una);
        check_ranges(&b.sacked, una, nxt);
        if (!b.in_recovery && tcp_sack_should_enter(&b, una, 0, smss))
            tcp_sack_enter_recovery(&b, una, nxt);
        assert(tcp_sack_pipe(&b, una, nxt, smss) <= 2 * (nxt - una));
        for (unsigned k = 0; k < 4; k++) {
            struct tcp_range r;
            enum tcp_nextseg rule = tcp_sack_next_seg(&b, una, nxt, smss, data[0], &r);
            if (rule == TCP_NEXTSEG_NONE)
                break;
            assert(seq_lt(r.start, r.end) && r.end - r.start <= smss);
            if (rule == TCP_NEXTSEG_NEW) {
                assert(r.start == nxt);
                break;
            }
            assert(seq_geq(r.start, una) && seq_leq(r.end, nxt));
            assert(!tcp_ranges_contains(&b.sacked, r.start, r.start + 1));
            tcp_sack_sent(&b, rule, r);
        }
        if (b.in_recovery)
            tcp_sack_recovery_done(&b, una);
    }
    return 0;
}
