/* Physical page allocator: a sorted list of free extents, merged whenever they touch. */
#ifndef ATOLL_PAGEALLOC_H
#define ATOLL_PAGEALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PAGEALLOC_PAGE_SIZE 4096ULL

/* Free pages [base, base + npages * 4096); base is page aligned. */
struct page_extent {
    uint64_t base, npages;
};

/* ext[0..n) sorted by base, never overlapping nor touching; cap slots in all. */
struct pagealloc {
    struct page_extent *ext;
    size_t n, cap;
    uint64_t free_pages;
};

void pagealloc_init(struct pagealloc *pa, struct page_extent *storage, size_t cap);
/* Adds the byte range's whole pages (trimmed inward; page 0 is never added), merging with
 * neighbours. 0, -ENOMEM when out of extent slots, -EINVAL if it overlaps free pages. */
int pagealloc_add(struct pagealloc *pa, uint64_t base, uint64_t len);
/* Removes the free pages in the byte range (rounded outward); pages not free are ignored.
 * 0, or -ENOMEM when splitting an extent needs a slot there is none of (nothing changed). */
int pagealloc_reserve(struct pagealloc *pa, uint64_t base, uint64_t len);
/* Address of npages contiguous free pages aligned to align_pages pages (a power of two),
 * lowest fit or highest fit (from_top); 0 on failure. */
uint64_t pagealloc_alloc(struct pagealloc *pa, uint64_t npages, uint64_t align_pages,
                         bool from_top);
/* Takes exactly [base, base + npages pages): -ENOMEM unless all of it is free, -EINVAL for an
 * unaligned base. */
int pagealloc_claim(struct pagealloc *pa, uint64_t base, uint64_t npages);
/* Gives pages back: -EINVAL on an unaligned base, page 0, or if any page is already free
 * (double free); -ENOMEM when out of extent slots. */
int pagealloc_free(struct pagealloc *pa, uint64_t base, uint64_t npages);
/* Whether every page of the range is free (an empty range is). */
bool pagealloc_range_free(const struct pagealloc *pa, uint64_t base, uint64_t npages);

#endif
