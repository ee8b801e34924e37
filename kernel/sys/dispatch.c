/* Syscall dispatch: one indexed call per syscall; unknown numbers log once and return -ENOSYS. */
#include "atoll/arch.h"
#include "atoll/cmdline.h"
#include "atoll/kernel.h"
#include "atoll/syscall.h"

static syscall_fn table[SYSCALL_MAX];
static uint8_t logged[SYSCALL_MAX / 8];
static bool table_ready;
struct syscall_frame *syscall_current;

static void table_build(void)
{
    const struct syscall_entry *families[] = {
        syscalls_file, syscalls_fs,     syscalls_mem,          syscalls_time,
        syscalls_proc, syscalls_signal, atoll_events_syscalls, atoll_net_syscalls,
    };
    for (size_t f = 0; f < ARRAY_SIZE(families); f++)
        for (const struct syscall_entry *e = families[f]; e && e->fn; e++)
            table[e->nr] = e->fn;
    table_ready = true;
}

static bool first_time(long nr)
{
    uint8_t bit = (uint8_t)(1u << (nr & 7));
    bool first = !(logged[nr / 8] & bit);
    logged[nr / 8] |= bit;
    return first;
}

long syscall_refuse(int nr, const char *why)
{
    if (first_time(nr))
        kprintf("atoll: syscall %d (%s) refused: %s\n", nr, syscall_name(nr), why);
    return -ENOSYS;
}

long syscall_dispatch(struct syscall_frame *f)
{
    if (!table_ready)
        table_build();
    long nr = (long)f->nr;
    syscall_current = f;
    long ret;
    if (nr < 0 || nr >= SYSCALL_MAX || !table[nr]) {
        if (nr < 0 || nr >= SYSCALL_MAX || first_time(nr))
            kprintf("atoll: syscall %ld (%s) is not implemented: returning ENOSYS\n", nr,
                    syscall_name(nr));
        ret = -ENOSYS;
    } else {
        ret = table[nr]((long)f->rdi, (long)f->rsi, (long)f->rdx, (long)f->r10, (long)f->r8,
                        (long)f->r9);
    }
    if (boot_cfg->strace)
        kprintf("atoll: strace %llu.%06llu %s(0x%llx, 0x%llx, 0x%llx, 0x%llx) = %ld\n",
                (unsigned long long)(clock_monotonic_ns() / 1000000000ull),
                (unsigned long long)(clock_monotonic_ns() / 1000 % 1000000), syscall_name(nr),
                (unsigned long long)f->rdi, (unsigned long long)f->rsi, (unsigned long long)f->rdx,
                (unsigned long long)f->r10, ret);
    return ret;
}
