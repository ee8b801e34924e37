/* The guest's status line ("ATOLL-STATUS exit N" / "ATOLL-STATUS crash N") and the exit code. */
#include "guest_status.h"

#include <stdlib.h>
#include <string.h>

#define STATUS_PREFIX "ATOLL-STATUS "

/* Parses one line (without newline) of the form "<kind> N". */
static bool parse_line(const char *line, size_t len, struct guest_status *status)
{
    size_t prefix = strlen(STATUS_PREFIX);
    if (len < prefix || memcmp(line, STATUS_PREFIX, prefix) != 0)
        return false;
    line += prefix;
    len -= prefix;
    bool crashed;
    if (len > 5 && memcmp(line, "exit ", 5) == 0) {
        crashed = false;
        line += 5;
        len -= 5;
    } else if (len > 6 && memcmp(line, "crash ", 6) == 0) {
        crashed = true;
        line += 6;
        len -= 6;
    } else {
        return false;
    }
    if (len && line[len - 1] == '\r')
        len--;
    bool negative = len && line[0] == '-';
    size_t i = negative ? 1 : 0;
    if (i == len || len - i > 18)
        return false;
    long long value = 0;
    for (; i < len; i++) {
        if (line[i] < '0' || line[i] > '9')
            return false;
        value = value * 10 + (line[i] - '0');
    }
    if (negative)
        value = -value;
    /* As in a shell: exit(n) is seen as n & 0xff. */
    status->crashed = crashed;
    status->code = (int)(value & 0xff);
    return true;
}

bool guest_status_parse(const char *text, struct guest_status *status)
{
    bool found = false;
    while (*text) {
        const char *end = strchr(text, '\n');
        size_t len = end ? (size_t)(end - text) : strlen(text);
        struct guest_status line_status;
        if (parse_line(text, len, &line_status)) {
            *status = line_status;
            found = true;
        }
        text += len + (end ? 1 : 0);
    }
    return found;
}
