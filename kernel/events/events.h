/* Shared by the event syscalls: readiness of any file, the tickless wait, the syscall handlers. */
#ifndef ATOLL_EVENTS_H
#define ATOLL_EVENTS_H

#include "atoll/file.h"
#include "atoll/kernel.h"

#define NS_PER_SEC 1000000000ull

struct timespec64 {
    int64_t sec, nsec;
};

/* Readiness of f now; lowers *wake_ns when it changes at a known time (timers). */
unsigned file_readiness(struct file *f, uint64_t *wake_ns);

/* A scan computes readiness of a set of files; returns true when something is ready, and lowers
 * *wake_ns to the next time a timer among them changes its readiness. */
typedef bool (*events_scan_fn)(void *ctx, uint64_t *wake_ns);
/* Waits, halting tickless, until scan reports readiness (returns true) or the monotonic deadline
 * passes (returns false). UINT64_MAX waits forever. */
bool events_wait(events_scan_fn scan, void *ctx, uint64_t deadline_ns);

/* Deadlines this far away (146 years) are waited for as "forever": converted to TSC ticks they
 * would not fit in 64 bits and would fire at once. */
#define EVENTS_FOREVER_NS (1ull << 62)
uint64_t wait_deadline(uint64_t deadline_ns);

/* Converts a relative timeout to a monotonic deadline; -EINVAL for a malformed timespec. */
long deadline_from_timespec(const struct timespec64 *ts, uint64_t *deadline_ns);
/* Writes the time left until deadline (0 when passed) back, as Linux does for ppoll and select. */
void timespec_store_left(struct timespec64 *ts, uint64_t deadline_ns);

/* poll.c */
long sys_poll(void *fds, unsigned long nfds, int timeout_ms);
long sys_ppoll(void *fds, unsigned long nfds, struct timespec64 *ts, const void *sigmask,
               size_t sigsetsize);
long sys_select(int n, void *rfds, void *wfds, void *efds, void *tv);
long sys_pselect6(int n, void *rfds, void *wfds, void *efds, struct timespec64 *ts,
                  const void *sigmask_and_size);

/* epoll.c */
long sys_epoll_create(int size);
long sys_epoll_create1(int flags);
long sys_epoll_ctl(int epfd, int op, int fd, void *event);
long sys_epoll_wait(int epfd, void *events, int maxevents, int timeout_ms);
long sys_epoll_pwait(int epfd, void *events, int maxevents, int timeout_ms, const void *sigmask,
                     size_t sigsetsize);
long sys_epoll_pwait2(int epfd, void *events, int maxevents, const struct timespec64 *ts,
                      const void *sigmask, size_t sigsetsize);

/* eventfd.c */
long sys_eventfd(unsigned initval);
long sys_eventfd2(unsigned initval, int flags);

/* timerfd.c */
long sys_timerfd_create(int clockid, int flags);
long sys_timerfd_settime(int fd, int flags, const void *new_value, void *old_value);
long sys_timerfd_gettime(int fd, void *cur_value);

#endif
