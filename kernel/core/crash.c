/* Crash reports: one readable report for a CPU exception or kernel panic, then a reserved exit
 * status. */
#include "atoll/arch.h"
#include "atoll/kernel.h"
#include "atoll/mm.h"
#include "atoll/x86.h"

extern char __text_start[], __text_end[], __kernel_text_start[], __kernel_text_end[];
extern char __libc_text_start[], __libc_text_end[], __rodata_start[], __rodata_end[];

#define MAX_FRAMES     24
#define MAX_SCAN_WORDS 8192

static const char *const exception_names[32] = {"divide error",
                                                "debug exception",
                                                "non-maskable interrupt",
                                                "breakpoint",
                                                "overflow",
                                                "bound range exceeded",
                                                "invalid opcode",
                                                "FPU not available",
                                                "double fault",
                                                "coprocessor segment overrun",
                                                "invalid TSS",
                                                "segment not present",
                                                "stack-segment fault",
                                                "general protection fault",
                                                "page fault",
                                                "reserved exception 15",
                                                "x87 floating-point error",
                                                "alignment check",
                                                "machine check",
                                                "SIMD floating-point error",
                                                "virtualization exception",
                                                "control-protection exception"};

static bool in_crash;

bool text_address(uint64_t a)
{
    return a >= (uint64_t)__text_start && a < (uint64_t)__text_end;
}

static const char *owner_of(uint64_t a)
{
    if (a >= (uint64_t)__kernel_text_start && a < (uint64_t)__kernel_text_end)
        return "kernel";
    if (a >= (uint64_t)__libc_text_start && a < (uint64_t)__libc_text_end)
        return "libc";
    return text_address(a) ? "app" : "outside the program's code";
}

/* A return address follows a call (E8 rel32, FF /2 in its register and memory forms) or a syscall.
 */
static bool after_call(uint64_t ret)
{
    if (!text_address(ret - 7) || !text_address(ret - 1))
        return false;
    const uint8_t *p = (const uint8_t *)ret;
    if (p[-5] == 0xe8 || (p[-2] == 0x0f && p[-1] == 0x05))
        return true;
    static const int lengths[] = {2, 3, 4, 6, 7};
    for (unsigned i = 0; i < ARRAY_SIZE(lengths); i++) {
        int k = lengths[i];
        if (p[-k] == 0xff && ((p[-k + 1] >> 3) & 7) == 2)
            return true;
    }
    return false;
}

static void backtrace_from(uint64_t pc, uint64_t sp)
{
    kprintf_always("  backtrace (return addresses found on the stack, innermost first):\n");
    kprintf_always("    #0  pc=0x%016llx\n", (unsigned long long)pc);
    const struct stack_info *st = stack_find(sp);
    if (!st) {
        kprintf_always("    (stack pointer 0x%llx is outside every known stack)\n",
                       (unsigned long long)sp);
        return;
    }
    uint64_t from = MAX(sp, st->lo);
    unsigned frame = 1;
    for (uint64_t a = ALIGN_UP(from, 8), n = 0;
         a + 8 <= st->hi && n < MAX_SCAN_WORDS && frame < MAX_FRAMES; a += 8, n++) {
        uint64_t v = *(const uint64_t *)a;
        if (after_call(v))
            kprintf_always("    #%-2u pc=0x%016llx\n", frame++, (unsigned long long)v);
    }
}

static void describe_page_fault(uint64_t addr, uint64_t err, uint64_t rsp)
{
    const char *access = (err & 0x10) ? "execute" : (err & 0x2) ? "write" : "read";
    const struct stack_info *st = stack_find(addr);
    if (st && addr < st->lo) {
        kprintf_always("  stack overflow: %s at 0x%llx hit the guard page below the %s stack "
                       "(%llu KiB; raise it with the boot key stack=SIZE)\n",
                       access, (unsigned long long)addr, st->name,
                       (unsigned long long)((st->hi - st->lo) / 1024));
    } else if (!(err & 0x1) && addr < PAGE_SIZE) {
        kprintf_always("  NULL pointer dereference: %s of unmapped address 0x%llx\n", access,
                       (unsigned long long)addr);
    } else if (!(err & 0x1)) {
        kprintf_always("  %s of unmapped address 0x%llx\n", access, (unsigned long long)addr);
    } else if (err & 0x10) {
        kprintf_always("  execute of non-executable memory at 0x%llx (W^X)\n",
                       (unsigned long long)addr);
    } else if (err & 0x2) {
        const char *what = text_address(addr) ? "program code"
                           : (addr >= (uint64_t)__rodata_start && addr < (uint64_t)__rodata_end)
                               ? "read-only data"
                               : "a read-only page";
        kprintf_always("  write to read-only memory at 0x%llx (%s): protection violation (W^X)\n",
                       (unsigned long long)addr, what);
    } else {
        kprintf_always("  %s of protected memory at 0x%llx\n", access, (unsigned long long)addr);
    }
    (void)rsp;
}

static void print_registers(const struct trap_frame *f)
{
    kprintf_always("  rip pc=0x%016llx  rsp 0x%016llx  rflags 0x%llx\n", (unsigned long long)f->rip,
                   (unsigned long long)f->rsp, (unsigned long long)f->rflags);
    kprintf_always("  rax 0x%016llx rbx 0x%016llx rcx 0x%016llx rdx 0x%016llx\n",
                   (unsigned long long)f->rax, (unsigned long long)f->rbx,
                   (unsigned long long)f->rcx, (unsigned long long)f->rdx);
    kprintf_always("  rsi 0x%016llx rdi 0x%016llx rbp 0x%016llx r8  0x%016llx\n",
                   (unsigned long long)f->rsi, (unsigned long long)f->rdi,
                   (unsigned long long)f->rbp, (unsigned long long)f->r8);
    kprintf_always("  r9  0x%016llx r10 0x%016llx r11 0x%016llx r12 0x%016llx\n",
                   (unsigned long long)f->r9, (unsigned long long)f->r10,
                   (unsigned long long)f->r11, (unsigned long long)f->r12);
    kprintf_always("  r13 0x%016llx r14 0x%016llx r15 0x%016llx\n", (unsigned long long)f->r13,
                   (unsigned long long)f->r14, (unsigned long long)f->r15);
}

_Noreturn void crash_from_trap(struct trap_frame *f)
{
    if (in_crash) {
        kprintf_always("atoll: crash: %s while reporting a crash\natoll: end of crash report\n",
                       exception_names[f->vector & 31]);
        instance_crash(STATUS_KERNEL_PANIC);
    }
    in_crash = true;
    const char *where = owner_of(f->rip);
    const char *name =
        f->vector < ARRAY_SIZE(exception_names) ? exception_names[f->vector] : "exception";
    kprintf_always("atoll: crash: %s (vector %llu, error code 0x%llx) in %s code\n", name,
                   (unsigned long long)f->vector, (unsigned long long)f->error, where);
    if (f->vector == 14)
        describe_page_fault(read_cr2(), f->error, f->rsp);
    print_registers(f);
    backtrace_from(f->rip, f->rsp);
    kprintf_always("atoll: end of crash report\n");
    bool kernel = f->rip >= (uint64_t)__kernel_text_start && f->rip < (uint64_t)__kernel_text_end;
    instance_crash(kernel ? STATUS_KERNEL_PANIC : STATUS_APP_CRASH);
}

_Noreturn void panic(const char *fmt, ...)
{
    irq_disable();
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    kvsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    kprintf_always("atoll: crash: kernel panic: %s\n", msg);
    if (!in_crash) {
        in_crash = true;
        uint64_t sp;
        __asm__ volatile("mov %%rsp, %0" : "=r"(sp));
        backtrace_from((uint64_t)__builtin_return_address(0), sp);
    }
    kprintf_always("atoll: end of crash report\n");
    instance_crash(STATUS_KERNEL_PANIC);
}
