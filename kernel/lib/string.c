/* The C string and memory functions the kernel (and the compiler's generated code) calls. */
#include "atoll/klib.h"

/* memcpy/memset, in two builds of this file. Under TCG every iteration of a rep prefix or of a
 * loop ends a translated block (8 bytes for movsq), so both move 64 bytes per loop iteration with
 * plain quadword moves. The network and event members (ATOLL_STRING_FAST) then finish with a few
 * overlapping moves (the last 64, 32, 16, 8, 4 bytes of the range) instead of a loop: several
 * times faster for headers, small payloads and socket reads and writes. The core, which every
 * image carries, keeps the smaller form. On hardware both are about as fast. Written as plain
 * loops, GCC would recognise them and emit calls to memcpy/memset, i.e. to themselves: the empty
 * asm keeps it from doing so. */
typedef uint64_t word_unaligned __attribute__((aligned(1), may_alias));
typedef uint32_t half_unaligned __attribute__((aligned(1), may_alias));

/* Copies 8 * words bytes (words: 1, 2, 4 or 8) through registers. */
static inline void copy_words(unsigned char *d, const unsigned char *s, unsigned words)
{
    const word_unaligned *sw = (const word_unaligned *)s;
    word_unaligned *dw = (word_unaligned *)d;
    uint64_t a = sw[0], b = 0, c = 0, e = 0, f = 0, g = 0, h = 0, i = 0;
    if (words > 1)
        b = sw[1];
    if (words > 2)
        c = sw[2], e = sw[3];
    if (words > 4)
        f = sw[4], g = sw[5], h = sw[6], i = sw[7];
    __asm__ volatile("" : "+r"(a), "+r"(b), "+r"(c), "+r"(e), "+r"(f), "+r"(g), "+r"(h), "+r"(i));
    dw[0] = a;
    if (words > 1)
        dw[1] = b;
    if (words > 2)
        dw[2] = c, dw[3] = e;
    if (words > 4)
        dw[4] = f, dw[5] = g, dw[6] = h, dw[7] = i;
}

#ifdef ATOLL_STRING_FAST
/* The fast build's copy of fewer than 64 bytes: a first and a last piece that may overlap. */
static inline void copy_short(unsigned char *d, const unsigned char *s, size_t n)
{
    if (n >= 32) {
        copy_words(d, s, 4);
        copy_words(d + n - 32, s + n - 32, 4);
    } else if (n >= 16) {
        copy_words(d, s, 2);
        copy_words(d + n - 16, s + n - 16, 2);
    } else if (n >= 8) {
        copy_words(d, s, 1);
        copy_words(d + n - 8, s + n - 8, 1);
    } else if (n >= 4) {
        uint32_t x = *(const half_unaligned *)s, y = *(const half_unaligned *)(s + n - 4);
        *(half_unaligned *)d = x;
        *(half_unaligned *)(d + n - 4) = y;
    } else if (n) {
        unsigned char x = s[0], y = s[n / 2], z = s[n - 1];
        d[0] = x, d[n / 2] = y, d[n - 1] = z;
    }
}
#endif

void *memcpy(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
#ifdef ATOLL_STRING_FAST
    if (n < 64) {
        copy_short(d, s, n);
        return dst;
    }
    unsigned char *end = d + n;
    const unsigned char *send = s + n;
#endif
    for (; n >= 64; n -= 64, d += 64, s += 64)
        copy_words(d, s, 8);
#ifdef ATOLL_STRING_FAST
    if (n)
        copy_words(end - 64, send - 64, 8); /* overlaps what is copied: the same bytes */
#else
    size_t q = n / 8, tail = n % 8;
    __asm__ volatile("rep movsq" : "+D"(d), "+S"(s), "+c"(q) : : "memory");
    __asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(tail) : : "memory");
#endif
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    if ((uintptr_t)dst <= (uintptr_t)src || (uintptr_t)dst >= (uintptr_t)src + n)
        return memcpy(dst, src, n);
    /* Overlapping with dst above src: copy backwards. Not with std/rep movsb: an interrupt
     * taken while the direction flag is set would run its handler with DF=1. The empty asm
     * keeps GCC from turning the loop back into a call to memmove. */
    unsigned char *d = dst;
    const unsigned char *s = src;
    while (n > 0) {
        n--;
        d[n] = s[n];
        __asm__ volatile("" ::: "memory");
    }
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    uint64_t pattern = (uint8_t)c * 0x0101010101010101ull;
#ifdef ATOLL_STRING_FAST
    unsigned char *end = d + n;
    if (n < 8) {
        if (n >= 4) {
            *(half_unaligned *)d = (uint32_t)pattern;
            *(half_unaligned *)(d + n - 4) = (uint32_t)pattern;
        } else if (n) {
            d[0] = (unsigned char)c, d[n / 2] = (unsigned char)c, d[n - 1] = (unsigned char)c;
        }
        return dst;
    }
#endif
    for (; n >= 64; n -= 64, d += 64) {
        word_unaligned *dw = (word_unaligned *)d;
        __asm__ volatile("" : "+r"(pattern));
        dw[0] = dw[1] = dw[2] = dw[3] = dw[4] = dw[5] = dw[6] = dw[7] = pattern;
    }
#ifdef ATOLL_STRING_FAST
    for (; n >= 8; n -= 8, d += 8)
        *(word_unaligned *)d = pattern;
    if (n)
        *(word_unaligned *)(end - 8) = pattern; /* overlaps what is set: the same bytes */
#else
    size_t q = n / 8, tail = n % 8;
    __asm__ volatile("rep stosq" : "+D"(d), "+c"(q) : "a"(pattern) : "memory");
    __asm__ volatile("rep stosb" : "+D"(d), "+c"(tail) : "a"(pattern) : "memory");
#endif
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *pa = a, *pb = b;
    for (size_t i = 0; i < n; i++) {
        if (pa[i] != pb[i])
            return pa[i] < pb[i] ? -1 : 1;
    }
    return 0;
}

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n] != '\0')
        n++;
    return n;
}

size_t strnlen(const char *s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n] != '\0')
        n++;
    return n;
}

int strcmp(const char *a, const char *b)
{
    const unsigned char *pa = (const unsigned char *)a, *pb = (const unsigned char *)b;
    while (*pa != '\0' && *pa == *pb) {
        pa++;
        pb++;
    }
    return (*pa > *pb) - (*pa < *pb);
}

int strncmp(const char *a, const char *b, size_t n)
{
    const unsigned char *pa = (const unsigned char *)a, *pb = (const unsigned char *)b;
    for (size_t i = 0; i < n; i++) {
        if (pa[i] != pb[i])
            return pa[i] < pb[i] ? -1 : 1;
        if (pa[i] == '\0')
            return 0;
    }
    return 0;
}

char *strchr(const char *s, int c)
{
    for (;; s++) {
        if (*s == (char)c)
            return (char *)s;
        if (*s == '\0')
            return NULL;
    }
}
