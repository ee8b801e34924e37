/* Signals: dispositions are recorded, never delivered; a fatal signal a program sends itself ends
 * it. */
#include "atoll/kernel.h"
#include "atoll/syscall.h"

#define NSIG    65
#define SIG_DFL 0
#define SIG_IGN 1
#define SIGKILL 9
#define SIGSTOP 19

struct k_sigaction {
    uint64_t handler, flags, restorer, mask;
};

static struct k_sigaction actions[NSIG];
static uint64_t blocked;
static uint8_t warned[NSIG];

static long sys_rt_sigaction(int sig, const struct k_sigaction *act, struct k_sigaction *old,
                             size_t size)
{
    if (sig < 1 || sig >= NSIG || size != 8)
        return -EINVAL;
    if (act && (sig == SIGKILL || sig == SIGSTOP))
        return -EINVAL;
    if (old)
        *old = actions[sig];
    if (act)
        actions[sig] = *act;
    return 0;
}

static long sys_rt_sigprocmask(int how, const uint64_t *set, uint64_t *old, size_t size)
{
    if (size != 8)
        return -EINVAL;
    if (old)
        *old = blocked;
    if (set) {
        switch (how) {
        case 0:
            blocked |= *set;
            break;
        case 1:
            blocked &= ~*set;
            break;
        case 2:
            blocked = *set;
            break;
        default:
            return -EINVAL;
        }
    }
    return 0;
}

static long sys_sigaltstack(const void *ss, void *old)
{
    (void)ss;
    if (old)
        memset(old, 0, 24);
    return 0;
}

static bool dumps_core(int sig)
{
    /* SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGSEGV, SIGXCPU, SIGXFSZ, SIGSYS */
    static const uint64_t core = (1ull << 3) | (1ull << 4) | (1ull << 5) | (1ull << 6) |
                                 (1ull << 7) | (1ull << 8) | (1ull << 11) | (1ull << 24) |
                                 (1ull << 25) | (1ull << 31);
    return core & (1ull << sig);
}

static bool ignored_by_default(int sig)
{
    return sig == 17 || sig == 18 || sig == 23 ||
           sig == 28; /* SIGCHLD, SIGCONT, SIGURG, SIGWINCH */
}

/* A signal to the program itself, as raise() and abort() send it (and the kernel, for SIGPIPE). */
long signal_raise(int sig)
{
    if (sig == 0)
        return 0;
    if (sig < 1 || sig >= NSIG)
        return -EINVAL;
    uint64_t handler = actions[sig].handler;
    bool fatal = sig == SIGKILL || (handler == SIG_DFL && !ignored_by_default(sig));
    if (!fatal && (handler == SIG_IGN || handler == SIG_DFL))
        return 0;
    if (!fatal) {
        if (!warned[sig]++)
            kprintf("atoll: signal %d has a handler, but Atoll does not deliver signals: ignored\n",
                    sig);
        return 0;
    }
    if (blocked & (1ull << (sig - 1)) && sig != SIGKILL && !dumps_core(sig))
        return 0; /* stays pending forever */
    kprintf_always("atoll: program killed by signal %d%s\n", sig,
                   dumps_core(sig) ? " (core dumped)" : "");
    if (dumps_core(sig))
        instance_crash(128 + sig);
    instance_exit(128 + sig);
}

static long sys_kill(int pid, int sig)
{
    if (pid != 1 && pid != 0 && pid != -1)
        return -ESRCH;
    return signal_raise(sig);
}

static long sys_tkill(int tid, int sig)
{
    return tid == 1 ? signal_raise(sig) : -ESRCH;
}

static long sys_tgkill(int tgid, int tid, int sig)
{
    return tgid == 1 && tid == 1 ? signal_raise(sig) : -ESRCH;
}

static long sys_rt_sigpending(uint64_t *set, size_t size)
{
    if (size != 8)
        return -EINVAL;
    *set = 0;
    return 0;
}

const struct syscall_entry syscalls_signal[] = {
    SYSCALL(rt_sigaction), SYSCALL(rt_sigprocmask), SYSCALL(sigaltstack),   SYSCALL(kill),
    SYSCALL(tkill),        SYSCALL(tgkill),         SYSCALL(rt_sigpending), {-1, NULL},
};
