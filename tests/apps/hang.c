/* Sleeps forever, so that a test can check that the runner's --timeout stops a guest. */
#include <stdio.h>
#include <time.h>

int main(void)
{
    printf("sleeping forever\n");
    fflush(stdout);
    struct timespec one_second = {1, 0};
    for (;;)
        nanosleep(&one_second, NULL);
}
