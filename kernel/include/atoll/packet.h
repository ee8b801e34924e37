/* AF_PACKET's hook on the receive path: the driver loop offers each frame to packet sockets
 * before the IP stack. */
#ifndef ATOLL_PACKET_H
#define ATOLL_PACKET_H

#include "atoll/klib.h"
#include "atoll/netdev.h"

/* Copies the frame received on device dev (0-based) to every packet socket that wants it, each
 * copy's checksum completed when csum (may be NULL) says PARTIAL: programs only ever see frames
 * with valid checksums. Returns true when a socket is bound to that interface: the interface then
 * belongs to its sockets and the frame must not reach the IP stack. */
bool packet_rx(unsigned dev, const uint8_t *frame, size_t len, const struct netdev_rx_csum *csum);

#endif
