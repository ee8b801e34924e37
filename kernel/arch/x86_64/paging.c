/* Identity-mapped 4-level page tables with per-page permissions: W^X, NX data, unmapped guards. */
#include "atoll/arch.h"
#include "atoll/kernel.h"
#include "atoll/pagealloc.h"
#include "atoll/x86.h"

#define LARGE_PAGE (2ull << 20)

static uint64_t *pml4;
static struct pagealloc *tables_from;
static bool active;

static uint64_t *table_alloc(void)
{
    uint64_t p = pagealloc_alloc(tables_from, 1, 1, false);
    if (!p)
        panic("out of memory for page tables");
    memset((void *)p, 0, PAGE_SIZE);
    return (uint64_t *)p;
}

static unsigned index_at(uint64_t va, unsigned level)
{
    return (va >> (12 + 9 * (level - 1))) & 511;
}

/* Replaces a 2 MiB leaf with a table of 512 4 KiB leaves carrying the same permissions. */
static void split_large(uint64_t *pde)
{
    uint64_t *pt = table_alloc();
    uint64_t base = *pde & PTE_ADDR_MASK & ~(LARGE_PAGE - 1);
    uint64_t flags = *pde & ~PTE_ADDR_MASK & ~PTE_LARGE;
    for (unsigned i = 0; i < 512; i++)
        pt[i] = (base + i * PAGE_SIZE) | flags;
    *pde = (uint64_t)pt | PTE_PRESENT | PTE_WRITE;
}

/* The entry that maps va at `level` (1: 4 KiB, 2: 2 MiB); NULL when absent and !create. */
static uint64_t *walk(uint64_t va, unsigned level, bool create)
{
    uint64_t *table = pml4;
    for (unsigned l = 4; l > level; l--) {
        uint64_t *e = &table[index_at(va, l)];
        if (!(*e & PTE_PRESENT)) {
            if (!create)
                return NULL;
            *e = (uint64_t)table_alloc() | PTE_PRESENT | PTE_WRITE;
        } else if (*e & PTE_LARGE) {
            if (l != 2)
                panic("1 GiB pages are not used");
            split_large(e);
        }
        table = (uint64_t *)(*e & PTE_ADDR_MASK);
    }
    return &table[index_at(va, level)];
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
        uint64_t *pde = walk(va, 2, true);
        bool whole = !((va | pa) & (LARGE_PAGE - 1)) && len >= LARGE_PAGE;
        if (whole && (!(*pde & PTE_PRESENT) || (*pde & PTE_LARGE))) {
            *pde = pa | f | PTE_LARGE;
            if (active)
                invlpg(va);
            va += LARGE_PAGE, pa += LARGE_PAGE, len -= LARGE_PAGE;
            continue;
        }
        uint64_t *pte = walk(va, 1, true);
        *pte = pa | f;
        if (active)
            invlpg(va);
        va += PAGE_SIZE, pa += PAGE_SIZE, len -= PAGE_SIZE;
    }
    return 0;
}

int vm_unmap(uint64_t va, uint64_t len)
{
    if ((va | len) & (PAGE_SIZE - 1))
        return -EINVAL;
    for (; len; va += PAGE_SIZE, len -= PAGE_SIZE) {
        uint64_t *pde = walk(va, 2, false);
        if (!pde || !(*pde & PTE_PRESENT))
            continue;
        uint64_t *pte = walk(va, 1, false);
        if (pte)
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
}

void paging_activate(void)
{
    write_cr3((uint64_t)pml4);
    active = true;
}
