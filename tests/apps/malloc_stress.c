/* Stresses malloc: many sizes, realloc growth, large mmap-backed blocks, calloc; checks every byte.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "check.h"

#define SMALL_COUNT 2000
#define ROUNDS      3
#define GROW_LIMIT  (1024 * 1024)

static unsigned char pattern(size_t block, size_t offset)
{
    return (unsigned char)(block * 31 + offset * 7 + 1);
}

static void fill(unsigned char *p, size_t size, size_t block)
{
    for (size_t i = 0; i < size; i++)
        p[i] = pattern(block, i);
}

static bool holds(const unsigned char *p, size_t size, size_t block)
{
    for (size_t i = 0; i < size; i++)
        if (p[i] != pattern(block, i))
            return false;
    return true;
}

/* Many small blocks of varied sizes, freed in an interleaved order to fragment the heap. */
static void small_blocks(int round)
{
    static unsigned char *blocks[SMALL_COUNT];
    static size_t sizes[SMALL_COUNT];
    int allocated = 0, intact = 0;
    for (size_t i = 0; i < SMALL_COUNT; i++) {
        sizes[i] = (i * 37 + (size_t)round * 11) % 4096 + 1;
        blocks[i] = malloc(sizes[i]);
        if (blocks[i]) {
            allocated++;
            fill(blocks[i], sizes[i], i);
        }
    }
    for (size_t i = 0; i < SMALL_COUNT; i += 2) {
        intact += blocks[i] && holds(blocks[i], sizes[i], i);
        free(blocks[i]);
    }
    for (size_t i = 1; i < SMALL_COUNT; i += 2) {
        intact += blocks[i] && holds(blocks[i], sizes[i], i);
        free(blocks[i]);
    }
    check(allocated == SMALL_COUNT && intact == SMALL_COUNT,
          "round %d: %d small blocks of 1..4096 bytes allocated and intact (%d, %d)", round,
          SMALL_COUNT, allocated, intact);
}

/* realloc must keep the old contents every time the block grows (and moves). */
static void realloc_growth(void)
{
    unsigned char *p = NULL;
    size_t size = 0;
    bool kept = true;
    for (size_t next = 16; next <= GROW_LIMIT; next *= 2) {
        unsigned char *grown = realloc(p, next);
        if (!grown) {
            kept = false;
            break;
        }
        if (size && !holds(grown, size, 7))
            kept = false;
        fill(grown, next, 7);
        p = grown;
        size = next;
    }
    unsigned char *shrunk = p ? realloc(p, 100) : NULL;
    kept = kept && shrunk && holds(shrunk, 100, 7);
    free(shrunk ? shrunk : p);
    check(kept && size == GROW_LIMIT, "realloc grows 16 B to 1 MiB keeping contents, then shrinks");
}

/* Blocks above musl's mmap threshold come straight from mmap and go back with munmap. */
static void large_blocks(void)
{
    static const size_t sizes[] = {200 * 1024, 512 * 1024, 1024 * 1024, 2 * 1024 * 1024};
    unsigned char *blocks[4];
    int ok = 0;
    for (size_t i = 0; i < 4; i++) {
        blocks[i] = malloc(sizes[i]);
        if (blocks[i])
            fill(blocks[i], sizes[i], i + 100);
    }
    for (size_t i = 0; i < 4; i++) {
        ok += blocks[i] && holds(blocks[i], sizes[i], i + 100);
        free(blocks[i]);
    }
    check(ok == 4, "4 large blocks (200 KiB..2 MiB) allocated, intact, freed");

    unsigned char *zeroed = calloc(300, 1024);
    bool all_zero = zeroed != NULL;
    for (size_t i = 0; zeroed && i < 300 * 1024; i++)
        all_zero = all_zero && zeroed[i] == 0;
    free(zeroed);
    check(all_zero, "calloc of 300 KiB is zeroed");

    size_t map_size = 256 * 1024;
    unsigned char *mapped =
        mmap(NULL, map_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    bool map_ok = mapped != MAP_FAILED;
    for (size_t i = 0; map_ok && i < map_size; i++)
        map_ok = mapped[i] == 0;
    if (map_ok) {
        fill(mapped, map_size, 9);
        map_ok = holds(mapped, map_size, 9) && munmap(mapped, map_size) == 0;
    }
    check(map_ok, "anonymous mmap of 256 KiB: zeroed, writable, unmapped");
}

int main(void)
{
    /* Several rounds: memory that is not given back would run out in a small guest. */
    for (int round = 1; round <= ROUNDS; round++) {
        small_blocks(round);
        realloc_growth();
        large_blocks();
    }
    return checks_finish("malloc_stress");
}
