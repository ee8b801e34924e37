/* Process identity and lifetime: exit, ids, uname, limits, arch_prctl; fork and exec refused on
 * purpose. */
#include "atoll/arch.h"
#include "atoll/cmdline.h"
#include "atoll/kernel.h"
#include "atoll/mm.h"
#include "atoll/syscall.h"
#include "atoll/x86.h"

#define ARCH_SET_GS    0x1001
#define ARCH_SET_FS    0x1002
#define ARCH_GET_FS    0x1003
#define ARCH_GET_GS    0x1004
#define RLIMIT_STACK   3
#define RLIMIT_NOFILE  7
#define RLIM_INFINITY  (~0ull)
#define FUTEX_WAIT     0
#define FUTEX_WAKE     1
#define FUTEX_CMD_MASK 0x7f

#define PID 1 /* the program is the instance's one process and its init */

extern const char atoll_app_name[];

static long sys_exit_group(int status)
{
    instance_exit(status);
}

static long sys_exit(int status)
{
    instance_exit(status); /* one thread: its exit is the program's */
}

static long sys_getpid(void)
{
    return PID;
}
#define sys_gettid          sys_getpid
#define sys_getpgrp         sys_getpid
#define sys_getsid          sys_getpid
#define sys_set_tid_address sys_getpid

static long sys_getppid(void)
{
    return 0;
}
#define sys_getuid          sys_getppid
#define sys_geteuid         sys_getppid
#define sys_getgid          sys_getppid
#define sys_getegid         sys_getppid
#define sys_sched_yield     sys_getppid
#define sys_set_robust_list sys_getppid
#define sys_umask           sys_getppid

static long sys_getpgid(int pid)
{
    return pid == 0 || pid == PID ? PID : -ESRCH;
}

static long sys_arch_prctl(int code, uint64_t addr)
{
    switch (code) {
    case ARCH_SET_FS:
        wrmsr(MSR_FS_BASE, addr);
        return 0;
    case ARCH_GET_FS:
        *(uint64_t *)addr = rdmsr(MSR_FS_BASE);
        return 0;
    case ARCH_SET_GS:
        wrmsr(MSR_GS_BASE, addr);
        return 0;
    case ARCH_GET_GS:
        *(uint64_t *)addr = rdmsr(MSR_GS_BASE);
        return 0;
    default:
        return -EINVAL;
    }
}

struct utsname {
    char sysname[65], nodename[65], release[65], version[65], machine[65], domainname[65];
};

static void field(char *dst, const char *src)
{
    size_t n = MIN(strlen(src), (size_t)64);
    memcpy(dst, src, n);
    dst[n] = 0;
}

static long sys_uname(struct utsname *u)
{
    memset(u, 0, sizeof(*u));
    field(u->sysname, "Atoll");
    field(u->nodename, atoll_app_name);
    field(u->release, ATOLL_VERSION);
    field(u->version, "#1 Atoll unikernel (musl Linux ABI, ring 0, one vCPU)");
    field(u->machine, "x86_64");
    field(u->domainname, "(none)");
    return 0;
}

struct rlimit {
    uint64_t cur, max;
};

static long sys_prlimit64(int pid, int resource, const struct rlimit *new, struct rlimit *old)
{
    if (pid != 0 && pid != PID)
        return -ESRCH;
    if (resource < 0 || resource > 15)
        return -EINVAL;
    if (old) {
        old->cur = old->max = RLIM_INFINITY;
        if (resource == RLIMIT_STACK)
            old->cur = old->max = boot_cfg->stack_size;
        else if (resource == RLIMIT_NOFILE)
            old->cur = old->max = 1024;
    }
    (void)new; /* limits are fixed by the image: lowering them is accepted and has no effect */
    return 0;
}

static long sys_getrlimit(int resource, struct rlimit *r)
{
    return sys_prlimit64(0, resource, NULL, r);
}

static long sys_setrlimit(int resource, const struct rlimit *r)
{
    return sys_prlimit64(0, resource, r, NULL);
}

struct sysinfo {
    int64_t uptime;
    uint64_t loads[3], totalram, freeram, sharedram, bufferram, totalswap, freeswap;
    uint16_t procs, pad;
    uint64_t totalhigh, freehigh;
    uint32_t mem_unit;
    char reserved[256 - 2 * sizeof(uint64_t) - sizeof(uint32_t)];
};

static long sys_sysinfo(struct sysinfo *si)
{
    memset(si, 0, sizeof(*si));
    si->uptime = (int64_t)(clock_monotonic_ns() / 1000000000ull);
    si->totalram = mm_total_bytes();
    si->freeram = phys.free_pages * PAGE_SIZE;
    si->procs = 1;
    si->mem_unit = 1;
    return 0;
}

static long sys_futex(int *uaddr, int op, int val, const void *timeout)
{
    switch (op & FUTEX_CMD_MASK) {
    case FUTEX_WAKE:
        return 0; /* nobody else to wake on one thread */
    case FUTEX_WAIT:
        if (__atomic_load_n(uaddr, __ATOMIC_SEQ_CST) != val)
            return -EAGAIN;
        if (timeout) {
            const int64_t *ts = timeout;
            sched_wait(NULL, NULL,
                       clock_monotonic_ns() + (uint64_t)ts[0] * 1000000000ull + (uint64_t)ts[1]);
            return -ETIMEDOUT;
        }
        /* The only thread waits for itself: like a deadlocked Linux process, idle forever. */
        sched_wait(NULL, NULL, UINT64_MAX);
        return -EINTR;
    default:
        return -ENOSYS;
    }
}

#define ONE_PROGRAM "Atoll runs one program per image (see docs/runtime.md)"
static long sys_fork(void)
{
    return syscall_refuse(NR_fork, ONE_PROGRAM);
}
static long sys_vfork(void)
{
    return syscall_refuse(NR_vfork, ONE_PROGRAM);
}
static long sys_execve(void)
{
    return syscall_refuse(NR_execve, ONE_PROGRAM);
}
static long sys_execveat(void)
{
    return syscall_refuse(NR_execveat, ONE_PROGRAM);
}
static long sys_clone(void)
{
    return syscall_refuse(NR_clone,
                          "new processes and threads are not supported yet; " ONE_PROGRAM);
}
static long sys_clone3(void)
{
    return syscall_refuse(NR_clone3,
                          "new processes and threads are not supported yet; " ONE_PROGRAM);
}
static long sys_wait4(void)
{
    return -ECHILD;
}
#define sys_waitid sys_wait4

const struct syscall_entry syscalls_proc[] = {
    SYSCALL(exit),       SYSCALL(exit_group),  SYSCALL(getpid),          SYSCALL(gettid),
    SYSCALL(getpgrp),    SYSCALL(getsid),      SYSCALL(getpgid),         SYSCALL(set_tid_address),
    SYSCALL(getppid),    SYSCALL(getuid),      SYSCALL(geteuid),         SYSCALL(getgid),
    SYSCALL(getegid),    SYSCALL(sched_yield), SYSCALL(set_robust_list), SYSCALL(umask),
    SYSCALL(arch_prctl), SYSCALL(uname),       SYSCALL(prlimit64),       SYSCALL(getrlimit),
    SYSCALL(setrlimit),  SYSCALL(sysinfo),     SYSCALL(futex),           SYSCALL(fork),
    SYSCALL(vfork),      SYSCALL(execve),      SYSCALL(execveat),        SYSCALL(clone),
    SYSCALL(clone3),     SYSCALL(wait4),       SYSCALL(waitid),          {-1, NULL},
};
