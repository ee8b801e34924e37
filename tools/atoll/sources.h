/* Finding the C files of a program: every *.c under its folder, minus rootfs/, build/, hidden. */
#ifndef ATOLL_TOOL_SOURCES_H
#define ATOLL_TOOL_SOURCES_H

#include <stddef.h>

#include "strvec.h"

/* Appends the .c files under `root` to `out` as paths relative to `root`, sorted. The folders
 * rootfs/ and build/ at the top and every hidden file or folder are skipped; symlinked folders
 * are not followed. Returns 0, or -1 with a one-line reason in `err`. */
int sources_find(const char *root, struct strvec *out, char *err, size_t errlen);

#endif
