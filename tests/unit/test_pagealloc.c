/* Unit tests of the page allocator: trimming, merging, alignment, top-down, claim, free, limits. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "atoll/pagealloc.h"

#define PG    4096ULL
#define MiB   (1024ULL * 1024)
#define SLOTS 64

static struct page_extent storage[SLOTS];
static struct pagealloc pa;

static void fresh(size_t cap)
{
    memset(storage, 0xa5, sizeof(storage));
    pagealloc_init(&pa, storage, cap);
}

/* Checks the representation: sorted, page aligned, non-empty, never touching, counted. */
static void check_invariants(void)
{
    uint64_t total = 0;
    assert_true(pa.n <= pa.cap);
    for (size_t i = 0; i < pa.n; i++) {
        assert_int_equal(pa.ext[i].base % PG, 0);
        assert_true(pa.ext[i].base != 0);
        assert_true(pa.ext[i].npages > 0);
        total += pa.ext[i].npages;
        if (i > 0)
            assert_true(pa.ext[i - 1].base + pa.ext[i - 1].npages * PG < pa.ext[i].base);
    }
    assert_int_equal(total, pa.free_pages);
}

static void expect_extents(size_t n, const struct page_extent *want)
{
    check_invariants();
    assert_int_equal(pa.n, n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(pa.ext[i].base, want[i].base);
        assert_int_equal(pa.ext[i].npages, want[i].npages);
    }
}

static void test_empty_allocator(void **state)
{
    (void)state;
    fresh(SLOTS);
    assert_int_equal(pa.free_pages, 0);
    assert_int_equal(pagealloc_alloc(&pa, 1, 1, false), 0);
    assert_int_equal(pagealloc_alloc(&pa, 1, 1, true), 0);
    assert_true(pagealloc_range_free(&pa, PG, 0));
    assert_false(pagealloc_range_free(&pa, PG, 1));
}

static void test_add_trims_inward_and_skips_page_zero(void **state)
{
    (void)state;
    fresh(SLOTS);
    assert_int_equal(pagealloc_add(&pa, 0, 4 * PG), 0); /* page 0 dropped */
    expect_extents(1, (struct page_extent[]){{PG, 3}});

    fresh(SLOTS);
    assert_int_equal(pagealloc_add(&pa, 100, 3 * PG), 0); /* [100, 12388): pages 1..2 */
    expect_extents(1, (struct page_extent[]){{PG, 2}});

    fresh(SLOTS);
    assert_int_equal(pagealloc_add(&pa, PG + 1, PG), 0); /* no whole page inside */
    assert_int_equal(pa.n, 0);
    assert_int_equal(pagealloc_add(&pa, 5 * PG, 0), 0);
    assert_int_equal(pagealloc_add(&pa, 0, PG), 0); /* only page 0 */
    assert_int_equal(pa.n, 0);
    assert_int_equal(pa.free_pages, 0);
}

static void test_add_merges_neighbours(void **state)
{
    (void)state;
    fresh(SLOTS);
    assert_int_equal(pagealloc_add(&pa, 1 * MiB, 1 * MiB), 0);
    assert_int_equal(pagealloc_add(&pa, 3 * MiB, 1 * MiB), 0);
    expect_extents(2, (struct page_extent[]){{1 * MiB, 256}, {3 * MiB, 256}});
    assert_int_equal(pagealloc_add(&pa, 2 * MiB, 1 * MiB), 0); /* fills the gap */
    expect_extents(1, (struct page_extent[]){{1 * MiB, 768}});
    assert_int_equal(pagealloc_add(&pa, 4 * MiB, PG), 0);      /* touches the end */
    assert_int_equal(pagealloc_add(&pa, 1 * MiB - PG, PG), 0); /* touches the start */
    expect_extents(1, (struct page_extent[]){{1 * MiB - PG, 770}});
    /* Added out of order, kept sorted. */
    assert_int_equal(pagealloc_add(&pa, 100 * MiB, PG), 0);
    assert_int_equal(pagealloc_add(&pa, 50 * MiB, PG), 0);
    assert_int_equal(pagealloc_add(&pa, 16 * PG, PG), 0);
    expect_extents(4, (struct page_extent[]){
                          {16 * PG, 1}, {1 * MiB - PG, 770}, {50 * MiB, 1}, {100 * MiB, 1}});
}

static void test_add_rejects_overlap(void **state)
{
    (void)state;
    fresh(SLOTS);
    assert_int_equal(pagealloc_add(&pa, 1 * MiB, 1 * MiB), 0);
    assert_int_equal(pagealloc_add(&pa, 1 * MiB, PG), -EINVAL);
    assert_int_equal(pagealloc_add(&pa, 2 * MiB - PG, 2 * PG), -EINVAL);
    assert_int_equal(pagealloc_add(&pa, 0, 100 * MiB), -EINVAL);
    expect_extents(1, (struct page_extent[]){{1 * MiB, 256}});
}

static void test_add_out_of_slots(void **state)
{
    (void)state;
    fresh(2);
    assert_int_equal(pagealloc_add(&pa, 1 * MiB, PG), 0);
    assert_int_equal(pagealloc_add(&pa, 3 * MiB, PG), 0);
    assert_int_equal(pagealloc_add(&pa, 5 * MiB, PG), -ENOMEM);
    /* Merging needs no slot. */
    assert_int_equal(pagealloc_add(&pa, 1 * MiB + PG, PG), 0);
    expect_extents(2, (struct page_extent[]){{1 * MiB, 2}, {3 * MiB, 1}});
    assert_int_equal(pa.free_pages, 3);
}

static void test_top_of_address_space(void **state)
{
    (void)state;
    fresh(SLOTS);
    /* The range ends exactly at 2^64: nothing may overflow. */
    assert_int_equal(pagealloc_add(&pa, UINT64_MAX - 4 * PG + 1, 4 * PG), 0);
    expect_extents(1, (struct page_extent[]){{UINT64_MAX - 4 * PG + 1, 4}});
    assert_int_equal(pagealloc_add(&pa, UINT64_MAX - 100 * PG, UINT64_MAX), -EINVAL);
    assert_true(pagealloc_range_free(&pa, UINT64_MAX - 4 * PG + 1, 4));
    assert_false(pagealloc_range_free(&pa, UINT64_MAX - 4 * PG + 1, 5));
    assert_int_equal(pagealloc_alloc(&pa, 1, 1, true), UINT64_MAX - PG + 1);
    assert_int_equal(pagealloc_claim(&pa, UINT64_MAX - 4 * PG + 1, 5), -ENOMEM);
    assert_int_equal(pagealloc_free(&pa, UINT64_MAX - PG + 1, 2), -EINVAL);
    assert_int_equal(pagealloc_free(&pa, UINT64_MAX - PG + 1, 1), 0);
    assert_int_equal(pagealloc_reserve(&pa, UINT64_MAX - PG, 2 * PG), 0);
    expect_extents(1, (struct page_extent[]){{UINT64_MAX - 4 * PG + 1, 2}});
    fresh(SLOTS);
    assert_int_equal(pagealloc_add(&pa, 1 * MiB, UINT64_MAX), 0); /* clamped at 2^64 */
    assert_int_equal(pa.free_pages, (1ULL << 52) - 256);
}

static void test_reserve(void **state)
{
    (void)state;
    fresh(SLOTS);
    assert_int_equal(pagealloc_add(&pa, 1 * MiB, 1 * MiB), 0);
    /* Rounded outward: [1M + 100, 1M + 4097) covers pages 0 and 1 of the extent. */
    assert_int_equal(pagealloc_reserve(&pa, 1 * MiB + 100, 3997), 0);
    expect_extents(1, (struct page_extent[]){{1 * MiB + 2 * PG, 254}});
    /* In the middle: splits. */
    assert_int_equal(pagealloc_reserve(&pa, 1 * MiB + 10 * PG, 2 * PG), 0);
    expect_extents(2, (struct page_extent[]){{1 * MiB + 2 * PG, 8}, {1 * MiB + 12 * PG, 244}});
    /* Pages not free are ignored; the tail goes. */
    assert_int_equal(pagealloc_reserve(&pa, 1 * MiB + 200 * PG, 10 * MiB), 0);
    expect_extents(2, (struct page_extent[]){{1 * MiB + 2 * PG, 8}, {1 * MiB + 12 * PG, 188}});
    /* Across several extents, eating some whole. */
    assert_int_equal(pagealloc_add(&pa, 8 * MiB, 1 * MiB), 0);
    assert_int_equal(pagealloc_reserve(&pa, 1 * MiB + 5 * PG, 8 * MiB - 8 * PG), 0);
    expect_extents(2, (struct page_extent[]){{1 * MiB + 2 * PG, 3}, {9 * MiB - 3 * PG, 3}});
    assert_int_equal(pagealloc_reserve(&pa, 0, 0), 0);
    assert_int_equal(pagealloc_reserve(&pa, 0, UINT64_MAX), 0);
    expect_extents(0, NULL);
}

static void test_reserve_needing_a_slot_changes_nothing(void **state)
{
    (void)state;
    fresh(2);
    assert_int_equal(pagealloc_add(&pa, 1 * MiB, 1 * MiB), 0);
    assert_int_equal(pagealloc_add(&pa, 4 * MiB, 1 * MiB), 0);
    assert_int_equal(pagealloc_reserve(&pa, 1 * MiB + 10 * PG, PG), -ENOMEM);
    expect_extents(2, (struct page_extent[]){{1 * MiB, 256}, {4 * MiB, 256}});
    /* Cutting an edge needs no slot. */
    assert_int_equal(pagealloc_reserve(&pa, 1 * MiB, PG), 0);
    assert_int_equal(pa.free_pages, 511);
}

static void test_alloc_bottom_up_and_top_down(void **state)
{
    (void)state;
    fresh(SLOTS);
    assert_int_equal(pagealloc_add(&pa, 1 * MiB, 1 * MiB), 0);
    assert_int_equal(pagealloc_add(&pa, 4 * MiB, 1 * MiB), 0);
    assert_int_equal(pagealloc_alloc(&pa, 2, 1, false), 1 * MiB);
    assert_int_equal(pagealloc_alloc(&pa, 2, 1, false), 1 * MiB + 2 * PG);
    assert_int_equal(pagealloc_alloc(&pa, 1, 1, true), 5 * MiB - PG);
    assert_int_equal(pagealloc_alloc(&pa, 1, 1, true), 5 * MiB - 2 * PG);
    /* Too big for the first extent's rest: the lowest fit is in the second. */
    assert_int_equal(pagealloc_alloc(&pa, 253, 1, false), 4 * MiB);
    /* Too big for anything. */
    assert_int_equal(pagealloc_alloc(&pa, 300, 1, false), 0);
    assert_int_equal(pagealloc_alloc(&pa, 300, 1, true), 0);
    assert_int_equal(pa.free_pages, 512 - 2 - 2 - 1 - 1 - 253);
    check_invariants();
}

static void test_alloc_alignment(void **state)
{
    (void)state;
    fresh(SLOTS);
    assert_int_equal(pagealloc_add(&pa, PG, 64 * MiB), 0);
    /* 2 MiB alignment = 512 pages. */
    assert_int_equal(pagealloc_alloc(&pa, 1, 512, false), 2 * MiB);
    assert_int_equal(pagealloc_alloc(&pa, 512, 512, false), 4 * MiB);
    /* The free range ends at 64 MiB + 4 KiB: 3 pages fit from 62 MiB, 1 page at 64 MiB. */
    assert_int_equal(pagealloc_alloc(&pa, 3, 512, true), 62 * MiB);
    assert_int_equal(pagealloc_alloc(&pa, 1, 4, true), 64 * MiB);
    assert_int_equal(pagealloc_alloc(&pa, 1, 2, false), 2 * PG);
    assert_true(pagealloc_range_free(&pa, PG, 1));
    check_invariants();
    /* No aligned fit at all. */
    fresh(SLOTS);
    assert_int_equal(pagealloc_add(&pa, PG, 3 * PG), 0);
    assert_int_equal(pagealloc_alloc(&pa, 2, 4, false), 0);
    assert_int_equal(pagealloc_alloc(&pa, 2, 4, true), 0);
    assert_int_equal(pagealloc_alloc(&pa, 2, 2, false), 2 * PG);
}

static void test_alloc_rejects_bad_arguments(void **state)
{
    (void)state;
    fresh(SLOTS);
    assert_int_equal(pagealloc_add(&pa, PG, 64 * MiB), 0);
    assert_int_equal(pagealloc_alloc(&pa, 0, 1, false), 0);
    assert_int_equal(pagealloc_alloc(&pa, 1, 0, false), 0);
    assert_int_equal(pagealloc_alloc(&pa, 1, 3, false), 0);
    assert_int_equal(pagealloc_alloc(&pa, 1, 1ULL << 63, false), 0);
    assert_int_equal(pagealloc_alloc(&pa, UINT64_MAX, 1, true), 0);
    assert_int_equal(pagealloc_alloc(&pa, 1ULL << 52, 1, false), 0);
    assert_int_equal(pa.free_pages, 64 * MiB / PG);
}

static void test_alloc_avoids_extent_needing_a_slot(void **state)
{
    (void)state;
    fresh(2);
    assert_int_equal(pagealloc_add(&pa, 1 * MiB + PG, 2 * MiB), 0);
    assert_int_equal(pagealloc_add(&pa, 8 * MiB, 1 * MiB), 0);
    /* The first extent's aligned fit would split it and there is no slot; the second's
     * fit starts at its base. */
    assert_int_equal(pagealloc_alloc(&pa, 1, 256, false), 8 * MiB);
    check_invariants();
    /* With no edge fit anywhere, allocation fails cleanly. */
    assert_int_equal(pagealloc_alloc(&pa, 1, 512, false), 0);
    assert_int_equal(pa.n, 2);
    assert_int_equal(pa.free_pages, 512 + 256 - 1);
}

static void test_claim(void **state)
{
    (void)state;
    fresh(SLOTS);
    assert_int_equal(pagealloc_add(&pa, 1 * MiB, 1 * MiB), 0);
    assert_int_equal(pagealloc_claim(&pa, 1 * MiB + 4 * PG, 4), 0);
    expect_extents(2, (struct page_extent[]){{1 * MiB, 4}, {1 * MiB + 8 * PG, 248}});
    assert_int_equal(pagealloc_claim(&pa, 1 * MiB + 4 * PG, 1), -ENOMEM); /* taken */
    assert_int_equal(pagealloc_claim(&pa, 1 * MiB + 2 * PG, 4), -ENOMEM); /* half taken */
    assert_int_equal(pagealloc_claim(&pa, 1 * MiB + 100, 1), -EINVAL);
    assert_int_equal(pagealloc_claim(&pa, 2 * MiB - PG, 2), -ENOMEM); /* past the end */
    assert_int_equal(pagealloc_claim(&pa, 1 * MiB, 4), 0);
    assert_int_equal(pagealloc_claim(&pa, 2 * MiB - PG, 1), 0);
    assert_int_equal(pagealloc_claim(&pa, 1 * MiB, 0), 0);
    assert_int_equal(pagealloc_claim(&pa, UINT64_MAX - PG + 1, 2), -ENOMEM);
    expect_extents(1, (struct page_extent[]){{1 * MiB + 8 * PG, 247}});
}

static void test_free_and_double_free(void **state)
{
    (void)state;
    fresh(SLOTS);
    assert_int_equal(pagealloc_add(&pa, 1 * MiB, 1 * MiB), 0);
    uint64_t a = pagealloc_alloc(&pa, 16, 1, false);
    uint64_t b = pagealloc_alloc(&pa, 16, 1, false);
    uint64_t c = pagealloc_alloc(&pa, 16, 1, false);
    assert_int_equal(pa.free_pages, 256 - 48);
    assert_int_equal(pagealloc_free(&pa, b, 16), 0);
    assert_int_equal(pagealloc_free(&pa, b, 16), -EINVAL);          /* double free */
    assert_int_equal(pagealloc_free(&pa, b + PG, 1), -EINVAL);      /* inside a free range */
    assert_int_equal(pagealloc_free(&pa, a + 15 * PG, 2), -EINVAL); /* straddles into free */
    assert_int_equal(pagealloc_free(&pa, a + 1, 1), -EINVAL);       /* unaligned */
    assert_int_equal(pagealloc_free(&pa, 0, 1), -EINVAL);           /* page 0 */
    assert_int_equal(pagealloc_free(&pa, UINT64_MAX - PG + 1, 2), -EINVAL);
    assert_int_equal(pagealloc_free(&pa, a, 0), 0);
    assert_int_equal(pagealloc_free(&pa, a, 16), 0);
    assert_int_equal(pagealloc_free(&pa, c, 16), 0);
    expect_extents(1, (struct page_extent[]){{1 * MiB, 256}});
}

static void test_free_out_of_slots(void **state)
{
    (void)state;
    fresh(2);
    assert_int_equal(pagealloc_add(&pa, 1 * MiB, 1 * MiB), 0);
    assert_int_equal(pagealloc_claim(&pa, 1 * MiB + 10 * PG, 10), 0);
    assert_int_equal(pa.n, 2);
    assert_int_equal(pagealloc_free(&pa, 1 * MiB + 12 * PG, 1), -ENOMEM);
    assert_int_equal(pagealloc_claim(&pa, 1 * MiB + 30 * PG, 1), -ENOMEM);
    assert_int_equal(pagealloc_free(&pa, 1 * MiB + 10 * PG, 1), 0); /* merges: no slot */
    assert_int_equal(pa.free_pages, 256 - 9);
    check_invariants();
}

static void test_range_free(void **state)
{
    (void)state;
    fresh(SLOTS);
    assert_int_equal(pagealloc_add(&pa, 1 * MiB, 1 * MiB), 0);
    assert_int_equal(pagealloc_add(&pa, 3 * MiB, 1 * MiB), 0);
    assert_true(pagealloc_range_free(&pa, 1 * MiB, 256));
    assert_true(pagealloc_range_free(&pa, 3 * MiB + 8 * PG, 8));
    assert_false(pagealloc_range_free(&pa, 1 * MiB, 257));
    assert_false(pagealloc_range_free(&pa, 2 * MiB - PG, 2));
    assert_false(pagealloc_range_free(&pa, 1 * MiB + 1, 1));
    assert_false(pagealloc_range_free(&pa, 1 * MiB, UINT64_MAX));
    assert_true(pagealloc_range_free(&pa, 5 * MiB, 0));
}

/* Random operations on 200 pages checked page by page against a plain bitmap. */
#define MODEL_PAGES 200
static bool model[MODEL_PAGES];

static bool model_range_free(uint64_t start, uint64_t n)
{
    for (uint64_t p = start; p < start + n; p++) {
        if (p == 0 || p >= MODEL_PAGES || !model[p])
            return false;
    }
    return true;
}

static void check_against_model(void)
{
    check_invariants();
    uint64_t count = 0;
    for (uint64_t p = 0; p < MODEL_PAGES; p++) {
        count += model[p];
        assert_int_equal(pagealloc_range_free(&pa, p * PG, 1), model[p]);
    }
    assert_int_equal(pa.free_pages, count);
}

static void test_random_operations_match_bitmap_model(void **state)
{
    (void)state;
    fresh(8);
    memset(model, 0, sizeof(model));
    uint32_t seed = 987654321;
    int succeeded = 0;
    for (int step = 0; step < 30000; step++) {
        seed = seed * 1664525 + 1013904223;
        uint32_t r = seed >> 8;
        uint64_t start = r % MODEL_PAGES, n = (r >> 8) % 12 + 1, align = 1ULL << ((r >> 12) % 4);
        if (start + n > MODEL_PAGES)
            n = MODEL_PAGES - start;
        struct page_extent before[8];
        size_t before_n = pa.n;
        memcpy(before, pa.ext, sizeof(before));
        bool failed = false;
        switch ((r >> 16) % 5) {
        case 0: { /* add */
            bool overlap = false;
            for (uint64_t p = start; p < start + n; p++)
                overlap |= p != 0 && model[p];
            int rc = pagealloc_add(&pa, start * PG, n * PG);
            failed = rc != 0;
            if (overlap) {
                assert_int_equal(rc, -EINVAL);
            } else if (rc == 0) {
                for (uint64_t p = start; p < start + n; p++)
                    model[p] |= p != 0;
            } else {
                assert_int_equal(rc, -ENOMEM);
            }
            break;
        }
        case 1: { /* reserve */
            int rc = pagealloc_reserve(&pa, start * PG, n * PG);
            failed = rc != 0;
            if (rc == 0)
                memset(model + start, 0, n);
            else
                assert_int_equal(rc, -ENOMEM);
            break;
        }
        case 2: { /* alloc */
            bool top = (r >> 20) & 1;
            uint64_t at = pagealloc_alloc(&pa, n, align, top);
            failed = at == 0;
            if (at != 0) {
                assert_int_equal(at % (align * PG), 0);
                assert_true(model_range_free(at / PG, n));
                memset(model + at / PG, 0, n);
            }
            break;
        }
        case 3: { /* claim */
            int rc = pagealloc_claim(&pa, start * PG, n);
            failed = rc != 0;
            if (rc == 0) {
                assert_true(model_range_free(start, n));
                memset(model + start, 0, n);
            } else {
                assert_int_equal(rc, -ENOMEM);
            }
            break;
        }
        default: { /* free */
            bool any_free = start == 0;
            for (uint64_t p = start; p < start + n; p++)
                any_free |= model[p];
            int rc = pagealloc_free(&pa, start * PG, n);
            failed = rc != 0;
            if (any_free) {
                assert_int_equal(rc, -EINVAL);
            } else if (rc == 0) {
                memset(model + start, 1, n);
            } else {
                assert_int_equal(rc, -ENOMEM);
            }
            break;
        }
        }
        /* A failed call leaves the extents exactly as they were. */
        if (failed) {
            assert_int_equal(pa.n, before_n);
            assert_memory_equal(before, pa.ext, sizeof(before[0]) * pa.n);
        } else {
            succeeded++;
        }
        check_against_model();
    }
    printf("random operations: %d of 30000 succeeded\n", succeeded);
    assert_true(succeeded > 5000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_allocator),
        cmocka_unit_test(test_add_trims_inward_and_skips_page_zero),
        cmocka_unit_test(test_add_merges_neighbours),
        cmocka_unit_test(test_add_rejects_overlap),
        cmocka_unit_test(test_add_out_of_slots),
        cmocka_unit_test(test_top_of_address_space),
        cmocka_unit_test(test_reserve),
        cmocka_unit_test(test_reserve_needing_a_slot_changes_nothing),
        cmocka_unit_test(test_alloc_bottom_up_and_top_down),
        cmocka_unit_test(test_alloc_alignment),
        cmocka_unit_test(test_alloc_rejects_bad_arguments),
        cmocka_unit_test(test_alloc_avoids_extent_needing_a_slot),
        cmocka_unit_test(test_claim),
        cmocka_unit_test(test_free_and_double_free),
        cmocka_unit_test(test_free_out_of_slots),
        cmocka_unit_test(test_range_free),
        cmocka_unit_test(test_random_operations_match_bitmap_model),
    };
    return cmocka_run_group_tests_name("pagealloc", tests, NULL, NULL);
}
