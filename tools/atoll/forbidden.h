/* The check for process-creating calls (fork, exec*, posix_spawn*, system, popen), which an
 * image cannot serve: it runs one program. */
#ifndef ATOLL_TOOL_FORBIDDEN_H
#define ATOLL_TOOL_FORBIDDEN_H

#include <stdbool.h>

#include "strvec.h"

bool forbidden_function(const char *name);

/* One finding: `function` called from `source` (NULL: pulled in through the C library). */
struct forbidden_use {
    char *function;
    char *source;
};

struct forbidden_report {
    struct forbidden_use *uses;
    size_t len;
};

/* Looks at the undefined symbols of each object (objects[i] compiled from sources[i]) and at the
 * symbols defined in the linked ELF `linked`. Calls through the C library alone (a libc function
 * that forks) are reported only when no object calls a forbidden function itself. Returns 0, or
 * -1 with a reason in `err` when a file cannot be read. */
int forbidden_scan(const struct strvec *objects, const struct strvec *sources, const char *linked,
                   struct forbidden_report *report, char *err, size_t errlen);
void forbidden_report_free(struct forbidden_report *report);

#endif
