/* Checks poll, ppoll, select and pselect: readiness of eventfds, timerfds, the console and
 * regular files, invalid descriptors, timeouts. Optional argv[1]: a regular file to poll. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "check.h"
#include "events_clock.h"

static void arm_ms(int tfd, long ms)
{
    struct itimerspec s = {.it_value = {ms / 1000, ms % 1000 * 1000000}};
    timerfd_settime(tfd, 0, &s, NULL);
}

static void check_poll(void)
{
    int efd = eventfd(0, EFD_NONBLOCK);
    struct pollfd p[3] = {{.fd = efd, .events = POLLIN}, {.fd = -1, .events = POLLIN}, {.fd = 900}};
    check(poll(p, 2, 0) == 0 && p[0].revents == 0, "an empty eventfd is not readable");
    eventfd_write(efd, 1);
    check(poll(p, 2, 0) == 1 && p[0].revents == POLLIN && p[1].revents == 0,
          "a written eventfd is readable; a negative fd is ignored");
    check(poll(p, 3, 0) == 2 && p[2].revents == POLLNVAL, "a closed fd reports POLLNVAL");
    struct pollfd out = {.fd = 1, .events = POLLOUT};
    check(poll(&out, 1, 0) == 1 && out.revents == POLLOUT, "stdout is writable");

    long long start = now_ms();
    eventfd_t drained;
    eventfd_read(efd, &drained);
    check(poll(p, 1, 50) == 0, "nothing ready: poll times out");
    check(now_ms() - start >= 50, "not before 50 ms");
    start = now_ms();
    check(poll(NULL, 0, 20) == 0 && now_ms() - start >= 20, "poll of no fds sleeps 20 ms");

    int tfd = timerfd_create(CLOCK_MONOTONIC, 0);
    arm_ms(tfd, 30);
    struct pollfd t = {.fd = tfd, .events = POLLIN};
    start = now_ms();
    check(poll(&t, 1, -1) == 1 && t.revents == POLLIN, "an infinite poll wakes for a timerfd");
    check(now_ms() - start >= 30, "when it expires (30 ms)");
    close(tfd);
    close(efd);
}

static void check_ppoll(void)
{
    int efd = eventfd(1, 0);
    struct pollfd p = {.fd = efd, .events = POLLIN | POLLOUT};
    struct timespec zero = {0, 0}, bad = {0, 1000000000};
    sigset_t mask;
    sigemptyset(&mask);
    check(ppoll(&p, 1, &zero, &mask) == 1 && p.revents == (POLLIN | POLLOUT),
          "ppoll with a mask reports readable and writable");
    check(ppoll(&p, 1, &bad, NULL) == -1 && errno == EINVAL, "ppoll with nsec 1e9 is EINVAL");
    eventfd_t v;
    eventfd_read(efd, &v);
    p.events = POLLIN;
    struct timespec ms30 = {0, 30000000};
    long long start = now_ms();
    check(ppoll(&p, 1, &ms30, NULL) == 0 && now_ms() - start >= 30, "ppoll times out at 30 ms");
    close(efd);
}

static void check_select(void)
{
    int efd = eventfd(0, 0);
    fd_set r, w;
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_SET(efd, &r);
    FD_SET(efd, &w);
    struct timeval zero = {0, 0};
    check(select(efd + 1, &r, &w, NULL, &zero) == 1 && !FD_ISSET(efd, &r) && FD_ISSET(efd, &w),
          "select: an empty eventfd is writable only");
    eventfd_write(efd, 1);
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_SET(efd, &r);
    FD_SET(efd, &w);
    check(select(efd + 1, &r, &w, NULL, &zero) == 2 && FD_ISSET(efd, &r) && FD_ISSET(efd, &w),
          "select: a written one is both (count 2)");
    int closed = eventfd(0, 0);
    close(closed);
    FD_ZERO(&r);
    FD_SET(closed, &r);
    check(select(closed + 1, &r, NULL, NULL, &zero) == -1 && errno == EBADF,
          "select: closed fd is EBADF");
    check(select(-1, NULL, NULL, NULL, &zero) == -1 && errno == EINVAL, "select: n < 0 is EINVAL");

    eventfd_t v;
    eventfd_read(efd, &v);
    FD_ZERO(&r);
    FD_SET(efd, &r);
    struct timeval ms40 = {0, 40000};
    long long start = now_ms();
    check(select(efd + 1, &r, NULL, NULL, &ms40) == 0 && !FD_ISSET(efd, &r),
          "select: times out and clears the set");
    check(now_ms() - start >= 40, "select: not before 40 ms");

    int tfd = timerfd_create(CLOCK_MONOTONIC, 0);
    arm_ms(tfd, 25);
    FD_ZERO(&r);
    FD_SET(tfd, &r);
    FD_SET(efd, &r);
    struct timespec second = {1, 0};
    sigset_t mask;
    sigemptyset(&mask);
    int max = tfd > efd ? tfd : efd;
    check(pselect(max + 1, &r, NULL, NULL, &second, &mask) == 1 && FD_ISSET(tfd, &r) &&
              !FD_ISSET(efd, &r),
          "pselect wakes for the timerfd only");
    close(tfd);
    close(efd);
}

static void check_regular_file(const char *path)
{
    int fd = open(path, O_RDONLY);
    struct pollfd p = {.fd = fd, .events = POLLIN | POLLOUT};
    check(fd >= 0 && poll(&p, 1, -1) == 1 && p.revents == (POLLIN | POLLOUT),
          "a regular file is always readable and writable");
    fd_set r;
    FD_ZERO(&r);
    FD_SET(fd, &r);
    check(select(fd + 1, &r, NULL, NULL, NULL) == 1, "select on a regular file returns at once");
    close(fd);
}

int main(int argc, char **argv)
{
    check_poll();
    check_ppoll();
    check_select();
    if (argc > 1)
        check_regular_file(argv[1]);
    return checks_finish("events_poll");
}
