/* The boot sequence: PVH start info -> CPU, memory, paging, traps, timers, config, rootfs -> the
 * program. */
#include "atoll/arch.h"
#include "atoll/cmdline.h"
#include "atoll/file.h"
#include "atoll/kernel.h"
#include "atoll/mm.h"
#include "atoll/rootfs.h"
#include "atoll/x86.h"

#define HVM_START_MAGIC    0x336ec578
#define MAX_RANGES         32
#define IST_STACK_SIZE     (8 * 1024)
#define SYSCALL_STACK_SIZE (32 * 1024)

struct hvm_start_info {
    uint32_t magic, version, flags, nr_modules;
    uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr, memmap_paddr;
    uint32_t memmap_entries, reserved;
};
struct hvm_modlist_entry {
    uint64_t paddr, size, cmdline_paddr, reserved;
};
struct hvm_memmap_entry {
    uint64_t addr, size;
    uint32_t type, reserved;
};

extern char __image_start[], __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __image_end[], __atoll_rootfs_start[], __atoll_rootfs_end[];
extern const char atoll_app_name[], atoll_app_cmdline[];
extern char _start[];
/* Networking is linked in only for programs that use sockets (the Makefile, `atoll build -u`):
 * without it this weak reference is 0. */
void atoll_net_init(void) __attribute__((weak));
void syscall_entry(void);

/* Boot stage timestamps, printed with the bootstat key to show where boot time goes. */
struct boot_mark {
    const char *stage;
    uint64_t tsc;
};
static struct boot_mark marks[16];
static unsigned nmarks;

static void mark(const char *stage)
{
    if (nmarks < ARRAY_SIZE(marks))
        marks[nmarks++] = (struct boot_mark){stage, rdtsc()};
}

static void print_bootstat(void)
{
    uint64_t ns = tsc_to_ns(boot_tsc_main - boot_tsc_entry);
    kprintf_always(
        "atoll: bootstat entry_to_main_us=%llu.%03llu tsc_hz=%llu memory_kib=%llu timer=%s\n",
        (unsigned long long)(ns / 1000), (unsigned long long)(ns % 1000),
        (unsigned long long)tsc_hz(), (unsigned long long)(mm_total_bytes() / 1024),
        cpu.tsc_deadline ? "tsc-deadline" : "lapic-oneshot");
    kprintf_always("atoll: bootstat stages_us");
    uint64_t prev = boot_tsc_entry;
    for (unsigned i = 0; i < nmarks; i++) {
        kprintf_always(" %s=%llu", marks[i].stage,
                       (unsigned long long)(tsc_to_ns(marks[i].tsc - prev) / 1000));
        prev = marks[i].tsc;
    }
    kprintf_always("\n");
}

static char boot_cmdline[4096];
static struct boot_config config;
const struct boot_config *boot_cfg = &config;
uint64_t boot_tsc_main;

struct boot_facts {
    struct boot_memory_range usable[MAX_RANGES];
    size_t nusable;
    struct boot_memory_range module; /* the -initrd archive, if any */
    uint64_t ram_top;
};

static void read_start_info(uint32_t pa, struct boot_facts *b)
{
    const struct hvm_start_info *si = (const struct hvm_start_info *)(uint64_t)pa;
    if (!si || si->magic != HVM_START_MAGIC)
        boot_fail("no PVH start info (boot the image with QEMU -kernel)");
    if (si->cmdline_paddr) {
        const char *c = (const char *)si->cmdline_paddr;
        size_t n = strnlen(c, sizeof(boot_cmdline));
        if (n == sizeof(boot_cmdline))
            config_fail("boot cmdline: longer than 4095 bytes");
        memcpy(boot_cmdline, c, n);
    }
    if (si->version < 1 || !si->memmap_paddr)
        boot_fail("the boot loader gave no memory map (PVH start info version %u)", si->version);
    const struct hvm_memmap_entry *mm = (const struct hvm_memmap_entry *)si->memmap_paddr;
    for (uint32_t i = 0; i < si->memmap_entries && b->nusable < MAX_RANGES; i++) {
        if (mm[i].type != 1)
            continue;
        b->usable[b->nusable++] = (struct boot_memory_range){mm[i].addr, mm[i].size};
        b->ram_top = MAX(b->ram_top, mm[i].addr + mm[i].size);
    }
    if (si->nr_modules && si->modlist_paddr) {
        const struct hvm_modlist_entry *m = (const struct hvm_modlist_entry *)si->modlist_paddr;
        b->module = (struct boot_memory_range){m[0].paddr, m[0].size};
    }
}

static void setup_paging(const struct boot_facts *b)
{
    paging_init(&phys, b->ram_top);
    for (size_t i = 0; i < b->nusable; i++) {
        uint64_t base =
            MAX(ALIGN_UP(b->usable[i].base, PAGE_SIZE), PAGE_SIZE); /* page 0 stays unmapped */
        uint64_t end = ALIGN_DOWN(b->usable[i].base + b->usable[i].len, PAGE_SIZE);
        if (end > base)
            vm_map(base, base, end - base, VM_RW);
    }
    uint64_t img = (uint64_t)__image_start, text = (uint64_t)__text_start;
    vm_map(img, img, text - img, VM_READ);
    vm_map(text, text, (uint64_t)__text_end - text, VM_READ | VM_EXEC);
    vm_map((uint64_t)__rodata_start, (uint64_t)__rodata_start,
           (uint64_t)__rodata_end - (uint64_t)__rodata_start, VM_READ);
    if (b->module.len) {
        uint64_t m = ALIGN_DOWN(b->module.base, PAGE_SIZE);
        vm_map(m, m, ALIGN_UP(b->module.base + b->module.len, PAGE_SIZE) - m, VM_READ);
    }
    paging_activate();
}

static void setup_traps(void)
{
    gdt_init();
    static const struct {
        enum ist_slot slot;
        const char *name;
    } ist[] = {{IST_IRQ, "interrupt"},
               {IST_DOUBLE_FAULT, "double-fault"},
               {IST_NMI, "NMI"},
               {IST_MACHINE_CHECK, "machine-check"},
               {IST_EXCEPTION, "exception"}};
    for (size_t i = 0; i < ARRAY_SIZE(ist); i++) {
        uint64_t top = stack_create(IST_STACK_SIZE, ist[i].name);
        if (!top)
            boot_fail("out of memory for the %s stack", ist[i].name);
        tss_set_ist(ist[i].slot, top);
    }
    idt_init();
}

void syscall_init(void)
{
    uint64_t top = stack_create(SYSCALL_STACK_SIZE, "syscall");
    if (!top)
        boot_fail("out of memory for the syscall stack");
    syscall_kstack_top = top;
    wrmsr(MSR_STAR, 0x08ull << 32); /* SYSCALL loads CS 0x08 and SS 0x10: ring 0 stays ring 0 */
    wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
    wrmsr(MSR_SFMASK, RFLAGS_IF | RFLAGS_DF | RFLAGS_TF | RFLAGS_AC);
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
}

static void setup_config_and_rootfs(const struct boot_facts *b)
{
    char err[256];
    if (boot_config_parse(&config, atoll_app_cmdline, boot_cmdline, err, sizeof(err)) < 0)
        config_fail(err);
    console_set_quiet(config.quiet);
    const void *fs = __atoll_rootfs_start;
    size_t fs_len = (size_t)(__atoll_rootfs_end - __atoll_rootfs_start);
    const char *source = "the image's embedded archive";
    if (b->module.len) {
        fs = (const void *)b->module.base, fs_len = b->module.len;
        source = "the -initrd module";
    }
    if (rootfs_init(fs, fs_len) < 0)
        boot_fail(
            "rootfs: %s is not a valid newc cpio archive (rebuild it with atoll build --rootfs)",
            source);
}

void kmain(uint32_t start_info)
{
    mark("entry_asm");
    console_init();
    cpu_init();
    mark("cpu");
    static struct boot_facts b;
    read_start_info(start_info, &b);
    struct boot_memory_range reserved[] = {
        {(uint64_t)__image_start, (uint64_t)(__image_end - __image_start)},
        b.module,
    };
    mm_init(b.usable, b.nusable, reserved, ARRAY_SIZE(reserved));
    mark("memory");
    setup_paging(&b);
    mark("paging");
    setup_traps();
    syscall_init();
    lapic_init();
    tsc_calibration_start();
    mark("traps");
    setup_config_and_rootfs(&b);
    mark("config");
    random_init();
    mark("random");
    stdio_init();
    vmem_init();
    if (atoll_net_init)
        atoll_net_init();
    uint64_t stack_top = stack_create(config.stack_size, "main");
    if (!stack_top)
        boot_fail("out of memory for a %llu KiB main stack (give the VM more memory with --mem)",
                  (unsigned long long)(config.stack_size / 1024));
    uint64_t sp = program_stack_build(stack_top, atoll_app_name, &config);
    mark("stacks");
    boot_tsc_main = rdtsc();
    if (config.bootstat)
        print_bootstat();
    irq_enable();
    __asm__ volatile("mov %0, %%rsp\n\t"
                     "xor %%ebp, %%ebp\n\t"
                     "xor %%edx, %%edx\n\t" /* no atexit function from a dynamic linker */
                     "jmp *%1"
                     :
                     : "r"(sp), "r"((uint64_t)_start)
                     : "memory");
    __builtin_unreachable();
}
