/* Writer of deterministic newc (SVR4, "070701") cpio archives from a folder: the image's rootfs. */
#include "cpio_write.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CPIO_HEADER_SIZE 110

struct cpio_entry {
    char *name; /* relative to the packed folder */
    struct stat st;
};

struct cpio_walk {
    struct cpio_entry *entries;
    size_t len, cap;
    char *err;
    size_t errlen;
};

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static const char *file_kind(mode_t mode)
{
    if (S_ISFIFO(mode))
        return "a FIFO";
    if (S_ISSOCK(mode))
        return "a socket";
    if (S_ISCHR(mode))
        return "a character device";
    if (S_ISBLK(mode))
        return "a block device";
    return "of an unknown type";
}

/* Collects every entry under root/rel (rel is "" for the root itself). */
static int walk(struct cpio_walk *w, const char *root, const char *rel)
{
    char *path = *rel ? path_join(root, rel) : xstrdup(root);
    DIR *dir = opendir(path);
    if (!dir) {
        int rc = fail(w->err, w->errlen, "%s: %s", path, strerror(errno));
        free(path);
        return rc;
    }
    int rc = 0;
    struct dirent *de;
    while (rc == 0 && (errno = 0, de = readdir(dir)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        char *child_rel = *rel ? xasprintf("%s/%s", rel, de->d_name) : xstrdup(de->d_name);
        char *child_path = path_join(root, child_rel);
        struct stat st;
        if (lstat(child_path, &st) != 0) {
            rc = fail(w->err, w->errlen, "%s: %s", child_path, strerror(errno));
        } else if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode)) {
            rc = fail(w->err, w->errlen,
                      "%s is %s; a rootfs holds only regular files, directories and symlinks",
                      child_path, file_kind(st.st_mode));
        } else if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > UINT32_MAX) {
            rc = fail(w->err, w->errlen, "%s is larger than 4 GiB, the limit of a newc archive",
                      child_path);
        } else {
            if (w->len == w->cap) {
                w->cap = w->cap ? w->cap * 2 : 64;
                w->entries = xrealloc(w->entries, w->cap * sizeof(*w->entries));
            }
            w->entries[w->len].name = xstrdup(child_rel);
            w->entries[w->len].st = st;
            w->len++;
            if (S_ISDIR(st.st_mode))
                rc = walk(w, root, child_rel);
        }
        free(child_path);
        free(child_rel);
    }
    if (rc == 0 && errno != 0)
        rc = fail(w->err, w->errlen, "%s: %s", path, strerror(errno));
    closedir(dir);
    free(path);
    return rc;
}

static int compare_entries(const void *a, const void *b)
{
    return strcmp(((const struct cpio_entry *)a)->name, ((const struct cpio_entry *)b)->name);
}

struct cpio_out {
    FILE *file;
    uint64_t written;
};

static bool put(struct cpio_out *out, const void *data, size_t len)
{
    if (len && fwrite(data, 1, len, out->file) != len)
        return false;
    out->written += len;
    return true;
}

static bool pad4(struct cpio_out *out)
{
    static const char zeros[4];
    return put(out, zeros, (4 - out->written % 4) % 4);
}

static bool put_header(struct cpio_out *out, uint32_t ino, uint32_t mode, uint32_t nlink,
                       uint32_t filesize, const char *name)
{
    char header[CPIO_HEADER_SIZE + 1];
    size_t namesize = strlen(name) + 1;
    /* Fields: magic ino mode uid gid nlink mtime filesize devmajor devminor rdevmajor rdevminor
     * namesize check. */
    snprintf(header, sizeof(header), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
             ino, mode, 0u, 0u, nlink, 0u, filesize, 0u, 0u, 0u, 0u, (uint32_t)namesize, 0u);
    return put(out, header, CPIO_HEADER_SIZE) && put(out, name, namesize) && pad4(out);
}

static int put_file_data(struct cpio_out *out, const char *path, uint64_t expected, char *err,
                         size_t errlen)
{
    FILE *in = fopen(path, "rb");
    if (!in)
        return fail(err, errlen, "%s: %s", path, strerror(errno));
    char buf[65536];
    uint64_t total = 0;
    size_t got;
    int rc = 0;
    while ((got = fread(buf, 1, sizeof(buf), in)) > 0) {
        total += got;
        if (total > expected)
            break;
        if (!put(out, buf, got)) {
            rc = fail(err, errlen, "writing the archive: %s", strerror(errno));
            break;
        }
    }
    if (rc == 0 && ferror(in))
        rc = fail(err, errlen, "%s: %s", path, strerror(errno));
    else if (rc == 0 && total != expected)
        rc = fail(err, errlen, "%s changed size while it was packed", path);
    fclose(in);
    return rc;
}

static int put_entry(struct cpio_out *out, const char *root, const struct cpio_entry *entry,
                     uint32_t ino, char *err, size_t errlen)
{
    const struct stat *st = &entry->st;
    char *path = path_join(root, entry->name);
    int rc = 0;
    bool ok = true;
    if (S_ISDIR(st->st_mode)) {
        ok = put_header(out, ino, S_IFDIR | (st->st_mode & 07777), 2, 0, entry->name);
    } else if (S_ISLNK(st->st_mode)) {
        char target[4096];
        ssize_t len = readlink(path, target, sizeof(target));
        if (len < 0 || (size_t)len >= sizeof(target)) {
            rc = fail(err, errlen, "%s: %s", path,
                      len < 0 ? strerror(errno) : "symlink target too long");
        } else {
            ok = put_header(out, ino, S_IFLNK | 0777, 1, (uint32_t)len, entry->name) &&
                 put(out, target, (size_t)len) && pad4(out);
        }
    } else {
        ok = put_header(out, ino, S_IFREG | (st->st_mode & 07777), 1, (uint32_t)st->st_size,
                        entry->name);
        if (ok)
            rc = put_file_data(out, path, (uint64_t)st->st_size, err, errlen);
        if (ok && rc == 0)
            ok = pad4(out);
    }
    if (rc == 0 && !ok)
        rc = fail(err, errlen, "writing the archive: %s", strerror(errno));
    free(path);
    return rc;
}

int cpio_write_tree(const char *dir, FILE *out, uint64_t *size, char *err, size_t errlen)
{
    if (!path_is_dir(dir))
        return fail(err, errlen, "%s is not a folder", dir);
    struct cpio_walk w = {.err = err, .errlen = errlen};
    int rc = walk(&w, dir, "");
    if (rc == 0 && w.len >= UINT32_MAX)
        rc = fail(err, errlen, "%s holds too many files for one archive", dir);
    struct cpio_out writer = {.file = out};
    if (rc == 0) {
        if (w.len > 1)
            qsort(w.entries, w.len, sizeof(*w.entries), compare_entries);
        for (size_t i = 0; rc == 0 && i < w.len; i++)
            rc = put_entry(&writer, dir, &w.entries[i], (uint32_t)(i + 1), err, errlen);
    }
    if (rc == 0 && !put_header(&writer, 0, 0, 1, 0, "TRAILER!!!"))
        rc = fail(err, errlen, "writing the archive: %s", strerror(errno));
    if (rc == 0 && fflush(out) != 0)
        rc = fail(err, errlen, "writing the archive: %s", strerror(errno));
    for (size_t i = 0; i < w.len; i++)
        free(w.entries[i].name);
    free(w.entries);
    if (rc == 0 && size)
        *size = writer.written;
    return rc;
}

int cpio_write_tree_to_path(const char *dir, const char *out_path, uint64_t *size, char *err,
                            size_t errlen)
{
    FILE *out = fopen(out_path, "wb");
    if (!out)
        return fail(err, errlen, "%s: %s", out_path, strerror(errno));
    int rc = cpio_write_tree(dir, out, size, err, errlen);
    if (fclose(out) != 0 && rc == 0)
        rc = fail(err, errlen, "%s: %s", out_path, strerror(errno));
    if (rc != 0)
        unlink(out_path);
    return rc;
}
