/* Calls a syscall number no kernel serves: it must fail with ENOSYS and the program must go on. */
#define _GNU_SOURCE
#include <errno.h>
#include <unistd.h>

#include "check.h"

/* Unassigned on x86_64 (the numbers jump from 334 to 424). */
#define UNKNOWN_SYSCALL 400

int main(void)
{
    for (int attempt = 1; attempt <= 3; attempt++) {
        errno = 0;
        long rc = syscall(UNKNOWN_SYSCALL, 1, 2, 3);
        int saved_errno = errno;
        check(rc == -1 && saved_errno == ENOSYS, "syscall(%d) attempt %d: -1 and ENOSYS (errno %d)",
              UNKNOWN_SYSCALL, attempt, saved_errno);
    }
    printf("still running after the unknown syscall\n");
    return checks_finish("enosys");
}
