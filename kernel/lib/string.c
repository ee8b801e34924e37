/* The C string and memory functions the kernel (and the compiler's generated code) calls. */
#include "atoll/klib.h"

/* memcpy/memset use string instructions: written as plain loops, GCC may recognise them and
 * emit calls to memcpy/memset, i.e. to themselves. Whole quadwords go first, then the tail:
 * under TCG every iteration of a rep prefix costs the same, so moving 8 bytes per iteration
 * makes large copies 8 times faster; on hardware it is as fast. */
void *memcpy(void *dst, const void *src, size_t n)
{
    void *d = dst;
    size_t q = n / 8, tail = n % 8;
    __asm__ volatile("rep movsq" : "+D"(d), "+S"(src), "+c"(q) : : "memory");
    __asm__ volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(tail) : : "memory");
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
    void *d = dst;
    size_t q = n / 8, tail = n % 8;
    uint64_t pattern = (uint8_t)c * 0x0101010101010101ull;
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
