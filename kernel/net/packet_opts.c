/* AF_PACKET socket options (timeouts, sizes, PACKET_STATISTICS, memberships) and ioctls
 * (FIONREAD, FIONBIO). */
#include "packet_internal.h"

struct linux_timeval {
    int64_t sec, usec;
};

static int set_timeout(uint64_t *out, const void *val, unsigned len)
{
    struct linux_timeval tv;
    if (len < sizeof(tv))
        return -EINVAL;
    if (val == NULL)
        return -EFAULT;
    memcpy(&tv, val, sizeof(tv));
    if (tv.usec < 0 || tv.usec >= 1000000)
        return -EDOM;
    /* A negative timeout does not wait at all, as on Linux; 0 waits forever. */
    *out = tv.sec < 0 ? 1 : (uint64_t)tv.sec * 1000000000u + (uint64_t)tv.usec * 1000u;
    return 0;
}

static int put_bytes(void *val, unsigned *len, const void *src, unsigned size)
{
    unsigned n = *len < size ? *len : size;
    if (n && val == NULL)
        return -EFAULT;
    memcpy(val, src, n);
    *len = n;
    return 0;
}

int packet_setsockopt(struct sock *s, int level, int name, const void *val, unsigned len)
{
    if (level == SOL_SOCKET) {
        switch (name) {
        case SO_RCVTIMEO:
            return set_timeout(&s->rcvtimeo_ns, val, len);
        case SO_SNDTIMEO:
            return set_timeout(&s->sndtimeo_ns, val, len);
        case SO_RCVBUF:
        case SO_SNDBUF:
            /* The ring's size is fixed at creation; the request is accepted and the real size
             * reported by getsockopt. */
            return len < sizeof(int) ? -EINVAL : 0;
        default:
            return -ENOPROTOOPT;
        }
    }
    /* Every frame the NIC receives reaches its sockets already (virtio-net starts promiscuous),
     * so memberships (promiscuous, multicast) are accepted and need nothing. */
    if (level == SOL_PACKET && (name == PACKET_ADD_MEMBERSHIP || name == PACKET_DROP_MEMBERSHIP))
        return 0;
    return -ENOPROTOOPT;
}

int packet_getsockopt(struct sock *s, int level, int name, void *val, unsigned *len)
{
    struct packet_sock *p = to_packet(s);
    int v;
    if (level == SOL_SOCKET) {
        uint64_t ns;
        switch (name) {
        case SO_RCVTIMEO:
        case SO_SNDTIMEO:
            ns = name == SO_RCVTIMEO ? s->rcvtimeo_ns : s->sndtimeo_ns;
            struct linux_timeval tv = {(int64_t)(ns / 1000000000u),
                                       (int64_t)(ns % 1000000000u / 1000u)};
            return put_bytes(val, len, &tv, sizeof(tv));
        case SO_TYPE:
            v = s->type;
            break;
        case SO_DOMAIN:
            v = AF_PACKET;
            break;
        case SO_PROTOCOL:
            v = swap16(p->protocol);
            break;
        case SO_ERROR:
            v = 0;
            break;
        case SO_RCVBUF:
            v = PACKET_RING_SLOTS * PACKET_SLOT_SIZE;
            break;
        case SO_SNDBUF:
            v = PACKET_SLOT_SIZE;
            break;
        default:
            return -ENOPROTOOPT;
        }
        return put_bytes(val, len, &v, sizeof(v));
    }
    if (level != SOL_PACKET || name != PACKET_STATISTICS)
        return -ENOPROTOOPT;
    /* Linux's struct tpacket_stats: frames seen (drops included) and drops, reset by reading. */
    uint32_t stats[2] = {p->received, p->drops};
    int rc = put_bytes(val, len, stats, sizeof(stats));
    if (rc == 0) {
        p->received = 0;
        p->drops = 0;
    }
    return rc;
}

long packet_ioctl(struct sock *s, unsigned long req, unsigned long arg)
{
    struct packet_sock *p = to_packet(s);
    if (req != FIONREAD && req != FIONBIO)
        return -ENOTTY;
    if (arg == 0)
        return -EFAULT;
    if (req == FIONBIO) {
        int on;
        memcpy(&on, (const void *)arg, sizeof(on));
        if (s->file)
            s->file->flags = on ? s->file->flags | O_NONBLOCK : s->file->flags & ~O_NONBLOCK;
        return 0;
    }
    int next = 0;
    if (p->count)
        next = p->slots[p->head].len - (s->type == SOCK_DGRAM ? ETH_HLEN : 0);
    memcpy((void *)arg, &next, sizeof(next));
    return 0;
}
