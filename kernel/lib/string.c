/* The C string and memory functions the kernel (and the compiler's generated code) calls. */
#include "atoll/klib.h"

/* memcpy/memset: 64 bytes per loop iteration with plain quadword moves, then the rest with
 * string instructions. Under TCG every iteration of a rep prefix ends a translated block (8 bytes
 * for movsq), while the loop stays in one block for 64 bytes: several times faster for the
 * network copies (sendfile from the rootfs, socket reads and writes); on hardware it is about as
 * fast. Written as plain loops, GCC would recognise them and emit calls to memcpy/memset, i.e.
 * to themselves: the empty asm keeps it from doing so. */
typedef uint64_t word_unaligned __attribute__((aligned(1), may_alias));

void *memcpy(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    for (; n >= 64; n -= 64, d += 64, s += 64) {
        const word_unaligned *sw = (const word_unaligned *)s;
        word_unaligned *dw = (word_unaligned *)d;
        uint64_t a = sw[0], b = sw[1], c = sw[2], e = sw[3], f = sw[4], g = sw[5], h = sw[6],
                 i = sw[7];
        __asm__ volatile(""
                         : "+r"(a), "+r"(b), "+r"(c), "+r"(e), "+r"(f), "+r"(g), "+r"(h), "+r"(i));
        dw[0] = a, dw[1] = b, dw[2] = c, dw[3] = e, dw[4] = f, dw[5] = g, dw[6] = h, dw[7] = i;
    }
    size_t q = n / 8, tail = n % 8;
    __asm__ volatile("rep movsq" : "+D"(d), "+S"(s), "+c"(q) : : "memory");
    __asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(tail) : : "memory");
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
    for (; n >= 64; n -= 64, d += 64) {
        word_unaligned *dw = (word_unaligned *)d;
        __asm__ volatile("" : "+r"(pattern));
        dw[0] = dw[1] = dw[2] = dw[3] = dw[4] = dw[5] = dw[6] = dw[7] = pattern;
    }
    size_t q = n / 8, tail = n % 8;
    __asm__ volatile("rep stosq" : "+D"(d), "+c"(q) : "a"(pattern) : "memory");
    __asm__ volatile("rep stosb" : "+D"(d), "+c"(tail) : "a"(pattern) : "memory");
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
