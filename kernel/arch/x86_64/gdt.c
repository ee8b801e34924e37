/* GDT with a 64-bit TSS whose IST slots give every interrupt vector its own known-good stack. */
#include "atoll/arch.h"

struct tss {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} __attribute__((packed));

static struct tss tss;
static uint64_t gdt[5] __attribute__((aligned(16)));

#define SEL_CODE 0x08
#define SEL_DATA 0x10
#define SEL_TSS  0x18

void gdt_init(void)
{
    gdt[0] = 0;
    gdt[1] = 0x00AF9A000000FFFFull; /* 64-bit code, ring 0 */
    gdt[2] = 0x00CF92000000FFFFull; /* data */
    uint64_t base = (uint64_t)&tss;
    uint64_t limit = sizeof(tss) - 1;
    tss.iomap_base = sizeof(tss);
    gdt[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
             (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
    gdt[4] = base >> 32;

    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) desc = {sizeof(gdt) - 1, (uint64_t)gdt};
    __asm__ volatile("lgdt %0\n\t"
                     "pushq %1\n\t"
                     "leaq 1f(%%rip), %%rax\n\t"
                     "pushq %%rax\n\t"
                     "lretq\n"
                     "1:\n\t"
                     "mov %2, %%ax\n\t"
                     "mov %%ax, %%ds\n\t"
                     "mov %%ax, %%es\n\t"
                     "mov %%ax, %%ss\n\t"
                     "ltr %w3"
                     :
                     : "m"(desc), "i"(SEL_CODE), "i"(SEL_DATA), "r"(SEL_TSS)
                     : "rax", "memory");
}

void tss_set_ist(enum ist_slot slot, uint64_t stack_top)
{
    tss.ist[slot - 1] = stack_top;
}
