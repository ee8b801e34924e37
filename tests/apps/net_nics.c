/* Calls socket() so that the image links the network member (the kernel then names its NICs),
 * prints its arguments (NIC discovery must not add any), then sleeps $NET_NICS_SLEEP_MS ms (0 by
 * default): the kernel idles meanwhile, and frames that arrive must wake it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0)
        printf("socket: %s\n", strerror(errno));
    else
        close(fd);
    printf("argc=%d\n", argc);
    for (int i = 1; i < argc; i++)
        printf("argv[%d]=[%s]\n", i, argv[i]);
    const char *sleep_ms = getenv("NET_NICS_SLEEP_MS");
    if (sleep_ms) {
        long ms = atol(sleep_ms);
        struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
        printf("slept %ld ms\n", ms);
    }
    return 0;
}
