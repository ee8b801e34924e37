/* poll, ppoll, select and pselect6: one scan over the given descriptors, repeated after every
 * wakeup until something is ready or the timeout passes. */
#include "atoll/syscall.h"
#include "events.h"

#define SIGSET_SIZE   8
#define FDSET_LONGS   (FD_MAX / 64)
#define SELECT_READ   (POLLIN | POLLRDNORM | POLLRDBAND | POLLHUP | POLLERR)
#define SELECT_WRITE  (POLLOUT | POLLWRNORM | POLLWRBAND | POLLERR)
#define SELECT_EXCEPT POLLPRI

struct pollfd {
    int fd;
    short events, revents;
};

struct poll_ctx {
    struct pollfd *fds;
    unsigned long nfds;
};

static bool poll_scan(void *arg, uint64_t *wake_ns)
{
    struct poll_ctx *p = arg;
    bool any = false;
    for (unsigned long i = 0; i < p->nfds; i++) {
        struct pollfd *pfd = &p->fds[i];
        pfd->revents = 0;
        if (pfd->fd < 0)
            continue;
        struct file *f = fd_get(pfd->fd);
        unsigned mask = f ? file_readiness(f, wake_ns) : POLLNVAL;
        /* Errors, hangups and invalid descriptors are reported whether asked for or not. */
        pfd->revents = (short)(mask & ((unsigned short)pfd->events | POLLERR | POLLHUP | POLLNVAL));
        any |= pfd->revents != 0;
    }
    return any;
}

static long do_poll(struct pollfd *fds, unsigned long nfds, uint64_t deadline_ns)
{
    if (nfds > FD_MAX)
        return -EINVAL;
    struct poll_ctx p = {fds, nfds};
    if (!events_wait(poll_scan, &p, deadline_ns))
        return 0;
    long ready = 0;
    for (unsigned long i = 0; i < nfds; i++)
        ready += fds[i].revents != 0;
    return ready;
}

long sys_poll(void *fds, unsigned long nfds, int timeout_ms)
{
    uint64_t deadline = UINT64_MAX;
    if (timeout_ms >= 0)
        deadline = clock_monotonic_ns() + (uint64_t)timeout_ms * 1000000ull;
    return do_poll(fds, nfds, deadline);
}

long sys_ppoll(void *fds, unsigned long nfds, struct timespec64 *ts, const void *sigmask,
               size_t sigsetsize)
{
    /* No signal is ever delivered asynchronously here, so the mask only needs to be well formed. */
    if (sigmask && sigsetsize != SIGSET_SIZE)
        return -EINVAL;
    uint64_t deadline;
    long r = deadline_from_timespec(ts, &deadline);
    if (r < 0)
        return r;
    r = do_poll(fds, nfds, deadline);
    timespec_store_left(ts, deadline);
    return r;
}

struct select_ctx {
    int n;
    uint64_t in[3][FDSET_LONGS];
    uint64_t out[3][FDSET_LONGS];
    long count;
};

static bool select_scan(void *arg, uint64_t *wake_ns)
{
    static const unsigned wanted[3] = {SELECT_READ, SELECT_WRITE, SELECT_EXCEPT};
    struct select_ctx *s = arg;
    memset(s->out, 0, sizeof(s->out));
    s->count = 0;
    for (int fd = 0; fd < s->n; fd++) {
        uint64_t bit = 1ull << (fd % 64);
        int word = fd / 64;
        if (!((s->in[0][word] | s->in[1][word] | s->in[2][word]) & bit))
            continue;
        unsigned mask = file_readiness(fd_get(fd), wake_ns);
        for (int set = 0; set < 3; set++) {
            if ((s->in[set][word] & bit) && (mask & wanted[set])) {
                s->out[set][word] |= bit;
                s->count++;
            }
        }
    }
    return s->count > 0;
}

static long do_select(int n, uint64_t *sets[3], uint64_t deadline_ns)
{
    if (n < 0)
        return -EINVAL;
    if (n > FD_MAX)
        n = FD_MAX;
    static struct select_ctx s; /* one vCPU, one caller at a time: kept off the kernel stack */
    memset(&s, 0, sizeof(s));
    s.n = n;
    size_t bytes = (size_t)(n + 63) / 64 * 8;
    for (int set = 0; set < 3; set++)
        if (sets[set])
            memcpy(s.in[set], sets[set], bytes);
    for (int fd = 0; fd < n; fd++) {
        uint64_t bit = 1ull << (fd % 64);
        if (((s.in[0][fd / 64] | s.in[1][fd / 64] | s.in[2][fd / 64]) & bit) && !fd_get(fd))
            return -EBADF;
    }
    if (!events_wait(select_scan, &s, deadline_ns))
        memset(s.out, 0, sizeof(s.out)), s.count = 0;
    for (int set = 0; set < 3; set++)
        if (sets[set])
            memcpy(sets[set], s.out[set], bytes);
    return s.count;
}

long sys_select(int n, void *rfds, void *wfds, void *efds, void *tv)
{
    int64_t *timeval = tv;
    struct timespec64 ts, *tsp = NULL;
    if (timeval) {
        if (timeval[0] < 0 || timeval[1] < 0 || timeval[1] >= 1000000)
            return -EINVAL;
        ts.sec = timeval[0], ts.nsec = timeval[1] * 1000;
        tsp = &ts;
    }
    uint64_t deadline;
    long r = deadline_from_timespec(tsp, &deadline);
    if (r < 0)
        return r;
    uint64_t *sets[3] = {rfds, wfds, efds};
    r = do_select(n, sets, deadline);
    if (timeval && r >= 0) {
        timespec_store_left(&ts, deadline);
        timeval[0] = ts.sec, timeval[1] = ts.nsec / 1000;
    }
    return r;
}

long sys_pselect6(int n, void *rfds, void *wfds, void *efds, struct timespec64 *ts,
                  const void *sigmask_and_size)
{
    /* The sixth argument points at {const sigset_t *mask; size_t size}. */
    const uint64_t *mask_arg = sigmask_and_size;
    if (mask_arg && mask_arg[0] && mask_arg[1] != SIGSET_SIZE)
        return -EINVAL;
    uint64_t deadline;
    long r = deadline_from_timespec(ts, &deadline);
    if (r < 0)
        return r;
    uint64_t *sets[3] = {rfds, wfds, efds};
    r = do_select(n, sets, deadline);
    if (r >= 0)
        timespec_store_left(ts, deadline);
    return r;
}
