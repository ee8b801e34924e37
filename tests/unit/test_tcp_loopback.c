/* Two ends of the engine talking through the loopback queue: bulk transfer both ways on a clean
 * link and through loss, duplication and reordering, with every byte checked; then teardown. */
#include "tcp_sim.h"

static uint32_t rng = 12345;
static unsigned loss_pct, dup_pct, delay_pct;
static unsigned seen, dropped;

static uint32_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

static enum tcp_loop_fate lossy(const uint8_t *seg, size_t len)
{
    (void)seg;
    (void)len;
    seen++;
    unsigned r = next_rand() % 100;
    if (r < loss_pct) {
        dropped++;
        return TCP_LOOP_DROP;
    }
    if (r < loss_pct + dup_pct)
        return TCP_LOOP_DUP;
    if (r < loss_pct + dup_pct + delay_pct)
        return TCP_LOOP_DELAY;
    return TCP_LOOP_PASS;
}

static uint8_t pattern(uint64_t i, unsigned salt)
{
    return (uint8_t)((i * 2654435761u) >> 13 ^ salt);
}

struct pump {
    struct tcp_conn *from, *to;
    size_t total, sent, received;
    unsigned salt;
};

static bool pump_step(struct pump *p)
{
    bool moved = false;
    uint8_t buf[8192];
    while (p->sent < p->total) {
        size_t n = MIN(sizeof(buf), p->total - p->sent);
        for (size_t i = 0; i < n; i++)
            buf[i] = pattern(p->sent + i, p->salt);
        long w = tsim_write(p->from, buf, n);
        if (w <= 0)
            break;
        p->sent += (size_t)w;
        moved = true;
    }
    for (;;) {
        long r = tsim_recv(p->to, buf, sizeof(buf));
        if (r <= 0)
            break;
        for (long i = 0; i < r; i++)
            if (buf[i] != pattern(p->received + (size_t)i, p->salt))
                fail_msg("byte %zu differs", p->received + (size_t)i);
        p->received += (size_t)r;
        moved = true;
    }
    return moved;
}

static void connect_pair(struct tcp_conn **client, struct tcp_conn **server)
{
    struct tcp_conn *l;
    assert_int_equal(tcp_open(&l), 0);
    assert_int_equal(tcp_bind(l, 0, OUR_PORT), 0);
    assert_int_equal(tcp_listen(l, 8), 0);
    assert_int_equal(tcp_open(client), 0);
    assert_int_equal(tcp_connect(*client, SIM_OUR_IP, OUR_PORT), 0);
    uint64_t deadline = sim_time + 60 * SIM_SEC;
    while (tcp_accept(l, server) != 0) {
        assert_true(sim_time < deadline);
        tsim_run_until(MIN(tsim_next(), deadline));
    }
    assert_int_equal((*client)->state, TCPS_ESTABLISHED);
    tcp_close(l, false);
}

/* Moves total bytes each way at once; returns the virtual time it took. */
static uint64_t transfer(size_t total)
{
    struct tcp_conn *c, *s;
    connect_pair(&c, &s);
    struct pump up = {c, s, total, 0, 0, 1}, down = {s, c, total, 0, 0, 2};
    uint64_t start = sim_time, deadline = sim_time + 600 * SIM_SEC;
    while (up.received < total || down.received < total) {
        bool moved = pump_step(&up);
        moved |= pump_step(&down);
        net_poll(sim_time);
        if (!moved && !tcp_loopback_pending()) {
            uint64_t d = tsim_next();
            assert_true(d < deadline);
            if (d > sim_time)
                sim_time = d;
            net_poll(sim_time);
        }
    }
    uint64_t took = sim_time - start;
    /* Both close; FINs cross; the client's side ends in TIME_WAIT, then everything is freed. */
    tcp_close(c, false);
    tcp_close(s, false);
    tsim_run_until(sim_time + 300 * SIM_SEC);
    unsigned conns, orphans;
    size_t bytes;
    tcp_stats(&conns, &orphans, &bytes);
    assert_int_equal(conns, 0);
    assert_int_equal(orphans, 0);
    assert_int_equal(bytes, 0);
    return took;
}

static void test_clean_bulk_both_ways(void **state)
{
    (void)state;
    tcp_loop_filter = NULL;
    uint64_t took = transfer(4u << 20);
    assert_true(took < 10 * SIM_SEC); /* no timeouts on a clean link */
    /* The only losses are the loopback queue's overflows, repaired without a timeout. */
    assert_int_equal(net_counters.tcp_rto_expired, 0);
    assert_true(net_counters.tcp_retransmits <= 2 * net_counters.tcp_loop_full);
    /* Nearly every segment of a clean bulk transfer takes the header-prediction path. */
    assert_true(net_counters.tcp_fast_path > 9 * net_counters.tcp_rx / 10);
}

static void test_lossy_bulk_both_ways(void **state)
{
    (void)state;
    loss_pct = 5, dup_pct = 1, delay_pct = 3;
    seen = dropped = 0;
    tcp_loop_filter = lossy;
    transfer(2u << 20);
    tcp_loop_filter = NULL;
    assert_true(dropped > 0);
    assert_true(net_counters.tcp_fast_retransmits > 0); /* SACK recovery did most of the work */
}

static void test_heavy_loss_still_completes(void **state)
{
    (void)state;
    loss_pct = 20, dup_pct = 5, delay_pct = 10;
    tcp_loop_filter = lossy;
    transfer(256u << 10);
    tcp_loop_filter = NULL;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_clean_bulk_both_ways, tsim_setup, tsim_teardown),
        cmocka_unit_test_setup_teardown(test_lossy_bulk_both_ways, tsim_setup, tsim_teardown),
        cmocka_unit_test_setup_teardown(test_heavy_loss_still_completes, tsim_setup, tsim_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
