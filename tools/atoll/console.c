/* The guest console stream: passes bytes through at once, holding back only lines that may belong
 * to a crash report, which are symbolized whole. */
#include "console.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* A line longer than this is written even when it is incomplete. */
#define CONSOLE_MAX_HELD 65536

void console_filter_init(struct console_filter *con, struct symbolizer *sym, console_write_fn write,
                         void *ctx)
{
    memset(con, 0, sizeof(*con));
    con->sym = sym;
    con->write = write;
    con->ctx = ctx;
}

static void hold(struct console_filter *con, const char *data, size_t len)
{
    if (con->held_len + len > con->held_cap) {
        con->held_cap = (con->held_len + len) * 2;
        con->held = xrealloc(con->held, con->held_cap);
    }
    memcpy(con->held + con->held_len, data, len);
    con->held_len += len;
}

static void write_held_line(struct console_filter *con)
{
    size_t out_len;
    char *out = symbolize_line(con->sym, con->held, con->held_len, &out_len);
    con->write(con->ctx, out, out_len);
    free(out);
    con->held_len = 0;
}

/* Could the held start of a line still turn into something the symbolizer must see whole? */
static bool must_hold(const struct console_filter *con)
{
    if (con->sym->in_report)
        return con->held_len < CONSOLE_MAX_HELD;
    size_t start_len = strlen(CRASH_REPORT_START);
    size_t n = con->held_len < start_len ? con->held_len : start_len;
    return memcmp(con->held, CRASH_REPORT_START, n) == 0 && con->held_len < CONSOLE_MAX_HELD;
}

void console_filter_feed(struct console_filter *con, const char *data, size_t len)
{
    while (len > 0) {
        const char *newline = memchr(data, '\n', len);
        size_t piece = newline ? (size_t)(newline - data) + 1 : len;
        if (con->mid_line) {
            con->write(con->ctx, data, piece);
        } else if (newline) {
            hold(con, data, piece - 1);
            write_held_line(con);
            con->write(con->ctx, "\n", 1);
        } else {
            hold(con, data, piece);
        }
        if (newline)
            con->mid_line = false;
        data += piece;
        len -= piece;
    }
    if (con->held_len && !must_hold(con)) {
        con->write(con->ctx, con->held, con->held_len);
        con->held_len = 0;
        con->mid_line = true;
    }
}

void console_filter_finish(struct console_filter *con)
{
    if (con->held_len)
        write_held_line(con);
    con->mid_line = false;
}

void console_filter_free(struct console_filter *con)
{
    free(con->held);
    con->held = NULL;
    con->held_len = con->held_cap = 0;
}
