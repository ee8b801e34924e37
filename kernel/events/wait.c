/* Readiness of any file and the tickless wait every blocking event syscall goes through. */
#include "events.h"

unsigned file_readiness(struct file *f, uint64_t *wake_ns)
{
    return f->ops->poll ? f->ops->poll(f, wake_ns) : POLL_DEFAULT_MASK;
}

uint64_t wait_deadline(uint64_t deadline_ns)
{
    return deadline_ns > EVENTS_FOREVER_NS ? UINT64_MAX : deadline_ns;
}

struct wait_ctx {
    events_scan_fn scan;
    void *ctx;
};

static bool wait_ready(void *arg)
{
    struct wait_ctx *w = arg;
    uint64_t ignored = UINT64_MAX;
    return w->scan(w->ctx, &ignored);
}

bool events_wait(events_scan_fn scan, void *ctx, uint64_t deadline_ns)
{
    struct wait_ctx w = {scan, ctx};
    for (;;) {
        uint64_t wake_ns = deadline_ns;
        if (scan(ctx, &wake_ns))
            return true;
        if (deadline_ns != UINT64_MAX && clock_monotonic_ns() >= deadline_ns)
            return false;
        /* The halt ends at the caller's deadline or at the next timer among the files, whichever
         * comes first; a device interrupt ends it earlier. Either way the scan runs again. */
        if (sched_wait(wait_ready, &w, wait_deadline(wake_ns)) == 0)
            return true; /* the last scan, in wait_ready, left its results */
    }
}

long deadline_from_timespec(const struct timespec64 *ts, uint64_t *deadline_ns)
{
    if (!ts) {
        *deadline_ns = UINT64_MAX;
        return 0;
    }
    if (ts->sec < 0 || ts->nsec < 0 || ts->nsec >= (int64_t)NS_PER_SEC)
        return -EINVAL;
    uint64_t now = clock_monotonic_ns();
    uint64_t sec = (uint64_t)ts->sec;
    if (sec >= (UINT64_MAX - now) / NS_PER_SEC - 1)
        *deadline_ns = UINT64_MAX;
    else
        *deadline_ns = now + sec * NS_PER_SEC + (uint64_t)ts->nsec;
    return 0;
}

void timespec_store_left(struct timespec64 *ts, uint64_t deadline_ns)
{
    if (!ts || deadline_ns == UINT64_MAX)
        return;
    uint64_t now = clock_monotonic_ns();
    uint64_t left = deadline_ns > now ? deadline_ns - now : 0;
    ts->sec = (int64_t)(left / NS_PER_SEC);
    ts->nsec = (int64_t)(left % NS_PER_SEC);
}
