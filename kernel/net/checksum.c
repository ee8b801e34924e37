/* The Internet checksum (RFC 1071), computed in pieces so headers and payloads sum separately. */
#include "net_internal.h"

/* Adds len bytes to a running sum of big-endian 16-bit words (folded to 16 bits). Pieces must
 * start at even offsets of the summed whole, except the last, which may be odd-sized. The words
 * are summed 32 bits at a time in the CPU's own byte order and swapped once at the end: a
 * one's-complement sum does not depend on byte order (RFC 1071, 2.B). 32 bytes a loop iteration,
 * the rest without a loop, and fixed folds: under TCG every loop iteration and branch ends a
 * translated block, and this runs over every frame received. */
static inline uint64_t halves(const uint8_t *p)
{
    uint64_t w;
    __builtin_memcpy(&w, p, 8); /* a plain load, whatever the alignment */
    return (w & 0xffffffffu) + (w >> 32);
}

uint32_t csum_add(uint32_t sum, const void *data, size_t len)
{
    const uint8_t *p = data;
    uint64_t acc = 0; /* at most 2^16 frames' worth of 33-bit additions: no overflow */
    for (; len >= 32; p += 32, len -= 32)
        acc += halves(p) + halves(p + 8) + halves(p + 16) + halves(p + 24);
    if (len >= 16) {
        acc += halves(p) + halves(p + 8);
        p += 16, len -= 16;
    }
    if (len >= 8) {
        acc += halves(p);
        p += 8, len -= 8;
    }
    if (len >= 4) {
        uint32_t word;
        __builtin_memcpy(&word, p, 4);
        acc += word;
        p += 4, len -= 4;
    }
    if (len >= 2) {
        uint16_t half;
        __builtin_memcpy(&half, p, 2);
        acc += half;
        p += 2;
        len -= 2;
    }
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (len)
        acc += p[0]; /* the low byte of a native word is the high byte of a network word */
#else
    if (len)
        acc += (uint32_t)p[0] << 8;
#endif
    acc = (acc & 0xffffffffu) + (acc >> 32); /* <= 0x1fffffffe */
    acc = (acc & 0xffffffffu) + (acc >> 32); /* <= 0xffffffff */
    acc = (acc & 0xffff) + (acc >> 16);      /* <= 0x1fffe */
    acc = (acc & 0xffff) + (acc >> 16);      /* <= 0xffff */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    acc = ((acc & 0xff) << 8) | (acc >> 8);
#endif
    acc += sum;
    acc = (acc & 0xffff) + (acc >> 16);
    acc = (acc & 0xffff) + (acc >> 16);
    return (uint32_t)acc;
}

static uint32_t csum_add_fold(uint32_t sum)
{
    return (sum & 0xffff) + (sum >> 16);
}

uint16_t csum_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

uint32_t csum_pseudo(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len)
{
    uint8_t ph[12];
    put32(ph, src);
    put32(ph + 4, dst);
    ph[8] = 0;
    ph[9] = proto;
    put16(ph + 10, len);
    return csum_add(0, ph, sizeof(ph));
}

uint32_t csum_add_at(uint32_t sum, const void *data, size_t len, bool odd)
{
    uint32_t piece = csum_add(0, data, len);
    if (odd) {
        /* Bytes at odd offsets weigh the other half of each word: a byte swap of the sum. */
        piece = (piece & 0xffff) + (piece >> 16);
        piece = (piece & 0xffff) + (piece >> 16);
        piece = ((piece & 0xff) << 8) | (piece >> 8);
    }
    return csum_add_fold(sum + piece);
}
