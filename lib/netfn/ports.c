/* The links of a network function: one AF_PACKET socket per interface, frames in and out in
 * bursts (recvmmsg/sendmmsg), poll across them. Buffers are static: nothing is allocated per
 * frame. Receiving never blocks; sending waits a little for room (backpressure, below). */
#define _GNU_SOURCE
#include "ports.h"
#include "csum.h"
#include "engine.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netpacket/packet.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/* linux/if_packet.h's, which musl's netpacket/packet.h lacks. */
struct nf_auxdata {
    uint32_t tp_status, tp_len, tp_snaplen;
    uint16_t tp_mac, tp_net, tp_vlan_tci, tp_vlan_tpid;
};
#define NF_PACKET_AUXDATA  8
#define NF_TP_CSUMNOTREADY (1u << 3)

#define BURST   32
#define TXQUEUE 64
/* How long a send may wait for the link to take its frames. Under overload the link out is what
 * limits: a function that waits for it stops reading its way in, so the excess is dropped where it
 * arrives (the NIC's full ring, before any work) rather than after it was parsed, filtered,
 * routed and copied. A link that takes nothing for this long loses the frames instead. */
#define SEND_WAIT_US 20000

struct txq {
    unsigned n;
    struct mmsghdr msgs[TXQUEUE];
    struct iovec iov[TXQUEUE];
    uint8_t frames[TXQUEUE][NF_FRAME_MAX];
};

static int fds[NF_MAX_IFACES];
static struct txq txqs[NF_MAX_IFACES];
static uint8_t rx_frames[BURST][NF_FRAME_MAX];
/* Linux hands frames from a local veth sender with the TCP/UDP checksum not yet computed
 * (TP_STATUS_CSUMNOTREADY in PACKET_AUXDATA): they are completed before leaving. Atoll serves
 * no PACKET_AUXDATA; its NICs deliver complete frames. */
static uint8_t rx_control[BURST][CMSG_SPACE(sizeof(struct nf_auxdata))];
static volatile sig_atomic_t want_counters, want_stop;

uint64_t nf_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int ifreq_call(int fd, unsigned long request, const char *name, struct ifreq *req)
{
    memset(req, 0, sizeof(*req));
    strncpy(req->ifr_name, name, sizeof(req->ifr_name) - 1);
    return ioctl(fd, request, req);
}

/* The link's index, trying netN for ethN (Atoll names its NICs net0, net1...). */
static int find_link(int fd, const char *device, char *found, size_t foundlen)
{
    struct ifreq req;
    snprintf(found, foundlen, "%s", device);
    if (ifreq_call(fd, SIOCGIFINDEX, found, &req) == 0)
        return req.ifr_ifindex;
    if (!strncmp(device, "eth", 3)) {
        snprintf(found, foundlen, "net%s", device + 3);
        if (ifreq_call(fd, SIOCGIFINDEX, found, &req) == 0)
            return req.ifr_ifindex;
    }
    return -1;
}

int nf_ports_open(struct nf_engine *e, const char *prog)
{
    for (unsigned i = 0; i < e->nifaces; i++) {
        struct nf_iface *f = &e->ifaces[i];
        int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
        if (fd < 0) {
            fprintf(stderr, "%s: packet socket: %s\n", prog, strerror(errno));
            return -1;
        }
        char link[IFNAMSIZ + 4];
        int ifindex = find_link(fd, f->device, link, sizeof(link));
        if (ifindex < 0) {
            fprintf(stderr, "%s: interface %s: no link named %s\n", prog, f->name, f->device);
            return -1;
        }
        struct sockaddr_ll addr = {
            .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL), .sll_ifindex = ifindex};
        if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
            fprintf(stderr, "%s: bind %s: %s\n", prog, link, strerror(errno));
            return -1;
        }
        struct ifreq req;
        /* The function owns its link: up it goes where nobody has brought it up (a Linux VM's
         * NICs); Atoll's NICs are always up and refuse the request, which is fine. */
        if (ifreq_call(fd, SIOCGIFFLAGS, link, &req) == 0 && !(req.ifr_flags & IFF_UP)) {
            req.ifr_flags |= IFF_UP;
            (void)ioctl(fd, SIOCSIFFLAGS, &req);
        }
        if (ifreq_call(fd, SIOCGIFHWADDR, link, &req) != 0) {
            fprintf(stderr, "%s: %s: no MAC address: %s\n", prog, link, strerror(errno));
            return -1;
        }
        memcpy(f->mac, req.ifr_hwaddr.sa_data, 6);
        if (!f->mtu)
            f->mtu = ifreq_call(fd, SIOCGIFMTU, link, &req) == 0 && req.ifr_mtu >= 68 &&
                             req.ifr_mtu <= NF_FRAME_MAX - 14
                         ? (uint16_t)req.ifr_mtu
                         : 1500;
        int on = 1;
        (void)setsockopt(fd, SOL_PACKET, NF_PACKET_AUXDATA, &on, sizeof(on)); /* Linux only */
        struct timeval send_wait = {0, SEND_WAIT_US};
        (void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &send_wait, sizeof(send_wait));
        fds[i] = fd;
        printf("%s: %s on %s mac %02x:%02x:%02x:%02x:%02x:%02x address %u.%u.%u.%u/%u mtu %u\n",
               prog, f->name, link, f->mac[0], f->mac[1], f->mac[2], f->mac[3], f->mac[4],
               f->mac[5], f->addr >> 24, f->addr >> 16 & 255, f->addr >> 8 & 255, f->addr & 255,
               f->plen, f->mtu);
    }
    fflush(stdout);
    return 0;
}

/* Sends the queue: all but the last frame with MSG_MORE, so that Atoll hands the whole queue to
 * the NIC at once (one ring publish, at most one notification); Linux ignores the flag here. */
static void flush(unsigned ifidx)
{
    struct txq *q = &txqs[ifidx];
    unsigned sent = 0;
    while (sent < q->n) {
        unsigned left = q->n - sent;
        int k = left > 1 ? sendmmsg(fds[ifidx], q->msgs + sent, left - 1, MSG_MORE)
                         : sendmmsg(fds[ifidx], q->msgs + sent, 1, 0);
        if (k <= 0) {
            if (k < 0 && errno == EINTR)
                continue;
            break; /* the rest is lost */
        }
        sent += (unsigned)k;
    }
    q->n = 0;
}

static void flush_all(unsigned nifaces)
{
    for (unsigned i = 0; i < nifaces; i++) {
        if (txqs[i].n)
            flush(i);
    }
}

/* The engine's emit: queue the frame, sending the queue when it is full. A received frame is
 * queued where it lies (drain sends the queues before the next burst overwrites it); frames made
 * elsewhere (ICMP errors, ARP, fragments, frames ARP held) are copied. */
static int emit(void *ctx, unsigned ifidx, const uint8_t *frame, size_t len)
{
    (void)ctx;
    struct txq *q = &txqs[ifidx];
    if (q->n == TXQUEUE)
        flush(ifidx);
    const uint8_t *rx_start = &rx_frames[0][0], *rx_end = rx_start + sizeof(rx_frames);
    void *at = (void *)(uintptr_t)frame;
    if (frame < rx_start || frame >= rx_end) {
        memcpy(q->frames[q->n], frame, len);
        at = q->frames[q->n];
    }
    q->iov[q->n] = (struct iovec){at, len};
    q->msgs[q->n].msg_hdr = (struct msghdr){.msg_iov = &q->iov[q->n], .msg_iovlen = 1};
    q->n++;
    return 0;
}

static void on_signal(int sig)
{
    if (sig == SIGUSR1)
        want_counters = 1;
    else
        want_stop = 1;
}

static void print_all(struct nf_engine *e, const struct nf_run_options *o)
{
    nf_print_counters(e, stdout);
    if (o->print_extra)
        o->print_extra(o->extra_ctx, stdout);
    fflush(stdout);
}

static int checksum_not_ready(struct msghdr *m)
{
    for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
        if (c->cmsg_level == SOL_PACKET && c->cmsg_type == NF_PACKET_AUXDATA) {
            struct nf_auxdata aux;
            memcpy(&aux, CMSG_DATA(c), sizeof(aux));
            return (aux.tp_status & NF_TP_CSUMNOTREADY) != 0;
        }
    }
    return 0;
}

/* Takes every frame waiting on one interface, a burst at a time; what the burst made is sent
 * before the next one reuses the receive buffers. */
static unsigned drain(struct nf_engine *e, unsigned ifidx)
{
    static struct mmsghdr msgs[BURST];
    static struct iovec iov[BURST];
    unsigned total = 0;
    for (;;) {
        for (int i = 0; i < BURST; i++) {
            iov[i] = (struct iovec){rx_frames[i], NF_FRAME_MAX};
            msgs[i].msg_hdr = (struct msghdr){.msg_iov = &iov[i],
                                              .msg_iovlen = 1,
                                              .msg_control = rx_control[i],
                                              .msg_controllen = sizeof(rx_control[i])};
        }
        int n = recvmmsg(fds[ifidx], msgs, BURST, MSG_DONTWAIT, NULL);
        if (n <= 0)
            return total;
        e->now_ms = nf_now_ms();
        for (int i = 0; i < n; i++) {
            size_t len = msgs[i].msg_len;
            if (len > NF_FRAME_MAX || (msgs[i].msg_hdr.msg_flags & MSG_TRUNC))
                continue;
            if (msgs[i].msg_hdr.msg_controllen && checksum_not_ready(&msgs[i].msg_hdr))
                nf_complete_l4_checksum(rx_frames[i], len);
            nf_input(e, ifidx, rx_frames[i], len);
        }
        flush_all(e->nifaces);
        total += (unsigned)n;
        if (n < BURST)
            return total;
    }
}

int nf_ports_run(struct nf_engine *e, const struct nf_run_options *o)
{
    e->emit = emit;
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    struct pollfd pfds[NF_MAX_IFACES];
    for (unsigned i = 0; i < e->nifaces; i++)
        pfds[i] = (struct pollfd){.fd = fds[i], .events = POLLIN};
    uint64_t last_tick = 0, last_stats = nf_now_ms(), last_frame = 0;
    int seen_frames = 0;
    while (!want_stop) {
        int n = poll(pfds, e->nifaces, 200);
        if (n < 0 && errno != EINTR) {
            fprintf(stderr, "%s: poll: %s\n", o->prog, strerror(errno));
            return 1;
        }
        uint64_t now = nf_now_ms();
        for (unsigned i = 0; n > 0 && i < e->nifaces; i++) {
            if (pfds[i].revents & POLLIN && drain(e, i)) {
                seen_frames = 1;
                last_frame = now;
            }
        }
        flush_all(e->nifaces);
        if (now - last_tick >= 200) {
            nf_tick(e, now);
            last_tick = now;
        }
        if (want_counters || (o->stats_every_s && now - last_stats >= o->stats_every_s * 1000u)) {
            want_counters = 0;
            last_stats = now;
            print_all(e, o);
        }
        if (o->idle_exit_ms && seen_frames && now - last_frame >= o->idle_exit_ms)
            break;
    }
    print_all(e, o);
    return 0;
}
