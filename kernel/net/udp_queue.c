/* The UDP endpoint's receive queue: a ring of (info, payload) records in the socket's buffer. */
#include "net_internal.h"

#define RECORD_ALIGN 8

static size_t record_size(size_t payload)
{
    return ALIGN_UP(sizeof(struct udp_datagram_info) + payload, RECORD_ALIGN);
}

static void queue_clear(struct udp_endpoint *ep)
{
    ep->rx_head = ep->rx_tail = ep->rx_wrap = 0;
    ep->rx_bytes = 0;
    ep->rx_count = 0;
}

void udp_set_rxbuf(struct udp_endpoint *ep, void *rx_buf, size_t size)
{
    ep->rx_buf = rx_buf;
    ep->rx_size = rx_buf ? size : 0;
    queue_clear(ep);
}

bool udp_queue_push(struct udp_endpoint *ep, const struct udp_datagram_info *info,
                    const uint8_t *payload)
{
    size_t need = record_size(info->len);
    if (ep->rx_count == 0)
        queue_clear(ep);
    size_t at;
    if (ep->rx_wrap) { /* data is [head, wrap) and [0, tail): free space is [tail, head) */
        if (need > ep->rx_head - ep->rx_tail)
            return false;
        at = ep->rx_tail;
    } else if (need <= ep->rx_size - ep->rx_tail) {
        at = ep->rx_tail;
    } else if (ep->rx_count && need <= ep->rx_head) {
        ep->rx_wrap = ep->rx_tail;
        at = 0;
    } else {
        return false;
    }
    memcpy(ep->rx_buf + at, info, sizeof(*info));
    memcpy(ep->rx_buf + at + sizeof(*info), payload, info->len);
    ep->rx_tail = at + need;
    ep->rx_bytes += info->len;
    ep->rx_count++;
    return true;
}

bool udp_peek(const struct udp_endpoint *ep, struct udp_datagram_info *info)
{
    if (!ep->rx_count)
        return false;
    memcpy(info, ep->rx_buf + ep->rx_head, sizeof(*info));
    return true;
}

size_t udp_copy_at(const struct udp_endpoint *ep, size_t offset, void *buf, size_t cap)
{
    struct udp_datagram_info info;
    if (!cap || !udp_peek(ep, &info) || offset >= info.len)
        return 0; /* cap 0 may come with a NULL buffer (recv(fd, NULL, 0)) */
    size_t n = MIN(cap, info.len - offset);
    memcpy(buf, ep->rx_buf + ep->rx_head + sizeof(info) + offset, n);
    return n;
}

void udp_pop(struct udp_endpoint *ep)
{
    struct udp_datagram_info info;
    if (!udp_peek(ep, &info))
        return;
    ep->rx_head += record_size(info.len);
    ep->rx_bytes -= info.len;
    if (--ep->rx_count == 0) {
        queue_clear(ep);
    } else if (ep->rx_wrap && ep->rx_head == ep->rx_wrap) {
        ep->rx_head = 0;
        ep->rx_wrap = 0;
    }
}
