/* Unaligned word loads for the web server's word-at-a-time compares, scans and hashes. */
#ifndef WEB_WORDS_H
#define WEB_WORDS_H

#include <stdint.h>
#include <string.h>

static inline uint32_t load32(const void *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof(v));
    return v;
}

static inline uint64_t load64(const void *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof(v));
    return v;
}

#endif
