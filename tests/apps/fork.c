/* A unikernel runs one process: fork() must fail cleanly with ENOSYS and the program goes on. */
#include <errno.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
    errno = 0;
    pid_t child = fork();
    if (child == 0)
        _exit(0); /* only reached on a system that can fork */
    int saved_errno = errno;
    check(child == -1 && saved_errno == ENOSYS, "fork returns -1 with ENOSYS (got %d, errno %d)",
          (int)child, saved_errno);
    printf("still running after fork\n");
    return checks_finish("fork");
}
