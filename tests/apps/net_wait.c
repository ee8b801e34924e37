/* A network peer for the e2e tests: binds UDP port $NET_WAIT_PORT (7777 by default), sends one
 * "hello" datagram to $NET_WAIT_PEER (ADDR:PORT, if set; it has to resolve the peer's MAC by
 * ARP), prints "net_wait: ready" and then waits for a datagram "quit", which ends it with
 * status 0. Meanwhile the kernel answers pings and ARP on its own. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int fail(const char *what)
{
    printf("net_wait: %s: %s\n", what, strerror(errno));
    return 1;
}

static int send_hello(int fd, const char *peer)
{
    char host[64];
    const char *colon = strrchr(peer, ':');
    if (!colon || (size_t)(colon - peer) >= sizeof(host)) {
        printf("net_wait: NET_WAIT_PEER=%s: expected ADDR:PORT\n", peer);
        return 1;
    }
    memcpy(host, peer, (size_t)(colon - peer));
    host[colon - peer] = '\0';
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(colon + 1))};
    if (inet_pton(AF_INET, host, &to.sin_addr) != 1) {
        printf("net_wait: NET_WAIT_PEER=%s: not an IPv4 address\n", peer);
        return 1;
    }
    if (sendto(fd, "hello", 5, 0, (struct sockaddr *)&to, sizeof(to)) != 5)
        return fail("sendto");
    return 0;
}

int main(void)
{
    const char *port = getenv("NET_WAIT_PORT");
    const char *peer = getenv("NET_WAIT_PEER");
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0)
        return fail("socket");
    struct sockaddr_in addr = {.sin_family = AF_INET,
                               .sin_port = htons((uint16_t)(port ? atoi(port) : 7777)),
                               .sin_addr.s_addr = htonl(INADDR_ANY)};
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
        return fail("bind");
    if (peer && send_hello(fd, peer) != 0)
        return 1;
    printf("net_wait: ready\n");
    fflush(stdout);
    for (;;) {
        char buf[64];
        ssize_t n = recv(fd, buf, sizeof(buf), 0);
        if (n < 0)
            return fail("recv");
        if (n == 4 && memcmp(buf, "quit", 4) == 0)
            break;
    }
    printf("net_wait: quit\n");
    close(fd);
    return 0;
}
