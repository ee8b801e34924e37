/* libFuzzer harness: a received frame with an arbitrary virtio-net header, as the driver reads it:
 * the header's checksum word checked against the frame, a partial checksum completed (as for a
 * packet socket) in a buffer exactly the frame's size, then the frame handed to the stack. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "atoll/net.h"
#include "atoll/netcounters.h"
#include "atoll/netdev.h"
#include "atoll/udp.h"

static uint64_t fake_now(void)
{
    return 1000000000000ull;
}

static void fake_tx(unsigned dev, const uint8_t *frame, size_t len)
{
    assert(dev == 0 && len >= 14 && len <= 14 + 1500);
    (void)frame;
}

static const struct net_hooks hooks = {fake_now, fake_tx, NULL};
static uint8_t rx[8192];
static struct udp_endpoint ep;

/* Input: flags, csum_start (2 bytes, little-endian), csum_offset (2), then the frame. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 5 || size - 5 > 1514)
        return 0;
    const uint8_t mac[6] = {0x52, 0x54, 0, 0x12, 0x34, 0x56};
    net_init(&hooks);
    net_if_attach(0, mac, 0);
    net_if_configure(0, NET_IPV4(10, 0, 0, 2), 24, 0);
    udp_endpoint_init(&ep, rx, sizeof(rx));
    udp_bind(&ep, 0, 7);

    size_t len = size - 5;
    uint16_t start = (uint16_t)(data[1] | data[2] << 8),
             offset = (uint16_t)(data[3] | data[4] << 8);
    struct netdev_rx_csum c = netdev_rx_csum_parse(data[0], start, offset, len);
    assert(c.state <= NETDEV_RX_CSUM_PARTIAL);
    /* An exact-size heap copy: ASan catches any byte read or written past the frame. */
    uint8_t *frame = malloc(len ? len : 1);
    memcpy(frame, data + 5, len);
    if (c.state == NETDEV_RX_CSUM_PARTIAL) {
        assert((size_t)c.start + c.offset + 2 <= len);
        assert(netdev_rx_csum_complete(frame, len, c.start, c.offset));
        /* Only the two bytes of the field change. */
        size_t at = (size_t)c.start + c.offset;
        assert(memcmp(frame, data + 5, at) == 0);
        assert(memcmp(frame + at + 2, data + 5 + at + 2, len - at - 2) == 0);
    } else {
        bool done = netdev_rx_csum_complete(frame, len, start, offset);
        assert(!done || (size_t)start + offset + 2 <= len);
    }
    net_rx_csum(0, frame, len, c.state);
    assert(net_counters.eth_rx == 1);
    free(frame);
    udp_close(&ep);
    return 0;
}
