/* Internet checksums: full (RFC 1071) and incremental updates (RFC 1624). */
#include "csum.h"
#include "wire.h"

#include <string.h>

uint32_t csum_add(uint32_t sum, const uint8_t *data, size_t len)
{
    size_t i = 0;
    for (; i + 1 < len; i += 2) {
        sum += (uint32_t)(data[i] << 8 | data[i + 1]);
        sum = (sum & 0xffff) + (sum >> 16);
    }
    if (i < len) {
        sum += (uint32_t)data[i] << 8;
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return sum;
}

uint16_t csum_finish(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

uint16_t csum(const uint8_t *data, size_t len)
{
    return csum_finish(csum_add(0, data, len));
}

/* HC' = ~(~HC + ~m + m'): never yields the 0xffff/0x0000 ambiguity of eqn. 2. */
uint16_t csum_update16(uint16_t old_csum, uint16_t old_word, uint16_t new_word)
{
    uint32_t sum = (uint16_t)~old_csum;
    sum += (uint16_t)~old_word;
    sum += new_word;
    return csum_finish(sum);
}

uint16_t csum_update32(uint16_t old_csum, uint32_t old_value, uint32_t new_value)
{
    uint16_t c = csum_update16(old_csum, (uint16_t)(old_value >> 16), (uint16_t)(new_value >> 16));
    return csum_update16(c, (uint16_t)old_value, (uint16_t)new_value);
}

void nf_complete_l4_checksum(uint8_t *frame, size_t len)
{
    if (len < ETH_HDR_LEN + IPV4_MIN_HDR || get16(frame + 12) != ETHERTYPE_IPV4)
        return;
    uint8_t *ip = frame + ETH_HDR_LEN;
    unsigned ihl = (ip[0] & 15u) * 4, total = get16(ip + IP_TOTAL_LEN);
    if (ihl < IPV4_MIN_HDR || total < ihl || total > len - ETH_HDR_LEN ||
        (get16(ip + IP_FRAG) & (IP_FRAG_OFF_MASK | IP_FLAG_MF)))
        return;
    unsigned l4_len = total - ihl, field;
    if (ip[IP_PROTO] == IP_PROTO_TCP && l4_len >= 20)
        field = 16;
    else if (ip[IP_PROTO] == IP_PROTO_UDP && l4_len >= 8)
        field = 6;
    else
        return;
    uint8_t pseudo[12];
    memcpy(pseudo, ip + IP_SRC, 8);
    pseudo[8] = 0;
    pseudo[9] = ip[IP_PROTO];
    put16(pseudo + 10, (uint16_t)l4_len);
    uint8_t *l4 = ip + ihl;
    put16(l4 + field, 0);
    uint16_t sum = csum_finish(csum_add(csum_add(0, pseudo, 12), l4, l4_len));
    if (ip[IP_PROTO] == IP_PROTO_UDP && sum == 0)
        sum = 0xffff;
    put16(l4 + field, sum);
}
