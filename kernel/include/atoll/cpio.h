/* Read-only access to a newc cpio archive (the image's embedded rootfs or the PVH module). */
#ifndef ATOLL_CPIO_H
#define ATOLL_CPIO_H

#include <stddef.h>
#include <stdint.h>

/* Linux mode bits, as stored in the archive. */
#define CPIO_S_IFMT  0170000u
#define CPIO_S_IFDIR 0040000u
#define CPIO_S_IFREG 0100000u
#define CPIO_S_IFLNK 0120000u

struct cpio_entry {
    const char *name; /* not always NUL-terminated: use namelen */
    size_t namelen;
    uint32_t mode;
    uint32_t ino;
    uint32_t mtime;
    uint32_t nlink;
    uint64_t size;
    const uint8_t *data; /* size bytes inside the archive (NULL for synthesised directories) */
};

struct cpio_archive {
    const uint8_t *base;
    size_t len;
    size_t nentries; /* entries before the trailer */
};

/*
 * Validates the whole archive once ("070701" or "070702" headers, the latter with their
 * checksums): every header and its data inside len, hex fields valid, each name
 * NUL-terminated exactly at its namesize and free of ".." components, 4-byte alignment, and
 * a TRAILER!!! entry (anything after it is ignored). len == 0 is a valid empty archive.
 * Returns 0 or -EINVAL; it never reads outside [base, base + len).
 */
int cpio_open(struct cpio_archive *a, const void *base, size_t len);

/*
 * Looks up path, absolute and normalized (as path_resolve makes it). Archive names "x",
 * "./x" and "/x" all mean /x, and "." means /. "/" and every directory implied by deeper
 * names exist even without an entry of their own (synthesised as CPIO_S_IFDIR | 0555, size 0).
 * The last entry of a name wins. e->name/namelen are set to path itself.
 * Returns 0 or -ENOENT.
 */
int cpio_find(const struct cpio_archive *a, const char *path, struct cpio_entry *e);

/*
 * Iterates the direct children of the directory dir, each once (implied directories
 * included); e->name/namelen hold the child's base name, pointing into the archive.
 * *cookie starts at 0. Returns 1 with an entry, 0 at the end, -ENOENT if dir does not exist,
 * -ENOTDIR if it is not a directory.
 */
int cpio_readdir(const struct cpio_archive *a, const char *dir, size_t *cookie,
                 struct cpio_entry *e);

#endif
