/* Path syscalls over the read-only rootfs: open, stat family, getdents64, readlink, access, cwd. */
#include "atoll/file.h"
#include "atoll/kernel.h"
#include "atoll/path.h"
#include "atoll/rootfs.h"
#include "atoll/syscall.h"

#define PATH_MAX_LEN  256
#define SYMLINK_DEPTH 8
#define DT_DIR        4
#define DT_REG        8
#define DT_LNK        10

static char cwd[PATH_MAX_LEN] = "/";

static long base_dir(int dirfd, const char *path, const char **base)
{
    if (path[0] == '/' || dirfd == AT_FDCWD) {
        *base = cwd;
        return 0;
    }
    struct file *f = fd_get(dirfd);
    if (!f)
        return -EBADF;
    if ((f->entry.mode & S_IFMT) != S_IFDIR)
        return -ENOTDIR;
    *base = f->path;
    return 0;
}

/* A missing path is ENOTDIR rather than ENOENT when one of its parents is not a directory. */
static long missing_error(const char *abs)
{
    char prefix[PATH_MAX_LEN];
    size_t n = strlen(abs);
    for (size_t i = 1; i < n; i++) {
        if (abs[i] != '/')
            continue;
        memcpy(prefix, abs, i);
        prefix[i] = 0;
        struct cpio_entry e;
        if (cpio_find(&rootfs, prefix, &e) < 0)
            return -ENOENT;
        if ((e.mode & S_IFMT) != S_IFDIR)
            return -ENOTDIR;
    }
    return -ENOENT;
}

/* Resolves dirfd+path to an entry, following a final symlink when asked (intermediate ones are
 * not). */
static long lookup(int dirfd, const char *path, bool follow, struct cpio_entry *e, char *abs)
{
    if (!path)
        return -EFAULT;
    const char *base;
    long r = base_dir(dirfd, path, &base);
    if (r < 0)
        return r;
    if ((r = path_resolve(base, path, abs, PATH_MAX_LEN)) < 0)
        return r;
    bool want_dir = path[0] && path[strlen(path) - 1] == '/';
    for (int depth = 0;; depth++) {
        if ((r = cpio_find(&rootfs, abs, e)) < 0)
            return r == -ENOENT ? missing_error(abs) : r;
        if ((!follow && !want_dir) || (e->mode & S_IFMT) != S_IFLNK) {
            if (want_dir && (e->mode & S_IFMT) != S_IFDIR)
                return -ENOTDIR; /* "file/" names a directory that is not one */
            return 0;
        }
        if (depth == SYMLINK_DEPTH)
            return -ELOOP;
        char target[PATH_MAX_LEN], dir[PATH_MAX_LEN];
        if (e->size >= sizeof(target))
            return -ENAMETOOLONG;
        memcpy(target, e->data, e->size);
        target[e->size] = 0;
        memcpy(dir, abs, strlen(abs) + 1);
        char *slash = dir + strlen(dir);
        while (slash > dir && *slash != '/')
            slash--;
        slash[slash == dir] = 0; /* dirname, keeping "/" */
        if ((r = path_resolve(dir, target, abs, PATH_MAX_LEN)) < 0)
            return r;
    }
}

void stat_from_entry(const struct cpio_entry *e, struct linux_stat *st)
{
    memset(st, 0, sizeof(*st));
    st->st_dev = 1;
    st->st_ino = e->ino ? e->ino : 1;
    st->st_nlink = e->nlink ? e->nlink : 1;
    st->st_mode = e->mode;
    st->st_size = (int64_t)e->size;
    st->st_blksize = 4096;
    st->st_blocks = (int64_t)((e->size + 511) / 512);
    st->st_atime = st->st_mtime = st->st_ctime = e->mtime;
}

static long entry_stat(struct file *f, struct linux_stat *st)
{
    stat_from_entry(&f->entry, st);
    return 0;
}

static long file_pread(struct file *f, void *buf, size_t len, uint64_t off)
{
    if (off >= f->entry.size)
        return 0;
    size_t n = (size_t)MIN((uint64_t)len, f->entry.size - off);
    memcpy(buf, f->entry.data + off, n);
    return (long)n;
}

static long file_read(struct file *f, void *buf, size_t len)
{
    long n = file_pread(f, buf, len, f->pos);
    if (n > 0)
        f->pos += (uint64_t)n;
    return n;
}

struct linux_dirent64 {
    uint64_t d_ino;
    int64_t d_off;
    uint16_t d_reclen;
    uint8_t d_type;
    char d_name[];
} __attribute__((packed));

static bool emit(char *buf, size_t len, size_t *used, uint64_t ino, int64_t off, uint8_t type,
                 const char *name, size_t namelen)
{
    size_t reclen = ALIGN_UP(sizeof(struct linux_dirent64) + namelen + 1, 8);
    if (*used + reclen > len)
        return false;
    struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + *used);
    d->d_ino = ino, d->d_off = off, d->d_reclen = (uint16_t)reclen, d->d_type = type;
    memcpy(d->d_name, name, namelen);
    memset(d->d_name + namelen, 0, reclen - sizeof(*d) - namelen);
    *used += reclen;
    return true;
}

static uint8_t dirent_type(uint32_t mode)
{
    switch (mode & S_IFMT) {
    case S_IFDIR:
        return DT_DIR;
    case S_IFLNK:
        return DT_LNK;
    default:
        return DT_REG;
    }
}

static long dir_getdents(struct file *f, void *out, size_t len)
{
    char *buf = out;
    size_t used = 0;
    static const char *const dots[2] = {".", ".."};
    while (f->dir_emitted_dots < 2) {
        const char *d = dots[f->dir_emitted_dots];
        if (!emit(buf, len, &used, 1, f->dir_emitted_dots + 1, DT_DIR, d, strlen(d)))
            return used ? (long)used : -EINVAL;
        f->dir_emitted_dots++;
    }
    for (;;) {
        size_t cookie = f->dir_cookie;
        struct cpio_entry e;
        int r = cpio_readdir(&rootfs, f->path, &cookie, &e);
        if (r < 0)
            return r;
        if (r == 0)
            break;
        if (!emit(buf, len, &used, e.ino ? e.ino : 1, (int64_t)cookie + 2, dirent_type(e.mode),
                  e.name, e.namelen))
            return used ? (long)used : -EINVAL;
        f->dir_cookie = cookie;
    }
    return (long)used;
}

static const struct file_ops regular_ops = {
    .read = file_read, .pread = file_pread, .stat = entry_stat, .seekable = true};
static const struct file_ops dir_ops = {
    .getdents = dir_getdents, .stat = entry_stat, .seekable = true};
static const struct file_ops path_ops = {.stat = entry_stat};

long fs_open_file(int dirfd, const char *path, int flags, struct file **out)
{
    struct cpio_entry e;
    char abs[PATH_MAX_LEN];
    long r = lookup(dirfd, path, !(flags & O_NOFOLLOW), &e, abs);
    bool writes = (flags & O_ACCMODE) != 0 || (flags & (O_CREAT | O_TRUNC));
    if (r == -ENOENT && (flags & O_CREAT))
        return -EROFS;
    if (r < 0)
        return r;
    if ((flags & O_CREAT) && (flags & O_EXCL))
        return -EEXIST;
    bool is_dir = (e.mode & S_IFMT) == S_IFDIR;
    if ((flags & O_DIRECTORY) && !is_dir)
        return -ENOTDIR;
    if (writes)
        return is_dir ? -EISDIR : -EROFS;
    if ((e.mode & S_IFMT) == S_IFLNK && !(flags & O_PATH))
        return -ELOOP; /* O_NOFOLLOW on a symlink */
    const struct file_ops *ops = (flags & O_PATH) ? &path_ops : is_dir ? &dir_ops : &regular_ops;
    struct file *f = file_alloc(ops, flags & ~O_CLOEXEC);
    if (!f)
        return -ENFILE;
    f->entry = e;
    memcpy(f->path, abs, strlen(abs) + 1);
    *out = f;
    return 0;
}

static long sys_openat(int dirfd, const char *path, int flags, int mode)
{
    (void)mode;
    struct file *f;
    long r = fs_open_file(dirfd, path, flags, &f);
    if (r < 0)
        return r;
    int fd = fd_install(f, 0, flags & O_CLOEXEC);
    if (fd < 0)
        file_put(f);
    return fd;
}

static long sys_open(const char *path, int flags, int mode)
{
    return sys_openat(AT_FDCWD, path, flags, mode);
}

static long sys_newfstatat(int dirfd, const char *path, struct linux_stat *st, int flags)
{
    if ((flags & AT_EMPTY_PATH) && path && !path[0]) {
        struct file *f = fd_get(dirfd);
        if (!f)
            return -EBADF;
        memset(st, 0, sizeof(*st));
        return f->ops->stat ? f->ops->stat(f, st) : -EINVAL;
    }
    struct cpio_entry e;
    char abs[PATH_MAX_LEN];
    long r = lookup(dirfd, path, !(flags & AT_SYMLINK_NOFOLLOW), &e, abs);
    if (r < 0)
        return r;
    stat_from_entry(&e, st);
    return 0;
}

static long sys_stat(const char *path, struct linux_stat *st)
{
    return sys_newfstatat(AT_FDCWD, path, st, 0);
}

static long sys_lstat(const char *path, struct linux_stat *st)
{
    return sys_newfstatat(AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW);
}

struct statx_timestamp {
    int64_t tv_sec;
    uint32_t tv_nsec;
    int32_t reserved;
};

struct statx {
    uint32_t stx_mask, stx_blksize;
    uint64_t stx_attributes;
    uint32_t stx_nlink, stx_uid, stx_gid;
    uint16_t stx_mode, spare0;
    uint64_t stx_ino, stx_size, stx_blocks, stx_attributes_mask;
    struct statx_timestamp stx_atime, stx_btime, stx_ctime, stx_mtime;
    uint32_t stx_rdev_major, stx_rdev_minor, stx_dev_major, stx_dev_minor;
    uint64_t spare2[14];
};

static long sys_statx(int dirfd, const char *path, int flags, unsigned mask, struct statx *sx)
{
    (void)mask;
    struct linux_stat st;
    long r = sys_newfstatat(dirfd, path, &st, flags & (AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH));
    if (r < 0)
        return r;
    memset(sx, 0, sizeof(*sx));
    sx->stx_mask = 0x7ff; /* STATX_BASIC_STATS */
    sx->stx_blksize = (uint32_t)st.st_blksize;
    sx->stx_nlink = (uint32_t)st.st_nlink;
    sx->stx_mode = (uint16_t)st.st_mode;
    sx->stx_ino = st.st_ino;
    sx->stx_size = (uint64_t)st.st_size;
    sx->stx_blocks = (uint64_t)st.st_blocks;
    sx->stx_atime.tv_sec = sx->stx_ctime.tv_sec = sx->stx_mtime.tv_sec = (int64_t)st.st_mtime;
    sx->stx_rdev_major = (uint32_t)(st.st_rdev >> 8), sx->stx_rdev_minor = st.st_rdev & 0xff;
    sx->stx_dev_minor = (uint32_t)st.st_dev;
    return 0;
}

static long sys_faccessat2(int dirfd, const char *path, int mode, int flags)
{
    struct cpio_entry e;
    char abs[PATH_MAX_LEN];
    long r = lookup(dirfd, path, !(flags & AT_SYMLINK_NOFOLLOW), &e, abs);
    if (r < 0)
        return r;
    if (mode & 2) /* W_OK */
        return -EROFS;
    if ((mode & 1) && !(e.mode & 0111)) /* X_OK */
        return -EACCES;
    return 0;
}

static long sys_faccessat(int dirfd, const char *path, int mode)
{
    return sys_faccessat2(dirfd, path, mode, 0);
}

static long sys_access(const char *path, int mode)
{
    return sys_faccessat2(AT_FDCWD, path, mode, 0);
}

static long sys_readlinkat(int dirfd, const char *path, char *buf, size_t len)
{
    struct cpio_entry e;
    char abs[PATH_MAX_LEN];
    long r = lookup(dirfd, path, false, &e, abs);
    if (r < 0)
        return r;
    if ((e.mode & S_IFMT) != S_IFLNK)
        return -EINVAL;
    size_t n = (size_t)MIN((uint64_t)len, e.size);
    memcpy(buf, e.data, n);
    return (long)n;
}

static long sys_readlink(const char *path, char *buf, size_t len)
{
    return sys_readlinkat(AT_FDCWD, path, buf, len);
}

static long sys_getcwd(char *buf, size_t len)
{
    size_t n = strlen(cwd) + 1;
    if (len < n)
        return -ERANGE;
    memcpy(buf, cwd, n);
    return (long)n;
}

static long sys_chdir(const char *path)
{
    struct cpio_entry e;
    char abs[PATH_MAX_LEN];
    long r = lookup(AT_FDCWD, path, true, &e, abs);
    if (r < 0)
        return r;
    if ((e.mode & S_IFMT) != S_IFDIR)
        return -ENOTDIR;
    memcpy(cwd, abs, strlen(abs) + 1);
    return 0;
}

static long sys_fchdir(int fd)
{
    struct file *f = fd_get(fd);
    if (!f)
        return -EBADF;
    if ((f->entry.mode & S_IFMT) != S_IFDIR)
        return -ENOTDIR;
    memcpy(cwd, f->path, strlen(f->path) + 1);
    return 0;
}

/* The rootfs is read-only: every call that would change it fails as on a read-only mount. */
static long sys_read_only(void)
{
    return -EROFS;
}
#define sys_creat     sys_read_only
#define sys_mkdir     sys_read_only
#define sys_mkdirat   sys_read_only
#define sys_rmdir     sys_read_only
#define sys_unlink    sys_read_only
#define sys_unlinkat  sys_read_only
#define sys_rename    sys_read_only
#define sys_renameat  sys_read_only
#define sys_renameat2 sys_read_only
#define sys_symlink   sys_read_only
#define sys_symlinkat sys_read_only
#define sys_link      sys_read_only
#define sys_linkat    sys_read_only
#define sys_chmod     sys_read_only
#define sys_fchmodat  sys_read_only
#define sys_truncate  sys_read_only

const struct syscall_entry syscalls_fs[] = {
    SYSCALL(open),       SYSCALL(openat),   SYSCALL(stat),       SYSCALL(lstat),
    SYSCALL(newfstatat), SYSCALL(statx),    SYSCALL(access),     SYSCALL(faccessat),
    SYSCALL(faccessat2), SYSCALL(readlink), SYSCALL(readlinkat), SYSCALL(getcwd),
    SYSCALL(chdir),      SYSCALL(fchdir),   SYSCALL(creat),      SYSCALL(mkdir),
    SYSCALL(mkdirat),    SYSCALL(rmdir),    SYSCALL(unlink),     SYSCALL(unlinkat),
    SYSCALL(rename),     SYSCALL(renameat), SYSCALL(renameat2),  SYSCALL(symlink),
    SYSCALL(symlinkat),  SYSCALL(link),     SYSCALL(linkat),     SYSCALL(chmod),
    SYSCALL(fchmodat),   SYSCALL(truncate), {-1, NULL},
};
