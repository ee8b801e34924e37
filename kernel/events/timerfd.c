/* timerfd: one-shot and interval timers on CLOCK_MONOTONIC, CLOCK_REALTIME and CLOCK_BOOTTIME,
 * read as expiration counts; their next expiration bounds every tickless wait that polls them. */
#include "events.h"
#include "timer_expiry.h"

#define CLOCK_REALTIME          0
#define CLOCK_MONOTONIC         1
#define CLOCK_BOOTTIME          7
#define CLOCK_REALTIME_ALARM    8
#define CLOCK_BOOTTIME_ALARM    9
#define TFD_NONBLOCK            O_NONBLOCK
#define TFD_CLOEXEC             O_CLOEXEC
#define TFD_TIMER_ABSTIME       1
#define TFD_TIMER_CANCEL_ON_SET 2
#define TIMERFD_MAX             64

struct itimerspec64 {
    struct timespec64 interval, value;
};

struct timerfd {
    bool in_use, armed, realtime;
    uint64_t next_ns; /* monotonic time of the next expiration */
    uint64_t interval_ns;
    uint64_t ticks; /* expirations not read yet */
};

static struct timerfd timers[TIMERFD_MAX];

/* Counts the expirations that happened since the last look; each is a readiness event. */
static void timerfd_update(struct file *f)
{
    struct timerfd *t = f->priv;
    if (!t->armed)
        return;
    uint64_t n = timer_expirations(&t->next_ns, t->interval_ns, clock_monotonic_ns());
    if (!n)
        return;
    t->ticks = t->ticks + n < t->ticks ? UINT64_MAX : t->ticks + n;
    if (!t->interval_ns)
        t->armed = false;
    f->wake_seq++;
}

static bool timerfd_expired(void *arg)
{
    struct file *f = arg;
    timerfd_update(f);
    return ((struct timerfd *)f->priv)->ticks > 0;
}

static long timerfd_read(struct file *f, void *buf, size_t len)
{
    struct timerfd *t = f->priv;
    if (len < sizeof(uint64_t))
        return -EINVAL;
    timerfd_update(f);
    if (!t->ticks && (f->flags & O_NONBLOCK))
        return -EAGAIN;
    /* A disarmed timer never expires: Linux blocks for good, and so does this. */
    while (!t->ticks)
        sched_wait(timerfd_expired, f, t->armed ? wait_deadline(t->next_ns) : UINT64_MAX);
    memcpy(buf, &t->ticks, sizeof(t->ticks));
    t->ticks = 0;
    return sizeof(uint64_t);
}

static unsigned timerfd_poll(struct file *f, uint64_t *wake_ns)
{
    struct timerfd *t = f->priv;
    timerfd_update(f);
    if (t->ticks)
        return POLLIN | POLLRDNORM;
    if (t->armed && t->next_ns < *wake_ns)
        *wake_ns = t->next_ns;
    return 0;
}

static long timerfd_stat(struct file *f, struct linux_stat *st)
{
    (void)f;
    st->st_mode = 0600; /* an anonymous inode, as on Linux */
    st->st_nlink = 1;
    st->st_blksize = 4096;
    return 0;
}

static void timerfd_release(struct file *f)
{
    ((struct timerfd *)f->priv)->in_use = false;
}

static const struct file_ops timerfd_ops = {
    .read = timerfd_read,
    .stat = timerfd_stat,
    .release = timerfd_release,
    .poll = timerfd_poll,
};

long sys_timerfd_create(int clockid, int flags)
{
    if (flags & ~(TFD_NONBLOCK | TFD_CLOEXEC))
        return -EINVAL;
    bool realtime = clockid == CLOCK_REALTIME || clockid == CLOCK_REALTIME_ALARM;
    if (!realtime && clockid != CLOCK_MONOTONIC && clockid != CLOCK_BOOTTIME &&
        clockid != CLOCK_BOOTTIME_ALARM)
        return -EINVAL;
    struct timerfd *t = NULL;
    for (size_t i = 0; i < TIMERFD_MAX && !t; i++)
        if (!timers[i].in_use)
            t = &timers[i];
    if (!t)
        return -EMFILE;
    struct file *f = file_alloc(&timerfd_ops, O_RDWR | (flags & TFD_NONBLOCK));
    if (!f)
        return -ENFILE;
    memset(t, 0, sizeof(*t));
    t->in_use = true, t->realtime = realtime;
    f->priv = t;
    int fd = fd_install(f, 0, flags & TFD_CLOEXEC);
    if (fd < 0)
        file_put(f);
    return fd;
}

static struct file *timerfd_get(int fd, long *err)
{
    struct file *f = fd_get(fd);
    *err = !f ? -EBADF : f->ops != &timerfd_ops ? -EINVAL : 0;
    return *err ? NULL : f;
}

static bool timespec_valid(const struct timespec64 *ts)
{
    return ts->sec >= 0 && ts->nsec >= 0 && ts->nsec < (int64_t)NS_PER_SEC;
}

static uint64_t timespec_ns(const struct timespec64 *ts)
{
    uint64_t sec = (uint64_t)ts->sec;
    if (sec > (UINT64_MAX - NS_PER_SEC) / NS_PER_SEC)
        return UINT64_MAX;
    return sec * NS_PER_SEC + (uint64_t)ts->nsec;
}

static void ns_timespec(uint64_t ns, struct timespec64 *ts)
{
    ts->sec = (int64_t)(ns / NS_PER_SEC), ts->nsec = (int64_t)(ns % NS_PER_SEC);
}

long sys_timerfd_gettime(int fd, void *cur_value)
{
    long err;
    struct file *f = timerfd_get(fd, &err);
    if (!f)
        return err;
    struct timerfd *t = f->priv;
    timerfd_update(f);
    struct itimerspec64 *cur = cur_value;
    uint64_t now = clock_monotonic_ns();
    ns_timespec(t->armed && t->next_ns > now ? t->next_ns - now : 0, &cur->value);
    ns_timespec(t->interval_ns, &cur->interval);
    return 0;
}

long sys_timerfd_settime(int fd, int flags, const void *new_value, void *old_value)
{
    long err;
    struct file *f = timerfd_get(fd, &err);
    if (!f)
        return err;
    if (flags & ~(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET))
        return -EINVAL;
    const struct itimerspec64 *nv = new_value;
    if (!timespec_valid(&nv->value) || !timespec_valid(&nv->interval))
        return -EINVAL;
    struct itimerspec64 want = *nv; /* new_value and old_value may be the same memory */
    if (old_value)
        sys_timerfd_gettime(fd, old_value);
    struct timerfd *t = f->priv;
    t->ticks = 0;
    t->interval_ns = timespec_ns(&want.interval);
    t->armed = want.value.sec || want.value.nsec;
    if (!t->armed)
        return 0;
    uint64_t value = timespec_ns(&want.value), now = clock_monotonic_ns();
    if (!(flags & TFD_TIMER_ABSTIME)) {
        t->next_ns = value > UINT64_MAX - now ? UINT64_MAX : now + value;
    } else if (t->realtime) {
        /* The wall clock here moves with the monotonic one, so the offset between them is fixed
         * and one conversion holds until the timer fires. */
        uint64_t offset = clock_realtime_ns() - now;
        t->next_ns = value > offset ? value - offset : 0;
    } else {
        t->next_ns = value;
    }
    return 0;
}
