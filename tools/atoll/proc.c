/* Running the compiler, assembler and linker as child processes. */
#include "proc.h"
#include "quote.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int wait_status(pid_t pid)
{
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            return -1;
    }
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    return 128 + WTERMSIG(status);
}

/* Starts argv with stdout going to `stdout_fd` (or inherited when -1). */
static pid_t start(char *const argv[], bool verbose, int stdout_fd)
{
    if (verbose) {
        fflush(stdout);
        shell_print_command(stderr, argv);
    }
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        msg_error("cannot start %s: %s", argv[0], strerror(errno));
        return -1;
    }
    if (pid == 0) {
        if (stdout_fd >= 0 && dup2(stdout_fd, STDOUT_FILENO) < 0)
            _exit(127);
        execvp(argv[0], argv);
        fprintf(stderr, "%s: cannot run %s: %s\n", atoll_prog, argv[0], strerror(errno));
        _exit(127);
    }
    return pid;
}

int proc_run(char *const argv[], bool verbose)
{
    pid_t pid = start(argv, verbose, -1);
    return pid < 0 ? -1 : wait_status(pid);
}

char *proc_output(char *const argv[], bool verbose)
{
    int fds[2];
    if (pipe(fds) != 0) {
        msg_error("pipe: %s", strerror(errno));
        return NULL;
    }
    pid_t pid = start(argv, verbose, fds[1]);
    close(fds[1]);
    size_t cap = 256, used = 0;
    char *out = xmalloc(cap);
    for (;;) {
        if (used + 1 >= cap)
            out = xrealloc(out, cap *= 2);
        ssize_t got = read(fds[0], out + used, cap - used - 1);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        used += (size_t)got;
    }
    close(fds[0]);
    out[used] = '\0';
    while (used > 0 && (out[used - 1] == '\n' || out[used - 1] == '\r'))
        out[--used] = '\0';
    if (pid < 0 || wait_status(pid) != 0) {
        free(out);
        return NULL;
    }
    return out;
}
