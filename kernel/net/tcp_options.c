/* TCP options: a bounded parser and a builder for MSS, window scale, SACK and timestamps. */
#include "tcp_options.h"

#include "net_internal.h"

/* The length a known option must have, or 0 for kinds with a variable or unknown length. */
static unsigned fixed_len(uint8_t kind)
{
    switch (kind) {
    case TCP_OPT_MSS:
        return 4;
    case TCP_OPT_WSCALE:
        return 3;
    case TCP_OPT_SACK_PERM:
        return 2;
    case TCP_OPT_TIMESTAMP:
        return 10;
    default:
        return 0;
    }
}

/* Stores one well-formed option of kind with body b[0..blen) into out. */
static int take(struct tcp_opts *out, uint8_t kind, const uint8_t *b, unsigned blen, bool syn)
{
    unsigned want = fixed_len(kind);
    if (want && blen + 2 != want)
        return -EINVAL;
    switch (kind) {
    case TCP_OPT_MSS:
        if (syn) {
            out->mss = get16(b);
            out->present |= TCP_OPTF_MSS;
        }
        break;
    case TCP_OPT_WSCALE:
        if (syn) {
            out->wscale = b[0] > TCP_WSCALE_MAX ? TCP_WSCALE_MAX : b[0];
            out->present |= TCP_OPTF_WSCALE;
        }
        break;
    case TCP_OPT_SACK_PERM:
        if (syn)
            out->present |= TCP_OPTF_SACK_PERM;
        break;
    case TCP_OPT_TIMESTAMP:
        out->ts_val = get32(b);
        out->ts_ecr = get32(b + 4);
        out->present |= TCP_OPTF_TIMESTAMP;
        break;
    case TCP_OPT_SACK:
        if (blen == 0 || blen % 8 != 0 || blen / 8 > TCP_OPT_MAX_SACK)
            return -EINVAL;
        out->nsack = (uint8_t)(blen / 8);
        for (unsigned i = 0; i < out->nsack; i++) {
            out->sack[i].start = get32(b + 8 * i);
            out->sack[i].end = get32(b + 8 * i + 4);
        }
        out->present |= TCP_OPTF_SACK;
        break;
    default:
        break; /* unknown: skipped (RFC 9293 §3.1: must ignore options it does not know) */
    }
    return 0;
}

int tcp_opts_parse(const uint8_t *p, size_t len, bool syn, struct tcp_opts *out)
{
    memset(out, 0, sizeof(*out));
    if (len > TCP_OPT_MAXLEN)
        return -EINVAL;
    size_t i = 0;
    while (i < len) {
        uint8_t kind = p[i];
        if (kind == TCP_OPT_EOL)
            break;
        if (kind == TCP_OPT_NOP) {
            i++;
            continue;
        }
        if (i + 1 >= len)
            return -EINVAL; /* the length byte is missing */
        uint8_t olen = p[i + 1];
        if (olen < 2 || olen > len - i)
            return -EINVAL;
        int err = take(out, kind, p + i + 2, olen - 2u, syn);
        if (err)
            return err;
        i += olen;
    }
    return 0;
}

/* How many SACK blocks fit beside the other options of o. */
static unsigned sack_fit(const struct tcp_opts *o, size_t other)
{
    if (!(o->present & TCP_OPTF_SACK) || o->nsack == 0)
        return 0;
    if (other + 4 + 8 > TCP_OPT_MAXLEN)
        return 0;
    unsigned n = (unsigned)((TCP_OPT_MAXLEN - other - 4) / 8);
    unsigned want = o->nsack > TCP_OPT_MAX_SACK ? TCP_OPT_MAX_SACK : o->nsack;
    return want < n ? want : n;
}

/* Bytes of everything but SACK blocks. */
static size_t base_len(const struct tcp_opts *o)
{
    size_t n = 0;
    if (o->present & TCP_OPTF_MSS)
        n += 4;
    if (o->present & (TCP_OPTF_TIMESTAMP))
        n += 12; /* SACK-permitted rides in the timestamp word's NOPs */
    else if (o->present & TCP_OPTF_SACK_PERM)
        n += 4;
    if (o->present & TCP_OPTF_WSCALE)
        n += 4;
    return n;
}

size_t tcp_opts_len(const struct tcp_opts *o)
{
    size_t base = base_len(o);
    unsigned ns = sack_fit(o, base);
    return base + (ns ? 4 + 8 * ns : 0);
}

size_t tcp_opts_build(uint8_t *buf, const struct tcp_opts *o)
{
    size_t n = 0;
    if (o->present & TCP_OPTF_MSS) {
        buf[n++] = TCP_OPT_MSS;
        buf[n++] = 4;
        put16(buf + n, o->mss);
        n += 2;
    }
    if (o->present & TCP_OPTF_TIMESTAMP) {
        if (o->present & TCP_OPTF_SACK_PERM) {
            buf[n++] = TCP_OPT_SACK_PERM;
            buf[n++] = 2;
        } else {
            buf[n++] = TCP_OPT_NOP;
            buf[n++] = TCP_OPT_NOP;
        }
        buf[n++] = TCP_OPT_TIMESTAMP;
        buf[n++] = 10;
        put32(buf + n, o->ts_val);
        put32(buf + n + 4, o->ts_ecr);
        n += 8;
    } else if (o->present & TCP_OPTF_SACK_PERM) {
        buf[n++] = TCP_OPT_NOP;
        buf[n++] = TCP_OPT_NOP;
        buf[n++] = TCP_OPT_SACK_PERM;
        buf[n++] = 2;
    }
    if (o->present & TCP_OPTF_WSCALE) {
        buf[n++] = TCP_OPT_NOP;
        buf[n++] = TCP_OPT_WSCALE;
        buf[n++] = 3;
        buf[n++] = o->wscale;
    }
    unsigned ns = sack_fit(o, n);
    if (ns) {
        buf[n++] = TCP_OPT_NOP;
        buf[n++] = TCP_OPT_NOP;
        buf[n++] = TCP_OPT_SACK;
        buf[n++] = (uint8_t)(2 + 8 * ns);
        for (unsigned i = 0; i < ns; i++) {
            put32(buf + n, o->sack[i].start);
            put32(buf + n + 4, o->sack[i].end);
            n += 8;
        }
    }
    return n;
}
