/* Runs the guest out of memory on purpose: mmap, mprotect and malloc fail with ENOMEM (never a
 * crash), and everything given back can be had again. Unikernel only: Linux overcommits. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "check.h"

#define MAX_PIECES 8192
#define PIECE      (3 * 4096) /* not a divisor of 2 MiB: pieces straddle large pages */

static void *pieces[MAX_PIECES];

/* Read-only mappings differ from the read-write identity map, so each one needs 4 KiB page tables
 * where it lands: the last ones are made with the pool empty. */
static size_t map_until_enomem(int *err)
{
    size_t n = 0;
    *err = 0;
    while (n < MAX_PIECES) {
        void *p = mmap(NULL, PIECE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) {
            *err = errno;
            break;
        }
        pieces[n++] = p;
    }
    return n;
}

static bool all_zero(const unsigned char *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (p[i])
            return false;
    return true;
}

/* A 4 MiB read-write mapping holds at least one whole 2 MiB page. With every other page taken,
 * changing the protection of one 4 KiB page in it needs a new page table: the kernel keeps a
 * reserve for that instead of stopping. */
static void protect_with_pool_empty(void)
{
    const size_t big_len = 4u << 20, large = 2u << 20;
    unsigned char *big =
        mmap(NULL, big_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (!check(big != MAP_FAILED, "a 4 MiB read-write mapping"))
        return;
    memset(big, 0x33, big_len);
    size_t n = 0;
    while (n < MAX_PIECES) {
        void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            break;
        pieces[n++] = p;
    }
    check(n > 0 && errno == ENOMEM, "then single pages until ENOMEM: %zu", n);
    unsigned char *page = (unsigned char *)(((uintptr_t)big + large - 1) & ~(uintptr_t)(large - 1));
    page += 4096;
    int rc = mprotect(page, 4096, PROT_READ);
    check(rc == 0, "mprotect inside a 2 MiB page with no free page (errno %d)", rc ? errno : 0);
    check(page[0] == 0x33 && page[4095] == 0x33 && big[0] == 0x33 && big[big_len - 1] == 0x33,
          "the mapping still holds its bytes");
    rc = mprotect(page, 4096, PROT_READ | PROT_WRITE);
    if (check(rc == 0, "made writable again (errno %d)", rc ? errno : 0)) {
        page[1] = 0x44;
        check(page[1] == 0x44, "written after");
    }
    int bad = munmap(big, big_len) != 0;
    for (size_t i = 0; i < n; i++)
        bad += munmap(pieces[i], 4096) != 0;
    check(bad == 0, "all unmapped");
}

int main(void)
{
    protect_with_pool_empty();
    int err;
    size_t first = map_until_enomem(&err);
    check(err == ENOMEM && first > 16, "read-only mmaps until ENOMEM: %zu of %d KiB (errno %d)",
          first, PIECE / 1024, err);
    bool zero = true;
    for (size_t i = 0; i < first; i++)
        zero = zero && all_zero(pieces[i], PIECE);
    check(zero, "every mapping made reads as zeroes");
    /* Making pieces writable or inaccessible with the pool empty fails cleanly or works. */
    int mprotect_bad = 0;
    for (size_t i = 0; i < first; i += 7) {
        int rc = mprotect(pieces[i], 4096, (i & 8) ? PROT_NONE : PROT_READ | PROT_WRITE);
        if (rc != 0 && errno != ENOMEM)
            mprotect_bad++;
    }
    check(mprotect_bad == 0, "mprotect with no free memory: 0 or ENOMEM");
    int unmap_bad = 0;
    for (size_t i = 0; i < first; i++)
        unmap_bad += munmap(pieces[i], PIECE) != 0;
    check(unmap_bad == 0, "all %zu mappings unmapped", first);

    size_t second = map_until_enomem(&err);
    check(err == ENOMEM && second + 8 >= first,
          "after unmapping, as many mappings again: %zu (first time %zu)", second, first);
    for (size_t i = 0; i < second; i++)
        munmap(pieces[i], PIECE);

    /* malloc: NULL at the end, never a crash; all of it usable again after free. */
    size_t blocks = 0;
    void **list = NULL;
    for (;;) {
        void **b = malloc(16 * 1024);
        if (!b)
            break;
        memset(b, 0x5a, 16 * 1024);
        *b = list;
        list = b;
        blocks++;
    }
    check(blocks > 16, "malloc until NULL: %zu blocks of 16 KiB", blocks);
    while (list) {
        void **next = *list;
        free(list);
        list = next;
    }
    void *again = malloc(1024 * 1024);
    check(again != NULL, "after freeing them, a 1 MiB block is had again");
    free(again);
    return checks_finish("mem_exhaust");
}
