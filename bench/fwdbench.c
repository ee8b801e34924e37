/* Forwarding benchmark driver: sends UDP frames into one network namespace's link and receives
 * them from another's, over AF_PACKET, to measure what crosses a forwarder between them.
 *
 *   fwdbench rate    TX_NS TX_IF RX_NS RX_IF DST_MAC FRAME_BYTES SECONDS
 *   fwdbench latency TX_NS TX_IF RX_NS RX_IF DST_MAC FRAME_BYTES COUNT
 *
 * Frames go from 192.168.100.10:9000 to 10.0.0.100:53 (what the PoC firewall lets through).
 * `rate` sends as fast as it can for SECONDS (sendmmsg bursts of 64) while counting arrivals,
 * then waits 1 s for stragglers; prints `sent N received M seconds S rx_pps P`. `latency` sends
 * one frame at a time and waits up to 1 s for it; prints `count N lost L median_us M p90_us P`.
 * Needs root (setns, packet sockets). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netpacket/packet.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAGIC 0x41544f4cu /* "ATOL" */
#define BURST 64

static int tx_fd, rx_fd;
static unsigned char frame_template[1514];
static size_t frame_len;
static volatile int sending;
static unsigned long long sent;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint16_t csum16(const unsigned char *p, size_t n)
{
    uint32_t s = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)(p[i] << 8 | p[i + 1]);
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

/* A packet socket bound to IF inside the network namespace NS; a sending one (receive false)
 * takes protocol 0, so that Linux does not loop every frame it sends back into its queue. */
static int open_in_ns(const char *ns, const char *ifname, int receive)
{
    unsigned short proto = receive ? htons(ETH_P_ALL) : 0;
    char path[256];
    snprintf(path, sizeof(path), "/run/netns/%s", ns);
    int nsfd = open(path, O_RDONLY);
    if (nsfd < 0 || setns(nsfd, CLONE_NEWNET) != 0) {
        fprintf(stderr, "fwdbench: namespace %s: %s\n", ns, strerror(errno));
        exit(1);
    }
    close(nsfd);
    int fd = socket(AF_PACKET, SOCK_RAW, proto);
    unsigned idx = if_nametoindex(ifname);
    struct sockaddr_ll a = {
        .sll_family = AF_PACKET, .sll_protocol = proto, .sll_ifindex = (int)idx};
    if (fd < 0 || !idx || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        fprintf(stderr, "fwdbench: %s in %s: %s\n", ifname, ns, strerror(errno));
        exit(1);
    }
    int big = 8 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
    return fd;
}

static void build_frame(const char *dst_mac, size_t len)
{
    unsigned char *f = frame_template;
    unsigned m[6];
    if (sscanf(dst_mac, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) != 6) {
        fprintf(stderr, "fwdbench: bad MAC %s\n", dst_mac);
        exit(2);
    }
    memset(f, 0, sizeof(frame_template));
    for (int i = 0; i < 6; i++)
        f[i] = (unsigned char)m[i];
    memcpy(f + 6, "\x02\x00\x00\xbe\x0c\x01", 6);
    f[12] = 0x08;
    unsigned char *ip = f + 14;
    size_t ip_len = len - 14;
    ip[0] = 0x45;
    ip[2] = (unsigned char)(ip_len >> 8);
    ip[3] = (unsigned char)ip_len;
    ip[8] = 64;
    ip[9] = 17;
    memcpy(ip + 12, "\xc0\xa8\x64\x0a", 4); /* 192.168.100.10 */
    memcpy(ip + 16, "\x0a\x00\x00\x64", 4); /* 10.0.0.100 */
    uint16_t c = csum16(ip, 20);
    ip[10] = (unsigned char)(c >> 8);
    ip[11] = (unsigned char)c;
    unsigned char *udp = ip + 20;
    udp[0] = 9000 >> 8;
    udp[1] = 9000 & 255;
    udp[3] = 53;
    udp[4] = (unsigned char)((ip_len - 20) >> 8);
    udp[5] = (unsigned char)(ip_len - 20);
    uint32_t magic = htonl(MAGIC);
    memcpy(udp + 8, &magic, 4);
    frame_len = len;
}

/* Our frame (by its magic), with its sequence number and send time. */
static int ours(const unsigned char *f, ssize_t n, uint32_t *seq, double *sent_at)
{
    if (n < 14 + 20 + 8 + 16 || f[12] != 0x08 || f[13] != 0 || f[14 + 9] != 17)
        return 0;
    const unsigned char *p = f + 14 + 20 + 8;
    uint32_t magic;
    memcpy(&magic, p, 4);
    if (ntohl(magic) != MAGIC)
        return 0;
    memcpy(seq, p + 4, 4);
    memcpy(sent_at, p + 8, 8);
    return 1;
}

static void *sender(void *arg)
{
    (void)arg;
    static unsigned char frames[BURST][1514];
    struct mmsghdr msgs[BURST];
    struct iovec iov[BURST];
    uint32_t seq = 0;
    while (sending) {
        for (int i = 0; i < BURST; i++) {
            memcpy(frames[i], frame_template, frame_len);
            memcpy(frames[i] + 14 + 20 + 8 + 4, &seq, 4);
            seq++;
            iov[i] = (struct iovec){frames[i], frame_len};
            memset(&msgs[i], 0, sizeof(msgs[i]));
            msgs[i].msg_hdr.msg_iov = &iov[i];
            msgs[i].msg_hdr.msg_iovlen = 1;
        }
        int k = sendmmsg(tx_fd, msgs, BURST, 0);
        if (k > 0)
            sent += (unsigned long long)k;
    }
    return NULL;
}

static void rate(double seconds)
{
    static unsigned char buf[2048];
    unsigned long long received = 0;
    sending = 1;
    pthread_t t;
    pthread_create(&t, NULL, sender, NULL);
    double start = now_s(), stop_send = start + seconds, end = stop_send + 1.0;
    for (double now = start; now < end; now = now_s()) {
        if (sending && now >= stop_send) {
            sending = 0;
            pthread_join(t, NULL);
        }
        struct pollfd p = {rx_fd, POLLIN, 0};
        if (poll(&p, 1, 50) <= 0)
            continue;
        ssize_t n;
        while ((n = recv(rx_fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
            uint32_t seq;
            double at;
            received += ours(buf, n, &seq, &at);
        }
    }
    printf("sent %llu received %llu seconds %.1f rx_pps %.0f\n", sent, received, seconds,
           (double)received / seconds);
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void latency(int count)
{
    static unsigned char buf[2048];
    double *us = calloc((size_t)count, sizeof(double));
    int got = 0;
    for (uint32_t seq = 0; seq < (uint32_t)count; seq++) {
        unsigned char f[1514];
        memcpy(f, frame_template, frame_len);
        double t0 = now_s();
        memcpy(f + 14 + 20 + 8 + 4, &seq, 4);
        memcpy(f + 14 + 20 + 8 + 8, &t0, 8);
        if (send(tx_fd, f, frame_len, 0) < 0)
            continue;
        double deadline = t0 + 1.0;
        for (double now = t0; now < deadline; now = now_s()) {
            struct pollfd p = {rx_fd, POLLIN, 0};
            if (poll(&p, 1, 10) <= 0)
                continue;
            ssize_t n = recv(rx_fd, buf, sizeof(buf), MSG_DONTWAIT);
            uint32_t s;
            double at;
            if (n > 0 && ours(buf, n, &s, &at) && s == seq) {
                us[got++] = (now_s() - t0) * 1e6;
                break;
            }
        }
    }
    qsort(us, (size_t)got, sizeof(double), by_value);
    printf("count %d lost %d median_us %.0f p90_us %.0f\n", count, count - got,
           got ? us[got / 2] : 0.0, got ? us[got * 9 / 10] : 0.0);
    free(us);
}

int main(int argc, char **argv)
{
    if (argc != 9) {
        fprintf(stderr, "usage: fwdbench rate|latency TX_NS TX_IF RX_NS RX_IF DST_MAC BYTES "
                        "SECONDS|COUNT\n");
        return 2;
    }
    size_t len = (size_t)atoi(argv[7]);
    if (len < 60 || len > 1514) {
        fprintf(stderr, "fwdbench: frame bytes from 60 to 1514\n");
        return 2;
    }
    rx_fd = open_in_ns(argv[4], argv[5], 1);
    tx_fd = open_in_ns(argv[2], argv[3], 0);
    build_frame(argv[6], len);
    if (!strcmp(argv[1], "rate"))
        rate(atof(argv[8]));
    else
        latency(atoi(argv[8]));
    return 0;
}
