/* The guest console stream: passes bytes through at once, holding back only lines that may belong
 * to a crash report, which are symbolized whole. */
#ifndef ATOLL_TOOL_CONSOLE_H
#define ATOLL_TOOL_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>

#include "symbolize.h"

typedef void (*console_write_fn)(void *ctx, const char *data, size_t len);

struct console_filter {
    struct symbolizer *sym;
    console_write_fn write;
    void *ctx;
    char *held; /* start of a line not yet written */
    size_t held_len, held_cap;
    bool mid_line; /* part of the current line was already written: the rest passes as it is */
};

void console_filter_init(struct console_filter *con, struct symbolizer *sym, console_write_fn write,
                         void *ctx);
void console_filter_feed(struct console_filter *con, const char *data, size_t len);
/* Writes out whatever is held (the stream ended). */
void console_filter_finish(struct console_filter *con);
void console_filter_free(struct console_filter *con);

#endif
