/* Checks timerfd: one-shot and interval timers, relative and absolute, both clocks, counts. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "events_clock.h"

static struct itimerspec spec_ms(long value_ms, long interval_ms)
{
    struct itimerspec s = {
        .it_value = {value_ms / 1000, value_ms % 1000 * 1000000},
        .it_interval = {interval_ms / 1000, interval_ms % 1000 * 1000000},
    };
    return s;
}

static uint64_t read_count(int fd)
{
    uint64_t count = 0;
    return read(fd, &count, sizeof(count)) == 8 ? count : 0;
}

static void check_create(void)
{
    check(timerfd_create(12345, 0) == -1 && errno == EINVAL, "an unknown clock is EINVAL");
    check(timerfd_create(CLOCK_MONOTONIC, 0x10) == -1 && errno == EINVAL,
          "an unknown flag is EINVAL");
    int fd = timerfd_create(CLOCK_BOOTTIME, TFD_CLOEXEC | TFD_NONBLOCK);
    check(fd >= 0, "CLOCK_BOOTTIME is accepted");
    check(fcntl(fd, F_GETFD) == FD_CLOEXEC, "TFD_CLOEXEC sets FD_CLOEXEC");
    check(fcntl(fd, F_GETFL) & O_NONBLOCK, "TFD_NONBLOCK sets O_NONBLOCK");
    struct itimerspec cur = spec_ms(1, 1);
    check(timerfd_gettime(fd, &cur) == 0 && cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0 &&
              cur.it_interval.tv_nsec == 0,
          "a new timer is disarmed");
    uint64_t count;
    check(read(fd, &count, sizeof(count)) == -1 && errno == EAGAIN,
          "reading a disarmed non-blocking timer is EAGAIN");
    close(fd);
}

static void check_one_shot(void)
{
    int fd = timerfd_create(CLOCK_MONOTONIC, 0);
    struct itimerspec s = spec_ms(30, 0), cur;
    long long start = now_ms();
    check(timerfd_settime(fd, 0, &s, NULL) == 0, "arm a 30 ms one-shot timer");
    check(timerfd_gettime(fd, &cur) == 0 && cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec > 0 &&
              cur.it_value.tv_nsec <= 30000000,
          "gettime shows at most 30 ms left");
    check(read_count(fd) == 1, "a blocking read returns one expiration");
    check(now_ms() - start >= 30, "no earlier than 30 ms");
    check(timerfd_gettime(fd, &cur) == 0 && cur.it_value.tv_nsec == 0 && cur.it_value.tv_sec == 0,
          "an expired one-shot timer is disarmed");
    fcntl(fd, F_SETFL, O_NONBLOCK);
    uint64_t count;
    check(read(fd, &count, sizeof(count)) == -1 && errno == EAGAIN, "and has nothing more to read");
    uint32_t small;
    check(read(fd, &small, sizeof(small)) == -1 && errno == EINVAL, "a 4-byte read is EINVAL");
    check(write(fd, &count, sizeof(count)) == -1 && errno == EINVAL, "writing is EINVAL");
    close(fd);
}

static void check_interval(void)
{
    int fd = timerfd_create(CLOCK_MONOTONIC, 0);
    struct itimerspec s = spec_ms(10, 10), old;
    timerfd_settime(fd, 0, &s, NULL);
    struct timespec nap = {0, 55000000};
    nanosleep(&nap, NULL);
    uint64_t count = read_count(fd);
    check(count >= 5 && count <= 50, "10 ms periods read after 55 ms count at least 5");
    long long start = now_ms();
    count = read_count(fd);
    check(count >= 1 && now_ms() - start <= 1000, "the next read waits for the next period");
    struct itimerspec zero = spec_ms(0, 0);
    check(timerfd_settime(fd, 0, &zero, &old) == 0 && old.it_interval.tv_nsec == 10000000,
          "disarming returns the old interval");
    struct itimerspec cur;
    check(timerfd_gettime(fd, &cur) == 0 && cur.it_value.tv_nsec == 0 &&
              cur.it_interval.tv_nsec == 0,
          "a disarmed timer shows zero");
    close(fd);
}

static void check_absolute(clockid_t clock, const char *name)
{
    int fd = timerfd_create(clock, 0);
    struct timespec now;
    clock_gettime(clock, &now);
    long long start = now_ms();
    struct itimerspec s = {.it_value = now};
    s.it_value.tv_nsec += 30000000;
    if (s.it_value.tv_nsec >= 1000000000)
        s.it_value.tv_sec++, s.it_value.tv_nsec -= 1000000000;
    check(timerfd_settime(fd, TFD_TIMER_ABSTIME, &s, NULL) == 0, "%s: arm at now + 30 ms", name);
    check(read_count(fd) == 1 && now_ms() - start >= 29, "%s: the read returns then", name);
    /* An absolute time in the past expires at once and counts the periods missed. A fresh
     * monotonic clock may be younger than the offset, so it is aged a little first. */
    struct timespec young = {0, 150000000};
    clock_gettime(clock, &now);
    if (now.tv_sec == 0 && now.tv_nsec < young.tv_nsec) {
        young.tv_nsec -= now.tv_nsec;
        nanosleep(&young, NULL);
    }
    clock_gettime(clock, &now);
    s.it_value = now;
    s.it_value.tv_nsec -= 100000000;
    if (s.it_value.tv_nsec < 0)
        s.it_value.tv_sec--, s.it_value.tv_nsec += 1000000000;
    s.it_interval = (struct timespec){0, 10000000};
    check(timerfd_settime(fd, TFD_TIMER_ABSTIME, &s, NULL) == 0, "%s: arm 100 ms in the past",
          name);
    uint64_t count = read_count(fd);
    check(count >= 10 && count <= 14, "%s: 100 ms in the past at 10 ms counts ~11", name);
    close(fd);
}

static void check_errors(void)
{
    int fd = timerfd_create(CLOCK_MONOTONIC, 0);
    struct itimerspec bad = spec_ms(10, 0);
    bad.it_value.tv_nsec = 1000000000;
    check(timerfd_settime(fd, 0, &bad, NULL) == -1 && errno == EINVAL, "nsec of 1e9 is EINVAL");
    struct itimerspec s = spec_ms(10, 0);
    check(timerfd_settime(fd, 0x40, &s, NULL) == -1 && errno == EINVAL,
          "an unknown flag is EINVAL");
    int efd = eventfd(0, 0);
    check(timerfd_settime(efd, 0, &s, NULL) == -1 && errno == EINVAL,
          "settime on an eventfd is EINVAL");
    struct itimerspec cur;
    check(timerfd_gettime(efd, &cur) == -1 && errno == EINVAL, "gettime on an eventfd is EINVAL");
    check(timerfd_settime(900, 0, &s, NULL) == -1 && errno == EBADF, "a closed fd is EBADF");
    close(efd);
    close(fd);
}

int main(void)
{
    check_create();
    check_one_shot();
    check_interval();
    check_absolute(CLOCK_MONOTONIC, "CLOCK_MONOTONIC");
    check_absolute(CLOCK_REALTIME, "CLOCK_REALTIME");
    check_errors();
    return checks_finish("events_timerfd");
}
