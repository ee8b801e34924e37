/* Core kernel services shared by every layer: logging, console, clocks, waiting, exit and crash
 * paths. */
#ifndef ATOLL_KERNEL_H
#define ATOLL_KERNEL_H

#include "atoll/errno.h"
#include "atoll/klib.h"

struct trap_frame;
struct boot_config;

/* Exit statuses with a fixed meaning (documented in docs/runtime.md). */
#define STATUS_CONFIG_ERROR 2
#define STATUS_KERNEL_PANIC 134 /* like a process killed by SIGABRT */
#define STATUS_APP_CRASH    139 /* like a process killed by SIGSEGV */

/* console.c: everything goes through a ring drained to the UART when the CPU would idle. */
void console_init(void);
void console_write(const char *s, size_t len);
void console_drain(void);
void console_drain_until(uint64_t deadline_ns); /* drains while the monotonic clock is below */
void console_set_quiet(bool quiet);
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Kernel messages that must show even in quiet mode (errors, crash reports). */
void kprintf_always(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* instance.c: the end of the instance, reported to the runner through the status port. */
_Noreturn void instance_exit(int status);
_Noreturn void instance_crash(int status);
_Noreturn void boot_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void config_fail(const char *msg);

/* crash.c */
_Noreturn void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void crash_from_trap(struct trap_frame *f);

/* clock.c */
uint64_t clock_monotonic_ns(void);
uint64_t clock_realtime_ns(void);

/* sched.c: the single-vCPU wait loop; tickless halt when nothing is ready. */
typedef bool (*wait_ready_fn)(void *arg);
/* Waits until ready(arg) is true (returns 0) or the monotonic deadline passes (-ETIMEDOUT).
 * deadline_ns == UINT64_MAX waits forever; ready may be NULL to wait for the deadline only. */
int sched_wait(wait_ready_fn ready, void *arg, uint64_t deadline_ns);

/* signal.c: a signal to the program itself, with its disposition: a fatal one ends the instance
 * (status 128 + sig); an ignored or handled one returns 0 (handlers are never run). */
long signal_raise(int sig);

/* random.c */
void random_init(void);
void random_bytes(void *buf, size_t len);

/* boot.c: facts about this boot that later layers read. */
extern const struct boot_config *boot_cfg;
extern uint64_t boot_tsc_main;

#endif
