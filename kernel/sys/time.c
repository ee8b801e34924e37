/* Time syscalls: clocks, sleeps (tickless), and getrandom. */
#include "atoll/kernel.h"
#include "atoll/syscall.h"

#define CLOCK_REALTIME           0
#define CLOCK_MONOTONIC          1
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID  3
#define CLOCK_MONOTONIC_RAW      4
#define CLOCK_REALTIME_COARSE    5
#define CLOCK_MONOTONIC_COARSE   6
#define CLOCK_BOOTTIME           7
#define TIMER_ABSTIME            1
#define GRND_NONBLOCK            1
#define GRND_RANDOM              2
#define GRND_INSECURE            4

struct timespec {
    int64_t tv_sec, tv_nsec;
};
struct timeval {
    int64_t tv_sec, tv_usec;
};

static long clock_ns(int clock, uint64_t *ns)
{
    switch (clock) {
    case CLOCK_REALTIME:
    case CLOCK_REALTIME_COARSE:
        *ns = clock_realtime_ns();
        return 0;
    case CLOCK_MONOTONIC:
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_MONOTONIC_COARSE:
    case CLOCK_BOOTTIME:
    case CLOCK_PROCESS_CPUTIME_ID: /* one program on one vCPU: its CPU time is the instance's age */
    case CLOCK_THREAD_CPUTIME_ID:
        *ns = clock_monotonic_ns();
        return 0;
    default:
        return -EINVAL;
    }
}

static long sys_clock_gettime(int clock, struct timespec *ts)
{
    uint64_t ns;
    long r = clock_ns(clock, &ns);
    if (r < 0)
        return r;
    ts->tv_sec = (int64_t)(ns / 1000000000ull);
    ts->tv_nsec = (int64_t)(ns % 1000000000ull);
    return 0;
}

static long sys_clock_getres(int clock, struct timespec *ts)
{
    uint64_t ns;
    long r = clock_ns(clock, &ns);
    if (r < 0)
        return r;
    if (ts)
        ts->tv_sec = 0, ts->tv_nsec = 1;
    return 0;
}

static long sys_gettimeofday(struct timeval *tv, void *tz)
{
    if (tz)
        memset(tz, 0, 8);
    if (tv) {
        uint64_t ns = clock_realtime_ns();
        tv->tv_sec = (int64_t)(ns / 1000000000ull);
        tv->tv_usec = (int64_t)(ns % 1000000000ull / 1000);
    }
    return 0;
}

static long sys_time(int64_t *t)
{
    int64_t s = (int64_t)(clock_realtime_ns() / 1000000000ull);
    if (t)
        *t = s;
    return s;
}

static long sleep_until(int clock, uint64_t target_ns)
{
    /* A realtime deadline is converted once: the wall clock only moves with the monotonic one here.
     */
    uint64_t now = 0;
    clock_ns(clock, &now);
    uint64_t mono = clock_monotonic_ns();
    uint64_t deadline = target_ns > now ? mono + (target_ns - now) : mono;
    sched_wait(NULL, NULL, deadline);
    return 0;
}

static bool valid_timespec(const struct timespec *ts)
{
    return ts->tv_sec >= 0 && ts->tv_nsec >= 0 && ts->tv_nsec < 1000000000;
}

static uint64_t timespec_ns(const struct timespec *ts)
{
    uint64_t s = (uint64_t)ts->tv_sec;
    if (s > UINT64_MAX / 1000000000ull - 1)
        return UINT64_MAX - 1000000000ull;
    return s * 1000000000ull + (uint64_t)ts->tv_nsec;
}

static long sys_clock_nanosleep(int clock, int flags, const struct timespec *req,
                                struct timespec *rem)
{
    if (clock == CLOCK_THREAD_CPUTIME_ID)
        return -EINVAL;
    uint64_t now;
    long r = clock_ns(clock, &now);
    if (r < 0)
        return r;
    if (!valid_timespec(req))
        return -EINVAL;
    uint64_t target = timespec_ns(req);
    if (!(flags & TIMER_ABSTIME))
        target = now + MIN(target, UINT64_MAX - now);
    if (rem)
        rem->tv_sec = 0, rem->tv_nsec = 0;
    return sleep_until(clock, target);
}

static long sys_nanosleep(const struct timespec *req, struct timespec *rem)
{
    return sys_clock_nanosleep(CLOCK_MONOTONIC, 0, req, rem);
}

static long sys_getrandom(void *buf, size_t len, unsigned flags)
{
    if (flags & ~(unsigned)(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
        return -EINVAL;
    if (len > 33554431)
        len = 33554431; /* Linux's per-call cap */
    random_bytes(buf, len);
    return (long)len;
}

const struct syscall_entry syscalls_time[] = {
    SYSCALL(clock_gettime), SYSCALL(clock_getres),    SYSCALL(gettimeofday), SYSCALL(time),
    SYSCALL(nanosleep),     SYSCALL(clock_nanosleep), SYSCALL(getrandom),    {-1, NULL},
};
