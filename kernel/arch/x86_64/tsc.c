/* TSC clock source: frequency from kvmclock or CPUID when offered, else calibrated against the PIT.
 */
#include "atoll/arch.h"
#include "atoll/kernel.h"
#include "atoll/x86.h"

#define MSR_KVM_WALL_CLOCK_NEW  0x4b564d00
#define MSR_KVM_SYSTEM_TIME_NEW 0x4b564d01
#define PIT_HZ                  1193182ull
#define PIT_CALIBRATION_TICKS   2386 /* 2 ms: enough for ~0.1% given sub-microsecond PIT reads */

struct pvclock_vcpu_time_info {
    uint32_t version, pad0;
    uint64_t tsc_timestamp, system_time;
    uint32_t tsc_to_system_mul;
    int8_t tsc_shift;
    uint8_t flags, pad[2];
} __attribute__((packed));

struct pvclock_wall_clock {
    uint32_t version, sec, nsec;
} __attribute__((packed));

static struct pvclock_vcpu_time_info pvclock __attribute__((aligned(64)));
static struct pvclock_wall_clock pvwall __attribute__((aligned(64)));

static uint64_t hz;
/* ns = (ticks * tsc_ns_mult) >> 32: one multiply on every clock read (tsc_to_ns in arch.h). */
uint64_t tsc_ns_mult;
uint64_t lapic_calibrated_hz; /* LAPIC timer ticks per second, measured in the same window */
static uint64_t realtime_at_boot;
static bool have_wallclock;

static uint16_t pit_read_latched(void)
{
    uint8_t lo = inb(0x40);
    uint8_t hi = inb(0x40);
    return (uint16_t)(lo | (hi << 8));
}

uint32_t lapic_timer_current(void);
void lapic_timer_start_free_running(void);

/* The PIT counts down from 0xffff in mode 0 from early boot: the first clock read measures the TSC
 * (and the LAPIC timer) against everything that ran since, usually without waiting at all. */
static struct {
    bool open;
    uint64_t tsc, lapic_tsc;
    uint32_t lapic;
} window;

/* A port access may wait for QEMU's global lock, so each PIT access is bracketed by two TSC reads:
 * of a few tries, the tightest bracket's midpoint is the TSC value at that access. */
#define PIT_TRIES 4

#define TIGHT_BRACKET 20000 /* TSC ticks: a few microseconds at any plausible rate */

void tsc_calibration_start(void)
{
    outb(0x43, 0x30); /* channel 0, lobyte/hibyte, mode 0 (OUT rises at terminal count), binary */
    for (int i = 0; i < PIT_TRIES; i++) {
        outb(0x40, 0xff);
        uint64_t before = rdtsc();
        outb(0x40, 0xff); /* the count (re)starts when its high byte is written */
        uint64_t after = rdtsc();
        window.tsc = before + (after - before) / 2;
        if (after - before < TIGHT_BRACKET)
            break;
    }
    lapic_timer_start_free_running();
    window.lapic_tsc = rdtsc();
    window.lapic = lapic_timer_current();
    window.open = true;
}

/* PIT ticks since the window opened, or -1 once the count ran out (OUT high) or never started. */
static int32_t pit_elapsed(uint64_t *tsc, uint32_t *lapic)
{
    uint64_t best = UINT64_MAX;
    int32_t ticks = -1;
    for (int i = 0; i < PIT_TRIES; i++) {
        uint64_t before = rdtsc();
        outb(0x43, 0xc2); /* read-back: latch status and count of channel 0 together */
        uint64_t after = rdtsc();
        uint32_t apic = lapic_timer_current();
        uint8_t status = inb(0x40);
        uint16_t count = pit_read_latched();
        if ((status & 0x80) || (status & 0x40)) /* OUT high: ran out; null count: not loaded yet */
            return -1;
        if (after - before < best) {
            best = after - before;
            *tsc = before + (after - before) / 2;
            *lapic = apic;
            ticks = 0xffff - count;
        }
    }
    return ticks;
}

static uint64_t calibrate_with_pit(void)
{
    if (!window.open)
        tsc_calibration_start();
    uint64_t t1;
    uint32_t a1;
    int32_t ticks = pit_elapsed(&t1, &a1);
    if (ticks < 0) {
        tsc_calibration_start(); /* the window ran out (55 ms): open a fresh one and wait in it */
        ticks = 0;
    }
    for (unsigned spins = 0; ticks < PIT_CALIBRATION_TICKS; spins++) {
        ticks = pit_elapsed(&t1, &a1);
        if (ticks < 0 && spins > 1000000)
            panic("the PIT does not count, so the TSC cannot be calibrated (QEMU: keep pit=on)");
    }
    window.open = false;
    uint64_t measured_hz = (t1 - window.tsc) * PIT_HZ / (uint64_t)ticks;
    lapic_calibrated_hz =
        (uint64_t)((unsigned __int128)(window.lapic - a1) * measured_hz / (t1 - window.lapic_tsc));
    return measured_hz;
}

static bool calibrate_with_kvmclock(void)
{
    if (!cpu.kvm_clock)
        return false;
    wrmsr(MSR_KVM_SYSTEM_TIME_NEW, (uint64_t)&pvclock | 1);
    wrmsr(MSR_KVM_WALL_CLOCK_NEW, (uint64_t)&pvwall);
    uint32_t v;
    struct pvclock_vcpu_time_info snap;
    do {
        v = __atomic_load_n(&pvclock.version, __ATOMIC_ACQUIRE);
        snap = pvclock;
    } while ((v & 1) || v != __atomic_load_n(&pvclock.version, __ATOMIC_ACQUIRE));
    if (!snap.tsc_to_system_mul)
        return false;
    /* ns = ((ticks << shift) * mul) >> 32, so hz = 1e9 * 2^32 / (mul << shift). */
    unsigned __int128 num = (unsigned __int128)1000000000ull << 32;
    uint64_t den = snap.tsc_to_system_mul;
    if (snap.tsc_shift >= 0)
        den <<= snap.tsc_shift;
    else
        num <<= -snap.tsc_shift;
    hz = (uint64_t)(num / den);
    /* Wall clock = time at kvmclock zero + kvmclock now; kvmclock now = system_time + scaled delta.
     */
    uint64_t now_tsc = rdtsc();
    uint64_t delta = now_tsc - snap.tsc_timestamp;
    delta = snap.tsc_shift >= 0 ? delta << snap.tsc_shift : delta >> -snap.tsc_shift;
    uint64_t kvm_ns =
        snap.system_time + (uint64_t)(((unsigned __int128)delta * snap.tsc_to_system_mul) >> 32);
    uint64_t wall_at_kvm0 = (uint64_t)pvwall.sec * 1000000000ull + pvwall.nsec;
    uint64_t since_boot = (now_tsc - boot_tsc_entry) * 1000000000ull / hz;
    realtime_at_boot = wall_at_kvm0 + kvm_ns - since_boot;
    have_wallclock = pvwall.sec != 0;
    return true;
}

static bool calibrate_with_cpuid(void)
{
    if (cpu.hypervisor && cpuid(0x40000000, 0).eax >= 0x40000010) {
        uint32_t khz = cpuid(0x40000010, 0).eax; /* hypervisor timing leaf: TSC kHz */
        if (khz) {
            hz = (uint64_t)khz * 1000;
            return true;
        }
    }
    if (cpuid(0, 0).eax >= 0x15) {
        struct cpuid_regs r = cpuid(0x15, 0);
        if (r.eax && r.ebx && r.ecx) {
            hz = (uint64_t)r.ecx * r.ebx / r.eax;
            return true;
        }
    }
    return false;
}

uint64_t tsc_hz(void)
{
    if (!hz) {
        if (!calibrate_with_kvmclock() && !calibrate_with_cpuid())
            hz = calibrate_with_pit();
        if (!lapic_calibrated_hz && !cpu.tsc_deadline)
            calibrate_with_pit(); /* the LAPIC timer still needs its own rate */
        tsc_ns_mult = (uint64_t)(((unsigned __int128)1000000000ull << 32) / hz);
    }
    return hz;
}

uint64_t ns_to_tsc(uint64_t ns)
{
    return (uint64_t)((unsigned __int128)ns * tsc_hz() / 1000000000ull);
}

bool tsc_wallclock_ns(uint64_t *realtime_ns)
{
    tsc_hz();
    if (have_wallclock)
        *realtime_ns = realtime_at_boot;
    return have_wallclock;
}
