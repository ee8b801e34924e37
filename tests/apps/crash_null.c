/* Writes through a NULL pointer: the kernel must report a page fault at address 0 and exit 139. */
#include <stdio.h>

/* Read through a volatile so the compiler cannot see the NULL and turn the store into a trap. */
static int *volatile target = NULL;

__attribute__((noinline)) void crash_null(int value)
{
    *target = value;
}

int main(void)
{
    printf("writing to NULL\n");
    fflush(stdout);
    crash_null(42);
    printf("still alive after writing to NULL\n");
    return 0;
}
