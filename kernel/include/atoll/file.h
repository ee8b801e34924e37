/* Open files and the descriptor table: every fd-based syscall goes through struct file_ops. */
#ifndef ATOLL_FILE_H
#define ATOLL_FILE_H

#include "atoll/cpio.h"
#include "atoll/klib.h"

#define O_ACCMODE           03
#define O_WRONLY            01
#define O_RDWR              02
#define O_CREAT             0100
#define O_EXCL              0200
#define O_TRUNC             01000
#define O_APPEND            02000
#define O_NONBLOCK          04000
#define O_DIRECTORY         0200000
#define O_NOFOLLOW          0400000
#define O_CLOEXEC           02000000
#define O_PATH              010000000
#define AT_FDCWD            (-100)
#define AT_SYMLINK_NOFOLLOW 0x100
#define AT_EMPTY_PATH       0x1000

#define S_IFMT  0170000
#define S_IFDIR 0040000
#define S_IFCHR 0020000
#define S_IFREG 0100000
#define S_IFLNK 0120000

#define FD_MAX 1024

/* Readiness bits of file_ops.poll (the values of Linux's POLL* and EPOLL* flags). */
#define POLLIN     0x001
#define POLLPRI    0x002
#define POLLOUT    0x004
#define POLLERR    0x008
#define POLLHUP    0x010
#define POLLNVAL   0x020
#define POLLRDNORM 0x040
#define POLLRDBAND 0x080
#define POLLWRNORM 0x100
#define POLLWRBAND 0x200
#define POLLRDHUP  0x2000
/* What a file without a poll op reports, as on Linux (regular files are always ready). */
#define POLL_DEFAULT_MASK (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM)

struct linux_stat {
    uint64_t st_dev, st_ino, st_nlink;
    uint32_t st_mode, st_uid, st_gid, pad0;
    uint64_t st_rdev;
    int64_t st_size, st_blksize, st_blocks;
    uint64_t st_atime, st_atime_nsec, st_mtime, st_mtime_nsec, st_ctime, st_ctime_nsec;
    int64_t unused[3];
};

/* struct iovec's layout, as the vectored syscalls pass it. */
struct kiovec {
    void *base;
    size_t len;
};

struct file;
struct file_ops {
    long (*read)(struct file *f, void *buf, size_t len);
    long (*write)(struct file *f, const void *buf, size_t len);
    long (*pread)(struct file *f, void *buf, size_t len, uint64_t off);
    long (*stat)(struct file *f, struct linux_stat *st);
    long (*getdents)(struct file *f, void *buf, size_t len);
    long (*ioctl)(struct file *f, unsigned long req, unsigned long arg);
    void (*release)(struct file *f);
    /* Readiness now (POLL* bits). A file whose readiness will change at a known monotonic time
     * (a timer) lowers *wake_ns to it, so waiters arm the tickless timer for it; changes caused by
     * devices wake the idle loop through their interrupt. NULL: always POLL_DEFAULT_MASK. */
    unsigned (*poll)(struct file *f, uint64_t *wake_ns);
    /* readv/writev as one transfer (a socket's one datagram); NULL: one read/write per element. */
    long (*readv)(struct file *f, const struct kiovec *iov, int n);
    long (*writev)(struct file *f, const struct kiovec *iov, int n);
    bool seekable;
};

struct file {
    const struct file_ops *ops;
    int refs;
    int nfds;  /* descriptors naming it: its epoll registrations live until the last one closes */
    int flags; /* O_* status flags */
    uint64_t pos;
    struct cpio_entry entry; /* rootfs files and directories */
    char path[256];
    size_t dir_cookie;
    int dir_emitted_dots;
    void *priv;        /* the state of the subsystem that made it (eventfd, epoll, socket) */
    uint32_t wake_seq; /* bumped on every readiness event, so edge-triggered epoll sees repeats */
};

struct file *file_alloc(const struct file_ops *ops, int flags);
void file_put(struct file *f);
/* Installs f at the lowest free descriptor >= min; returns it or -EMFILE. */
int fd_install(struct file *f, int min, bool cloexec);
struct file *fd_get(int fd); /* NULL when fd is not open */
/* Closes every descriptor, as Linux does when a process ends (instance_exit). */
void fd_close_all(void);
void stdio_init(void);

/* fs.c */
void stat_from_entry(const struct cpio_entry *e, struct linux_stat *st);
long fs_open_file(int dirfd, const char *path, int flags, struct file **out);

#endif
