/* The boot command line's network settings: applied once the NICs are attached; at exit, a bounded
 * wait for the last data and FINs of closed connections, then the netstat key's counter report. */
#include "atoll/cmdline.h"
#include "atoll/kernel.h"
#include "atoll/net.h"
#include "atoll/netconfig.h"
#include "atoll/netcounters.h"
#include "atoll/netdev.h"

/* The longest an exiting instance waits for its connections' last data and FINs to be
 * acknowledged (a peer that stopped reading must not hold the exit forever). */
#define EXIT_DRAIN_NS (2ull * 1000000000ull)

static struct net_config boot_net_config; /* 1.5 KiB: static, not on the boot stack */

void net_config_boot(void)
{
    char err[200];
    if (net_config_parse(&boot_net_config, boot_cfg->net_keys, boot_cfg->net_key_count, err,
                         sizeof(err)) < 0 ||
        net_config_apply(&boot_net_config, err, sizeof(err)) < 0)
        config_fail(err);
}

static void print_counter(void *ctx, const char *name, uint64_t value, bool is_drop)
{
    (void)ctx, (void)is_drop;
    if (value != 0)
        kprintf_always("atoll: netstat %s=%llu\n", name, (unsigned long long)value);
}

static bool drained(void *arg)
{
    (void)arg;
    return !net_output_pending();
}

void atoll_net_exit(void)
{
    netdev_tx_flush_all(); /* frames the program sent right before exiting still go out */
    /* Linux keeps a closed connection (an orphan) going after its process ends: the tail of an
     * answer written just before close() and exit still reaches the peer. Here the instance
     * stops at exit, so it waits, boundedly, for every byte and FIN to be acknowledged. */
    static bool draining; /* an exit from inside the wait (a fault) must not wait again */
    if (!draining) {
        draining = true;
        if (!drained(NULL))
            sched_wait(drained, NULL, clock_monotonic_ns() + EXIT_DRAIN_NS);
    }
    if (!boot_cfg->netstat)
        return;
    net_counters_foreach(print_counter, NULL);
    kprintf_always("atoll: netstat drops_total=%llu\n", (unsigned long long)net_counters_drops());
}
