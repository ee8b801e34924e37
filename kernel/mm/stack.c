/* Stacks for the program, syscalls and interrupts, each above an unmapped guard page. */
#include "atoll/arch.h"
#include "atoll/kernel.h"
#include "atoll/mm.h"

static struct stack_info stacks[16];
static size_t nstacks;

uint64_t stack_create(size_t size, const char *name)
{
    if (nstacks == ARRAY_SIZE(stacks))
        return 0;
    size = ALIGN_UP(size, PAGE_SIZE);
    uint64_t base = pagealloc_alloc(&phys, size / PAGE_SIZE + 1, 1, true);
    if (!base)
        return 0;
    vm_unmap(base, PAGE_SIZE); /* the guard: an overflow faults instead of corrupting memory */
    stacks[nstacks++] = (struct stack_info){base + PAGE_SIZE, base + PAGE_SIZE + size, name};
    return base + PAGE_SIZE + size;
}

const struct stack_info *stack_find(uint64_t addr)
{
    for (size_t i = 0; i < nstacks; i++)
        if (addr >= stacks[i].lo - PAGE_SIZE && addr < stacks[i].hi)
            return &stacks[i];
    return NULL;
}
