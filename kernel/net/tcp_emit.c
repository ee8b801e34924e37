/* TCP segments onto the wire: the checksum and segmentation left to a NIC with offloads, or done
 * here in software (and to our own addresses through the loopback queue). */
#include "tcp_internal.h"

/* Checksums in software and sends a built header plus payload pieces (local: dst is one of our
 * own addresses, through the loopback queue). */
static void emit_soft(bool local, uint32_t src, uint32_t dst, uint8_t *hdr, size_t hlen,
                      const struct net_iov *iov, unsigned n)
{
    size_t total = hlen;
    for (unsigned i = 0; i < n; i++)
        total += iov[i].len;
    put16(hdr + 16, 0);
    uint32_t sum = csum_pseudo(src, dst, IP_PROTO_TCP, (uint16_t)total);
    sum = csum_add(sum, hdr, hlen);
    size_t off = hlen;
    for (unsigned i = 0; i < n; i++) {
        sum = csum_add_at(sum, iov[i].base, iov[i].len, off & 1);
        off += iov[i].len;
    }
    put16(hdr + 16, csum_fold(sum));
    if (local)
        tcp_loopback_queue(src, dst, hdr, hlen, iov, n);
    else
        ip_output(src, dst, IP_PROTO_TCP, 0, hdr, hlen, iov, n);
}

/* The bytes [off, off + len) of the payload pieces iov, as at most n + 1 pieces in out. */
static unsigned iov_slice(const struct net_iov *iov, unsigned n, size_t off, size_t len,
                          struct net_iov *out)
{
    unsigned k = 0;
    for (unsigned i = 0; i < n && len; i++) {
        if (off >= iov[i].len) {
            off -= iov[i].len;
            continue;
        }
        size_t take = MIN(iov[i].len - off, len);
        out[k++] = (struct net_iov){(const uint8_t *)iov[i].base + off, take};
        len -= take;
        off = 0;
    }
    return k;
}

/* A large segment the route's device cannot cut (its route or ARP entry changed since the send
 * loop sized it): cut here into gso_size pieces, FIN and PSH on the last one only. */
static void emit_split(bool local, uint32_t src, uint32_t dst, const uint8_t *hdr, size_t hlen,
                       const struct net_iov *iov, unsigned n, size_t payload, uint16_t gso_size)
{
    uint8_t piece_hdr[TCP_HLEN + TCP_OPT_MAXLEN];
    uint32_t seq = get32(hdr + 4);
    net_counters.tcp_tx_tso_split++;
    for (size_t off = 0; off < payload; off += gso_size) {
        size_t len = MIN((size_t)gso_size, payload - off);
        memcpy(piece_hdr, hdr, hlen);
        put32(piece_hdr + 4, seq + (uint32_t)off);
        if (off + len < payload)
            piece_hdr[13] &= (uint8_t) ~(TH_FIN | TH_PSH);
        struct net_iov piece[4];
        unsigned k = iov_slice(iov, n, off, len, piece);
        emit_soft(local, src, dst, piece_hdr, hlen, piece, k);
    }
}

/* Sends a built header plus payload pieces: the route's device fills in the checksum (and cuts
 * a segment larger than gso_size) when it can, software does it otherwise. */
void tcp_emit(uint32_t src, uint32_t dst, uint8_t *hdr, size_t hlen, const struct net_iov *iov,
              unsigned n, uint16_t gso_size)
{
    size_t payload = 0;
    for (unsigned i = 0; i < n; i++)
        payload += iov[i].len;
    net_counters.tcp_tx++;
    bool local = net_addr_is_local(dst);
    if (!local) {
        uint16_t gso = payload > gso_size ? gso_size : 0;
        int r = ip_output_offload(src, dst, IP_PROTO_TCP, hdr, hlen, iov, n, 16, gso);
        if (r != -EOPNOTSUPP) {
            net_counters.tcp_tx_csum_offload++;
            if (gso && r == 0)
                net_counters.tcp_tx_tso++;
            return;
        }
    }
    if (gso_size && payload > gso_size)
        emit_split(local, src, dst, hdr, hlen, iov, n, payload, gso_size);
    else
        emit_soft(local, src, dst, hdr, hlen, iov, n);
}
