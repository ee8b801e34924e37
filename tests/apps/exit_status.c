/* Exits with the status given as its first argument, to check that the status reaches the caller.
 */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: exit_status N\n");
        return 2;
    }
    int status = atoi(argv[1]);
    printf("exiting with status %d\n", status);
    /* exit() must flush stdio before the kernel reports the status. */
    exit(status);
}
