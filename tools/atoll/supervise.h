/* Supervision of the QEMU process: console pipe, timeout, Ctrl-C/SIGTERM, reaping. */
#ifndef ATOLL_TOOL_SUPERVISE_H
#define ATOLL_TOOL_SUPERVISE_H

#include "console.h"

enum supervise_end {
    SUPERVISE_EXITED,       /* QEMU ended by itself; wait_status says how */
    SUPERVISE_TIMED_OUT,    /* the deadline passed; QEMU was killed */
    SUPERVISE_INTERRUPTED,  /* the tool got SIGINT/SIGTERM/SIGHUP; QEMU was killed */
    SUPERVISE_START_FAILED, /* QEMU could not be started (message printed) */
};

struct supervise_result {
    enum supervise_end end;
    int wait_status; /* as from waitpid(), for SUPERVISE_EXITED */
    int signal;      /* for SUPERVISE_INTERRUPTED */
};

/* Runs argv (argv[0] a path) with stdin from /dev/null, stdout into `con`, stderr inherited, in its
 * own process group (so a terminal's Ctrl-C reaches only the tool, which then stops QEMU), dying
 * with the tool. timeout_s <= 0 means no deadline. */
void supervise_qemu(char *const argv[], double timeout_s, struct console_filter *con,
                    struct supervise_result *result);

#endif
