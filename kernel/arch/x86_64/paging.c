/* Identity-mapped 4-level page tables with per-page permissions: W^X, NX data, unmapped guards. */
#include "atoll/arch.h"
#include "atoll/kernel.h"
#include "atoll/pagealloc.h"
#include "atoll/x86.h"

#define LARGE_PAGE (2ull << 20)
/* Page-table pages kept aside for when the pool runs dry. One vm_map or vm_unmap of a contiguous
 * range splits at most two 2 MiB pages (its first and its last), so half the reserve lets a
 * mapping change made at the edge of memory, and the unmap that later undoes it, both complete. */
#define TABLE_RESERVE 8
/* The entry bits vm_map sets (the CPU's accessed and dirty bits are not compared). */
#define PTE_SET_BITS (PTE_PRESENT | PTE_WRITE | PTE_PWT | PTE_PCD | PTE_NX)

static uint64_t *pml4;
static struct pagealloc *tables_from;
static bool active;
static uint64_t table_reserve[TABLE_RESERVE];
static unsigned table_reserve_n;

/* A zeroed page for a table, from the pool or else the reserve; NULL when both are empty. */
static uint64_t *table_alloc(void)
{
    uint64_t p = pagealloc_alloc(tables_from, 1, 1, false);
    if (!p && table_reserve_n)
        p = table_reserve[--table_reserve_n];
    if (!p)
        return NULL;
    memset((void *)p, 0, PAGE_SIZE);
    return (uint64_t *)p;
}

bool vm_tables_ready(void)
{
    uint64_t p;
    while (table_reserve_n < TABLE_RESERVE && (p = pagealloc_alloc(tables_from, 1, 1, false)))
        table_reserve[table_reserve_n++] = p;
    return table_reserve_n >= TABLE_RESERVE / 2;
}

static unsigned index_at(uint64_t va, unsigned level)
{
    return (va >> (12 + 9 * (level - 1))) & 511;
}

/* Replaces a 2 MiB leaf with a table of 512 4 KiB leaves carrying the same permissions. */
static int split_large(uint64_t *pde)
{
    uint64_t *pt = table_alloc();
    if (!pt)
        return -ENOMEM;
    uint64_t base = *pde & PTE_ADDR_MASK & ~(LARGE_PAGE - 1);
    uint64_t flags = *pde & ~PTE_ADDR_MASK & ~PTE_LARGE;
    for (unsigned i = 0; i < 512; i++)
        pt[i] = (base + i * PAGE_SIZE) | flags;
    *pde = (uint64_t)pt | PTE_PRESENT | PTE_WRITE;
    return 0;
}

/* The entry that maps va at `level` (1: 4 KiB, 2: 2 MiB) through *out; *out is NULL when a table
 * on the way is absent and !create. -ENOMEM when a table could not be had (nothing is lost: the
 * tables made so far stay and map what they mapped before). */
static int walk(uint64_t va, unsigned level, bool create, uint64_t **out)
{
    uint64_t *table = pml4;
    *out = NULL;
    for (unsigned l = 4; l > level; l--) {
        uint64_t *e = &table[index_at(va, l)];
        if (!(*e & PTE_PRESENT)) {
            if (!create)
                return 0;
            uint64_t *t = table_alloc();
            if (!t)
                return -ENOMEM;
            *e = (uint64_t)t | PTE_PRESENT | PTE_WRITE;
        } else if (*e & PTE_LARGE) {
            if (l != 2)
                panic("1 GiB pages are not used");
            if (split_large(e) < 0)
                return -ENOMEM;
        }
        table = (uint64_t *)(*e & PTE_ADDR_MASK);
    }
    *out = &table[index_at(va, level)];
    return 0;
}

static uint64_t leaf_flags(uint64_t flags)
{
    uint64_t f = PTE_PRESENT | (flags & (PTE_WRITE | PTE_PCD | PTE_PWT));
    if (!(flags & VM_EXEC))
        f |= PTE_NX;
    return f;
}

int vm_map(uint64_t va, uint64_t pa, uint64_t len, uint64_t flags)
{
    if ((va | pa | len) & (PAGE_SIZE - 1))
        return -EINVAL;
    uint64_t f = leaf_flags(flags);
    while (len) {
        uint64_t *entry, step = PAGE_SIZE, off = va & (LARGE_PAGE - 1);
        if (walk(va, 2, true, &entry) < 0)
            return -ENOMEM;
        if (!(*entry & PTE_PRESENT) || (*entry & PTE_LARGE)) {
            if (!((va | pa) & (LARGE_PAGE - 1)) && len >= LARGE_PAGE) {
                *entry = pa | f | PTE_LARGE;
                step = LARGE_PAGE;
                goto mapped;
            }
            /* Already mapped so in a 2 MiB page: splitting it would change nothing but cost a
             * table and TLB reach (musl's allocator maps and frees pieces of such pages). */
            if ((*entry & (PTE_SET_BITS | PTE_LARGE)) == (f | PTE_LARGE) &&
                (*entry & PTE_ADDR_MASK) + off == pa) {
                step = MIN(LARGE_PAGE - off, len);
                goto next;
            }
        }
        if (walk(va, 1, true, &entry) < 0)
            return -ENOMEM;
        *entry = pa | f;
    mapped:
        if (active)
            invlpg(va);
    next:
        va += step, pa += step, len -= step;
    }
    return 0;
}

int vm_unmap(uint64_t va, uint64_t len)
{
    if ((va | len) & (PAGE_SIZE - 1))
        return -EINVAL;
    for (; len; va += PAGE_SIZE, len -= PAGE_SIZE) {
        uint64_t *pte;
        if (walk(va, 1, false, &pte) < 0)
            return -ENOMEM;
        if (!pte)
            continue; /* no table on the way: not mapped */
        *pte = 0;
        if (active)
            invlpg(va);
    }
    return 0;
}

uint64_t vm_lookup(uint64_t va, uint64_t *size)
{
    uint64_t *table = pml4;
    for (unsigned l = 4; l >= 1; l--) {
        uint64_t e = table[index_at(va, l)];
        if (!(e & PTE_PRESENT))
            return 0;
        if (l == 1 || (l == 2 && (e & PTE_LARGE))) {
            if (size)
                *size = l == 1 ? PAGE_SIZE : LARGE_PAGE;
            return e;
        }
        table = (uint64_t *)(e & PTE_ADDR_MASK);
    }
    return 0;
}

void paging_init(struct pagealloc *pa, uint64_t ram_top)
{
    (void)ram_top;
    tables_from = pa;
    pml4 = table_alloc();
    if (!pml4)
        panic("no memory for the page tables");
    vm_tables_ready(); /* fills the reserve */
}

void paging_activate(void)
{
    write_cr3((uint64_t)pml4);
    active = true;
}
