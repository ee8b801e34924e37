/* Checks the clocks: monotonic never goes back, sleeps are never short, realtime is plausible. */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/time.h>
#include <time.h>

#include "check.h"

#define YEAR_2020 1577836800L

static long long ns_of(const struct timespec *t)
{
    return (long long)t->tv_sec * 1000000000LL + t->tv_nsec;
}

static long long now_ns(clockid_t clock)
{
    struct timespec t;
    clock_gettime(clock, &t);
    return ns_of(&t);
}

static void check_monotonic(void)
{
    long long previous = now_ns(CLOCK_MONOTONIC), first = previous;
    int backwards = 0;
    for (int i = 0; i < 10000; i++) {
        long long now = now_ns(CLOCK_MONOTONIC);
        if (now < previous)
            backwards++;
        previous = now;
    }
    check(backwards == 0, "CLOCK_MONOTONIC never goes back over 10000 reads");
    check(previous > first, "CLOCK_MONOTONIC advances (%lld ns over the loop)", previous - first);
}

static void check_sleeps(void)
{
    static const long asked_us[] = {1000, 10000, 50000};
    for (int i = 0; i < 3; i++) {
        struct timespec request = {0, asked_us[i] * 1000};
        long long before = now_ns(CLOCK_MONOTONIC);
        int rc = nanosleep(&request, NULL);
        long long slept = now_ns(CLOCK_MONOTONIC) - before;
        check(rc == 0 && slept >= asked_us[i] * 1000LL, "nanosleep %ld us slept %lld us",
              asked_us[i], slept / 1000);
    }
    struct timespec bad = {0, 1000000000L};
    errno = 0;
    check(nanosleep(&bad, NULL) == -1 && errno == EINVAL, "nanosleep with tv_nsec=1e9: EINVAL");

    /* Both clocks must advance at the same rate across a sleep. */
    struct timespec request = {0, 20000000L};
    long long mono_before = now_ns(CLOCK_MONOTONIC), real_before = now_ns(CLOCK_REALTIME);
    nanosleep(&request, NULL);
    long long mono = now_ns(CLOCK_MONOTONIC) - mono_before;
    long long real = now_ns(CLOCK_REALTIME) - real_before;
    long long drift = mono > real ? mono - real : real - mono;
    check(drift < 5000000LL, "realtime and monotonic agree over a 20 ms sleep (%lld us apart)",
          drift / 1000);
}

static void check_realtime(void)
{
    struct timespec real;
    clock_gettime(CLOCK_REALTIME, &real);
    check(real.tv_sec > YEAR_2020, "CLOCK_REALTIME is after 2020 (%lld)", (long long)real.tv_sec);

    struct timeval tv;
    int rc = gettimeofday(&tv, NULL);
    long long tv_ns = (long long)tv.tv_sec * 1000000000LL + tv.tv_usec * 1000LL;
    long long gap = tv_ns - ns_of(&real);
    check(rc == 0 && gap >= -1000000LL && gap < 1000000000LL && tv.tv_usec < 1000000,
          "gettimeofday agrees with CLOCK_REALTIME");
    time_t seconds = time(NULL);
    check(seconds >= real.tv_sec && seconds - real.tv_sec < 2, "time() agrees with CLOCK_REALTIME");
}

int main(void)
{
    check_monotonic();
    check_sleeps();
    check_realtime();
    return checks_finish("time");
}
