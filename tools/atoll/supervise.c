/* Supervision of the QEMU process: console pipe, timeout, Ctrl-C/SIGTERM, reaping. */
#include "supervise.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* In the child, between fork and exec: only async-signal-safe calls. */
static void exec_child(char *const argv[], int stdout_fd, int error_fd, pid_t parent,
                       const sigset_t *old_mask)
{
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(127);
    signal(SIGPIPE, SIG_DFL);
    sigprocmask(SIG_SETMASK, old_mask, NULL);
    int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd < 0 || dup2(null_fd, STDIN_FILENO) < 0 || dup2(stdout_fd, STDOUT_FILENO) < 0)
        goto failed;
    execv(argv[0], argv);
failed:;
    int err = errno;
    ssize_t ignored = write(error_fd, &err, sizeof(err));
    (void)ignored;
    _exit(127);
}

/* Waits for the exec to succeed (the error pipe closes) or fail (it carries errno). */
static int exec_error(int error_fd)
{
    int err = 0;
    ssize_t got;
    do {
        got = read(error_fd, &err, sizeof(err));
    } while (got < 0 && errno == EINTR);
    return got == (ssize_t)sizeof(err) ? err : 0;
}

static void reap(pid_t pid, int *status)
{
    while (waitpid(pid, status, 0) < 0 && errno == EINTR)
        ;
}

void supervise_qemu(char *const argv[], double timeout_s, struct console_filter *con,
                    struct supervise_result *result)
{
    memset(result, 0, sizeof(*result));
    result->end = SUPERVISE_START_FAILED;
    sigset_t mask, old_mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGHUP);
    sigaddset(&mask, SIGCHLD);
    /* Writing to a closed stdout must not kill the tool before it stops QEMU. */
    signal(SIGPIPE, SIG_IGN);
    sigprocmask(SIG_BLOCK, &mask, &old_mask);
    int sig_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
    int out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1};
    if (sig_fd < 0 || pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) {
        msg_error("cannot set up QEMU's pipes: %s", strerror(errno));
        goto out;
    }
    fflush(stdout);
    fflush(stderr);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        msg_error("cannot start QEMU: %s", strerror(errno));
        goto out;
    }
    if (pid == 0)
        exec_child(argv, out_pipe[1], err_pipe[1], parent, &old_mask);
    close(out_pipe[1]);
    close(err_pipe[1]);
    out_pipe[1] = err_pipe[1] = -1;
    int err = exec_error(err_pipe[0]);
    if (err) {
        int ignored;
        reap(pid, &ignored);
        msg_error("cannot run %s: %s", argv[0], strerror(err));
        goto out;
    }

    double deadline = timeout_s > 0 ? now_seconds() + timeout_s : 0;
    bool reaped = false, killed = false;
    int out_fd = out_pipe[0];
    result->end = SUPERVISE_EXITED;
    while (!reaped || out_fd >= 0) {
        struct pollfd fds[2] = {{sig_fd, POLLIN, 0}, {out_fd, POLLIN, 0}};
        int wait_ms = -1;
        if (deadline > 0 && !killed) {
            double left = deadline - now_seconds();
            wait_ms = left <= 0 ? 0 : left > 1e6 ? 1000000000 : (int)(left * 1000) + 1;
        }
        int ready = poll(fds, out_fd >= 0 ? 2 : 1, wait_ms);
        if (ready < 0 && errno != EINTR) {
            msg_error("poll: %s", strerror(errno));
            break;
        }
        if (!killed && deadline > 0 && now_seconds() >= deadline) {
            kill(pid, SIGKILL);
            killed = true;
            result->end = SUPERVISE_TIMED_OUT;
        }
        if (ready > 0 && out_fd >= 0 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
            char buf[65536];
            ssize_t got = read(out_fd, buf, sizeof(buf));
            if (got > 0) {
                console_filter_feed(con, buf, (size_t)got);
            } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
                close(out_fd);
                out_fd = out_pipe[0] = -1;
            }
        }
        if (ready > 0 && (fds[0].revents & POLLIN)) {
            struct signalfd_siginfo info;
            while (read(sig_fd, &info, sizeof(info)) == (ssize_t)sizeof(info)) {
                if (info.ssi_signo == SIGCHLD)
                    continue;
                if (!killed) {
                    kill(pid, SIGKILL);
                    killed = true;
                    result->end = SUPERVISE_INTERRUPTED;
                    result->signal = (int)info.ssi_signo;
                }
            }
        }
        if (!reaped) {
            pid_t done;
            while ((done = waitpid(pid, &result->wait_status, WNOHANG)) < 0 && errno == EINTR)
                ;
            reaped = done == pid;
        }
    }
    console_filter_finish(con);
    /* A Ctrl-C that came as QEMU ended is still pending: honour it here, or it would kill the
     * tool with its default action before the temporary files are removed. */
    struct signalfd_siginfo late;
    while (read(sig_fd, &late, sizeof(late)) == (ssize_t)sizeof(late)) {
        if (late.ssi_signo != SIGCHLD && result->end == SUPERVISE_EXITED) {
            result->end = SUPERVISE_INTERRUPTED;
            result->signal = (int)late.ssi_signo;
        }
    }
out:
    for (int i = 0; i < 2; i++) {
        if (out_pipe[i] >= 0)
            close(out_pipe[i]);
        if (err_pipe[i] >= 0)
            close(err_pipe[i]);
    }
    if (sig_fd >= 0)
        close(sig_fd);
    sigprocmask(SIG_SETMASK, &old_mask, NULL);
}
