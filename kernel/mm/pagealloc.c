/* Physical page allocator over sorted, merged free extents (first fit from the bottom or top). */
#include "atoll/pagealloc.h"
#include "atoll/errno.h"
#include "atoll/klib.h"

/* Internally everything is in page numbers with exclusive ends, so that a range reaching the
 * very top of the 64-bit address space (end page 2^52) is still representable. */
#define PAGE_SHIFT 12
#define PAGE_LIMIT ((uint64_t)1 << (64 - PAGE_SHIFT)) /* one past the last page number */

static uint64_t ext_start(const struct page_extent *e)
{
    return e->base >> PAGE_SHIFT;
}

static uint64_t ext_end(const struct page_extent *e)
{
    return (e->base >> PAGE_SHIFT) + e->npages;
}

static void set_ext(struct page_extent *e, uint64_t start, uint64_t end)
{
    e->base = start << PAGE_SHIFT;
    e->npages = end - start;
}

static void remove_slot(struct pagealloc *pa, size_t i)
{
    for (size_t j = i; j + 1 < pa->n; j++)
        pa->ext[j] = pa->ext[j + 1];
    pa->n--;
}

/* Opens a slot at index i; the caller has checked that one is left. */
static void insert_slot(struct pagealloc *pa, size_t i)
{
    for (size_t j = pa->n; j > i; j--)
        pa->ext[j] = pa->ext[j - 1];
    pa->n++;
}

static bool overlaps_free(const struct pagealloc *pa, uint64_t start, uint64_t end)
{
    for (size_t i = 0; i < pa->n; i++) {
        if (ext_start(&pa->ext[i]) < end && ext_end(&pa->ext[i]) > start)
            return true;
    }
    return false;
}

static bool inside_one_extent(const struct pagealloc *pa, uint64_t start, uint64_t end)
{
    for (size_t i = 0; i < pa->n; i++) {
        if (ext_start(&pa->ext[i]) <= start && end <= ext_end(&pa->ext[i]))
            return true;
    }
    return false;
}

/* Adds pages [start, end), known not to overlap free pages, merging with neighbours. */
static int insert_free(struct pagealloc *pa, uint64_t start, uint64_t end)
{
    size_t i = 0;
    while (i < pa->n && ext_start(&pa->ext[i]) < start)
        i++;
    bool joins_prev = i > 0 && ext_end(&pa->ext[i - 1]) == start;
    bool joins_next = i < pa->n && ext_start(&pa->ext[i]) == end;
    if (joins_prev && joins_next) {
        set_ext(&pa->ext[i - 1], ext_start(&pa->ext[i - 1]), ext_end(&pa->ext[i]));
        remove_slot(pa, i);
    } else if (joins_prev) {
        set_ext(&pa->ext[i - 1], ext_start(&pa->ext[i - 1]), end);
    } else if (joins_next) {
        set_ext(&pa->ext[i], start, ext_end(&pa->ext[i]));
    } else {
        if (pa->n >= pa->cap)
            return -ENOMEM;
        insert_slot(pa, i);
        set_ext(&pa->ext[i], start, end);
    }
    pa->free_pages += end - start;
    return 0;
}

/* Removes whatever free pages lie in [start, end). Only cutting a hole strictly inside one
 * extent needs a new slot; that case is checked before anything changes. */
static int remove_free(struct pagealloc *pa, uint64_t start, uint64_t end)
{
    size_t i = 0;
    while (i < pa->n) {
        struct page_extent *e = &pa->ext[i];
        uint64_t es = ext_start(e), ee = ext_end(e);
        if (ee <= start) {
            i++;
            continue;
        }
        if (es >= end)
            break;
        if (es < start && ee > end) {
            if (pa->n >= pa->cap)
                return -ENOMEM;
            insert_slot(pa, i + 1);
            set_ext(&pa->ext[i], es, start);
            set_ext(&pa->ext[i + 1], end, ee);
            pa->free_pages -= end - start;
            return 0;
        }
        if (es < start) { /* the range covers this extent's tail */
            set_ext(e, es, start);
            pa->free_pages -= ee - start;
            i++;
        } else if (ee > end) { /* ... its head */
            set_ext(e, end, ee);
            pa->free_pages -= end - es;
            break;
        } else { /* ... all of it */
            pa->free_pages -= ee - es;
            remove_slot(pa, i);
        }
    }
    return 0;
}

void pagealloc_init(struct pagealloc *pa, struct page_extent *storage, size_t cap)
{
    pa->ext = storage;
    pa->n = 0;
    pa->cap = cap;
    pa->free_pages = 0;
}

int pagealloc_add(struct pagealloc *pa, uint64_t base, uint64_t len)
{
    unsigned __int128 end_byte = (unsigned __int128)base + len;
    uint64_t start = (uint64_t)(((unsigned __int128)base + PAGEALLOC_PAGE_SIZE - 1) >> PAGE_SHIFT);
    uint64_t end = (uint64_t)(end_byte >> PAGE_SHIFT);
    if (end > PAGE_LIMIT) /* the range ran past 2^64 */
        end = PAGE_LIMIT;
    if (start == 0)
        start = 1; /* page 0 stays unused so that 0 can mean "no page" */
    if (end <= start)
        return 0;
    if (overlaps_free(pa, start, end))
        return -EINVAL;
    return insert_free(pa, start, end);
}

int pagealloc_reserve(struct pagealloc *pa, uint64_t base, uint64_t len)
{
    if (len == 0)
        return 0;
    unsigned __int128 end_byte = (unsigned __int128)base + len;
    uint64_t start = base >> PAGE_SHIFT;
    uint64_t end = (uint64_t)((end_byte + PAGEALLOC_PAGE_SIZE - 1) >> PAGE_SHIFT);
    if (end > PAGE_LIMIT)
        end = PAGE_LIMIT;
    return remove_free(pa, start, end);
}

static bool is_power_of_two(uint64_t x)
{
    return x != 0 && (x & (x - 1)) == 0;
}

uint64_t pagealloc_alloc(struct pagealloc *pa, uint64_t npages, uint64_t align_pages, bool from_top)
{
    if (npages == 0 || npages > PAGE_LIMIT || !is_power_of_two(align_pages) ||
        align_pages > PAGE_LIMIT)
        return 0;
    for (size_t k = 0; k < pa->n; k++) {
        size_t i = from_top ? pa->n - 1 - k : k;
        uint64_t es = ext_start(&pa->ext[i]), ee = ext_end(&pa->ext[i]);
        if (ee - es < npages)
            continue;
        uint64_t at = from_top ? ALIGN_DOWN(ee - npages, align_pages) : ALIGN_UP(es, align_pages);
        if (at < es || at + npages > ee)
            continue;
        /* A fit in the middle of an extent may need a slot; an edge fit elsewhere may not. */
        if (remove_free(pa, at, at + npages) == 0)
            return at << PAGE_SHIFT;
    }
    return 0;
}

/* Converts a page-aligned byte range to page numbers; false if unaligned or past the top. */
static bool page_range(uint64_t base, uint64_t npages, uint64_t *start, uint64_t *end)
{
    if (base & (PAGEALLOC_PAGE_SIZE - 1))
        return false;
    *start = base >> PAGE_SHIFT;
    if (npages > PAGE_LIMIT - *start)
        return false;
    *end = *start + npages;
    return true;
}

int pagealloc_claim(struct pagealloc *pa, uint64_t base, uint64_t npages)
{
    uint64_t start, end;
    if (base & (PAGEALLOC_PAGE_SIZE - 1))
        return -EINVAL;
    if (npages == 0)
        return 0;
    if (!page_range(base, npages, &start, &end) || !inside_one_extent(pa, start, end))
        return -ENOMEM;
    return remove_free(pa, start, end);
}

int pagealloc_free(struct pagealloc *pa, uint64_t base, uint64_t npages)
{
    uint64_t start, end;
    if (!page_range(base, npages, &start, &end) || start == 0)
        return -EINVAL;
    if (npages == 0)
        return 0;
    if (overlaps_free(pa, start, end))
        return -EINVAL;
    return insert_free(pa, start, end);
}

bool pagealloc_range_free(const struct pagealloc *pa, uint64_t base, uint64_t npages)
{
    uint64_t start, end;
    if (!page_range(base, npages, &start, &end))
        return false;
    return npages == 0 || inside_one_extent(pa, start, end);
}
