/* The driver's half of a split virtqueue: offering buffers, taking used ones, notification
 * suppression (VIRTIO_F_RING_EVENT_IDX). Pure code: also built on the host for unit tests. */
#include "atoll/errno.h"
#include "atoll/virtio.h"

/* The event index fields sit right after each ring. */
static volatile uint16_t *used_event(struct virtq *q)
{
    return &q->avail->ring[q->size];
}

static volatile uint16_t *avail_event(const struct virtq *q)
{
    return (volatile uint16_t *)&q->used->ring[q->size];
}

size_t virtq_bytes(uint16_t size)
{
    size_t desc_and_avail = sizeof(struct virtq_desc) * size + sizeof(uint16_t) * (3 + size);
    size_t used = sizeof(uint16_t) * 3 + sizeof(struct virtq_used_elem) * size;
    return ALIGN_UP(desc_and_avail, VIRTQ_ALIGN) + ALIGN_UP(used, VIRTQ_ALIGN);
}

void virtq_init(struct virtq *q, uint16_t size, void *mem, bool event_idx)
{
    q->size = size;
    q->event_idx = event_idx;
    q->desc = mem;
    q->avail = (struct virtq_avail *)((char *)mem + sizeof(struct virtq_desc) * size);
    size_t desc_and_avail = sizeof(struct virtq_desc) * size + sizeof(uint16_t) * (3 + size);
    q->used = (struct virtq_used *)((char *)mem + ALIGN_UP(desc_and_avail, VIRTQ_ALIGN));
    q->avail_idx = 0;
    q->kicked_idx = 0;
    q->last_used = 0;
    q->outstanding = 0;
}

int virtq_add(struct virtq *q, uint16_t id, uint64_t addr, uint32_t len, bool device_writes)
{
    if (id >= q->size)
        return -EINVAL;
    if (q->outstanding >= q->size)
        return -ENOSPC;
    struct virtq_desc *d = &q->desc[id];
    d->addr = addr;
    d->len = len;
    d->flags = device_writes ? VIRTQ_DESC_F_WRITE : 0;
    d->next = 0;
    q->avail->ring[q->avail_idx & (q->size - 1)] = id;
    q->avail_idx++;
    q->outstanding++;
    return 0;
}

int virtq_add_chain(struct virtq *q, const uint16_t *ids, const uint64_t *addrs,
                    const uint32_t *lens, unsigned n)
{
    if (n == 0 || n > q->size)
        return -EINVAL;
    for (unsigned i = 0; i < n; i++)
        if (ids[i] >= q->size)
            return -EINVAL;
    if (q->outstanding + n > q->size)
        return -ENOSPC;
    for (unsigned i = 0; i < n; i++) {
        struct virtq_desc *d = &q->desc[ids[i]];
        d->addr = addrs[i];
        d->len = lens[i];
        d->flags = i + 1 < n ? VIRTQ_DESC_F_NEXT : 0;
        d->next = i + 1 < n ? ids[i + 1] : 0;
    }
    q->avail->ring[q->avail_idx & (q->size - 1)] = ids[0];
    q->avail_idx++;
    q->outstanding = (uint16_t)(q->outstanding + n);
    return 0;
}

bool virtq_publish(struct virtq *q)
{
    uint16_t old = q->kicked_idx, now = q->avail_idx;
    if (old == now)
        return false;
    /* Descriptors and ring entries before the index; the index before reading the device's
     * suppression hint (a full fence: the device may have just written it). */
    __atomic_store_n(&q->avail->idx, now, __ATOMIC_RELEASE);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    q->kicked_idx = now;
    if (q->event_idx) {
        uint16_t event = __atomic_load_n(avail_event(q), __ATOMIC_ACQUIRE);
        /* vring_need_event: did [old, now) cross the index the device asked to hear about? */
        return (uint16_t)(now - event - 1) < (uint16_t)(now - old);
    }
    return !(__atomic_load_n(&q->used->flags, __ATOMIC_ACQUIRE) & VIRTQ_USED_F_NO_NOTIFY);
}

bool virtq_device_waiting(const struct virtq *q)
{
    uint16_t used = __atomic_load_n(&q->used->idx, __ATOMIC_ACQUIRE);
    uint16_t pending = (uint16_t)(q->kicked_idx - used);
    if (!pending)
        return false;
    if (q->event_idx) {
        uint16_t event = __atomic_load_n(avail_event(q), __ATOMIC_ACQUIRE);
        return (uint16_t)(event - used) < pending;
    }
    return !(__atomic_load_n(&q->used->flags, __ATOMIC_ACQUIRE) & VIRTQ_USED_F_NO_NOTIFY);
}

bool virtq_has_used(const struct virtq *q)
{
    return __atomic_load_n(&q->used->idx, __ATOMIC_ACQUIRE) != q->last_used;
}

int virtq_get_used(struct virtq *q, uint32_t *len)
{
    if (!virtq_has_used(q))
        return -EAGAIN;
    const struct virtq_used_elem *e = &q->used->ring[q->last_used & (q->size - 1)];
    uint32_t id = e->id;
    *len = e->len;
    q->last_used++;
    if (id >= q->size || q->outstanding == 0)
        return -EIO; /* a device handing back what it never had is broken: stop trusting it */
    /* A chain gives back all its descriptors; the table is the driver's, the walk bounded. */
    uint16_t n = 1;
    for (uint32_t at = id; (q->desc[at].flags & VIRTQ_DESC_F_NEXT) && n < q->outstanding; n++)
        at = q->desc[at].next & (q->size - 1);
    q->outstanding = (uint16_t)(q->outstanding - n);
    return (int)id;
}

bool virtq_enable_interrupts(struct virtq *q)
{
    if (q->event_idx)
        __atomic_store_n(used_event(q), q->last_used, __ATOMIC_RELAXED);
    else
        q->avail->flags &= (uint16_t)~VIRTQ_AVAIL_F_NO_INTERRUPT;
    /* The request must be visible before the last look, or an arrival in between is missed. */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    return virtq_has_used(q);
}

void virtq_disable_interrupts(struct virtq *q)
{
    if (q->event_idx)
        __atomic_store_n(used_event(q), (uint16_t)(q->last_used - 1), __ATOMIC_RELAXED);
    else
        q->avail->flags |= VIRTQ_AVAIL_F_NO_INTERRUPT;
}
