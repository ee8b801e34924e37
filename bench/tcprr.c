/* TCP request/response load generator: C connections, each with one 64-byte request outstanding,
 * against an echo server; counts round trips for a fixed time. Prints
 * "tcprr: connections=C seconds=S round_trips=N rate=R".
 *
 *   tcprr HOST PORT [-c CONNECTIONS] [-s SECONDS] [-b BYTES] [-r READY_SECONDS]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 256

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int connect_to(const struct sockaddr_in *a)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    if (fd < 0)
        return -1;
    if (connect(fd, (const struct sockaddr *)a, sizeof(*a)) < 0) {
        close(fd);
        return -1;
    }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return fd;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: tcprr HOST PORT [-c CONNECTIONS] [-s SECONDS] [-b BYTES] "
                        "[-r READY_SECONDS]\n");
        return 2;
    }
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[2]))};
    if (inet_pton(AF_INET, argv[1], &a.sin_addr) != 1) {
        fprintf(stderr, "tcprr: bad address %s\n", argv[1]);
        return 2;
    }
    int conns = 1, opt;
    double seconds = 10, ready = 60;
    size_t bytes = 64;
    optind = 3;
    while ((opt = getopt(argc, argv, "c:s:b:r:")) != -1) {
        if (opt == 'c')
            conns = atoi(optarg);
        else if (opt == 's')
            seconds = atof(optarg);
        else if (opt == 'b')
            bytes = (size_t)atol(optarg);
        else if (opt == 'r')
            ready = atof(optarg);
        else
            return 2;
    }
    if (conns < 1 || conns > MAX_CONNS || bytes < 1 || bytes > 65536) {
        fprintf(stderr, "tcprr: 1-%d connections of 1-65536 bytes\n", MAX_CONNS);
        return 2;
    }
    /* The server may still be booting: poll until it accepts, bounded. */
    double deadline = now_s() + ready;
    int probe;
    while ((probe = connect_to(&a)) < 0) {
        if (now_s() > deadline) {
            fprintf(stderr, "tcprr: nothing accepts after %.0f s\n", ready);
            return 1;
        }
        struct timespec pause = {0, 50000000};
        nanosleep(&pause, NULL);
    }
    close(probe);
    static struct pollfd fds[MAX_CONNS];
    static size_t got[MAX_CONNS];
    static char req[65536], resp[65536];
    memset(req, 'r', bytes);
    for (int i = 0; i < conns; i++) {
        fds[i].fd = connect_to(&a);
        fds[i].events = POLLIN;
        if (fds[i].fd < 0 || send(fds[i].fd, req, bytes, MSG_NOSIGNAL) != (ssize_t)bytes) {
            fprintf(stderr, "tcprr: connection %d failed: %s\n", i, strerror(errno));
            return 1;
        }
    }
    unsigned long long trips = 0;
    double start = now_s(), end = start + seconds;
    while (now_s() < end) {
        int n = poll(fds, (nfds_t)conns, 1000);
        if (n < 0)
            return 1;
        for (int i = 0; i < conns && n; i++) {
            if (!fds[i].revents)
                continue;
            ssize_t r = recv(fds[i].fd, resp, bytes - got[i], 0);
            if (r <= 0) {
                fprintf(stderr, "tcprr: connection %d ended\n", i);
                return 1;
            }
            got[i] += (size_t)r;
            if (got[i] == bytes) {
                got[i] = 0;
                trips++;
                if (send(fds[i].fd, req, bytes, MSG_NOSIGNAL) != (ssize_t)bytes)
                    return 1;
            }
        }
    }
    double took = now_s() - start;
    printf("tcprr: connections=%d seconds=%.2f round_trips=%llu rate=%.0f\n", conns, took, trips,
           (double)trips / took);
    return 0;
}
