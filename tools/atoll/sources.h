/* Finding the C files of a program: every *.c under its folder, minus rootfs/, build/, hidden. */
#ifndef ATOLL_TOOL_SOURCES_H
#define ATOLL_TOOL_SOURCES_H

#include <stddef.h>

#include "strvec.h"

/* Appends the .c files under `root` to `out` as paths relative to `root`, sorted. The folders
 * rootfs/ and build/ at the top and every hidden file or folder are skipped; symlinked folders
 * are not followed. Returns 0, or -1 with a one-line reason in `err`. */
int sources_find(const char *root, struct strvec *out, char *err, size_t errlen);

/* Reads `app_dir/sources` (absent: nothing to do): one folder a line, relative to app_dir, `#`
 * starts a comment, blank lines are skipped. Appends each folder joined with app_dir to `dirs`
 * and as written to `as_written`. Returns 0, or -1 with `sources:LINE: reason` in `err` (a folder
 * that does not exist). */
int sources_extra_dirs(const char *app_dir, struct strvec *dirs, struct strvec *as_written,
                       char *err, size_t errlen);

/* The label of a file found under an extra folder, for messages and object names: the folder as
 * written with its leading "../" and "./" parts dropped, then `rel` ("../../lib/netfn" and
 * "arp.c" give "lib/netfn/arp.c"). A new string. */
char *sources_extra_label(const char *dir_as_written, const char *rel);

#endif
