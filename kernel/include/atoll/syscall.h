/* The syscall layer: the table musl's `syscall` instruction reaches, and the families that fill it.
 */
#ifndef ATOLL_SYSCALL_H
#define ATOLL_SYSCALL_H

#include "atoll/klib.h"
#include "atoll/syscall_nr.h"

#define SYSCALL_MAX 512

typedef long (*syscall_fn)(long a0, long a1, long a2, long a3, long a4, long a5);

struct syscall_entry {
    int nr;
    syscall_fn fn;
};

/* Handlers take their real argument types; the x86_64 ABI passes all six in registers, so calling
 * through the uniform type reads each argument from the register musl put it in. */
#define SYSCALL(name)                                                                              \
    {                                                                                              \
        NR_##name, (syscall_fn)(void (*)(void))sys_##name                                          \
    }

const char *syscall_name(long nr); /* "unknown" for numbers Linux does not define */

/* One table per family (kernel/sys/<family>.c), each ending with {-1, NULL}. */
extern const struct syscall_entry syscalls_file[], syscalls_fs[], syscalls_mem[], syscalls_time[],
    syscalls_proc[], syscalls_signal[];

/* Families in optional kernel members (see the Makefile): absent, these weak tables are NULL and
 * their syscalls answer ENOSYS. Each member exports its table under this name. */
extern const struct syscall_entry atoll_events_syscalls[] __attribute__((weak));
extern const struct syscall_entry atoll_net_syscalls[] __attribute__((weak));

/* Logs "refused on purpose" once per syscall; returns -ENOSYS. */
long syscall_refuse(int nr, const char *why);

/* The frame of the syscall being served (for calls that need the caller's registers). */
struct syscall_frame;
extern struct syscall_frame *syscall_current;

#endif
