/* eventfd: a 64-bit counter that writes add to and reads take (all of it, or one in semaphore
 * mode), with Linux's limits and blocking rules. */
#include "events.h"

#define EFD_SEMAPHORE 1
#define EFD_NONBLOCK  O_NONBLOCK
#define EFD_CLOEXEC   O_CLOEXEC
#define EVENTFD_MAX   0xfffffffffffffffeull /* the counter never reaches 2^64 - 1 */

/* The counter lives in the file's pos (an eventfd is not seekable); the mode in priv. */
static bool semaphore_mode(struct file *f)
{
    return f->priv != NULL;
}

static bool can_read(void *arg)
{
    return ((struct file *)arg)->pos > 0;
}

struct pending_add {
    struct file *f;
    uint64_t value;
};

static bool can_add(void *arg)
{
    struct pending_add *p = arg;
    return p->value <= EVENTFD_MAX - p->f->pos;
}

static long eventfd_read(struct file *f, void *buf, size_t len)
{
    if (len < sizeof(uint64_t))
        return -EINVAL;
    if (!f->pos) {
        if (f->flags & O_NONBLOCK)
            return -EAGAIN;
        sched_wait(can_read, f, UINT64_MAX);
    }
    uint64_t value = semaphore_mode(f) ? 1 : f->pos;
    f->pos -= value;
    f->wake_seq++;
    memcpy(buf, &value, sizeof(value));
    return sizeof(value);
}

static long eventfd_write(struct file *f, const void *buf, size_t len)
{
    if (len < sizeof(uint64_t))
        return -EINVAL;
    struct pending_add p = {f, 0};
    memcpy(&p.value, buf, sizeof(p.value));
    if (p.value == UINT64_MAX)
        return -EINVAL;
    if (!can_add(&p)) {
        if (f->flags & O_NONBLOCK)
            return -EAGAIN;
        sched_wait(can_add, &p, UINT64_MAX);
    }
    f->pos += p.value;
    f->wake_seq++;
    return sizeof(p.value);
}

static unsigned eventfd_poll(struct file *f, uint64_t *wake_ns)
{
    (void)wake_ns;
    unsigned mask = 0;
    if (f->pos > 0)
        mask |= POLLIN | POLLRDNORM;
    if (f->pos < EVENTFD_MAX)
        mask |= POLLOUT | POLLWRNORM;
    return mask;
}

static long eventfd_stat(struct file *f, struct linux_stat *st)
{
    (void)f;
    st->st_mode = 0600; /* an anonymous inode, as on Linux */
    st->st_nlink = 1;
    st->st_blksize = 4096;
    return 0;
}

static const struct file_ops eventfd_ops = {
    .read = eventfd_read,
    .write = eventfd_write,
    .stat = eventfd_stat,
    .poll = eventfd_poll,
};

long sys_eventfd2(unsigned initval, int flags)
{
    if (flags & ~(EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC))
        return -EINVAL;
    struct file *f = file_alloc(&eventfd_ops, O_RDWR | (flags & EFD_NONBLOCK));
    if (!f)
        return -ENFILE;
    f->pos = initval;
    f->priv = (flags & EFD_SEMAPHORE) ? (void *)&eventfd_ops : NULL;
    int fd = fd_install(f, 0, flags & EFD_CLOEXEC);
    if (fd < 0)
        file_put(f);
    return fd;
}

long sys_eventfd(unsigned initval)
{
    return sys_eventfd2(initval, 0);
}
