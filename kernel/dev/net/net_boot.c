/* The boot command line's network settings: applied once the NICs are attached, and the netstat
 * key's report of every non-zero network counter when the instance exits. */
#include "atoll/cmdline.h"
#include "atoll/kernel.h"
#include "atoll/netconfig.h"
#include "atoll/netcounters.h"
#include "atoll/netdev.h"

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

void atoll_net_exit(void)
{
    netdev_tx_flush_all(); /* frames the program sent right before exiting still go out */
    if (!boot_cfg->netstat)
        return;
    net_counters_foreach(print_counter, NULL);
    kprintf_always("atoll: netstat drops_total=%llu\n", (unsigned long long)net_counters_drops());
}
