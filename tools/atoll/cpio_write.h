/* Writer of deterministic newc (SVR4, "070701") cpio archives from a folder: the image's rootfs. */
#ifndef ATOLL_TOOL_CPIO_WRITE_H
#define ATOLL_TOOL_CPIO_WRITE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Packs everything under `dir` (not `dir` itself) into `out`. Names are relative ("etc/hosts"),
 * sorted in byte order; inode numbers count from 1 in that order; mtime, uid and gid are 0;
 * permission bits are kept. Directories, regular files and symlinks are packed; anything else is
 * refused. Returns 0 and the archive's size in *size, or -1 with a one-line reason in `err`. */
int cpio_write_tree(const char *dir, FILE *out, uint64_t *size, char *err, size_t errlen);

/* The same, into the file `out_path` (created or truncated; removed again on failure). */
int cpio_write_tree_to_path(const char *dir, const char *out_path, uint64_t *size, char *err,
                            size_t errlen);

#endif
