/* Calls abort(): the kernel must report it and exit with 134, like SIGABRT in a shell. */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    printf("calling abort\n");
    fflush(stdout);
    abort();
}
