/* Calls socket() so that the image links the network member (the kernel then names its NICs), and
 * prints its arguments: NIC discovery must not add any. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
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
    return 0;
}
