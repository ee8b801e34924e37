/* Reads the image's read-only rootfs (tests/apps/fs/rootfs) through every file syscall musl uses.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "../check.h"

#define GREETING   "hello from the rootfs\n"
#define ALPHABET   "abcdefghijklmnopqrstuvwxyz\n"
#define LINES_SIZE 10000 /* data/lines.txt: "line 0001\n" .. "line 1000\n" */
#define LINE_LEN   10

/* musl 1.2.3 has no statx() wrapper; this is the kernel's stable ABI layout. */
struct statx_timestamp_abi {
    int64_t tv_sec;
    uint32_t tv_nsec;
    int32_t reserved;
};
struct statx_abi {
    uint32_t stx_mask, stx_blksize;
    uint64_t stx_attributes;
    uint32_t stx_nlink, stx_uid, stx_gid;
    uint16_t stx_mode, pad1;
    uint64_t stx_ino, stx_size, stx_blocks, stx_attributes_mask;
    struct statx_timestamp_abi stx_atime, stx_btime, stx_ctime, stx_mtime;
    uint32_t stx_rdev_major, stx_rdev_minor, stx_dev_major, stx_dev_minor;
    uint64_t spare[14];
};
#define STATX_TYPE_BIT 0x1u
#define STATX_SIZE_BIT 0x200u

/* Empty in the image; on the host TEST_ROOT points at the rootfs folder so the same checks run
 * there. */
static const char *root = "";

static const char *at_root(const char *path)
{
    static char buffers[4][512];
    static int next;
    char *out = buffers[next++ % 4];
    snprintf(out, sizeof(buffers[0]), "%s%s", root, path);
    return out;
}

static ssize_t read_all(const char *path, char *buf, size_t size)
{
    int fd = open(at_root(path), O_RDONLY);
    if (fd < 0)
        return -1;
    size_t total = 0;
    ssize_t got;
    while (total < size && (got = read(fd, buf + total, size - total)) > 0)
        total += (size_t)got;
    close(fd);
    return (ssize_t)total;
}

static bool file_is(const char *path, const char *expected)
{
    char buf[128];
    ssize_t got = read_all(path, buf, sizeof(buf));
    return got == (ssize_t)strlen(expected) && memcmp(buf, expected, (size_t)got) == 0;
}

/* Checks that a call failed with the expected errno, and says what it got otherwise. */
static void check_fails_with(long rc, int expected, const char *what)
{
    int got = errno;
    if (rc == -1 && got == expected)
        check(true, "%s", what);
    else
        check(false, "%s (got %ld, errno %d: %s)", what, rc, got, strerror(got));
}

static void check_read_and_stat(void)
{
    check(file_is("/etc/greeting.txt", GREETING), "open+read /etc/greeting.txt gives its content");

    int fd = open(at_root("/data/alphabet.txt"), O_RDONLY);
    check(fd >= 0, "open /data/alphabet.txt");
    struct stat st = {0};
    int fstat_rc = fstat(fd, &st);
    check(fstat_rc == 0 && S_ISREG(st.st_mode) && st.st_size == 27,
          "fstat: regular file of 27 bytes (size %lld)", (long long)st.st_size);

    char buf[32] = {0};
    check(pread(fd, buf, 5, 10) == 5 && memcmp(buf, "klmno", 5) == 0, "pread 5 bytes at 10");
    check(read(fd, buf, 3) == 3 && memcmp(buf, "abc", 3) == 0, "pread leaves the offset alone");

    char first[4] = {0}, second[6] = {0};
    struct iovec iov[2] = {{first, 3}, {second, 5}};
    check(readv(fd, iov, 2) == 8 && memcmp(first, "def", 3) == 0 && memcmp(second, "ghijk", 5) == 0,
          "readv fills two buffers in order");

    check(lseek(fd, 0, SEEK_CUR) == 11, "lseek SEEK_CUR reports offset 11");
    check(lseek(fd, -2, SEEK_END) == 25 && read(fd, buf, 10) == 2 && memcmp(buf, "z\n", 2) == 0,
          "lseek SEEK_END-2 then read gives the last 2 bytes");
    check(read(fd, buf, 10) == 0, "read at end of file gives 0");
    check(lseek(fd, 100, SEEK_SET) == 100 && read(fd, buf, 10) == 0, "read past end gives 0");
    errno = 0;
    check_fails_with(lseek(fd, -1, SEEK_SET), EINVAL, "lseek to a negative offset: EINVAL");
    close(fd);
    errno = 0;
    check_fails_with(read(fd, buf, 1), EBADF, "read on a closed fd: EBADF");

    check(stat(at_root("/data/alphabet.txt"), &st) == 0 && st.st_size == 27 && S_ISREG(st.st_mode),
          "stat /data/alphabet.txt");
    check(stat(at_root("/data"), &st) == 0 && S_ISDIR(st.st_mode), "stat /data is a directory");
    check(stat(at_root("/data/empty.txt"), &st) == 0 && st.st_size == 0, "stat empty file: size 0");
    check(read_all("/data/empty.txt", buf, sizeof(buf)) == 0, "read of an empty file gives 0");

    struct statx_abi stx = {0};
    long rc = syscall(SYS_statx, AT_FDCWD, at_root("/etc/greeting.txt"), 0,
                      STATX_TYPE_BIT | STATX_SIZE_BIT, &stx);
    check(rc == 0 && (stx.stx_mask & STATX_SIZE_BIT) && stx.stx_size == strlen(GREETING) &&
              S_ISREG(stx.stx_mode),
          "statx /etc/greeting.txt: regular, size %llu", (unsigned long long)stx.stx_size);
}

static void check_errors(void)
{
    struct stat st;
    errno = 0;
    check_fails_with(open(at_root("/missing.txt"), O_RDONLY), ENOENT, "open missing: ENOENT");
    errno = 0;
    check_fails_with(stat(at_root("/etc/missing"), &st), ENOENT, "stat missing: ENOENT");
    errno = 0;
    check_fails_with(open(at_root("/etc/greeting.txt/x"), O_RDONLY), ENOTDIR,
                     "a file used as a directory: ENOTDIR");
    errno = 0;
    check_fails_with(open(at_root("/etc/greeting.txt"), O_RDONLY | O_DIRECTORY), ENOTDIR,
                     "O_DIRECTORY on a file: ENOTDIR");

    int dir = open(at_root("/data"), O_RDONLY | O_DIRECTORY);
    char buf[8];
    errno = 0;
    if (check(dir >= 0, "open /data with O_DIRECTORY")) {
        check_fails_with(read(dir, buf, sizeof(buf)), EISDIR, "read on a directory: EISDIR");
        close(dir);
    }

    /* The rootfs is part of an immutable image (a host folder is not, so skip it there). */
    if (*root)
        return;
    errno = 0;
    int fd = open("/etc/new.txt", O_WRONLY | O_CREAT, 0644);
    int create_errno = errno;
    check(fd == -1 && (create_errno == EROFS || create_errno == EACCES),
          "create a file fails (errno %d)", create_errno);
    errno = 0;
    fd = open("/etc/greeting.txt", O_WRONLY);
    int write_errno = errno;
    check(fd == -1 && (write_errno == EROFS || write_errno == EACCES),
          "open for writing fails (errno %d)", write_errno);
}

static void check_paths(void)
{
    check(file_is("/etc/../etc//greeting.txt", GREETING), "open /etc/../etc//greeting.txt");
    check(file_is("/./etc/./greeting.txt", GREETING), "open /./etc/./greeting.txt");
    check(file_is("//etc///greeting.txt", GREETING), "open //etc///greeting.txt");
    check(file_is("/dir/sub/../../etc/greeting.txt", GREETING),
          "open /dir/sub/../../etc/greeting.txt");
    if (!*root) /* ".." above the root is the root itself; only meaningful in the guest. */
        check(file_is("/../../etc/greeting.txt", GREETING), "open /../../etc/greeting.txt");
    /* main() has made the root the working directory on the host; in the guest it is "/". */
    const char *saved_root = root;
    root = "";
    check(file_is("etc/greeting.txt", GREETING), "relative path from the working directory");
    root = saved_root;
}

/* Reads a directory with opendir/readdir (getdents64) and checks the names and types it finds. */
static void check_directory(const char *path, const char *const *names, const unsigned char *types,
                            int count)
{
    DIR *dir = opendir(at_root(path));
    if (!check(dir != NULL, "opendir %s", path))
        return;
    int found = 0, dots = 0, unexpected = 0;
    struct dirent *entry;
    while ((entry = readdir(dir))) {
        if (!strcmp(entry->d_name, ".") || !strcmp(entry->d_name, "..")) {
            dots++;
            continue;
        }
        int i;
        for (i = 0; i < count; i++)
            if (!strcmp(entry->d_name, names[i]))
                break;
        if (i == count || (entry->d_type != DT_UNKNOWN && entry->d_type != types[i])) {
            printf("unexpected entry %s (type %d) in %s\n", entry->d_name, entry->d_type, path);
            unexpected++;
            continue;
        }
        found++;
    }
    closedir(dir);
    check(found == count && unexpected == 0 && dots == 2,
          "readdir %s: %d of %d entries, . and .., nothing else", path, found, count);
}

static void check_directories(void)
{
    static const char *const dir_names[] = {"a.txt", "b.txt", "sub"};
    static const unsigned char dir_types[] = {DT_REG, DT_REG, DT_DIR};
    check_directory("/dir", dir_names, dir_types, 3);
    static const char *const root_names[] = {"etc", "data", "dir"};
    static const unsigned char root_types[] = {DT_DIR, DT_DIR, DT_DIR};
    check_directory("/", root_names, root_types, 3);
}

static void check_large_file(void)
{
    char *contents = malloc(LINES_SIZE + 1);
    if (!contents)
        return;
    ssize_t got = read_all("/data/lines.txt", contents, LINES_SIZE + 1);
    check(got == LINES_SIZE, "read 10000 bytes across pages (got %zd)", got);
    check(got == LINES_SIZE && !memcmp(contents + 499 * LINE_LEN, "line 0500\n", LINE_LEN),
          "line 500 sits at offset 4990");

    int fd = open(at_root("/data/lines.txt"), O_RDONLY);
    const char *mapped =
        fd < 0 ? MAP_FAILED : mmap(NULL, LINES_SIZE, PROT_READ, MAP_PRIVATE, fd, 0);
    if (check(mapped != MAP_FAILED, "mmap /data/lines.txt")) {
        check(!memcmp(mapped, contents, LINES_SIZE), "mapped bytes equal the bytes read");
        munmap((void *)mapped, LINES_SIZE);
    }
    if (fd >= 0)
        close(fd);

    FILE *file = fopen(at_root("/data/lines.txt"), "r");
    int lines = 0, in_order = 1;
    char line[32];
    while (file && fgets(line, sizeof(line), file)) {
        lines++;
        if (atoi(line + 5) != lines)
            in_order = 0;
    }
    if (file)
        fclose(file);
    check(lines == 1000 && in_order, "fgets reads 1000 numbered lines in order (%d)", lines);
    free(contents);
}

int main(void)
{
    const char *host_root = getenv("TEST_ROOT");
    if (host_root && *host_root) {
        root = host_root;
        if (chdir(root) != 0)
            return 2;
    }
    check_read_and_stat();
    check_errors();
    check_paths();
    check_directories();
    check_large_file();
    return checks_finish("fs");
}
