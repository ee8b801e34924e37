/* A two-port Ethernet bridge on raw packet sockets: every frame that arrives on one interface
 * leaves by the other, in bursts (recvmmsg/sendmmsg), waiting with poll(2) or epoll.
 *
 *   packet_bridge [--epoll] [--idle-exit MS] [IF_A IF_B]     (default net0 net1)
 *
 * --idle-exit MS ends the bridge once frames have crossed and then none came for MS ms; it prints
 * how many frames crossed each way. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netpacket/packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define BURST     32
#define FRAME_MAX 2048

struct port {
    const char *name;
    int fd;
    unsigned ifindex;
    unsigned long frames_out; /* frames that left by this port */
};

static unsigned char frames[BURST][FRAME_MAX];

/* if_nametoindex, or the same question asked of the packet socket itself where the former is not
 * served. */
static unsigned index_of(int fd, const char *name)
{
    unsigned index = if_nametoindex(name);
    if (index)
        return index;
    struct ifreq req;
    memset(&req, 0, sizeof(req));
    strncpy(req.ifr_name, name, sizeof(req.ifr_name) - 1);
    return ioctl(fd, SIOCGIFINDEX, &req) == 0 ? (unsigned)req.ifr_ifindex : 0;
}

static int open_port(struct port *p)
{
    p->fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK, htons(ETH_P_ALL));
    if (p->fd < 0) {
        printf("packet_bridge: socket: %s\n", strerror(errno));
        return -1;
    }
    p->ifindex = index_of(p->fd, p->name);
    if (!p->ifindex) {
        printf("packet_bridge: no interface %s\n", p->name);
        return -1;
    }
    struct sockaddr_ll addr = {
        .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL), .sll_ifindex = (int)p->ifindex};
    if (bind(p->fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        printf("packet_bridge: bind %s: %s\n", p->name, strerror(errno));
        return -1;
    }
    return 0;
}

/* Moves every frame waiting on `from` to `to`; returns how many, or -1 on an error. */
static int forward(struct port *from, struct port *to)
{
    struct mmsghdr msgs[BURST];
    struct iovec iov[BURST];
    int total = 0;
    for (;;) {
        memset(msgs, 0, sizeof(msgs));
        for (int i = 0; i < BURST; i++) {
            iov[i] = (struct iovec){frames[i], FRAME_MAX};
            msgs[i].msg_hdr.msg_iov = &iov[i];
            msgs[i].msg_hdr.msg_iovlen = 1;
        }
        int n = recvmmsg(from->fd, msgs, BURST, MSG_DONTWAIT, NULL);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return total;
            printf("packet_bridge: recvmmsg %s: %s\n", from->name, strerror(errno));
            return -1;
        }
        for (int i = 0; i < n; i++)
            iov[i].iov_len = msgs[i].msg_len;
        int sent = 0;
        while (sent < n) {
            int k = sendmmsg(to->fd, msgs + sent, (unsigned)(n - sent), 0);
            if (k < 0) {
                printf("packet_bridge: sendmmsg %s: %s\n", to->name, strerror(errno));
                return -1;
            }
            sent += k;
        }
        to->frames_out += (unsigned long)n;
        total += n;
        if (n < BURST)
            return total;
    }
}

int main(int argc, char **argv)
{
    bool use_epoll = false;
    int idle_exit_ms = -1;
    const char *names[2] = {"net0", "net1"};
    int named = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--epoll") == 0)
            use_epoll = true;
        else if (strcmp(argv[i], "--idle-exit") == 0 && i + 1 < argc)
            idle_exit_ms = atoi(argv[++i]);
        else if (named < 2)
            names[named++] = argv[i];
        else {
            printf("usage: packet_bridge [--epoll] [--idle-exit MS] [IF_A IF_B]\n");
            return 2;
        }
    }
    struct port ports[2] = {{.name = names[0]}, {.name = names[1]}};
    if (open_port(&ports[0]) < 0 || open_port(&ports[1]) < 0)
        return 1;
    printf("packet_bridge: %s (ifindex %u) <-> %s (ifindex %u) with %s\n", ports[0].name,
           ports[0].ifindex, ports[1].name, ports[1].ifindex, use_epoll ? "epoll" : "poll");
    fflush(stdout);

    int ep = -1;
    if (use_epoll) {
        ep = epoll_create1(EPOLL_CLOEXEC);
        for (int i = 0; i < 2 && ep >= 0; i++) {
            struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
            if (epoll_ctl(ep, EPOLL_CTL_ADD, ports[i].fd, &ev) < 0)
                ep = -1;
        }
        if (ep < 0) {
            printf("packet_bridge: epoll: %s\n", strerror(errno));
            return 1;
        }
    }
    unsigned long crossed = 0;
    for (;;) {
        bool readable[2] = {false, false};
        int timeout = crossed && idle_exit_ms >= 0 ? idle_exit_ms : -1;
        int n;
        if (use_epoll) {
            struct epoll_event evs[2];
            n = epoll_wait(ep, evs, 2, timeout);
            for (int i = 0; i < n; i++)
                readable[evs[i].data.u32] = true;
        } else {
            struct pollfd pfds[2] = {{ports[0].fd, POLLIN, 0}, {ports[1].fd, POLLIN, 0}};
            n = poll(pfds, 2, timeout);
            for (int i = 0; i < 2 && n > 0; i++)
                readable[i] = pfds[i].revents & POLLIN;
        }
        if (n < 0) {
            printf("packet_bridge: wait: %s\n", strerror(errno));
            return 1;
        }
        if (n == 0)
            break; /* idle for idle_exit_ms after traffic */
        for (int i = 0; i < 2; i++) {
            if (!readable[i])
                continue;
            int moved = forward(&ports[i], &ports[1 - i]);
            if (moved < 0)
                return 1;
            crossed += (unsigned long)moved;
        }
    }
    printf("packet_bridge: %s->%s %lu frames, %s->%s %lu frames\n", ports[0].name, ports[1].name,
           ports[1].frames_out, ports[1].name, ports[0].name, ports[0].frames_out);
    return 0;
}
