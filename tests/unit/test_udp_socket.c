/* Unit tests of the UDP socket layer through its syscall table, over the simulated link: the
 * kernel services it uses (descriptors, waiting, pages) are small fakes here. */
#include "net_sim.h"

#include "atoll/file.h"
#include "atoll/kernel.h"
#include "atoll/mm.h"
#include "atoll/syscall.h"

#define AF_INET      2
#define SOCK_DGRAM   2
#define SOL_SOCKET   1
#define SO_RCVBUF    8
#define SO_RCVTIMEO  20
#define SO_ERROR     4
#define IP_TTL       2
#define MSG_DONTWAIT 0x40
#define ARENA_PAGES  1024

/* ---- fakes of the kernel core ---- */

struct pagealloc phys;
static struct page_extent phys_slots[64];
static void *arena;
static struct file files[16];
static struct file *fds[16];

struct file *file_alloc(const struct file_ops *ops, int flags)
{
    for (size_t i = 0; i < ARRAY_SIZE(files); i++)
        if (!files[i].refs) {
            memset(&files[i], 0, sizeof(files[i]));
            files[i].ops = ops, files[i].refs = 1, files[i].flags = flags;
            return &files[i];
        }
    return NULL;
}

void file_put(struct file *f)
{
    if (--f->refs == 0 && f->ops->release)
        f->ops->release(f);
}

int fd_install(struct file *f, int min, bool cloexec)
{
    (void)cloexec;
    for (int fd = min; fd < (int)ARRAY_SIZE(fds); fd++)
        if (!fds[fd]) {
            fds[fd] = f;
            return fd;
        }
    return -EMFILE;
}

struct file *fd_get(int fd)
{
    return fd >= 0 && fd < (int)ARRAY_SIZE(fds) ? fds[fd] : NULL;
}

static void fake_close(int fd)
{
    struct file *f = fds[fd];
    fds[fd] = NULL;
    file_put(f);
}

uint64_t clock_monotonic_ns(void)
{
    return sim_time;
}

/* What arrives while a receive waits: one frame handed to the stack at the first wait. */
static uint8_t pending_frame[2048];
static size_t pending_len;
static int waits;

int sched_wait(wait_ready_fn ready, void *arg, uint64_t deadline_ns)
{
    waits++;
    if (pending_len) {
        net_rx(0, pending_frame, pending_len);
        pending_len = 0;
    }
    if (ready && ready(arg))
        return 0;
    assert_true(deadline_ns != UINT64_MAX); /* would wait forever */
    sim_time = deadline_ns;
    return -ETIMEDOUT;
}

/* ---- helpers ---- */

struct sockaddr_in_k {
    uint16_t family, port;
    uint32_t addr;
    uint8_t zero[8];
};

static long sys(int nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
    for (const struct syscall_entry *e = atoll_net_syscalls; e->fn; e++)
        if (e->nr == nr)
            return e->fn(a0, a1, a2, a3, a4, a5);
    fail_msg("syscall %d not in the table", nr);
    return -ENOSYS;
}

static struct sockaddr_in_k sin_of(uint32_t addr, uint16_t port)
{
    return (struct sockaddr_in_k){AF_INET, __builtin_bswap16(port), __builtin_bswap32(addr), {0}};
}

static int udp_socket_bound(uint16_t port)
{
    int fd = (int)sys(NR_socket, AF_INET, SOCK_DGRAM, 0, 0, 0, 0);
    assert_true(fd >= 0);
    struct sockaddr_in_k a = sin_of(0, port);
    assert_int_equal(sys(NR_bind, fd, (long)&a, sizeof(a), 0, 0, 0), 0);
    return fd;
}

static size_t peer_datagram(uint8_t *f, uint16_t sport, uint16_t dport, const char *text)
{
    uint8_t d[256];
    size_t n =
        sim_udp(d, SIM_PEER_IP, SIM_OUR_IP, sport, dport, (const uint8_t *)text, strlen(text));
    return sim_ip(f, SIM_PEER_IP, SIM_OUR_IP, 17, 7, 0, d, n);
}

static int setup(void **state)
{
    sim_setup(state);
    sim_learn_peer();
    arena = aligned_alloc(4096, ARENA_PAGES * 4096);
    pagealloc_init(&phys, phys_slots, ARRAY_SIZE(phys_slots));
    assert_int_equal(pagealloc_add(&phys, (uint64_t)arena, ARENA_PAGES * 4096ull), 0);
    memset(fds, 0, sizeof(fds));
    memset(files, 0, sizeof(files));
    waits = 0;
    pending_len = 0;
    return 0;
}

static int teardown(void **state)
{
    for (int fd = 0; fd < (int)ARRAY_SIZE(fds); fd++)
        if (fds[fd])
            fake_close(fd);
    assert_int_equal(phys.free_pages, ARENA_PAGES); /* every queue went back */
    free(arena);
    return sim_teardown(state);
}

/* ---- tests ---- */

static void test_a_blocking_receive_waits_for_the_peer(void **state)
{
    (void)state;
    int fd = udp_socket_bound(5000);
    struct file *f = fd_get(fd);
    uint32_t seq = f->wake_seq;
    pending_len = peer_datagram(pending_frame, 4000, 5000, "late");
    char buf[16] = {0};
    struct sockaddr_in_k from;
    int from_len = sizeof(from);
    assert_int_equal(sys(NR_recvfrom, fd, (long)buf, sizeof(buf), 0, (long)&from, (long)&from_len),
                     4);
    assert_int_equal(waits, 1);
    assert_string_equal(buf, "late");
    assert_int_equal(from_len, 16);
    assert_int_equal(__builtin_bswap32(from.addr), SIM_PEER_IP);
    assert_int_equal(__builtin_bswap16(from.port), 4000);
    assert_true(f->wake_seq != seq); /* EPOLLET sees the arrival */
    assert_int_equal(sys(NR_recvfrom, fd, (long)buf, sizeof(buf), MSG_DONTWAIT, 0, 0), -EAGAIN);
}

static void test_rcvtimeo_ends_the_wait_with_eagain(void **state)
{
    (void)state;
    int fd = udp_socket_bound(5001);
    int64_t tv[2] = {0, 250000};
    assert_int_equal(sys(NR_setsockopt, fd, SOL_SOCKET, SO_RCVTIMEO, (long)tv, sizeof(tv), 0), 0);
    uint64_t start = sim_time;
    char buf[4];
    assert_int_equal(sys(NR_recvfrom, fd, (long)buf, sizeof(buf), 0, 0, 0), -EAGAIN);
    assert_int_equal(sim_time - start, 250000000ull);
}

static void test_a_send_reaches_the_wire_with_its_ttl(void **state)
{
    (void)state;
    int fd = udp_socket_bound(5002);
    int ttl = 7;
    assert_int_equal(sys(NR_setsockopt, fd, 0, IP_TTL, (long)&ttl, sizeof(ttl), 0), 0);
    struct sockaddr_in_k to = sin_of(SIM_PEER_IP, 53);
    assert_int_equal(sys(NR_sendto, fd, (long)"query", 5, 0, (long)&to, sizeof(to)), 5);
    assert_int_equal(sim_nframes, 1);
    const uint8_t *ip = sim_frames[0].data + 14;
    assert_int_equal(ip[8], 7);
    assert_int_equal(sim_get32(ip + 16), SIM_PEER_IP);
    assert_int_equal(sim_get16(ip + 20), 5002);
    assert_int_equal(sim_get16(ip + 22), 53);
    assert_memory_equal(ip + 28, "query", 5);
}

/* The peer's port unreachable about what fd sent as frame index `sent`. */
static void peer_refuses(unsigned sent)
{
    uint8_t icmp[8 + 28] = {3, 3};
    memcpy(icmp + 8, sim_frames[sent].data + 14, 28);
    sim_put16(icmp + 2, sim_csum(0, icmp, sizeof(icmp)));
    uint8_t f[128];
    net_rx(0, f, sim_ip(f, SIM_PEER_IP, SIM_OUR_IP, 1, 9, 0, icmp, sizeof(icmp)));
}

static void test_icmp_errors_reach_only_connected_sockets(void **state)
{
    (void)state;
    int open_fd = udp_socket_bound(5003);
    struct sockaddr_in_k to = sin_of(SIM_PEER_IP, 53);
    sys(NR_sendto, open_fd, (long)"a", 1, 0, (long)&to, sizeof(to));
    peer_refuses(0);
    int err = -1, len = sizeof(err);
    assert_int_equal(sys(NR_getsockopt, open_fd, SOL_SOCKET, SO_ERROR, (long)&err, (long)&len, 0),
                     0);
    assert_int_equal(err, 0);

    int fd = udp_socket_bound(5004);
    assert_int_equal(sys(NR_connect, fd, (long)&to, sizeof(to), 0, 0, 0), 0);
    assert_int_equal(sys(NR_sendto, fd, (long)"b", 1, 0, 0, 0), 1);
    peer_refuses(1);
    struct file *f = fd_get(fd);
    uint64_t wake = UINT64_MAX;
    assert_true(f->ops->poll(f, &wake) & POLLERR);
    char buf[4];
    assert_int_equal(sys(NR_recvfrom, fd, (long)buf, sizeof(buf), MSG_DONTWAIT, 0, 0),
                     -ECONNREFUSED);
    assert_false(f->ops->poll(f, &wake) & POLLERR);
}

static void test_rcvbuf_moves_the_queue_to_new_pages(void **state)
{
    (void)state;
    uint64_t before = phys.free_pages;
    int fd = udp_socket_bound(5005);
    uint64_t default_pages = before - phys.free_pages;
    int v = 200000;
    assert_int_equal(sys(NR_setsockopt, fd, SOL_SOCKET, SO_RCVBUF, (long)&v, sizeof(v), 0), 0);
    int got = 0, len = sizeof(got);
    sys(NR_getsockopt, fd, SOL_SOCKET, SO_RCVBUF, (long)&got, (long)&len, 0);
    assert_int_equal(got, 400000);
    assert_true(before - phys.free_pages > default_pages);
    /* The queue still works: a datagram arrives and is read. */
    uint8_t f[256];
    net_rx(0, f, peer_datagram(f, 1, 5005, "after"));
    char buf[8] = {0};
    assert_int_equal(sys(NR_recvfrom, fd, (long)buf, sizeof(buf), 0, 0, 0), 5);
    fake_close(fd);
    assert_int_equal(phys.free_pages, before);
}

static void test_a_full_descriptor_table_gives_the_queue_back(void **state)
{
    (void)state;
    uint64_t before = phys.free_pages;
    int n = 0;
    while (sys(NR_socket, AF_INET, SOCK_DGRAM, 0, 0, 0, 0) >= 0)
        n++;
    assert_int_equal(n, (int)ARRAY_SIZE(fds));
    for (int fd = 0; fd < n; fd++)
        fake_close(fd);
    assert_int_equal(phys.free_pages, before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_a_blocking_receive_waits_for_the_peer, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_rcvtimeo_ends_the_wait_with_eagain, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_send_reaches_the_wire_with_its_ttl, setup, teardown),
        cmocka_unit_test_setup_teardown(test_icmp_errors_reach_only_connected_sockets, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_rcvbuf_moves_the_queue_to_new_pages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_full_descriptor_table_gives_the_queue_back, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
