/* The physical page pool: usable RAM from the boot memory map, minus the image and boot modules. */
#include "atoll/kernel.h"
#include "atoll/mm.h"

#define LOW_MEMORY_END (1ull << 20) /* firmware and boot data live below 1 MiB: never reused */

struct pagealloc phys;
static struct page_extent phys_extents[128];
static uint64_t total_bytes;

void mm_init(const struct boot_memory_range *usable, size_t n,
             const struct boot_memory_range *reserved, size_t nreserved)
{
    pagealloc_init(&phys, phys_extents, ARRAY_SIZE(phys_extents));
    for (size_t i = 0; i < n; i++) {
        uint64_t base = MAX(usable[i].base, LOW_MEMORY_END);
        uint64_t end = usable[i].base + usable[i].len;
        if (end <= base)
            continue;
        if (pagealloc_add(&phys, base, end - base) < 0)
            panic("memory map: cannot add [0x%llx, 0x%llx)", (unsigned long long)base,
                  (unsigned long long)end);
        total_bytes += end - base;
    }
    for (size_t i = 0; i < nreserved; i++)
        pagealloc_reserve(&phys, reserved[i].base, reserved[i].len);
}

uint64_t mm_total_bytes(void)
{
    return total_bytes;
}
