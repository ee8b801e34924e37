/* The NIC registry: netdevs in discovery order, named net0, net1, ... */
#include "atoll/errno.h"
#include "atoll/netdev.h"

static struct netdev *devices[NETDEV_MAX];
static unsigned ndevices;
bool netdev_tx_deferred;

int netdev_register(struct netdev *d)
{
    if (ndevices >= NETDEV_MAX)
        return -ENOSPC;
    ksnprintf(d->name, sizeof(d->name), "net%u", ndevices);
    d->index = ndevices + 1;
    d->pending = false;
    devices[ndevices] = d;
    return (int)ndevices++;
}

unsigned netdev_count(void)
{
    return ndevices;
}

struct netdev *netdev_get(unsigned i)
{
    return i < ndevices ? devices[i] : NULL;
}

void netdev_tx_flush_all(void)
{
    for (unsigned i = 0; i < ndevices; i++)
        if (devices[i]->ops->tx_flush)
            devices[i]->ops->tx_flush(devices[i]);
}
