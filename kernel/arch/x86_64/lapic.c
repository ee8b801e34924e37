/* Local APIC: the one-shot timer behind tickless idle (TSC-deadline mode when the CPU has it). */
#include "atoll/arch.h"
#include "atoll/kernel.h"
#include "atoll/x86.h"

#define XAPIC_BASE        0xFEE00000ull
#define REG_EOI           0x0B0
#define REG_SVR           0x0F0
#define REG_LVT_TIMER     0x320
#define REG_LVT_LINT0     0x350
#define REG_LVT_LINT1     0x360
#define REG_LVT_ERROR     0x370
#define REG_TIMER_INIT    0x380
#define REG_TIMER_CURRENT 0x390
#define REG_TIMER_DIVIDE  0x3E0
#define LVT_MASKED        (1u << 16)
#define LVT_TSC_DEADLINE  (2u << 17)

extern uint64_t lapic_calibrated_hz;
static bool x2apic;
/* The TSC deadline the timer holds until its interrupt comes (0: none armed), and whether the
 * divider and LVT are already set for one-shot use. The idle loop arms before every halt; while an
 * earlier deadline is still pending a later one needs no arming (the early wake re-checks and
 * re-arms), which under TCG saves up to three MMIO exits per halt on a busy connection. */
static volatile uint64_t armed_deadline;
static bool oneshot_ready;

static uint32_t lapic_read(uint32_t reg)
{
    if (x2apic)
        return (uint32_t)rdmsr(0x800 + (reg >> 4));
    return *(volatile uint32_t *)(XAPIC_BASE + reg);
}

static void lapic_write(uint32_t reg, uint32_t v)
{
    if (x2apic)
        wrmsr(0x800 + (reg >> 4), v);
    else
        *(volatile uint32_t *)(XAPIC_BASE + reg) = v;
}

static void timer_interrupt(struct trap_frame *f)
{
    (void)f;
    armed_deadline = 0;
    lapic_eoi(); /* the wakeup itself is the point: the idle loop re-checks its deadlines */
}

static void pic_mask_all(void)
{
    /* Remap the legacy 8259s away from the exception vectors, then mask every line. */
    outb(0x20, 0x11);
    outb(0xA0, 0x11);
    outb(0x21, 0x20);
    outb(0xA1, 0x28);
    outb(0x21, 4);
    outb(0xA1, 2);
    outb(0x21, 1);
    outb(0xA1, 1);
    outb(0x21, 0xff);
    outb(0xA1, 0xff);
}

void lapic_init(void)
{
    pic_mask_all();
    uint64_t base = rdmsr(MSR_APIC_BASE);
    if (cpu.x2apic) {
        wrmsr(MSR_APIC_BASE, base | (1u << 11) | (1u << 10));
        x2apic = true;
    } else {
        wrmsr(MSR_APIC_BASE, base | (1u << 11));
        vm_map(XAPIC_BASE, XAPIC_BASE, PAGE_SIZE, VM_RW | VM_UNCACHED);
    }
    lapic_write(REG_SVR, 0x100 | VECTOR_SPURIOUS);
    lapic_write(REG_LVT_LINT0, LVT_MASKED);
    lapic_write(REG_LVT_LINT1, LVT_MASKED);
    lapic_write(REG_LVT_ERROR, LVT_MASKED);
    lapic_write(REG_LVT_TIMER, LVT_MASKED);
    idt_set_handler(VECTOR_TIMER, timer_interrupt);
}

void lapic_eoi(void)
{
    lapic_write(REG_EOI, 0);
}

/* Used by the PIT calibration to measure the LAPIC timer's rate in the same window as the TSC's. */
void lapic_timer_start_free_running(void)
{
    oneshot_ready = false;
    armed_deadline = 0;
    lapic_write(REG_TIMER_DIVIDE, 0x3); /* divide by 16 */
    lapic_write(REG_LVT_TIMER, LVT_MASKED);
    lapic_write(REG_TIMER_INIT, 0xffffffff);
}

uint32_t lapic_timer_current(void)
{
    return lapic_read(REG_TIMER_CURRENT);
}

void lapic_arm_deadline(uint64_t deadline)
{
    if (deadline == 0)
        deadline = 1; /* 0 would disarm a TSC-deadline timer */
    if (armed_deadline != 0 && armed_deadline <= deadline)
        return;
    armed_deadline = deadline;
    if (cpu.tsc_deadline) {
        if (!oneshot_ready) {
            lapic_write(REG_LVT_TIMER, VECTOR_TIMER | LVT_TSC_DEADLINE);
            oneshot_ready = true;
        }
        wrmsr(MSR_TSC_DEADLINE, deadline);
        return;
    }
    uint64_t now = rdtsc();
    uint64_t ticks = deadline > now ? deadline - now : 1;
    uint64_t count = (uint64_t)((unsigned __int128)ticks * lapic_calibrated_hz / tsc_hz());
    if (count == 0)
        count = 1;
    if (count > 0xffffffffull)
        count = 0xffffffffull; /* a shorter wait is harmless: the idle loop re-arms */
    if (!oneshot_ready) {
        lapic_write(REG_TIMER_DIVIDE, 0x3);
        lapic_write(REG_LVT_TIMER, VECTOR_TIMER); /* one-shot */
        oneshot_ready = true;
    }
    lapic_write(REG_TIMER_INIT, (uint32_t)count);
}
