/* IDT setup and trap dispatch: exceptions go to the crash reporter, IRQs to registered handlers. */
#include "atoll/arch.h"
#include "atoll/kernel.h"

struct idt_entry {
    uint16_t offset_low;
    uint16_t selector;
    uint8_t ist;
    uint8_t type;
    uint16_t offset_mid;
    uint32_t offset_high;
    uint32_t reserved;
} __attribute__((packed));

static struct idt_entry idt[256] __attribute__((aligned(16)));
static irq_handler_fn handlers[256];
extern char trap_stubs[];

static uint8_t ist_for(unsigned vector)
{
    switch (vector) {
    case 2:
        return IST_NMI;
    case 8:
        return IST_DOUBLE_FAULT;
    case 18:
        return IST_MACHINE_CHECK;
    default:
        return vector < 32 ? IST_EXCEPTION : IST_IRQ;
    }
}

void idt_init(void)
{
    for (unsigned v = 0; v < 256; v++) {
        uint64_t addr = (uint64_t)trap_stubs + v * 16;
        idt[v] = (struct idt_entry){
            .offset_low = addr & 0xffff,
            .selector = 0x08,
            .ist = ist_for(v),
            .type = 0x8e, /* present, ring 0, 64-bit interrupt gate (IF cleared on entry) */
            .offset_mid = (addr >> 16) & 0xffff,
            .offset_high = addr >> 32,
        };
    }
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) desc = {sizeof(idt) - 1, (uint64_t)idt};
    __asm__ volatile("lidt %0" : : "m"(desc));
}

void idt_set_handler(unsigned vector, irq_handler_fn fn)
{
    handlers[vector & 255] = fn;
}

void trap_dispatch(struct trap_frame *f)
{
    if (f->vector >= 32) {
        if (handlers[f->vector])
            handlers[f->vector](f);
        else if (f->vector != VECTOR_SPURIOUS)
            lapic_eoi(); /* an unexpected IRQ: acknowledge it and carry on */
        return;
    }
    crash_from_trap(f); /* CPU exceptions end the instance with a report */
}
