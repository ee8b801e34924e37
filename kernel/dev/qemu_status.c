/* The status port pair that tells the runner how the instance ended (docs/runtime.md, "Exit
 * status"). */
#include "atoll/dev.h"
#include "atoll/klib.h"
#include "atoll/x86.h"

#define STATUS_RECORD_PORT 0x4f0 /* isa-debugcon writing to the runner's status file */
#define DEBUG_EXIT_PORT    0xf4  /* isa-debug-exit: QEMU exits with ((v << 1) | 1) & 0xff */

static void record(const char *s)
{
    while (*s)
        outb(STATUS_RECORD_PORT, (uint8_t)*s++);
}

_Noreturn void qemu_status_end(const char *kind, int status)
{
    char line[48];
    int n = ksnprintf(line, sizeof(line), "ATOLL-STATUS %s %d\n", kind, status);
    (void)n;
    record(line);
    outl(DEBUG_EXIT_PORT, (uint32_t)status);
    /* No isa-debug-exit device: fall back to a triple fault, which ends QEMU run with -no-reboot.
     */
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) empty = {0, 0};
    __asm__ volatile("lidt %0; int3" : : "m"(empty));
    for (;;)
        __asm__ volatile("cli; hlt");
}
