/* Receive checksum offload: a device's per-frame checksum word checked against the frame, and the
 * completion of a partial checksum for frames handed on unchanged (packet sockets). */
#include "atoll/virtio.h"
#include "net_internal.h"

/* The device's header fields come from the host: a checksum field outside the frame (or a sum
 * starting inside the Ethernet header) is no offload information at all. */
static bool field_inside(size_t len, uint16_t start, uint16_t offset)
{
    return start >= NET_ETH_HLEN && (size_t)start + offset + 2 <= len;
}

struct netdev_rx_csum netdev_rx_csum_parse(uint8_t flags, uint16_t start, uint16_t offset,
                                           size_t len)
{
    struct netdev_rx_csum c = {NETDEV_RX_CSUM_NONE, 0, 0};
    /* NEEDS_CSUM wins over DATA_VALID: the field does not hold a checksum yet. */
    if (flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
        if (field_inside(len, start, offset))
            c = (struct netdev_rx_csum){NETDEV_RX_CSUM_PARTIAL, start, offset};
    } else if (flags & VIRTIO_NET_HDR_F_DATA_VALID) {
        c.state = NETDEV_RX_CSUM_VALID;
    }
    return c;
}

bool netdev_rx_csum_complete(uint8_t *frame, size_t len, uint16_t start, uint16_t offset)
{
    if (!field_inside(len, start, offset))
        return false;
    /* The field holds the pseudo-header sum, so the sum from start to the end (the field
     * included) is the whole checksum. Ethernet padding after the datagram is zeros, which add
     * nothing. */
    put16(frame + start + offset, csum_fold(csum_add(0, frame + start, len - start)));
    return true;
}
