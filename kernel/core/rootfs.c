/* The root file system: the embedded or -initrd cpio archive, opened once and checked at boot. */
#include "atoll/kernel.h"
#include "atoll/rootfs.h"

struct cpio_archive rootfs;

int rootfs_init(const void *base, size_t len)
{
    return cpio_open(&rootfs, base, len);
}
