/* Checks epoll: epoll_ctl's rules and errors, level- and edge-triggered reports, one-shot,
 * timeouts, timerfds, fairness, closed and dup'd descriptors, nesting. Optional argv[1]: a regular
 * file. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "check.h"
#include "events_clock.h"

static int add(int ep, int fd, uint32_t events, uint64_t data)
{
    struct epoll_event ev = {.events = events, .data.u64 = data};
    return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

static int mod(int ep, int fd, uint32_t events, uint64_t data)
{
    struct epoll_event ev = {.events = events, .data.u64 = data};
    return epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
}

static int wait0(int ep, struct epoll_event *ev, int max)
{
    return epoll_wait(ep, ev, max, 0);
}

static void check_create_and_ctl(const char *regular)
{
    /* musl's epoll_create ignores its size; the system call checks it. */
    check(syscall(SYS_epoll_create, 0) == -1 && errno == EINVAL, "epoll_create(0) is EINVAL");
    int old_style = (int)syscall(SYS_epoll_create, 1);
    check(old_style >= 0 && fcntl(old_style, F_GETFD) == 0, "epoll_create(1) opens");
    close(old_style);
    check(epoll_create1(0x10) == -1 && errno == EINVAL, "epoll_create1 with a bad flag is EINVAL");
    int ep = epoll_create1(EPOLL_CLOEXEC);
    check(ep >= 0 && fcntl(ep, F_GETFD) == FD_CLOEXEC, "EPOLL_CLOEXEC sets FD_CLOEXEC");
    int efd = eventfd(0, 0);
    check(add(ep, efd, EPOLLIN, 1) == 0, "ADD an eventfd");
    check(add(ep, efd, EPOLLIN, 1) == -1 && errno == EEXIST, "ADD again is EEXIST");
    int other = eventfd(0, 0);
    check(mod(ep, other, EPOLLIN, 2) == -1 && errno == ENOENT, "MOD of an unwatched fd is ENOENT");
    check(epoll_ctl(ep, EPOLL_CTL_DEL, other, NULL) == -1 && errno == ENOENT,
          "DEL of an unwatched fd is ENOENT");
    check(add(ep, ep, EPOLLIN, 3) == -1 && errno == EINVAL, "ADD of the epoll fd itself is EINVAL");
    check(add(other, efd, EPOLLIN, 3) == -1 && errno == EINVAL, "a non-epoll epfd is EINVAL");
    check(add(ep, 900, EPOLLIN, 3) == -1 && errno == EBADF, "a closed fd is EBADF");
    check(epoll_ctl(ep, 99, efd, &(struct epoll_event){0}) == -1 && errno == EINVAL,
          "an unknown op is EINVAL");
    check(add(ep, other, EPOLLIN | EPOLLEXCLUSIVE, 4) == 0, "ADD with EPOLLEXCLUSIVE");
    check(mod(ep, other, EPOLLIN | EPOLLEXCLUSIVE, 4) == -1 && errno == EINVAL,
          "MOD with EPOLLEXCLUSIVE is EINVAL");
    check(add(ep, 1, EPOLLOUT, 5) == 0, "stdout can be watched");
    if (regular) {
        int fd = open(regular, O_RDONLY);
        check(add(ep, fd, EPOLLIN, 6) == -1 && errno == EPERM, "a regular file is EPERM");
        close(fd);
    }
    struct epoll_event ev[4];
    check(epoll_wait(ep, ev, 0, 0) == -1 && errno == EINVAL, "maxevents 0 is EINVAL");
    check(epoll_wait(efd, ev, 4, 0) == -1 && errno == EINVAL,
          "waiting on a non-epoll fd is EINVAL");
    close(other), close(efd), close(ep);
}

static void check_level_edge_oneshot(void)
{
    int ep = epoll_create1(0);
    int lt = eventfd(0, EFD_NONBLOCK), et = eventfd(0, EFD_NONBLOCK), os = eventfd(0, 0);
    add(ep, lt, EPOLLIN, 10);
    add(ep, et, EPOLLIN | EPOLLET, 20);
    add(ep, os, EPOLLIN | EPOLLONESHOT, 30);
    struct epoll_event ev[8];
    check(wait0(ep, ev, 8) == 0, "nothing written: no events");
    eventfd_write(lt, 1), eventfd_write(et, 1), eventfd_write(os, 1);
    int n = wait0(ep, ev, 8);
    uint64_t sum = 0;
    for (int i = 0; i < n; i++)
        sum += ev[i].data.u64 * (ev[i].events == EPOLLIN);
    check(n == 3 && sum == 60, "all three report EPOLLIN with their data");
    n = wait0(ep, ev, 8);
    check(n == 1 && ev[0].data.u64 == 10, "again: only the level-triggered one");
    eventfd_write(et, 1);
    n = wait0(ep, ev, 8);
    check(n == 2 && (ev[0].data.u64 == 20 || ev[1].data.u64 == 20),
          "a new write reports the edge-triggered one again");
    eventfd_write(os, 1);
    n = wait0(ep, ev, 8);
    check(n == 1 && ev[0].data.u64 == 10, "a fired one-shot stays silent");
    check(mod(ep, os, EPOLLIN | EPOLLONESHOT, 31) == 0, "MOD re-arms the one-shot");
    n = wait0(ep, ev, 8);
    check(n == 2 && (ev[0].data.u64 == 31 || ev[1].data.u64 == 31), "which then reports again");
    check(epoll_ctl(ep, EPOLL_CTL_DEL, lt, NULL) == 0, "DEL the level-triggered one");
    check(wait0(ep, ev, 8) == 0, "now nothing reports");
    eventfd_write(lt, 1);
    close(et);
    eventfd_write(os, 1);
    check(wait0(ep, ev, 8) == 0, "a closed fd leaves the interest list");
    int reused = eventfd(1, 0);
    check(reused == et, "a new eventfd takes the closed one's number");
    check(add(ep, reused, EPOLLIN, 40) == 0, "and can be added (not EEXIST)");
    n = wait0(ep, ev, 8);
    check(n == 1 && ev[0].data.u64 == 40, "it reports with its own data");
    close(reused);
    close(lt), close(os), close(ep);
}

static void check_timeouts_and_timers(void)
{
    int ep = epoll_create1(0);
    int efd = eventfd(0, 0);
    add(ep, efd, EPOLLIN, 1);
    struct epoll_event ev[2];
    long long start = now_ms();
    check(epoll_wait(ep, ev, 2, 50) == 0 && now_ms() - start >= 50,
          "epoll_wait times out at 50 ms");
    int tfd = timerfd_create(CLOCK_MONOTONIC, 0);
    add(ep, tfd, EPOLLIN, 2);
    struct itimerspec s = {.it_value = {0, 30000000}};
    timerfd_settime(tfd, 0, &s, NULL);
    start = now_ms();
    sigset_t mask;
    sigemptyset(&mask);
    int n = epoll_pwait(ep, ev, 2, -1, &mask);
    check(n == 1 && ev[0].data.u64 == 2 && now_ms() - start >= 30,
          "an infinite epoll_pwait wakes when a timerfd expires");
    close(tfd), close(efd), close(ep);
}

static void check_fairness(void)
{
    int ep = epoll_create1(0);
    int fds[3];
    for (int i = 0; i < 3; i++) {
        fds[i] = eventfd(1, 0);
        add(ep, fds[i], EPOLLIN, (uint64_t)(1 << i));
    }
    struct epoll_event ev;
    uint64_t seen = 0;
    for (int i = 0; i < 3; i++)
        if (wait0(ep, &ev, 1) == 1)
            seen |= ev.data.u64;
    check(seen == 7, "maxevents 1: three calls report three different ready fds");
    for (int i = 0; i < 3; i++)
        close(fds[i]);
    close(ep);
}

/* epoll(7): a registration belongs to the open file and the descriptor number it was made with;
 * closing that descriptor while a dup'd one keeps the file open leaves it, still reporting. */
static void check_dup_keeps_registration(void)
{
    int ep = epoll_create1(0);
    int efd = eventfd(0, 0);
    int copy = dup(efd);
    check(add(ep, efd, EPOLLIN, 50) == 0, "ADD an eventfd that has a dup'd copy");
    close(efd);
    eventfd_write(copy, 1);
    struct epoll_event ev[2];
    int n = wait0(ep, ev, 2);
    check(n == 1 && ev[0].data.u64 == 50, "closing one of two descriptors keeps the registration");
    check(epoll_ctl(ep, EPOLL_CTL_DEL, efd, NULL) == -1 && errno == EBADF,
          "DEL by the closed number is EBADF");
    check(epoll_ctl(ep, EPOLL_CTL_DEL, copy, NULL) == -1 && errno == ENOENT,
          "DEL by the copy is ENOENT (it was never added)");
    close(copy);
    int other = eventfd(1, 0);
    check(add(ep, other, EPOLLIN, 51) == 0, "a new file can be added");
    n = wait0(ep, ev, 2);
    check(n == 1 && ev[0].data.u64 == 51, "closing the last descriptor removes the registration");
    close(other), close(ep);
}

static void check_nesting(void)
{
    int inner = epoll_create1(0), outer = epoll_create1(0);
    int efd = eventfd(0, 0);
    add(inner, efd, EPOLLIN, 1);
    check(add(outer, inner, EPOLLIN, 2) == 0, "an epoll fd can watch another");
    check(add(inner, outer, EPOLLIN, 3) == -1 && errno == ELOOP, "a cycle is ELOOP");
    struct epoll_event ev;
    check(wait0(outer, &ev, 1) == 0, "the inner one is not ready yet");
    eventfd_write(efd, 1);
    check(wait0(outer, &ev, 1) == 1 && ev.data.u64 == 2, "it is once its eventfd is");
    close(efd), close(outer), close(inner);
}

int main(int argc, char **argv)
{
    check_create_and_ctl(argc > 1 ? argv[1] : NULL);
    check_level_edge_oneshot();
    check_timeouts_and_timers();
    check_fairness();
    check_dup_keeps_registration();
    check_nesting();
    return checks_finish("events_epoll");
}
