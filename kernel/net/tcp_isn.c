/* Initial sequence numbers (RFC 6528) and the stack's keyed hash: SipHash-2-4 over a secret. */
#include "tcp_isn.h"

#include "net_internal.h"
#ifndef ATOLL_HOST
#include "atoll/kernel.h"
#endif

static uint8_t secrets[TCP_SECRET_COUNT][TCP_SECRET_LEN];
static bool secrets_ready;

static inline uint64_t rotl(uint64_t x, unsigned b)
{
    return (x << b) | (x >> (64 - b));
}

static inline uint64_t load_le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < 8; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

#define SIPROUND                                                                                   \
    do {                                                                                           \
        v0 += v1;                                                                                  \
        v1 = rotl(v1, 13);                                                                         \
        v1 ^= v0;                                                                                  \
        v0 = rotl(v0, 32);                                                                         \
        v2 += v3;                                                                                  \
        v3 = rotl(v3, 16);                                                                         \
        v3 ^= v2;                                                                                  \
        v0 += v3;                                                                                  \
        v3 = rotl(v3, 21);                                                                         \
        v3 ^= v0;                                                                                  \
        v2 += v1;                                                                                  \
        v1 = rotl(v1, 17);                                                                         \
        v1 ^= v2;                                                                                  \
        v2 = rotl(v2, 32);                                                                         \
    } while (0)

uint64_t tcp_siphash(const uint8_t key[TCP_SECRET_LEN], const void *data, size_t len)
{
    const uint8_t *in = data;
    uint64_t k0 = load_le64(key), k1 = load_le64(key + 8);
    uint64_t v0 = 0x736f6d6570736575ull ^ k0;
    uint64_t v1 = 0x646f72616e646f6dull ^ k1;
    uint64_t v2 = 0x6c7967656e657261ull ^ k0;
    uint64_t v3 = 0x7465646279746573ull ^ k1;
    size_t full = len & ~(size_t)7;
    for (size_t i = 0; i < full; i += 8) {
        uint64_t m = load_le64(in + i);
        v3 ^= m;
        SIPROUND;
        SIPROUND;
        v0 ^= m;
    }
    uint64_t last = (uint64_t)len << 56;
    for (size_t i = 0; i < (len & 7); i++)
        last |= (uint64_t)in[full + i] << (8 * i);
    v3 ^= last;
    SIPROUND;
    SIPROUND;
    v0 ^= last;
    v2 ^= 0xff;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    return v0 ^ v1 ^ v2 ^ v3;
}

static void secrets_init(void)
{
    if (secrets_ready)
        return;
#ifdef ATOLL_HOST
    /* Repeatable host tests: key byte i of use u is 16 u + i. */
    for (unsigned u = 0; u < TCP_SECRET_COUNT; u++)
        for (unsigned i = 0; i < TCP_SECRET_LEN; i++)
            secrets[u][i] = (uint8_t)(16 * u + i);
#else
    random_bytes(secrets, sizeof(secrets));
#endif
    secrets_ready = true;
}

const uint8_t *tcp_secret(enum tcp_secret_use use)
{
    secrets_init();
    return secrets[use < TCP_SECRET_COUNT ? use : 0];
}

void tcp_secret_set(enum tcp_secret_use use, const uint8_t key[TCP_SECRET_LEN])
{
    secrets_init();
    if (use < TCP_SECRET_COUNT)
        memcpy(secrets[use], key, TCP_SECRET_LEN);
}

uint64_t tcp_hash_tuple(enum tcp_secret_use use, uint32_t laddr, uint16_t lport, uint32_t raddr,
                        uint16_t rport, uint32_t extra)
{
    uint8_t msg[16];
    put32(msg, laddr);
    put16(msg + 4, lport);
    put32(msg + 6, raddr);
    put16(msg + 10, rport);
    put32(msg + 12, extra);
    return tcp_siphash(tcp_secret(use), msg, sizeof(msg));
}

uint32_t tcp_isn(uint32_t laddr, uint16_t lport, uint32_t raddr, uint16_t rport, uint64_t now_ns)
{
    uint32_t m = (uint32_t)(now_ns / 4000); /* RFC 6528 §3: M ticks every 4 microseconds */
    return m + (uint32_t)tcp_hash_tuple(TCP_SECRET_ISN, laddr, lport, raddr, rport, 0);
}
