/* Randomness: a ChaCha20 stream (RFC 8439) keyed from RDSEED/RDRAND when present, else TSC jitter
 * and time. */
#include "atoll/kernel.h"
#include "atoll/random.h"

#ifndef ATOLL_HOST
#include "atoll/arch.h"
#include "atoll/dev.h"
#include "atoll/x86.h"
#endif

static inline uint32_t rotl(uint32_t v, int n)
{
    return (v << n) | (v >> (32 - n));
}

#define QUARTER(a, b, c, d)                                                                        \
    a += b, d ^= a, d = rotl(d, 16), c += d, b ^= c, b = rotl(b, 12);                              \
    a += b, d ^= a, d = rotl(d, 8), c += d, b ^= c, b = rotl(b, 7)

void chacha20_block(const uint32_t key[8], uint32_t counter, const uint32_t nonce[3],
                    uint8_t out[64])
{
    uint32_t s[16] = {0x61707865, 0x3320646e, 0x79622d32, 0x6b206574, key[0], key[1],
                      key[2],     key[3],     key[4],     key[5],     key[6], key[7],
                      counter,    nonce[0],   nonce[1],   nonce[2]};
    uint32_t x[16];
    memcpy(x, s, sizeof(x));
    /* 20 rounds, alternately on the columns and on the diagonals (one copy of the quarter round
     * keeps the kernel small). */
    for (int r = 0; r < 20; r++) {
        int diag = r & 1;
        for (int i = 0; i < 4; i++) {
            QUARTER(x[i], x[4 + ((i + diag) & 3)], x[8 + ((i + 2 * diag) & 3)],
                    x[12 + ((i + 3 * diag) & 3)]);
        }
    }
    for (int i = 0; i < 16; i++) {
        uint32_t v = x[i] + s[i];
        out[4 * i] = (uint8_t)v, out[4 * i + 1] = (uint8_t)(v >> 8);
        out[4 * i + 2] = (uint8_t)(v >> 16), out[4 * i + 3] = (uint8_t)(v >> 24);
    }
}

void chacha_rng_seed(struct chacha_rng *r, const uint8_t seed[32])
{
    memcpy(r->key, seed, 32);
    memset(r->nonce, 0, sizeof(r->nonce));
    r->counter = 0;
}

/* Fast key erasure: every request ends by replacing the key with fresh stream output. */
void chacha_rng_read(struct chacha_rng *r, void *buf, size_t len)
{
    uint8_t block[64];
    uint8_t *out = buf;
    while (len) {
        chacha20_block(r->key, r->counter++, r->nonce, block);
        size_t n = MIN(len, sizeof(block));
        memcpy(out, block, n);
        out += n, len -= n;
    }
    chacha20_block(r->key, r->counter++, r->nonce, block);
    memcpy(r->key, block, 32);
    memset(block, 0, sizeof(block));
}

#ifndef ATOLL_HOST
static struct chacha_rng rng;

static bool hw_random(uint64_t *v)
{
    unsigned char ok = 0;
    for (int tries = 0; tries < 10 && !ok; tries++) {
        if (cpu.rdseed)
            __asm__ volatile("rdseed %0; setc %1" : "=r"(*v), "=qm"(ok));
        if (!ok && cpu.rdrand)
            __asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok));
        if (!cpu.rdseed && !cpu.rdrand)
            break;
    }
    return ok;
}

void random_init(void)
{
    uint64_t seed[4];
    for (int i = 0; i < 4; i++) {
        uint64_t v = 0;
        if (!hw_random(&v)) {
            /* No hardware source: TSC jitter across port I/O (whose cost varies on a host) and the
             * clock. */
            for (int k = 0; k < 64; k++) {
                v = (v << 5 | v >> 59) ^ rdtsc();
                (void)inb(0x80);
            }
            v ^= (uint64_t)rtc_read_unix_seconds() << 17;
        }
        seed[i] = v ^ rdtsc();
    }
    chacha_rng_seed(&rng, (const uint8_t *)seed);
    memset(seed, 0, sizeof(seed));
}

void random_bytes(void *buf, size_t len)
{
    uint64_t extra;
    if (hw_random(&extra))
        rng.key[0] ^= (uint32_t)extra, rng.key[1] ^= (uint32_t)(extra >> 32);
    chacha_rng_read(&rng, buf, len);
}
#endif
