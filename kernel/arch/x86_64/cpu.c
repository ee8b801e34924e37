/* CPU feature checks and control-register setup (SSE, write protection) done once at boot. */
#include "atoll/arch.h"
#include "atoll/kernel.h"
#include "atoll/x86.h"

struct cpu_features cpu;

static void copy_id(char *dst, uint32_t a, uint32_t b, uint32_t c)
{
    memcpy(dst, &a, 4);
    memcpy(dst + 4, &b, 4);
    memcpy(dst + 8, &c, 4);
    dst[12] = 0;
}

static void require(bool ok, const char *what)
{
    if (!ok)
        boot_fail("this CPU lacks %s, which Atoll needs (with QEMU, try -cpu max or -cpu host)",
                  what);
}

void cpu_init(void)
{
    struct cpuid_regs r = cpuid(0, 0);
    copy_id(cpu.vendor, r.ebx, r.edx, r.ecx);
    uint32_t max_leaf = r.eax;
    r = cpuid(1, 0);
    cpu.sse2 = r.edx & (1u << 26);
    cpu.fxsr = r.edx & (1u << 24);
    cpu.tsc_deadline = r.ecx & (1u << 24);
    cpu.x2apic = r.ecx & (1u << 21);
    cpu.xsave = r.ecx & (1u << 26);
    cpu.rdrand = r.ecx & (1u << 30);
    cpu.hypervisor = r.ecx & (1u << 31);
    bool tsc = r.edx & (1u << 4);
    bool apic = r.edx & (1u << 9);
    if (max_leaf >= 7)
        cpu.rdseed = cpuid(7, 0).ebx & (1u << 18);
    r = cpuid(0x80000000, 0);
    uint32_t max_ext = r.eax;
    if (max_ext >= 0x80000001)
        cpu.nx = cpuid(0x80000001, 0).edx & (1u << 20);
    if (max_ext >= 0x80000007)
        cpu.invariant_tsc = cpuid(0x80000007, 0).edx & (1u << 8);
    if (cpu.hypervisor) {
        r = cpuid(0x40000000, 0);
        copy_id(cpu.hypervisor_id, r.ebx, r.ecx, r.edx);
        if (memcmp(cpu.hypervisor_id, "KVMKVMKVM", 9) == 0 && r.eax >= 0x40000001)
            cpu.kvm_clock = cpuid(0x40000001, 0).eax & (1u << 3); /* KVM_FEATURE_CLOCKSOURCE2 */
    }

    require(tsc, "a time-stamp counter (TSC)");
    require(apic, "a local APIC");
    require(cpu.nx, "the no-execute page bit (NX)");
    require(cpu.sse2 && cpu.fxsr, "SSE2 with FXSAVE");

    /* musl's printf uses SSE: enable it (CR0.MP, clear EM/TS; CR4.OSFXSR/OSXMMEXCPT) and reset the
     * FPU. */
    uint64_t cr0 = read_cr0();
    cr0 = (cr0 | CR0_MP | CR0_NE | CR0_WP) & ~(CR0_EM | CR0_TS);
    write_cr0(
        cr0); /* WP: ring-0 writes honour read-only pages, which is what makes W^X real here */
    write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT | (cpu.xsave ? CR4_OSXSAVE : 0));
    if (cpu.xsave) {
        /* XCR0 = x87 | SSE, as Linux sets it: some hypervisors only run SSE with XSAVE state
         * enabled. */
        __asm__ volatile("xsetbv" : : "c"(0), "a"(3), "d"(0));
    }
    __asm__ volatile("fninit"); /* MXCSR keeps its reset value 0x1f80: all SSE exceptions masked */
}
