/* The network stack's named counters and their enumeration for printing. */
#include "atoll/netcounters.h"

struct net_counters net_counters;

void net_counters_foreach(net_counter_emit_fn emit, void *ctx)
{
#define NET_COUNTER_DROP(name)  emit(ctx, #name, net_counters.name, true);
#define NET_COUNTER_TOTAL(name) emit(ctx, #name, net_counters.name, false);
    NET_COUNTERS(NET_COUNTER_DROP, NET_COUNTER_TOTAL)
#undef NET_COUNTER_DROP
#undef NET_COUNTER_TOTAL
}

uint64_t net_counters_drops(void)
{
    uint64_t sum = 0;
#define NET_COUNTER_DROP(name) sum += net_counters.name;
#define NET_COUNTER_SKIP(name)
    NET_COUNTERS(NET_COUNTER_DROP, NET_COUNTER_SKIP)
#undef NET_COUNTER_DROP
#undef NET_COUNTER_SKIP
    return sum;
}
