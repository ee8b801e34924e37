/* The descriptor table and the fd-generic syscalls: read/write families, lseek, close, dup, fcntl,
 * ioctl. */
#include "atoll/file.h"
#include "atoll/kernel.h"
#include "atoll/syscall.h"

#define FILES_MAX       (FD_MAX + 64) /* every descriptor may hold its own file (1,000 sockets) */
#define F_DUPFD         0
#define F_GETFD         1
#define F_SETFD         2
#define F_GETFL         3
#define F_SETFL         4
#define F_DUPFD_CLOEXEC 1030
#define FD_CLOEXEC      1
#define FIONBIO         0x5421
#define IOV_MAX         1024

static struct file files[FILES_MAX];
static struct file *fds[FD_MAX];
static bool cloexec[FD_MAX];

struct file *file_alloc(const struct file_ops *ops, int flags)
{
    for (size_t i = 0; i < FILES_MAX; i++) {
        if (!files[i].refs) {
            memset(&files[i], 0, sizeof(files[i]));
            files[i].ops = ops, files[i].refs = 1, files[i].flags = flags;
            return &files[i];
        }
    }
    return NULL;
}

void file_put(struct file *f)
{
    if (--f->refs == 0 && f->ops->release)
        f->ops->release(f);
}

int fd_install(struct file *f, int min, bool close_on_exec)
{
    for (int fd = MAX(min, 0); fd < FD_MAX; fd++) {
        if (!fds[fd]) {
            fds[fd] = f, cloexec[fd] = close_on_exec;
            f->nfds++;
            return fd;
        }
    }
    return -EMFILE;
}

struct file *fd_get(int fd)
{
    return fd >= 0 && fd < FD_MAX ? fds[fd] : NULL;
}

static long sys_read(int fd, void *buf, size_t len)
{
    struct file *f = fd_get(fd);
    if (!f || (f->flags & O_ACCMODE) == O_WRONLY)
        return -EBADF;
    if (!f->ops->read)
        return (f->entry.mode & S_IFMT) == S_IFDIR ? -EISDIR : -EINVAL;
    return f->ops->read(f, buf, len);
}

static long sys_write(int fd, const void *buf, size_t len)
{
    struct file *f = fd_get(fd);
    if (!f || (f->flags & O_ACCMODE) == 0)
        return -EBADF;
    return f->ops->write ? f->ops->write(f, buf, len) : -EINVAL;
}

static long sys_pread64(int fd, void *buf, size_t len, int64_t off)
{
    struct file *f = fd_get(fd);
    if (!f)
        return -EBADF;
    if (off < 0)
        return -EINVAL;
    return f->ops->pread ? f->ops->pread(f, buf, len, (uint64_t)off) : -ESPIPE;
}

enum iov_op { IOV_READ, IOV_WRITE, IOV_PREAD };

/* One transfer per element, stopping at the first short one, as Linux's vectored calls behave for
 * a single file position. An error after some bytes moved reports the bytes. */
static long iov_loop(int fd, const struct kiovec *iov, int n, enum iov_op op, int64_t off)
{
    if (n < 0 || n > IOV_MAX)
        return -EINVAL;
    struct file *f = fd_get(fd);
    if (!f)
        return -EBADF;
    if (op == IOV_WRITE && f->ops->writev)
        return (f->flags & O_ACCMODE) == 0 ? -EBADF : f->ops->writev(f, iov, n);
    if (op == IOV_READ && f->ops->readv)
        return (f->flags & O_ACCMODE) == O_WRONLY ? -EBADF : f->ops->readv(f, iov, n);
    long total = 0;
    for (int i = 0; i < n; i++) {
        if (!iov[i].len)
            continue;
        long r = op == IOV_WRITE  ? sys_write(fd, iov[i].base, iov[i].len)
                 : op == IOV_READ ? sys_read(fd, iov[i].base, iov[i].len)
                                  : sys_pread64(fd, iov[i].base, iov[i].len, off + total);
        if (r < 0)
            return total ? total : r;
        total += r;
        if ((size_t)r < iov[i].len)
            break;
    }
    return total;
}

static long sys_readv(int fd, const struct kiovec *iov, int n)
{
    return iov_loop(fd, iov, n, IOV_READ, 0);
}

static long sys_writev(int fd, const struct kiovec *iov, int n)
{
    return iov_loop(fd, iov, n, IOV_WRITE, 0);
}

static long sys_preadv(int fd, const struct kiovec *iov, int n, int64_t off)
{
    return off < 0 ? -EINVAL : iov_loop(fd, iov, n, IOV_PREAD, off);
}

static long sys_lseek(int fd, int64_t off, int whence)
{
    struct file *f = fd_get(fd);
    if (!f)
        return -EBADF;
    if (!f->ops->seekable)
        return -ESPIPE;
    int64_t base;
    switch (whence) {
    case 0:
        base = 0;
        break;
    case 1:
        base = (int64_t)f->pos;
        break;
    case 2:
        base = (int64_t)f->entry.size;
        break;
    default:
        return -EINVAL;
    }
    if ((off > 0 && base > INT64_MAX - off) || base + off < 0)
        return -EINVAL;
    f->pos = (uint64_t)(base + off);
    if ((f->entry.mode & S_IFMT) == S_IFDIR && f->pos == 0)
        f->dir_cookie = 0, f->dir_emitted_dots = 0; /* rewinddir */
    return (long)f->pos;
}

/* The event syscalls member (absent: NULL) drops a file's epoll registrations once its last
 * descriptor is closed. */
void atoll_events_fd_closed(struct file *f) __attribute__((weak));

static long sys_close(int fd)
{
    struct file *f = fd_get(fd);
    if (!f)
        return -EBADF;
    fds[fd] = NULL;
    f->nfds--;
    if (atoll_events_fd_closed && f->nfds == 0)
        atoll_events_fd_closed(f);
    file_put(f);
    return 0;
}

/* A TCP connection still open at exit sends its FIN (or its RST, with unread data) as on Linux;
 * the network's exit path then waits, bounded, for the peer to acknowledge it. */
void fd_close_all(void)
{
    for (int fd = 0; fd < FD_MAX; fd++)
        if (fds[fd])
            sys_close(fd);
}

static long dup_to(struct file *f, int min, bool close_on_exec)
{
    int fd = fd_install(f, min, close_on_exec);
    if (fd >= 0)
        f->refs++;
    return fd;
}

static long sys_dup(int fd)
{
    struct file *f = fd_get(fd);
    return f ? dup_to(f, 0, false) : -EBADF;
}

static long sys_dup3(int old, int new, int flags)
{
    struct file *f = fd_get(old);
    if (!f)
        return -EBADF;
    if (old == new || new < 0 || new >= FD_MAX || (flags & ~O_CLOEXEC))
        return -EINVAL;
    if (fds[new])
        sys_close(new);
    return dup_to(f, new, flags & O_CLOEXEC);
}

static long sys_dup2(int old, int new)
{
    if (old == new)
        return fd_get(old) ? new : -EBADF;
    return sys_dup3(old, new, 0);
}

static long sys_fcntl(int fd, int cmd, long arg)
{
    struct file *f = fd_get(fd);
    if (!f)
        return -EBADF;
    switch (cmd) {
    case F_DUPFD:
        return dup_to(f, (int)arg, false);
    case F_DUPFD_CLOEXEC:
        return dup_to(f, (int)arg, true);
    case F_GETFD:
        return cloexec[fd] ? FD_CLOEXEC : 0;
    case F_SETFD:
        cloexec[fd] = arg & FD_CLOEXEC;
        return 0;
    case F_GETFL:
        return f->flags & ~O_CLOEXEC;
    case F_SETFL:
        f->flags = (f->flags & ~(O_NONBLOCK | O_APPEND)) | (int)(arg & (O_NONBLOCK | O_APPEND));
        return 0;
    default:
        return -EINVAL;
    }
}

static long sys_ioctl(int fd, unsigned long req, unsigned long arg)
{
    struct file *f = fd_get(fd);
    if (!f)
        return -EBADF;
    if (req == FIONBIO) {
        int on = *(const int *)arg;
        f->flags = on ? f->flags | O_NONBLOCK : f->flags & ~O_NONBLOCK;
        return 0;
    }
    return f->ops->ioctl ? f->ops->ioctl(f, req, arg) : -ENOTTY;
}

static long sys_fstat(int fd, struct linux_stat *st)
{
    struct file *f = fd_get(fd);
    if (!f)
        return -EBADF;
    memset(st, 0, sizeof(*st));
    return f->ops->stat ? f->ops->stat(f, st) : -EINVAL;
}

static long sys_getdents64(int fd, void *buf, size_t len)
{
    struct file *f = fd_get(fd);
    if (!f)
        return -EBADF;
    return f->ops->getdents ? f->ops->getdents(f, buf, len) : -ENOTDIR;
}

static long sys_close_range(unsigned first, unsigned last, unsigned flags)
{
    if (flags & ~4u || first > last)
        return -EINVAL;
    for (unsigned fd = first; fd <= last && fd < FD_MAX; fd++) {
        if (!fds[fd])
            continue;
        if (flags & 4u) /* CLOSE_RANGE_CLOEXEC */
            cloexec[fd] = true;
        else
            sys_close((int)fd);
    }
    return 0;
}

const struct syscall_entry syscalls_file[] = {
    SYSCALL(read),        SYSCALL(write), SYSCALL(pread64), SYSCALL(readv), SYSCALL(writev),
    SYSCALL(preadv),      SYSCALL(lseek), SYSCALL(close),   SYSCALL(dup),   SYSCALL(dup2),
    SYSCALL(dup3),        SYSCALL(fcntl), SYSCALL(ioctl),   SYSCALL(fstat), SYSCALL(getdents64),
    SYSCALL(close_range), {-1, NULL},
};
