/* libFuzzer harness: random page allocator operations checked against a per-page bitmap. */
#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "atoll/errno.h"
#include "atoll/pagealloc.h"

#define PG    4096ULL
#define PAGES 512

static bool model[PAGES];
static struct page_extent slots[16];
static struct pagealloc pa;

static bool model_all(uint64_t start, uint64_t n, bool want)
{
    for (uint64_t p = start; p < start + n; p++) {
        if (p >= PAGES || model[p] != want || (want && p == 0))
            return false;
    }
    return true;
}

static void check(void)
{
    uint64_t total = 0, count = 0;
    assert(pa.n <= pa.cap);
    for (size_t i = 0; i < pa.n; i++) {
        assert(pa.ext[i].npages > 0 && pa.ext[i].base % PG == 0 && pa.ext[i].base != 0);
        if (i > 0)
            assert(pa.ext[i - 1].base + pa.ext[i - 1].npages * PG < pa.ext[i].base);
        total += pa.ext[i].npages;
    }
    assert(total == pa.free_pages);
    for (uint64_t p = 0; p < PAGES; p++) {
        count += model[p];
        assert(pagealloc_range_free(&pa, p * PG, 1) == model[p]);
    }
    assert(count == pa.free_pages);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    memset(model, 0, sizeof(model));
    pagealloc_init(&pa, slots, 1 + data[0] % 16);
    data++;
    size--;
    for (; size >= 4; data += 4, size -= 4) {
        uint64_t start = (uint64_t)(data[1] | (data[2] & 1) << 8);
        uint64_t n = (uint64_t)(data[3] % 40) + 1;
        uint64_t align = 1ULL << (data[2] >> 1 & 7);
        bool top = data[2] >> 4 & 1;
        if (start + n > PAGES)
            n = PAGES - start;
        struct page_extent before[16];
        size_t before_n = pa.n;
        memcpy(before, pa.ext, sizeof(before[0]) * pa.n);
        bool failed;
        switch (data[0] % 5) {
        case 0: {
            bool overlap = !model_all(start == 0 ? 1 : start, start == 0 ? n - 1 : n, false);
            int rc = pagealloc_add(&pa, start * PG, n * PG);
            failed = rc != 0;
            assert(overlap ? rc == -EINVAL : (rc == 0 || rc == -ENOMEM));
            if (rc == 0)
                for (uint64_t p = start; p < start + n; p++)
                    model[p] = p != 0;
            break;
        }
        case 1: {
            int rc = pagealloc_reserve(&pa, start * PG + data[2], n * PG);
            failed = rc != 0;
            assert(rc == 0 || rc == -ENOMEM);
            /* Rounded outward: the byte offset may reach one more page. */
            uint64_t end = (start * PG + data[2] + n * PG + PG - 1) / PG;
            if (rc == 0)
                for (uint64_t p = start; p < end && p < PAGES; p++)
                    model[p] = false;
            break;
        }
        case 2: {
            uint64_t at = pagealloc_alloc(&pa, n, align, top);
            failed = at == 0;
            if (at != 0) {
                assert(at % (align * PG) == 0);
                assert(model_all(at / PG, n, true));
                memset(model + at / PG, 0, n);
            }
            break;
        }
        case 3: {
            int rc = pagealloc_claim(&pa, start * PG, n);
            failed = rc != 0;
            if (rc == 0) {
                assert(model_all(start, n, true));
                memset(model + start, 0, n);
            } else {
                assert(rc == -ENOMEM);
            }
            break;
        }
        default: {
            bool bad = start == 0 || !model_all(start, n, false);
            int rc = pagealloc_free(&pa, start * PG, n);
            failed = rc != 0;
            assert(bad ? rc == -EINVAL : (rc == 0 || rc == -ENOMEM));
            if (rc == 0)
                memset(model + start, 1, n);
            break;
        }
        }
        if (failed) {
            assert(pa.n == before_n);
            assert(memcmp(before, pa.ext, sizeof(before[0]) * pa.n) == 0);
        }
        check();
    }
    return 0;
}
