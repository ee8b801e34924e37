/* IPv4 fragmentation (RFC 791): each fragment carries the header, a slice of the payload that is
 * a multiple of 8 bytes (but the last), its offset, and MF unless it ends the original packet. */
#include "frag.h"
#include "csum.h"
#include "engine.h"

#include <string.h>

void frag_send(struct nf_engine *e, unsigned in_if, unsigned out_if, uint32_t next_hop,
               const uint8_t *frame, size_t len, unsigned mtu)
{
    const uint8_t *ip = frame + ETH_HDR_LEN;
    unsigned ihl = (ip[0] & 15u) * 4;
    size_t payload = len - ETH_HDR_LEN - ihl;
    if (mtu < ihl + 8 || mtu > NF_FRAME_MAX - ETH_HDR_LEN) {
        nf_drop(e, DROP_FRAG_NEEDED);
        return;
    }
    size_t chunk = (mtu - ihl) & ~(size_t)7;
    uint16_t orig_frag = get16(ip + IP_FRAG);
    unsigned base_offset = orig_frag & IP_FRAG_OFF_MASK; /* a fragment may be fragmented again */
    int orig_more = (orig_frag & IP_FLAG_MF) != 0;
    uint8_t *out = e->scratch;
    for (size_t done = 0; done < payload; done += chunk) {
        size_t piece = payload - done < chunk ? payload - done : chunk;
        int last = done + piece >= payload;
        uint8_t *oip = out + ETH_HDR_LEN;
        memcpy(out, frame, ETH_HDR_LEN); /* as it arrived: a host unreachable goes to its sender */
        memcpy(oip, ip, ihl);
        memcpy(oip + ihl, ip + ihl + done, piece);
        put16(oip + IP_TOTAL_LEN, (uint16_t)(ihl + piece));
        uint16_t frag = (uint16_t)((base_offset + done / 8) & IP_FRAG_OFF_MASK);
        if (!last || orig_more)
            frag |= IP_FLAG_MF;
        put16(oip + IP_FRAG, frag);
        put16(oip + IP_CSUM, 0);
        put16(oip + IP_CSUM, csum(oip, ihl));
        e->counters.fragments_made++;
        nf_send_fragment(e, (int)in_if, out_if, next_hop, out, ETH_HDR_LEN + ihl + piece);
    }
}
