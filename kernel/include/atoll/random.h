/* ChaCha20 block function and the stream generator behind getrandom (pure: built on the host too).
 */
#ifndef ATOLL_RANDOM_H
#define ATOLL_RANDOM_H

#include "atoll/klib.h"

struct chacha_rng {
    uint32_t key[8];
    uint32_t nonce[3];
    uint32_t counter;
};

void chacha20_block(const uint32_t key[8], uint32_t counter, const uint32_t nonce[3],
                    uint8_t out[64]);
void chacha_rng_seed(struct chacha_rng *r, const uint8_t seed[32]);
void chacha_rng_read(struct chacha_rng *r, void *buf, size_t len);

#endif
