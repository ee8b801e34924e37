/* The guest's status line ("ATOLL-STATUS exit N" / "ATOLL-STATUS crash N") and the exit code. */
#ifndef ATOLL_TOOL_GUEST_STATUS_H
#define ATOLL_TOOL_GUEST_STATUS_H

#include <stdbool.h>

struct guest_status {
    bool crashed; /* "crash" (139 app fault, 134 kernel panic/abort) rather than "exit" */
    int code;     /* 0..255, what `atoll run` exits with */
};

/* Finds the last well-formed status line in `text`; false when there is none. */
bool guest_status_parse(const char *text, struct guest_status *status);

#endif
