/* Optional kernel members (networking, event syscalls): linked only into images that use them. */
#ifndef ATOLL_TOOL_MEMBERS_H
#define ATOLL_TOOL_MEMBERS_H

#include <stddef.h>

#include "strvec.h"

/* Looks at the functions the linked image `linked` defines: for every optional member whose C
 * library entry points are there (say, musl's socket()) and which is not linked yet, appends the
 * symbol to force with `ld -u` to `undefs`. Returns how many were added, or -1 with `err`. */
int members_needed(const char *linked, struct strvec *undefs, char *err, size_t errlen);

#endif
