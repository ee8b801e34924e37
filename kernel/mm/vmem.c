/* The program's memory: brk and mmap over identity-mapped pages, with page protections and W^X. */
#include "atoll/arch.h"
#include "atoll/kernel.h"
#include "atoll/mm.h"

#define PROT_READ           1
#define PROT_WRITE          2
#define PROT_EXEC           4
#define MAP_SHARED          0x01
#define MAP_PRIVATE         0x02
#define MAP_FIXED           0x10
#define MAP_ANONYMOUS       0x20
#define MAP_FIXED_NOREPLACE 0x100000
#define MREMAP_MAYMOVE      1
#define MREMAP_FIXED        2

/* Pages the program owns (mmap and brk), kept as extents: they may be remapped, freed or
 * reprotected. */
static struct pagealloc owned;
static struct page_extent owned_extents[256];
static uint64_t brk_start, brk_end;

void vmem_init(void)
{
    pagealloc_init(&owned, owned_extents, ARRAY_SIZE(owned_extents));
    /* The heap starts at the lowest free page, so it can grow upwards while mmap takes from the
     * top. */
    uint64_t first = pagealloc_alloc(&phys, 1, 1, false);
    if (first)
        pagealloc_free(&phys, first, 1);
    brk_start = brk_end = first;
}

static uint64_t prot_flags(int prot)
{
    return ((prot & PROT_WRITE) ? VM_RW : VM_READ) | ((prot & PROT_EXEC) ? VM_EXEC : 0);
}

static int apply_prot(uint64_t addr, uint64_t len, int prot)
{
    if (prot & (PROT_READ | PROT_WRITE | PROT_EXEC))
        return vm_map(addr, addr, len, prot_flags(prot));
    return vm_unmap(addr, len);
}

/* A page is the program's when it is listed in `owned` (its "free" extents mean "owned" there). */
static bool is_owned(uint64_t p)
{
    return pagealloc_range_free(&owned, p, 1);
}

/* Gives pages back to the pool, mapped read-write again so the kernel can reuse them. Should no
 * page table be had for that (the reserve makes it next to impossible), they stay the program's
 * rather than return to the pool unusable. */
static void release(uint64_t addr, uint64_t npages)
{
    if (vm_map(addr, addr, npages * PAGE_SIZE, VM_RW) < 0) {
        pagealloc_add(&owned, addr, npages * PAGE_SIZE);
        return;
    }
    pagealloc_free(&phys, addr, npages);
}

uint64_t vmem_brk(uint64_t new_end)
{
    if (new_end < brk_start)
        return brk_end;
    uint64_t cur = ALIGN_UP(brk_end, PAGE_SIZE), want = ALIGN_UP(new_end, PAGE_SIZE);
    if (want > cur) {
        uint64_t n = (want - cur) / PAGE_SIZE;
        if (pagealloc_claim(&phys, cur, n) < 0)
            return brk_end; /* taken by mmap: musl falls back to mmap */
        if (pagealloc_add(&owned, cur, n * PAGE_SIZE) < 0) {
            pagealloc_free(&phys, cur, n);
            return brk_end;
        }
        memset((void *)cur, 0, n * PAGE_SIZE);
    } else if (want < cur) {
        for (uint64_t p = want; p < cur; p += PAGE_SIZE)
            if (pagealloc_claim(&owned, p, 1) == 0)
                release(p, 1);
    }
    brk_end = new_end;
    return brk_end;
}

long vmem_mmap(uint64_t addr, uint64_t len, int prot, int flags)
{
    if (!len || !(flags & (MAP_PRIVATE | MAP_SHARED)))
        return -EINVAL;
    if ((prot & PROT_WRITE) && (prot & PROT_EXEC))
        return -EACCES; /* W^X: no page is both writable and executable */
    uint64_t size = ALIGN_UP(len, PAGE_SIZE);
    if (size < len)
        return -ENOMEM;
    uint64_t npages = size / PAGE_SIZE;
    if (!vm_tables_ready())
        return -ENOMEM; /* memory is exhausted: the mapping might not get its page tables */
    if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
        if (addr & (PAGE_SIZE - 1))
            return -EINVAL;
        /* Identity mapping: a fixed address is a physical page, allowed only if free or the
         * program's own. */
        for (uint64_t p = addr; p < addr + size; p += PAGE_SIZE) {
            bool is_free = pagealloc_range_free(&phys, p, 1);
            if (!is_free && !is_owned(p))
                return -ENOMEM;
            if (!is_free && (flags & MAP_FIXED_NOREPLACE))
                return -EEXIST;
        }
        for (uint64_t p = addr; p < addr + size; p += PAGE_SIZE) {
            if (pagealloc_range_free(&phys, p, 1)) {
                pagealloc_claim(&phys, p, 1);
                if (pagealloc_add(&owned, p, PAGE_SIZE) < 0)
                    return -ENOMEM;
            }
            if (vm_map(p, p, PAGE_SIZE, VM_RW) < 0)
                return -ENOMEM;
        }
    } else {
        addr = pagealloc_alloc(&phys, npages, 1, true);
        if (!addr)
            return -ENOMEM;
        if (pagealloc_add(&owned, addr, size) < 0) {
            pagealloc_free(&phys, addr, npages);
            return -ENOMEM;
        }
    }
    memset((void *)addr, 0, size);
    if (apply_prot(addr, size, prot) < 0) {
        vmem_munmap(addr, size);
        return -ENOMEM;
    }
    return (long)addr;
}

long vmem_munmap(uint64_t addr, uint64_t len)
{
    if ((addr & (PAGE_SIZE - 1)) || !len)
        return -EINVAL;
    uint64_t end = ALIGN_UP(addr + len, PAGE_SIZE);
    for (uint64_t p = addr; p < end; p += PAGE_SIZE)
        if (pagealloc_claim(&owned, p, 1) == 0)
            release(p, 1);
    return 0;
}

long vmem_mprotect(uint64_t addr, uint64_t len, int prot)
{
    if (addr & (PAGE_SIZE - 1))
        return -EINVAL;
    if ((prot & PROT_WRITE) && (prot & PROT_EXEC))
        return -EACCES;
    uint64_t size = ALIGN_UP(len, PAGE_SIZE);
    for (uint64_t p = addr; p < addr + size; p += PAGE_SIZE)
        if (!is_owned(p))
            return -ENOMEM; /* not the program's memory */
    if (!vm_tables_ready())
        return -ENOMEM;
    return apply_prot(addr, size, prot) < 0 ? -ENOMEM : 0;
}

long vmem_mremap(uint64_t old, uint64_t old_len, uint64_t new_len, int flags, uint64_t new_addr)
{
    (void)new_addr;
    if ((old & (PAGE_SIZE - 1)) || !new_len || (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED)))
        return -EINVAL;
    if (flags & MREMAP_FIXED)
        return -EINVAL; /* a fixed target would be a physical page: not offered */
    uint64_t old_size = ALIGN_UP(old_len, PAGE_SIZE), new_size = ALIGN_UP(new_len, PAGE_SIZE);
    for (uint64_t p = old; p < old + old_size; p += PAGE_SIZE)
        if (!is_owned(p))
            return -EFAULT;
    if (new_size <= old_size) {
        if (new_size < old_size)
            vmem_munmap(old + new_size, old_size - new_size);
        return (long)old;
    }
    uint64_t grow = (new_size - old_size) / PAGE_SIZE;
    if (pagealloc_claim(&phys, old + old_size, grow) == 0) {
        if (pagealloc_add(&owned, old + old_size, grow * PAGE_SIZE) == 0) {
            memset((void *)(old + old_size), 0, grow * PAGE_SIZE);
            return (long)old;
        }
        pagealloc_free(&phys, old + old_size, grow);
    }
    if (!(flags & MREMAP_MAYMOVE))
        return -ENOMEM;
    long moved = vmem_mmap(0, new_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
    if (moved < 0)
        return moved;
    memcpy((void *)moved, (void *)old, old_size);
    vmem_munmap(old, old_size);
    return moved;
}
