/* Interface discovery (SIOCGIF* ioctls, musl's if_nametoindex & co.) and AF_PACKET socket
 * semantics, each compared with what the booted instance must report.
 *
 *   net_ifreq MAC0 MAC1 ADDR0 MASK0 MTU0
 *
 * net0 has MAC0, address ADDR0 with netmask MASK0 and MTU MTU0; net1 has MAC1 and no address.
 * net0 sits on QEMU user networking, whose gateway 10.0.2.2 answers ARP: a request sent on a
 * packet socket must bring a reply back. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "check.h"

/* Linux's struct tpacket_stats (musl's netpacket/packet.h leaves it out). */
struct packet_stats {
    unsigned tp_packets, tp_drops;
};

static int ifreq_of(int fd, unsigned long req, const char *name, struct ifreq *r)
{
    memset(r, 0, sizeof(*r));
    strncpy(r->ifr_name, name, sizeof(r->ifr_name) - 1);
    return ioctl(fd, req, r);
}

static const char *mac_text(const unsigned char *m)
{
    static char text[18];
    snprintf(text, sizeof(text), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4],
             m[5]);
    return text;
}

static const char *inet_of(const struct sockaddr *sa)
{
    return inet_ntoa(((const struct sockaddr_in *)sa)->sin_addr);
}

/* Runs one ifreq ioctl on name; returns 0 or the errno it failed with. */
static int ask(int fd, unsigned long req, const char *name, struct ifreq *r)
{
    return ifreq_of(fd, req, name, r) == 0 ? 0 : errno;
}

static void check_ifreqs(int fd, char **argv)
{
    const char *mac0 = argv[1], *mac1 = argv[2], *addr0 = argv[3], *mask0 = argv[4];
    int mtu0 = atoi(argv[5]);
    struct ifreq r;
    int err;

    err = ask(fd, SIOCGIFINDEX, "net0", &r);
    check(!err && r.ifr_ifindex == 1, "SIOCGIFINDEX net0 -> 1 (got %d)", r.ifr_ifindex);
    err = ask(fd, SIOCGIFINDEX, "net1", &r);
    check(!err && r.ifr_ifindex == 2, "SIOCGIFINDEX net1 -> 2 (got %d)", r.ifr_ifindex);
    err = ask(fd, SIOCGIFINDEX, "eth7", &r);
    check(err == ENODEV, "SIOCGIFINDEX eth7 -> ENODEV (%s)", strerror(err));
    memset(&r, 0, sizeof(r));
    r.ifr_ifindex = 2;
    err = ioctl(fd, SIOCGIFNAME, &r) == 0 ? 0 : errno;
    check(!err && strcmp(r.ifr_name, "net1") == 0, "SIOCGIFNAME 2 -> net1 (got %s)", r.ifr_name);
    r.ifr_ifindex = 9;
    err = ioctl(fd, SIOCGIFNAME, &r) == 0 ? 0 : errno;
    check(err == ENODEV, "SIOCGIFNAME 9 -> ENODEV (%s)", strerror(err));

    err = ask(fd, SIOCGIFHWADDR, "net0", &r);
    const char *got = mac_text((unsigned char *)r.ifr_hwaddr.sa_data);
    check(!err && strcmp(got, mac0) == 0 && r.ifr_hwaddr.sa_family == 1,
          "SIOCGIFHWADDR net0 -> %s, ARPHRD_ETHER (got %s, %d)", mac0, got, r.ifr_hwaddr.sa_family);
    err = ask(fd, SIOCGIFHWADDR, "net1", &r);
    got = mac_text((unsigned char *)r.ifr_hwaddr.sa_data);
    check(!err && strcmp(got, mac1) == 0, "SIOCGIFHWADDR net1 -> %s (got %s)", mac1, got);

    err = ask(fd, SIOCGIFADDR, "net0", &r);
    got = inet_of(&r.ifr_addr);
    check(!err && strcmp(got, addr0) == 0 && r.ifr_addr.sa_family == AF_INET,
          "SIOCGIFADDR net0 -> %s (got %s)", addr0, got);
    err = ask(fd, SIOCGIFNETMASK, "net0", &r);
    got = inet_of(&r.ifr_netmask);
    check(!err && strcmp(got, mask0) == 0, "SIOCGIFNETMASK net0 -> %s (got %s)", mask0, got);
    err = ask(fd, SIOCGIFADDR, "net1", &r);
    check(err == EADDRNOTAVAIL, "SIOCGIFADDR net1 (no address) -> EADDRNOTAVAIL (%s)",
          strerror(err));
    err = ask(fd, SIOCGIFMTU, "net0", &r);
    check(!err && r.ifr_mtu == mtu0, "SIOCGIFMTU net0 -> %d (got %d)", mtu0, r.ifr_mtu);
    int want = IFF_UP | IFF_RUNNING | IFF_BROADCAST | IFF_MULTICAST;
    err = ask(fd, SIOCGIFFLAGS, "net1", &r);
    check(!err && (r.ifr_flags & want) == want,
          "SIOCGIFFLAGS net1 has UP|RUNNING|BROADCAST|MULTICAST (got %#x)", r.ifr_flags);

    struct ifconf conf = {.ifc_len = 0, .ifc_req = NULL};
    err = ioctl(fd, SIOCGIFCONF, &conf) == 0 ? 0 : errno;
    check(!err && conf.ifc_len == (int)sizeof(struct ifreq),
          "SIOCGIFCONF without a buffer -> length of 1 entry (got %d)", conf.ifc_len);
    struct ifreq list[4];
    conf = (struct ifconf){.ifc_len = sizeof(list), .ifc_req = list};
    err = ioctl(fd, SIOCGIFCONF, &conf) == 0 ? 0 : errno;
    check(!err && conf.ifc_len == (int)sizeof(struct ifreq) &&
              strcmp(list[0].ifr_name, "net0") == 0 &&
              strcmp(inet_of(&list[0].ifr_addr), addr0) == 0,
          "SIOCGIFCONF lists net0 %s, the only interface with an address", addr0);
}

static void check_libc_names(void)
{
    /* musl's if_nametoindex and if_indextoname ask through an AF_UNIX datagram socket's ioctls;
     * if_nameindex reads a netlink dump, which is not served (docs/packet-sockets.md). */
    int probe = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    check(probe >= 0, "socket(AF_UNIX, SOCK_DGRAM) for interface ioctls (%s)",
          probe >= 0 ? "ok" : strerror(errno));
    if (probe >= 0) {
        close(probe);
        unsigned index = if_nametoindex("net1");
        check(index == 2, "if_nametoindex(net1) -> 2 (got %u)", index);
        char name[IF_NAMESIZE] = "";
        char *got = if_indextoname(1, name);
        check(got && strcmp(name, "net0") == 0, "if_indextoname(1) -> net0 (got %s)",
              got ? name : strerror(errno));
        check(if_nametoindex("nope0") == 0, "if_nametoindex(nope0) -> 0");
    }
    struct if_nameindex *all = if_nameindex();
    if (all == NULL) {
        printf("skip: if_nameindex: %s\n", strerror(errno));
    } else {
        check(all[0].if_index == 1 && strcmp(all[0].if_name, "net0") == 0 && all[1].if_index == 2 &&
                  strcmp(all[1].if_name, "net1") == 0 && all[2].if_index == 0,
              "if_nameindex -> net0, net1");
        if_freenameindex(all);
    }
}

/* Writes the 28-byte ARP body "who-has 10.0.2.2 tell 10.0.2.15" from mac. */
static void arp_request(unsigned char *arp, const unsigned char *mac)
{
    const unsigned char head[8] = {0, 1, 8, 0, 6, 4, 0, 1};
    const unsigned char sender_ip[4] = {10, 0, 2, 15}, target_ip[4] = {10, 0, 2, 2};
    memcpy(arp, head, 8);
    memcpy(arp + 8, mac, 6);
    memcpy(arp + 14, sender_ip, 4);
    memset(arp + 18, 0, 6);
    memcpy(arp + 24, target_ip, 4);
}

static void check_packet_socket(const char *mac0_text)
{
    int err;
    int fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ARP));
    if (!check(fd >= 0, "socket(AF_PACKET, SOCK_RAW, ETH_P_ARP)"))
        return;
    err = socket(AF_PACKET, SOCK_STREAM, 0) < 0 ? errno : 0;
    check(err == ESOCKTNOSUPPORT, "AF_PACKET SOCK_STREAM -> ESOCKTNOSUPPORT (%s)", strerror(err));
    struct sockaddr_ll bad = {.sll_family = AF_PACKET, .sll_ifindex = 7};
    err = bind(fd, (struct sockaddr *)&bad, sizeof(bad)) < 0 ? errno : 0;
    check(err == ENODEV, "bind to ifindex 7 -> ENODEV (%s)", strerror(err));
    struct sockaddr_ll me = {.sll_family = AF_PACKET, .sll_ifindex = 1};
    check(bind(fd, (struct sockaddr *)&me, sizeof(me)) == 0, "bind to ifindex 1");
    struct sockaddr_ll name;
    socklen_t len = sizeof(name);
    check(getsockname(fd, (struct sockaddr *)&name, &len) == 0 && len == sizeof(name) &&
              name.sll_ifindex == 1 && name.sll_protocol == htons(ETH_P_ARP) &&
              name.sll_halen == 6 && strcmp(mac_text(name.sll_addr), mac0_text) == 0,
          "getsockname: ifindex 1, ETH_P_ARP, our MAC");
    char byte;
    err = recv(fd, &byte, 1, MSG_DONTWAIT) < 0 ? errno : 0;
    check(err == EAGAIN, "recv MSG_DONTWAIT with nothing queued -> EAGAIN (%s)", strerror(err));

    /* ARP who-has 10.0.2.2 tell 10.0.2.15, from net0's MAC. */
    unsigned char frame[42];
    unsigned char *mac = name.sll_addr;
    memset(frame, 0xff, 6);
    memcpy(frame + 6, mac, 6);
    frame[12] = 0x08, frame[13] = 0x06;
    arp_request(frame + 14, mac);
    check(send(fd, frame, sizeof(frame), 0) == (ssize_t)sizeof(frame),
          "send a 42-byte ARP request on the bound interface");

    /* The kernel's own ARP link probe on net0 is answered too: either reply will do. */
    struct pollfd pfd = {fd, POLLIN, 0};
    int ready = poll(&pfd, 1, 10000);
    check(ready == 1 && (pfd.revents & POLLIN), "poll: the reply makes it readable");
    int queued = 0;
    err = ioctl(fd, FIONREAD, &queued) == 0 ? 0 : errno;
    check(!err && queued >= 42, "FIONREAD -> the frame's length (%d)", queued);
    unsigned char reply[2048];
    ssize_t n = recv(fd, reply, 10, MSG_PEEK | MSG_TRUNC);
    check(n == queued,
          "recv MSG_PEEK|MSG_TRUNC into 10 bytes returns the whole length %d (got %zd)", queued, n);
    struct sockaddr_ll from;
    socklen_t fromlen = sizeof(from);
    n = recvfrom(fd, reply, sizeof(reply), 0, (struct sockaddr *)&from, &fromlen);
    check(n == queued, "recvfrom then takes the peeked frame of %d bytes (got %zd)", queued, n);
    check(fromlen == sizeof(from) && from.sll_family == AF_PACKET && from.sll_ifindex == 1 &&
              from.sll_protocol == htons(ETH_P_ARP) && from.sll_pkttype == PACKET_HOST &&
              from.sll_halen == 6 && from.sll_hatype == 1,
          "sockaddr_ll: ifindex 1, ETH_P_ARP, PACKET_HOST, ARPHRD_ETHER (pkttype %d)",
          from.sll_pkttype);
    check(memcmp(reply, mac, 6) == 0 && reply[12] == 0x08 && reply[13] == 0x06,
          "the frame is an ARP to our MAC");
    struct packet_stats stats;
    socklen_t slen = sizeof(stats);
    err = getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &stats, &slen) == 0 ? 0 : errno;
    check(!err && stats.tp_packets >= 1 && stats.tp_drops == 0,
          "PACKET_STATISTICS: %u frames, %u drops", stats.tp_packets, stats.tp_drops);
    err = send(fd, frame, 10, 0) < 0 ? errno : 0;
    check(err == EINVAL, "a 10-byte frame -> EINVAL (%s)", strerror(err));
    /* The timeouts on a socket no frame can reach: one bound to an EtherType nobody sends (IEEE
     * 802 local experimental). On the ARP socket, a late answer to the NIC's own link probe could
     * arrive within the timeout. */
    int quiet = socket(AF_PACKET, SOCK_RAW, htons(0x88b5));
    struct sockaddr_ll quiet_at = {.sll_family = AF_PACKET, .sll_ifindex = 1};
    check(quiet >= 0 && bind(quiet, (struct sockaddr *)&quiet_at, sizeof(quiet_at)) == 0,
          "a second socket, for EtherType 0x88b5, bound to ifindex 1");
    struct timeval tv = {0, 200000};
    check(setsockopt(quiet, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0, "SO_RCVTIMEO 200 ms");
    err = recv(quiet, reply, sizeof(reply), 0) < 0 ? errno : 0;
    check(err == EAGAIN, "a blocking recv times out with EAGAIN (%s)", strerror(err));
    int type = 0;
    socklen_t tlen = sizeof(type);
    err = getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) == 0 ? 0 : errno;
    check(!err && type == SOCK_RAW, "SO_TYPE -> SOCK_RAW (%d)", type);
    int on = 1;
    check(ioctl(quiet, FIONBIO, &on) == 0, "FIONBIO on");
    err = recv(quiet, reply, sizeof(reply), 0) < 0 ? errno : 0;
    check(err == EAGAIN, "then recv does not wait: EAGAIN (%s)", strerror(err));
    close(quiet);
    static unsigned char big[1600];
    err = send(fd, big, sizeof(big), 0) < 0 ? errno : 0;
    check(err == EMSGSIZE, "a frame over the MTU -> EMSGSIZE (%s)", strerror(err));
    close(fd);
}

/* SOCK_DGRAM: the kernel writes and strips the Ethernet header; the address carries its fields. */
static void check_dgram_socket(int unbound)
{
    int fd = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_ARP));
    if (!check(fd >= 0, "socket(AF_PACKET, SOCK_DGRAM, ETH_P_ARP)"))
        return;
    struct sockaddr_ll me = {.sll_family = AF_PACKET, .sll_ifindex = 1};
    check(bind(fd, (struct sockaddr *)&me, sizeof(me)) == 0, "bind the datagram socket to net0");
    struct sockaddr_ll name;
    socklen_t len = sizeof(name);
    getsockname(fd, (struct sockaddr *)&name, &len);
    unsigned char arp[28];
    arp_request(arp, name.sll_addr);
    struct sockaddr_ll to = {.sll_family = AF_PACKET,
                             .sll_protocol = htons(ETH_P_ARP),
                             .sll_ifindex = 1,
                             .sll_halen = 6,
                             .sll_addr = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
    ssize_t n = sendto(fd, arp, sizeof(arp), 0, (struct sockaddr *)&to, sizeof(to));
    check(n == (ssize_t)sizeof(arp), "sendto a 28-byte ARP body to the broadcast MAC (got %zd)", n);
    int err = send(fd, arp, sizeof(arp), 0) < 0 ? errno : 0;
    check(err == EDESTADDRREQ, "send without a destination MAC -> EDESTADDRREQ (%s)",
          strerror(err));
    unsigned char reply[2048];
    struct sockaddr_ll from;
    socklen_t fromlen = sizeof(from);
    n = recvfrom(fd, reply, sizeof(reply), 0, (struct sockaddr *)&from, &fromlen);
    check(n >= 28 && reply[0] == 0 && reply[1] == 1 && reply[7] == 2,
          "recvfrom: an ARP reply without its Ethernet header (%zd bytes)", n);
    check(from.sll_protocol == htons(ETH_P_ARP) && from.sll_halen == 6 &&
              memcmp(from.sll_addr, reply + 8, 6) == 0,
          "sockaddr_ll: ETH_P_ARP and the sender's MAC %s", mac_text(from.sll_addr));
    close(fd);

    /* The unbound ETH_P_ALL socket got copies of the frames of every interface. */
    bool seen_arp_on_net0 = false;
    unsigned copies = 0;
    while ((n = recvfrom(unbound, reply, sizeof(reply), MSG_DONTWAIT, (struct sockaddr *)&from,
                         &fromlen)) > 0) {
        copies++;
        if (from.sll_ifindex == 1 && from.sll_protocol == htons(ETH_P_ARP))
            seen_arp_on_net0 = true;
    }
    check(copies > 0 && seen_arp_on_net0,
          "an unbound ETH_P_ALL socket gets copies (%u frames, ARP on net0 among them)", copies);
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        printf("usage: net_ifreq MAC0 MAC1 ADDR0 MASK0 MTU0\n");
        return 2;
    }
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (!check(fd >= 0, "socket(AF_INET, SOCK_DGRAM)"))
        return checks_finish("net_ifreq");
    check_ifreqs(fd, argv);
    close(fd);
    check_libc_names();
    int unbound = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK, htons(ETH_P_ALL));
    check(unbound >= 0, "socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK, ETH_P_ALL)");
    check_packet_socket(argv[1]);
    check_dgram_socket(unbound);
    return checks_finish("net_ifreq");
}
