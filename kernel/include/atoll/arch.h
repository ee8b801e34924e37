/* The architecture layer's surface: CPU setup, descriptor tables, paging, traps, timers and the
 * TSC. */
#ifndef ATOLL_ARCH_H
#define ATOLL_ARCH_H

#include "atoll/klib.h"

/* Registers saved by traps.S, lowest address first. */
struct trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error;
    uint64_t rip, cs, rflags, rsp, ss;
};

/* Registers saved by syscall_entry.S, lowest address first. */
struct syscall_frame {
    uint64_t rdi, rsi, rdx, r10, r8, r9, nr, rip, rflags, rsp;
};

/* cpu.c */
struct cpu_features {
    bool nx, sse2, fxsr, xsave, rdrand, rdseed, tsc_deadline, x2apic, invariant_tsc, hypervisor;
    bool kvm_clock;
    char vendor[13];
    char hypervisor_id[13];
};
extern struct cpu_features cpu;
void cpu_init(void);

/* gdt.c */
enum ist_slot {
    IST_IRQ = 1,
    IST_DOUBLE_FAULT = 2,
    IST_NMI = 3,
    IST_MACHINE_CHECK = 4,
    IST_EXCEPTION = 5
};
void gdt_init(void);
void tss_set_ist(enum ist_slot slot, uint64_t stack_top);

/* idt.c */
void idt_init(void);
typedef void (*irq_handler_fn)(struct trap_frame *f);
void idt_set_handler(unsigned vector, irq_handler_fn fn);

/* paging.c */
#define PTE_PRESENT   (1ull << 0)
#define PTE_WRITE     (1ull << 1)
#define PTE_PWT       (1ull << 3)
#define PTE_PCD       (1ull << 4)
#define PTE_LARGE     (1ull << 7)
#define PTE_GLOBAL    (1ull << 8)
#define PTE_NX        (1ull << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000ull

#define VM_READ     0
#define VM_RW       PTE_WRITE
#define VM_EXEC     1u /* request flag: leave NX clear */
#define VM_UNCACHED PTE_PCD

struct pagealloc;
void paging_init(struct pagealloc *pa, uint64_t ram_top);
void paging_activate(void);
/* 0, -EINVAL for unaligned arguments, -ENOMEM when a page table could not be had (the pages
 * before the failing one have their new mapping). */
int vm_map(uint64_t va, uint64_t pa, uint64_t len, uint64_t flags);
int vm_unmap(uint64_t va, uint64_t len);
/* Tops up the page-table reserve from the pool: true when it holds enough that a mapping change
 * and the one undoing it cannot run out of tables. Callers that may fail check it first. */
bool vm_tables_ready(void);
/* Returns the leaf entry for va (0 when unmapped), and the mapped page size through *size. */
uint64_t vm_lookup(uint64_t va, uint64_t *size);

/* syscall.c */
extern uint64_t syscall_kstack_top;
void syscall_init(void);

/* tsc.c: the clock source */
extern uint64_t boot_tsc_entry;
void tsc_calibration_start(void); /* opens the PIT window that the first clock read closes */
uint64_t tsc_hz(void);            /* calibrates on first use */
extern uint64_t tsc_ns_mult;      /* set by the calibration in tsc_hz */
/* Ticks -> ns. Inline: every clock read comes here, and under TCG each call and return is a
 * translated-block exit with a lookup. */
static inline uint64_t tsc_to_ns(uint64_t ticks)
{
    if (__builtin_expect(!tsc_ns_mult, 0))
        tsc_hz();
    return (uint64_t)(((unsigned __int128)ticks * tsc_ns_mult) >> 32);
}
uint64_t ns_to_tsc(uint64_t ns);
bool tsc_wallclock_ns(uint64_t *realtime_at_boot_ns); /* from the hypervisor, when it offers one */

/* lapic.c: one-shot timer and interrupts */
#define VECTOR_TIMER    32
#define VECTOR_SPURIOUS 255
void lapic_init(void);
void lapic_arm_deadline(uint64_t tsc_deadline);
void lapic_eoi(void);

/* stack scanning for crash reports */
bool text_address(uint64_t addr);

#endif
