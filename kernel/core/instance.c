/* How an instance ends: drain the console, write the status record, stop the VM. */
#include "atoll/arch.h"
#include "atoll/cmdline.h"
#include "atoll/dev.h"
#include "atoll/file.h"
#include "atoll/kernel.h"
#include "atoll/x86.h"

/* The network member's report at exit (the netstat key); 0 in images without networking. */
void atoll_net_exit(void) __attribute__((weak));

_Noreturn void instance_exit(int status)
{
    irq_disable();
    fd_close_all();
    if (atoll_net_exit)
        atoll_net_exit();
    if (boot_cfg->bootstat && boot_tsc_main) {
        uint64_t ns = clock_monotonic_ns() - tsc_to_ns(boot_tsc_main - boot_tsc_entry);
        kprintf_always("atoll: bootstat main_to_exit_us=%llu\n", (unsigned long long)(ns / 1000));
    }
    console_drain();
    qemu_status_end("exit", status & 0xff);
}

_Noreturn void instance_crash(int status)
{
    irq_disable();
    console_drain();
    qemu_status_end("crash", status);
}

_Noreturn void boot_fail(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    kvsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    kprintf_always("atoll: crash: boot failed: %s\natoll: end of crash report\n", buf);
    instance_crash(STATUS_KERNEL_PANIC);
}

_Noreturn void config_fail(const char *msg)
{
    kprintf_always("atoll: %s\n", msg);
    instance_exit(STATUS_CONFIG_ERROR);
}
