/* Memory management: the physical page pool, stacks with guard pages, and the program's brk/mmap.
 */
#ifndef ATOLL_MM_H
#define ATOLL_MM_H

#include "atoll/klib.h"
#include "atoll/pagealloc.h"

extern struct pagealloc phys;

/* memory.c */
struct boot_memory_range {
    uint64_t base, len;
};
void mm_init(const struct boot_memory_range *usable, size_t n,
             const struct boot_memory_range *reserved, size_t nreserved);
uint64_t mm_total_bytes(void);

/* stack.c: every stack sits above an unmapped guard page. */
struct stack_info {
    uint64_t lo, hi; /* usable range; the guard page is [lo - PAGE_SIZE, lo) */
    const char *name;
};
uint64_t stack_create(size_t size,
                      const char *name); /* returns the 16-aligned top, 0 when out of memory */
const struct stack_info *stack_find(uint64_t addr); /* includes the guard page */

/* vmem.c: the program's heap: brk and anonymous/file mmap on identity-mapped pages. */
void vmem_init(void);
uint64_t vmem_brk(uint64_t new_end);
long vmem_mmap(uint64_t addr, uint64_t len, int prot, int flags);
long vmem_munmap(uint64_t addr, uint64_t len);
long vmem_mremap(uint64_t old, uint64_t old_len, uint64_t new_len, int flags, uint64_t new_addr);
long vmem_mprotect(uint64_t addr, uint64_t len, int prot);

#endif
