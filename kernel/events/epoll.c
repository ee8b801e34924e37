/* epoll: interest lists over any pollable file, level- or edge-triggered, one-shot, with the
 * Linux checks of epoll_ctl and a fair rotation of what epoll_wait reports. */
#include "events.h"

#define EPOLL_CLOEXEC  O_CLOEXEC
#define EPOLL_CTL_ADD  1
#define EPOLL_CTL_DEL  2
#define EPOLL_CTL_MOD  3
#define EPOLLEXCLUSIVE (1u << 28)
#define EPOLLWAKEUP    (1u << 29)
#define EPOLLONESHOT   (1u << 30)
#define EPOLLET        (1u << 31)
#define EPOLL_EXCLUSIVE_OK                                                                         \
    (POLLIN | POLLOUT | POLLERR | POLLHUP | EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE)
#define EPOLL_MAX_NESTS 4
#define EPOLL_MAX       64
#define EPOLL_ITEMS_MAX 1024
#define EP_MAX_EVENTS   (0x7fffffff / 12)

struct epoll_event {
    uint32_t events;
    uint64_t data;
} __attribute__((packed));

struct epoll_item {
    bool in_use;
    bool pending;  /* edge-triggered: added or modified, not reported since */
    bool disabled; /* one-shot: reported, waiting for EPOLL_CTL_MOD */
    int fd;
    struct file *file;
    uint32_t events; /* asked for, EPOLLERR and EPOLLHUP always included */
    uint32_t seen_seq;
    uint64_t data;
    int next, prev; /* the instance's list, in report order; -1 ends it */
    struct epoll *owner;
};

struct epoll {
    bool in_use;
    int head, tail, count;
};

static struct epoll_item items[EPOLL_ITEMS_MAX];
/* One past the highest item in use: new items take the lowest free slot, so the scans below stop
 * here instead of walking all 1,024 slots on every epoll call (under TCG the full walk cost a
 * third of a TCP round trip's guest instructions). */
static int items_top;
static struct epoll instances[EPOLL_MAX];
static const struct file_ops epoll_ops;

static void list_unlink(struct epoll *ep, int i)
{
    struct epoll_item *it = &items[i];
    if (it->prev >= 0)
        items[it->prev].next = it->next;
    else
        ep->head = it->next;
    if (it->next >= 0)
        items[it->next].prev = it->prev;
    else
        ep->tail = it->prev;
    ep->count--;
}

static void list_append(struct epoll *ep, int i)
{
    items[i].next = -1, items[i].prev = ep->tail;
    if (ep->tail >= 0)
        items[ep->tail].next = i;
    else
        ep->head = i;
    ep->tail = i;
    ep->count++;
}

/* Every item holds a reference to its file. That keeps a closed file's slot from being reused
 * while an item still names it, so a closed descriptor is told apart from a new file that got the
 * same number; the reference is dropped as soon as the closing is noticed. */
static void item_free(struct epoll *ep, int i)
{
    list_unlink(ep, i);
    items[i].in_use = false;
    while (items_top > 0 && !items[items_top - 1].in_use)
        items_top--;
    file_put(items[i].file);
}

/* Called by the core's close() when a file's last descriptor goes: its items go at once, so the
 * file (a socket's port, say) is released when the program closes it. Until then a registration
 * lives, as on Linux, where closing one of two dup'd descriptors leaves it, still reporting,
 * under the closed number (epoll(7)). */
void atoll_events_fd_closed(struct file *f)
{
    for (int i = 0; i < items_top; i++)
        if (items[i].in_use && items[i].file == f)
            item_free(items[i].owner, i);
}

/* What item i reports now (0: nothing). With commit, the report counts: edge-triggered items
 * wait for the next event and one-shot items disable themselves. Every item's file still has a
 * descriptor here: the last close removes its items at once (atoll_events_fd_closed). */
static uint32_t item_events(int i, bool commit, uint64_t *wake_ns)
{
    struct epoll_item *it = &items[i];
    if (it->disabled)
        return 0;
    uint32_t ready = file_readiness(it->file, wake_ns) & it->events;
    if (!ready)
        return 0;
    if ((it->events & EPOLLET) && !it->pending && it->seen_seq == it->file->wake_seq)
        return 0;
    if (commit) {
        it->pending = false;
        it->seen_seq = it->file->wake_seq;
        it->disabled = it->events & EPOLLONESHOT;
    }
    return ready;
}

static bool epoll_any_ready(void *arg, uint64_t *wake_ns)
{
    struct epoll *ep = arg;
    bool any = false;
    for (int i = ep->head, next; i >= 0; i = next) {
        next = items[i].next;
        any |= item_events(i, false, wake_ns) != 0;
    }
    return any;
}

/* Fills up to max events; reported items move to the end of the list, so a busy descriptor
 * cannot starve the others when max is small. */
static int epoll_collect(struct epoll *ep, struct epoll_event *out, int max, uint64_t *wake_ns)
{
    int n = 0, steps = ep->count;
    for (int i = ep->head, next; i >= 0 && steps-- > 0 && n < max; i = next) {
        next = items[i].next;
        uint32_t ev = item_events(i, true, wake_ns);
        if (!ev)
            continue;
        out[n].events = ev, out[n].data = items[i].data;
        n++;
        list_unlink(ep, i);
        list_append(ep, i);
    }
    return n;
}

/* epoll_wait's scan collects as it goes: one pass finds what is ready and reports it (a scan
 * that finds nothing commits nothing), instead of a readiness pass followed by a collecting one
 * over every item. */
struct collect {
    struct epoll *ep;
    struct epoll_event *out;
    int max, n;
};

static bool epoll_collect_scan(void *arg, uint64_t *wake_ns)
{
    struct collect *c = arg;
    c->n = epoll_collect(c->ep, c->out, c->max, wake_ns);
    return c->n > 0;
}

static unsigned epoll_poll(struct file *f, uint64_t *wake_ns)
{
    static int depth; /* nesting is bounded at epoll_ctl; this guards the recursion anyway */
    if (depth > EPOLL_MAX_NESTS)
        return 0;
    depth++;
    bool any = epoll_any_ready(f->priv, wake_ns);
    depth--;
    return any ? POLLIN | POLLRDNORM : 0;
}

static void epoll_release(struct file *f)
{
    struct epoll *ep = f->priv;
    while (ep->head >= 0)
        item_free(ep, ep->head);
    ep->in_use = false;
}

static long epoll_stat(struct file *f, struct linux_stat *st)
{
    (void)f;
    st->st_mode = 0600; /* an anonymous inode, as on Linux */
    st->st_nlink = 1;
    st->st_blksize = 4096;
    return 0;
}

static const struct file_ops epoll_ops = {
    .stat = epoll_stat,
    .release = epoll_release,
    .poll = epoll_poll,
};

long sys_epoll_create1(int flags)
{
    if (flags & ~EPOLL_CLOEXEC)
        return -EINVAL;
    struct epoll *ep = NULL;
    for (size_t i = 0; i < EPOLL_MAX && !ep; i++)
        if (!instances[i].in_use)
            ep = &instances[i];
    if (!ep)
        return -EMFILE;
    struct file *f = file_alloc(&epoll_ops, O_RDWR);
    if (!f)
        return -ENFILE;
    *ep = (struct epoll){.in_use = true, .head = -1, .tail = -1};
    f->priv = ep;
    int fd = fd_install(f, 0, flags & EPOLL_CLOEXEC);
    if (fd < 0)
        file_put(f);
    return fd;
}

long sys_epoll_create(int size)
{
    return size <= 0 ? -EINVAL : sys_epoll_create1(0);
}

/* Linux refuses regular files and directories: they have no poll method. The console has one
 * there, so a file without a poll op here is pollable unless it is one of those. */
static bool pollable(struct file *f)
{
    if (f->ops->poll)
        return true;
    struct linux_stat st = {0};
    if (f->ops->stat && f->ops->stat(f, &st) == 0) {
        uint32_t type = st.st_mode & S_IFMT;
        return type != S_IFREG && type != S_IFDIR;
    }
    return false;
}

/* True when watching `target` from `ep` would make a cycle or nest too deep. */
static bool would_loop(const struct epoll *ep, const struct epoll *target, int depth)
{
    if (target == ep || depth >= EPOLL_MAX_NESTS)
        return true;
    for (int i = target->head; i >= 0; i = items[i].next) {
        const struct epoll_item *it = &items[i];
        if (it->file->ops == &epoll_ops && would_loop(ep, it->file->priv, depth + 1))
            return true;
    }
    return false;
}

static int item_find(struct epoll *ep, int fd, const struct file *f)
{
    for (int i = ep->head; i >= 0; i = items[i].next)
        if (items[i].fd == fd && items[i].file == f)
            return i;
    return -1;
}

static long item_add(struct epoll *ep, int fd, struct file *tf, const struct epoll_event *ev)
{
    int slot = -1;
    for (int i = 0; i < EPOLL_ITEMS_MAX && slot < 0; i++)
        if (!items[i].in_use)
            slot = i;
    if (slot < 0)
        return -ENOSPC; /* Linux's answer when max_user_watches is reached */
    if (slot >= items_top)
        items_top = slot + 1;
    items[slot] = (struct epoll_item){
        .in_use = true,
        .pending = true,
        .fd = fd,
        .file = tf,
        .events = ev->events | POLLERR | POLLHUP,
        .seen_seq = tf->wake_seq,
        .data = ev->data,
        .owner = ep,
    };
    tf->refs++;
    list_append(ep, slot);
    return 0;
}

long sys_epoll_ctl(int epfd, int op, int fd, void *event)
{
    const struct epoll_event *ev = event;
    bool has_event = op == EPOLL_CTL_ADD || op == EPOLL_CTL_MOD;
    if (has_event && !ev)
        return -EFAULT;
    struct file *ef = fd_get(epfd), *tf = fd_get(fd);
    if (!ef || !tf)
        return -EBADF;
    if (!pollable(tf))
        return -EPERM;
    if (has_event && (ev->events & EPOLLEXCLUSIVE)) {
        if (op == EPOLL_CTL_MOD)
            return -EINVAL;
        if (tf->ops == &epoll_ops || (ev->events & ~EPOLL_EXCLUSIVE_OK))
            return -EINVAL;
    }
    if (ef == tf || ef->ops != &epoll_ops)
        return -EINVAL;
    struct epoll *ep = ef->priv;
    if (op == EPOLL_CTL_ADD && tf->ops == &epoll_ops && would_loop(ep, tf->priv, 0))
        return -ELOOP;
    int i = item_find(ep, fd, tf);
    switch (op) {
    case EPOLL_CTL_ADD:
        return i >= 0 ? -EEXIST : item_add(ep, fd, tf, ev);
    case EPOLL_CTL_DEL:
        if (i < 0)
            return -ENOENT;
        item_free(ep, i);
        return 0;
    case EPOLL_CTL_MOD:
        if (i < 0)
            return -ENOENT;
        if (items[i].events & EPOLLEXCLUSIVE)
            return -EINVAL;
        items[i].events = ev->events | POLLERR | POLLHUP;
        items[i].data = ev->data;
        items[i].pending = true, items[i].disabled = false;
        return 0;
    default:
        return -EINVAL;
    }
}

static long epoll_wait_until(int epfd, void *events, int maxevents, uint64_t deadline_ns)
{
    if (maxevents <= 0 || maxevents > EP_MAX_EVENTS)
        return -EINVAL;
    struct file *f = fd_get(epfd);
    if (!f)
        return -EBADF;
    if (f->ops != &epoll_ops)
        return -EINVAL;
    struct collect c = {f->priv, events, maxevents, 0};
    return events_wait(epoll_collect_scan, &c, deadline_ns) ? c.n : 0;
}

static uint64_t deadline_from_ms(int timeout_ms)
{
    return timeout_ms < 0 ? UINT64_MAX : clock_monotonic_ns() + (uint64_t)timeout_ms * 1000000ull;
}

long sys_epoll_wait(int epfd, void *events, int maxevents, int timeout_ms)
{
    return epoll_wait_until(epfd, events, maxevents, deadline_from_ms(timeout_ms));
}

long sys_epoll_pwait(int epfd, void *events, int maxevents, int timeout_ms, const void *sigmask,
                     size_t sigsetsize)
{
    /* No signal is ever delivered asynchronously here, so the mask only needs to be well formed. */
    if (sigmask && sigsetsize != 8)
        return -EINVAL;
    return epoll_wait_until(epfd, events, maxevents, deadline_from_ms(timeout_ms));
}

long sys_epoll_pwait2(int epfd, void *events, int maxevents, const struct timespec64 *ts,
                      const void *sigmask, size_t sigsetsize)
{
    if (sigmask && sigsetsize != 8)
        return -EINVAL;
    uint64_t deadline;
    long r = deadline_from_timespec(ts, &deadline);
    return r < 0 ? r : epoll_wait_until(epfd, events, maxevents, deadline);
}
