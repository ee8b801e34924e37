/* Unit tests of AF_PACKET sockets (receive rings, binding, sending, options) and of the SIOCGIF*
 * ioctls, on two fake NICs and with the kernel core's waits and pages stubbed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "../../kernel/net/packet_internal.h"
#include "atoll/kernel.h"
#include "atoll/mm.h"
#include "atoll/net.h"
#include "atoll/packet.h"
#include "atoll/pagealloc.h"

#define SIOCGIFNAME    0x8910
#define SIOCGIFCONF    0x8912
#define SIOCGIFFLAGS   0x8913
#define SIOCGIFADDR    0x8915
#define SIOCGIFNETMASK 0x891b
#define SIOCGIFMTU     0x8921
#define SIOCGIFHWADDR  0x8927
#define SIOCGIFINDEX   0x8933
#define ETH_P_ARP_BE   0x0608 /* htons(0x0806) */
#define ETH_P_ALL_BE   0x0300

/* ---- the kernel core, stubbed ---- */

struct pagealloc phys;
static int pages_out;

uint64_t pagealloc_alloc(struct pagealloc *pa, uint64_t npages, uint64_t align, bool from_top)
{
    (void)pa, (void)align, (void)from_top;
    pages_out++;
    return (uint64_t)(uintptr_t)aligned_alloc(4096, npages * 4096);
}

int pagealloc_free(struct pagealloc *pa, uint64_t base, uint64_t npages)
{
    (void)pa, (void)npages;
    pages_out--;
    free((void *)(uintptr_t)base);
    return 0;
}

uint64_t clock_monotonic_ns(void)
{
    return 0;
}

/* Nothing arrives while a test "waits": a wait ends at once, as at its deadline. */
int sched_wait(wait_ready_fn ready, void *arg, uint64_t deadline_ns)
{
    (void)deadline_ns;
    return ready(arg) ? 0 : -ETIMEDOUT;
}

/* ---- two fake NICs that record what they send ---- */

static uint8_t sent[8][NETBUF_SIZE];
static unsigned sent_len[8], nsent, tx_room = 8, tx_calls;

/* Keeps the first 8 frames; counts up to tx_room. */
static unsigned fake_tx(struct netdev *d, const struct netbuf *frames, unsigned n)
{
    (void)d;
    unsigned taken = 0;
    tx_calls++;
    for (; taken < n && nsent < tx_room; taken++, nsent++) {
        if (nsent < 8) {
            memcpy(sent[nsent], frames[taken].data, frames[taken].len);
            sent_len[nsent] = frames[taken].len;
        }
    }
    return taken;
}

static const struct netdev_ops fake_ops = {.tx_burst = fake_tx};
static struct netdev nic0 = {.mac = {2, 0, 0, 0, 0, 1}, .mtu = 1500, .ops = &fake_ops};
static struct netdev nic1 = {.mac = {2, 0, 0, 0, 0, 2}, .mtu = 1500, .ops = &fake_ops};

static void no_tx(unsigned dev, const uint8_t *frame, size_t len)
{
    (void)dev, (void)frame, (void)len;
}
static const struct net_hooks hooks = {.now_ns = clock_monotonic_ns, .tx = no_tx};

static int setup_all(void **state)
{
    (void)state;
    netdev_register(&nic0);
    netdev_register(&nic1);
    net_init(&hooks);
    net_if_attach(0, nic0.mac, 1500);
    net_if_attach(1, nic1.mac, 1500);
    net_if_configure(0, NET_IPV4(10, 0, 0, 2), 24, 1400);
    return 0;
}

static int reset(void **state)
{
    (void)state;
    nsent = 0;
    tx_room = 8;
    tx_calls = 0;
    return 0;
}

/* A frame from src to dst of the given ethertype, len bytes in all. */
static size_t make_frame(uint8_t *f, const uint8_t *dst, uint8_t src_last, uint16_t type,
                         size_t len)
{
    memset(f, 0xab, len);
    memcpy(f, dst, 6);
    const uint8_t src[6] = {2, 0, 0, 0, 9, src_last};
    memcpy(f + 6, src, 6);
    f[12] = (uint8_t)(type >> 8);
    f[13] = (uint8_t)type;
    return len;
}

static struct sock *open_sock(int type, int protocol_be)
{
    struct sock *s = NULL;
    assert_int_equal(packet_sock_create(type, protocol_be, &s), 0);
    s->type = type;
    s->family = AF_PACKET;
    return s;
}

static void bind_to(struct sock *s, int ifindex, uint16_t protocol_be)
{
    struct sockaddr_ll ll = {.family = AF_PACKET, .protocol = protocol_be, .ifindex = ifindex};
    assert_int_equal(s->ops->bind(s, &ll, sizeof(ll)), 0);
}

static long recv_one(struct sock *s, void *buf, size_t len, struct sockaddr_ll *from, int flags)
{
    struct sock_iovec iov = {buf, len};
    struct sock_msghdr msg = {
        .name = from, .namelen = from ? sizeof(*from) : 0, .iov = &iov, .iovlen = 1};
    return s->ops->recvmsg(s, &msg, flags | MSG_DONTWAIT);
}

static long send_one(struct sock *s, const void *buf, size_t len, const struct sockaddr_ll *to)
{
    struct sock_iovec iov = {(void *)buf, len};
    struct sock_msghdr msg = {
        .name = (void *)to, .namelen = to ? sizeof(*to) : 0, .iov = &iov, .iovlen = 1};
    return s->ops->sendmsg(s, &msg, MSG_DONTWAIT);
}

static void test_bound_socket_owns_its_interface(void **state)
{
    (void)state;
    struct sock *s = open_sock(SOCK_RAW, ETH_P_ALL_BE);
    uint8_t f[64], got[128];
    make_frame(f, nic0.mac, 7, 0x0800, sizeof(f));
    /* Unbound ETH_P_ALL: a copy, and the stack still gets the frame. */
    assert_false(packet_rx(0, f, sizeof(f), NULL));
    bind_to(s, 2, 0);
    assert_false(packet_rx(0, f, sizeof(f), NULL)); /* net0 is not its interface */
    assert_true(packet_rx(1, f, sizeof(f), NULL));  /* net1 is, and the stack must not see it */
    struct sockaddr_ll from;
    assert_int_equal(recv_one(s, got, sizeof(got), &from, 0), 64);
    assert_int_equal(from.ifindex, 1);
    assert_int_equal(recv_one(s, got, sizeof(got), &from, 0), 64);
    assert_int_equal(from.ifindex, 2);
    assert_int_equal(from.protocol, 0x0008);
    assert_int_equal(from.pkttype, 3); /* PACKET_OTHERHOST: for nic0's MAC, seen on nic1 */
    assert_memory_equal(from.addr, f + 6, 6);
    assert_memory_equal(got, f, 64);
    assert_int_equal(recv_one(s, got, sizeof(got), &from, 0), -EAGAIN);
    s->ops->release(s);
    assert_false(packet_rx(1, f, sizeof(f), NULL));
    assert_int_equal(pages_out, 0);
}

static void test_protocol_filter_and_pkttype(void **state)
{
    (void)state;
    struct sock *arp = open_sock(SOCK_RAW, ETH_P_ARP_BE);
    struct sock *none = open_sock(SOCK_RAW, 0);
    uint8_t f[60], got[64];
    const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, mcast[6] = {1, 0, 0x5e, 0, 0, 1};
    packet_rx(0, f, make_frame(f, nic0.mac, 1, 0x0800, sizeof(f)), NULL); /* IPv4: not for arp */
    packet_rx(0, f, make_frame(f, bcast, 1, 0x0806, sizeof(f)), NULL);
    packet_rx(0, f, make_frame(f, mcast, 1, 0x0806, sizeof(f)), NULL);
    packet_rx(0, f, make_frame(f, nic0.mac, 1, 0x0806, sizeof(f)), NULL);
    struct sockaddr_ll from;
    assert_int_equal(recv_one(arp, got, sizeof(got), &from, 0), 60);
    assert_int_equal(from.pkttype, 1); /* PACKET_BROADCAST */
    assert_int_equal(recv_one(arp, got, sizeof(got), &from, 0), 60);
    assert_int_equal(from.pkttype, 2); /* PACKET_MULTICAST */
    assert_int_equal(recv_one(arp, got, sizeof(got), &from, 0), 60);
    assert_int_equal(from.pkttype, 0); /* PACKET_HOST */
    assert_int_equal(recv_one(arp, got, sizeof(got), &from, 0), -EAGAIN);
    /* Protocol 0 receives nothing until bound with a protocol. */
    assert_int_equal(recv_one(none, got, sizeof(got), NULL, 0), -EAGAIN);
    arp->ops->release(arp);
    none->ops->release(none);
}

/* A frame whose checksum the host left undone (NEEDS_CSUM) reaches programs completed, each copy,
 * and the driver's buffer is left as it came; bad offsets hand the frame on untouched. */
static void test_partial_checksum_completed_for_programs(void **state)
{
    (void)state;
    struct sock *a = open_sock(SOCK_RAW, ETH_P_ALL_BE), *b = open_sock(SOCK_RAW, ETH_P_ALL_BE);
    uint8_t f[75], got[2][128];
    make_frame(f, nic0.mac, 1, 0x0800, sizeof(f));
    for (size_t i = 14; i < sizeof(f); i++)
        f[i] = (uint8_t)(i * 29);
    /* A UDP field at 34 + 6 holding the pseudo-header sum 0x1234: the whole from 34 on. */
    f[40] = 0x12, f[41] = 0x34;
    uint32_t sum = 0;
    for (size_t i = 34; i < sizeof(f); i += 2)
        sum += (uint32_t)(f[i] << 8 | (i + 1 < sizeof(f) ? f[i + 1] : 0));
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    uint16_t want = (uint16_t)~sum;
    struct netdev_rx_csum partial = {NETDEV_RX_CSUM_PARTIAL, 34, 6};
    uint8_t before[sizeof(f)];
    memcpy(before, f, sizeof(f));
    packet_rx(0, f, sizeof(f), &partial);
    assert_memory_equal(f, before, sizeof(f));
    assert_int_equal(recv_one(a, got[0], sizeof(got[0]), NULL, 0), sizeof(f));
    assert_int_equal(recv_one(b, got[1], sizeof(got[1]), NULL, 0), sizeof(f));
    for (int k = 0; k < 2; k++) {
        assert_int_equal(got[k][40] << 8 | got[k][41], want);
        assert_memory_equal(got[k], f, 40);
        assert_memory_equal(got[k] + 42, f + 42, sizeof(f) - 42);
    }
    const struct netdev_rx_csum outside = {NETDEV_RX_CSUM_PARTIAL, 70, 4},
                                valid = {NETDEV_RX_CSUM_VALID, 34, 6};
    packet_rx(0, f, sizeof(f), &outside);
    packet_rx(0, f, sizeof(f), &valid);
    for (int k = 0; k < 2; k++) {
        assert_int_equal(recv_one(a, got[0], sizeof(got[0]), NULL, 0), sizeof(f));
        assert_memory_equal(got[0], f, sizeof(f));
    }
    a->ops->release(a);
    b->ops->release(b);
}

static void test_ring_bounds_and_statistics(void **state)
{
    (void)state;
    struct sock *s = open_sock(SOCK_RAW, ETH_P_ALL_BE);
    uint8_t f[1514], got[16];
    make_frame(f, nic0.mac, 1, 0x88b5, sizeof(f));
    for (unsigned i = 0; i < PACKET_RING_SLOTS + 5; i++)
        packet_rx(0, f, sizeof(f), NULL);
    uint8_t huge[NETBUF_SIZE + 1] = {0};
    packet_rx(0, huge, sizeof(huge), NULL); /* larger than a slot: ignored */
    packet_rx(0, f, 13, NULL);              /* shorter than a header: ignored */
    uint32_t stats[2];
    unsigned len = sizeof(stats);
    assert_int_equal(s->ops->getsockopt(s, SOL_PACKET, PACKET_STATISTICS, stats, &len), 0);
    assert_int_equal(stats[0], PACKET_RING_SLOTS + 5);
    assert_int_equal(stats[1], 5);
    assert_int_equal(s->ops->getsockopt(s, SOL_PACKET, PACKET_STATISTICS, stats, &len), 0);
    assert_int_equal(stats[0], 0); /* reset by reading */
    assert_int_equal(s->ops->poll(s, NULL) & POLLIN, POLLIN);
    int next = 0;
    assert_int_equal(s->ops->ioctl(s, FIONREAD, (unsigned long)&next), 0);
    assert_int_equal(next, 1514);
    /* Truncation: MSG_TRUNC returns the real length, and the message is flagged either way. */
    struct sock_iovec iov = {got, sizeof(got)};
    struct sock_msghdr msg = {.iov = &iov, .iovlen = 1};
    assert_int_equal(s->ops->recvmsg(s, &msg, MSG_DONTWAIT | MSG_TRUNC | MSG_PEEK), 1514);
    assert_int_equal(msg.flags & MSG_TRUNC, MSG_TRUNC);
    assert_int_equal(s->ops->recvmsg(s, &msg, MSG_DONTWAIT), sizeof(got));
    unsigned drained = 1;
    while (recv_one(s, got, sizeof(got), NULL, 0) > 0)
        drained++;
    assert_int_equal(drained, PACKET_RING_SLOTS);
    assert_int_equal(s->ops->poll(s, NULL) & POLLIN, 0);
    s->ops->release(s);
}

static void test_sending(void **state)
{
    (void)state;
    struct sock *raw = open_sock(SOCK_RAW, ETH_P_ALL_BE);
    uint8_t f[60];
    make_frame(f, nic1.mac, 1, 0x0806, sizeof(f));
    assert_int_equal(send_one(raw, f, sizeof(f), NULL), -ENXIO); /* neither bound nor addressed */
    struct sockaddr_ll to = {.family = AF_PACKET, .ifindex = 2};
    assert_int_equal(send_one(raw, f, sizeof(f), &to), 60);
    assert_int_equal(nsent, 1);
    assert_memory_equal(sent[0], f, 60);
    to.ifindex = 9;
    assert_int_equal(send_one(raw, f, sizeof(f), &to), -ENXIO);
    bind_to(raw, 1, 0);
    assert_int_equal(send_one(raw, f, 13, NULL), -EINVAL);
    /* net0's MTU is 1400 (configured), not the device's 1500. */
    static uint8_t big[1415];
    assert_int_equal(send_one(raw, big, sizeof(big), NULL), -EMSGSIZE);
    assert_int_equal(send_one(raw, big, 1414, NULL), 1414);
    tx_room = nsent; /* the device queue is full */
    assert_int_equal(send_one(raw, f, sizeof(f), NULL), -EAGAIN);
    raw->ops->release(raw);

    reset(NULL);
    struct sock *dgram = open_sock(SOCK_DGRAM, ETH_P_ARP_BE);
    assert_int_equal(send_one(dgram, "abcd", 4, NULL), -EDESTADDRREQ);
    struct sockaddr_ll dst = {.family = AF_PACKET,
                              .ifindex = 1,
                              .halen = 6,
                              .addr = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
    assert_int_equal(send_one(dgram, "abcd", 4, &dst), 4);
    assert_int_equal(sent_len[0], 18);
    assert_memory_equal(sent[0], dst.addr, 6);
    assert_memory_equal(sent[0] + 6, nic0.mac, 6);
    assert_int_equal(sent[0][12], 0x08);
    assert_int_equal(sent[0][13], 0x06);
    assert_memory_equal(sent[0] + 14, "abcd", 4);
    /* Receiving strips the header. */
    bind_to(dgram, 1, 0);
    packet_rx(0, sent[0], sent_len[0] < 60 ? 60 : sent_len[0], NULL);
    uint8_t got[64];
    assert_int_equal(recv_one(dgram, got, sizeof(got), NULL, 0), 46);
    assert_memory_equal(got, "abcd", 4);
    dgram->ops->release(dgram);
}

static long send_flags(struct sock *s, const void *buf, size_t len, int flags)
{
    struct sock_iovec iov = {(void *)buf, len};
    struct sock_msghdr msg = {.iov = &iov, .iovlen = 1};
    return s->ops->sendmsg(s, &msg, flags | MSG_DONTWAIT);
}

/* MSG_MORE holds frames (copied: the caller may reuse its buffer) until a send without it, then
 * the driver gets them in one call; poll and close send what is held. */
static void test_msg_more_batches(void **state)
{
    (void)state;
    unsigned pages_before = pages_out;
    struct sock *raw = open_sock(SOCK_RAW, ETH_P_ALL_BE);
    bind_to(raw, 1, 0);
    uint8_t f[60];
    for (uint8_t i = 0; i < 3; i++) {
        make_frame(f, nic1.mac, i, 0x0800, sizeof(f));
        assert_int_equal(send_flags(raw, f, sizeof(f), MSG_MORE), 60);
    }
    assert_int_equal(nsent, 0);
    make_frame(f, nic1.mac, 3, 0x0800, sizeof(f));
    assert_int_equal(send_flags(raw, f, sizeof(f), 0), 60);
    assert_int_equal(nsent, 4);
    assert_int_equal(tx_calls, 1);
    for (unsigned i = 0; i < 4; i++)
        assert_int_equal(sent[i][11], i); /* each frame as it was, in order */

    /* A batch for another interface goes first. */
    reset(NULL);
    struct sockaddr_ll to2 = {.family = AF_PACKET, .ifindex = 2};
    struct sock_iovec iov = {f, sizeof(f)};
    struct sock_msghdr msg = {.name = &to2, .namelen = sizeof(to2), .iov = &iov, .iovlen = 1};
    assert_int_equal(raw->ops->sendmsg(raw, &msg, MSG_MORE | MSG_DONTWAIT), 60);
    assert_int_equal(send_flags(raw, f, sizeof(f), MSG_MORE), 60);
    assert_int_equal(nsent, 1);
    /* poll sends what is held. */
    raw->ops->poll(raw, NULL);
    assert_int_equal(nsent, 2);

    /* A full batch goes by itself. */
    reset(NULL);
    tx_room = 64;
    for (unsigned i = 0; i < PACKET_TX_BATCH; i++)
        assert_int_equal(send_flags(raw, f, sizeof(f), MSG_MORE), 60);
    assert_int_equal(nsent, PACKET_TX_BATCH);
    assert_int_equal(tx_calls, 1);

    /* No room in the device: held frames are dropped, the last send is EAGAIN. */
    reset(NULL);
    tx_room = 2;
    for (unsigned i = 0; i < 4; i++)
        assert_int_equal(send_flags(raw, f, sizeof(f), MSG_MORE), 60);
    assert_int_equal(send_flags(raw, f, sizeof(f), 0), -EAGAIN);
    assert_int_equal(nsent, 2);
    tx_room = 8;
    assert_int_equal(send_flags(raw, f, sizeof(f), 0), 60); /* nothing stale is held */
    assert_int_equal(nsent, 3);

    /* close sends what is held and gives the batch's pages back. */
    assert_int_equal(send_flags(raw, f, sizeof(f), MSG_MORE), 60);
    raw->ops->release(raw);
    assert_int_equal(nsent, 4);
    assert_int_equal(pages_out, pages_before);
}

static void test_bind_and_options(void **state)
{
    (void)state;
    struct sock *s = NULL;
    assert_int_equal(packet_sock_create(SOCK_STREAM, 0, &s), -ESOCKTNOSUPPORT);
    s = open_sock(SOCK_RAW, ETH_P_ALL_BE);
    struct sockaddr_ll ll = {.family = AF_PACKET, .ifindex = 3};
    assert_int_equal(s->ops->bind(s, &ll, sizeof(ll)), -ENODEV);
    ll.family = AF_INET;
    ll.ifindex = 1;
    assert_int_equal(s->ops->bind(s, &ll, sizeof(ll)), -EINVAL);
    assert_int_equal(s->ops->bind(s, &ll, 8), -EINVAL);
    bind_to(s, 1, ETH_P_ARP_BE);
    struct sockaddr_ll name;
    unsigned len = sizeof(name);
    assert_int_equal(s->ops->getsockname(s, &name, &len), 0);
    assert_int_equal(len, 20);
    assert_int_equal(name.protocol, ETH_P_ARP_BE);
    assert_int_equal(name.ifindex, 1);
    assert_memory_equal(name.addr, nic0.mac, 6);
    int v = 0;
    len = sizeof(v);
    assert_int_equal(s->ops->getsockopt(s, SOL_SOCKET, SO_PROTOCOL, &v, &len), 0);
    assert_int_equal(v, ETH_P_ARP_BE);
    int64_t tv[2] = {0, 1000000};
    assert_int_equal(s->ops->setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, tv, sizeof(tv)), -EDOM);
    tv[1] = 250000;
    assert_int_equal(s->ops->setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, tv, sizeof(tv)), 0);
    assert_int_equal(s->rcvtimeo_ns, 250000000u);
    assert_int_equal(s->ops->setsockopt(s, SOL_SOCKET, 999, &v, sizeof(v)), -ENOPROTOOPT);
    s->ops->release(s);
    /* Sockets are a bounded pool: the 17th fails, and releasing makes room. */
    struct sock *all[PACKET_MAX_SOCKS];
    for (unsigned i = 0; i < PACKET_MAX_SOCKS; i++)
        all[i] = open_sock(SOCK_RAW, 0);
    assert_int_equal(packet_sock_create(SOCK_RAW, 0, &s), -ENOBUFS);
    for (unsigned i = 0; i < PACKET_MAX_SOCKS; i++)
        all[i]->ops->release(all[i]);
    assert_int_equal(pages_out, 0);
}

struct ifreq_raw {
    char name[16];
    union {
        uint8_t bytes[24];
        int32_t ivalue;
        int16_t flags;
    } u;
};

static long ask(unsigned long req, const char *name, struct ifreq_raw *r)
{
    memset(r, 0, sizeof(*r));
    strncpy(r->name, name, sizeof(r->name));
    return net_ifreq_ioctl(req, r);
}

static void test_ifreq_ioctls(void **state)
{
    (void)state;
    struct ifreq_raw r;
    assert_int_equal(ask(SIOCGIFINDEX, "net1", &r), 0);
    assert_int_equal(r.u.ivalue, 2);
    assert_int_equal(ask(SIOCGIFINDEX, "net2", &r), -ENODEV);
    memset(&r, 'x', sizeof(r)); /* a name with no NUL in its 16 bytes */
    assert_int_equal(net_ifreq_ioctl(SIOCGIFINDEX, &r), -ENODEV);
    memset(&r, 0, sizeof(r));
    r.u.ivalue = 1;
    assert_int_equal(net_ifreq_ioctl(SIOCGIFNAME, &r), 0);
    assert_string_equal(r.name, "net0");
    r.u.ivalue = 0;
    assert_int_equal(net_ifreq_ioctl(SIOCGIFNAME, &r), -ENODEV);
    assert_int_equal(ask(SIOCGIFHWADDR, "net1", &r), 0);
    assert_int_equal(r.u.bytes[0] | r.u.bytes[1] << 8, 1); /* ARPHRD_ETHER */
    assert_memory_equal(r.u.bytes + 2, nic1.mac, 6);
    assert_int_equal(ask(SIOCGIFADDR, "net0", &r), 0);
    const uint8_t addr[4] = {10, 0, 0, 2};
    assert_int_equal(r.u.bytes[0], AF_INET);
    assert_memory_equal(r.u.bytes + 4, addr, 4);
    assert_int_equal(ask(SIOCGIFNETMASK, "net0", &r), 0);
    const uint8_t mask[4] = {255, 255, 255, 0};
    assert_memory_equal(r.u.bytes + 4, mask, 4);
    assert_int_equal(ask(SIOCGIFADDR, "net1", &r), -EADDRNOTAVAIL);
    assert_int_equal(ask(SIOCGIFMTU, "net0", &r), 0);
    assert_int_equal(r.u.ivalue, 1400);
    assert_int_equal(ask(SIOCGIFFLAGS, "net1", &r), 0);
    assert_int_equal(r.u.flags & 0x1043, 0x1043);
    assert_int_equal(ask(0x8934, "net0", &r), -ENOTTY);
    assert_int_equal(net_ifreq_ioctl(SIOCGIFINDEX, NULL), -EFAULT);

    struct {
        int32_t len, pad;
        struct ifreq_raw *req;
    } conf = {0, 0, NULL};
    assert_int_equal(net_ifreq_ioctl(SIOCGIFCONF, &conf), 0);
    assert_int_equal(conf.len, 40);
    struct ifreq_raw list[2];
    conf.len = 39; /* too small for one entry: none written */
    conf.req = list;
    assert_int_equal(net_ifreq_ioctl(SIOCGIFCONF, &conf), 0);
    assert_int_equal(conf.len, 0);
    conf.len = sizeof(list);
    assert_int_equal(net_ifreq_ioctl(SIOCGIFCONF, &conf), 0);
    assert_int_equal(conf.len, 40);
    assert_string_equal(list[0].name, "net0");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_bound_socket_owns_its_interface, reset),
        cmocka_unit_test_setup(test_protocol_filter_and_pkttype, reset),
        cmocka_unit_test_setup(test_partial_checksum_completed_for_programs, reset),
        cmocka_unit_test_setup(test_ring_bounds_and_statistics, reset),
        cmocka_unit_test_setup(test_sending, reset),
        cmocka_unit_test_setup(test_msg_more_batches, reset),
        cmocka_unit_test_setup(test_bind_and_options, reset),
        cmocka_unit_test_setup(test_ifreq_ioctls, reset),
    };
    return cmocka_run_group_tests(tests, setup_all, NULL);
}
