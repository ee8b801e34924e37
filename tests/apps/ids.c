/* Checks the process identity calls: pid, parent pid, thread id, user and group ids. */
#define _GNU_SOURCE
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
    pid_t pid = getpid();
    printf("pid=%d ppid=%d uid=%d euid=%d gid=%d egid=%d\n", (int)pid, (int)getppid(),
           (int)getuid(), (int)geteuid(), (int)getgid(), (int)getegid());
    check(pid > 0, "getpid is positive");
    check(getpid() == pid, "getpid is stable");
    check(getppid() >= 0, "getppid is not negative");
    check(syscall(SYS_gettid) == pid, "the main thread's tid equals the pid");
    check(getuid() == geteuid(), "uid equals euid");
    check(getgid() == getegid(), "gid equals egid");
    return checks_finish("ids");
}
