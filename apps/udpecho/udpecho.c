/* udpecho: a UDP echo server (RFC 862): every datagram goes back to its sender unchanged. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define DEFAULT_PORT 7
#define MAX_DATAGRAM 65535

static void usage(void)
{
    fprintf(stderr, "usage: udpecho [-p PORT]\n");
    exit(2);
}

static int parse_port(const char *text)
{
    char *end;
    errno = 0;
    long port = strtol(text, &end, 10);
    if (errno || *end || end == text || port < 1 || port > 65535) {
        fprintf(stderr, "udpecho: -p %s: not a port number (1-65535)\n", text);
        exit(2);
    }
    return (int)port;
}

int main(int argc, char **argv)
{
    int port = DEFAULT_PORT, opt;
    while ((opt = getopt(argc, argv, "p:")) != -1) {
        if (opt == 'p')
            port = parse_port(optarg);
        else
            usage();
    }
    if (optind != argc)
        usage();

    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) {
        perror("udpecho: socket");
        return 1;
    }
    /* A larger queue absorbs bursts of big datagrams while the previous ones are echoed. */
    int rcvbuf = 1 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    addr.sin_addr.s_addr = htonl(INADDR_ANY);
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        fprintf(stderr, "udpecho: bind to port %d: %s\n", port, strerror(errno));
        return 1;
    }
    printf("udpecho: listening on udp port %d\n", port);
    fflush(stdout);

    static char buf[MAX_DATAGRAM];
    for (;;) {
        struct sockaddr_in peer;
        socklen_t peer_len = sizeof(peer);
        ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&peer, &peer_len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            perror("udpecho: recvfrom");
            return 1;
        }
        /* A reply that cannot go out (no route, no buffer) is dropped like a lost datagram. */
        sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&peer, peer_len);
    }
}
