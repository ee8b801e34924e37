/* Unit tests of the split virtqueue driver logic against a simulated device on host memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "atoll/errno.h"
#include "atoll/virtio.h"

/* The device's side: what it has consumed from the available ring, and its used index. */
struct sim_device {
    struct virtq *q;
    uint16_t next_avail;
    uint16_t used_idx;
};

static void *ring_memory(uint16_t size)
{
    size_t bytes = virtq_bytes(size);
    void *mem = aligned_alloc(4096, bytes);
    assert_non_null(mem);
    memset(mem, 0, bytes);
    return mem;
}

/* Takes every buffer the driver published and returns it used, writing `len` bytes each. */
static unsigned device_complete_all(struct sim_device *dev, uint32_t len)
{
    unsigned n = 0;
    while (dev->next_avail != dev->q->avail->idx) {
        uint16_t id = dev->q->avail->ring[dev->next_avail % dev->q->size];
        assert_true(id < dev->q->size);
        struct virtq_used_elem *e = &dev->q->used->ring[dev->used_idx % dev->q->size];
        e->id = id;
        e->len = len;
        dev->next_avail++;
        dev->used_idx++;
        n++;
    }
    dev->q->used->idx = dev->used_idx;
    return n;
}

static uint16_t *avail_event_of(struct virtq *q)
{
    return (uint16_t *)&q->used->ring[q->size];
}

static uint16_t used_event_of(struct virtq *q)
{
    return q->avail->ring[q->size];
}

static void test_layout(void **state)
{
    (void)state;
    /* 256 entries: 4 KiB of descriptors, the available ring, then the used ring on a new page. */
    assert_int_equal(virtq_bytes(256), 8192 + 4096);
    assert_int_equal(virtq_bytes(1024), 16384 + 4096 + 12288);
    void *mem = ring_memory(256);
    struct virtq q;
    virtq_init(&q, 256, mem, false);
    assert_ptr_equal(q.desc, mem);
    assert_ptr_equal((char *)q.avail, (char *)mem + 4096);
    assert_ptr_equal((char *)q.used, (char *)mem + 8192);
    free(mem);
}

static void test_add_publish_get(void **state)
{
    (void)state;
    void *mem = ring_memory(8);
    struct virtq q;
    virtq_init(&q, 8, mem, false);
    struct sim_device dev = {.q = &q};
    assert_int_equal(virtq_get_used(&q, &(uint32_t){0}), -EAGAIN);
    assert_int_equal(virtq_add(&q, 3, 0x1000, 2048, true), 0);
    assert_int_equal(virtq_add(&q, 5, 0x2000, 100, false), 0);
    assert_int_equal(q.desc[3].addr, 0x1000);
    assert_int_equal(q.desc[3].flags, VIRTQ_DESC_F_WRITE);
    assert_int_equal(q.desc[5].flags, 0);
    assert_int_equal(q.desc[5].len, 100);
    /* Nothing is visible to the device before publishing. */
    assert_int_equal(q.avail->idx, 0);
    assert_true(virtq_publish(&q));
    assert_int_equal(q.avail->idx, 2);
    assert_false(virtq_publish(&q)); /* nothing new: no notification */
    assert_false(virtq_has_used(&q));
    assert_int_equal(device_complete_all(&dev, 60), 2);
    assert_true(virtq_has_used(&q));
    uint32_t len = 0;
    assert_int_equal(virtq_get_used(&q, &len), 3);
    assert_int_equal(len, 60);
    assert_int_equal(virtq_get_used(&q, &len), 5);
    assert_int_equal(virtq_get_used(&q, &len), -EAGAIN);
    assert_int_equal(q.outstanding, 0);
    free(mem);
}

static void test_full_and_bad_ids(void **state)
{
    (void)state;
    void *mem = ring_memory(4);
    struct virtq q;
    virtq_init(&q, 4, mem, false);
    assert_int_equal(virtq_add(&q, 4, 0x1000, 1, false), -EINVAL);
    for (uint16_t id = 0; id < 4; id++)
        assert_int_equal(virtq_add(&q, id, 0x1000 * (id + 1u), 1, false), 0);
    assert_int_equal(virtq_add(&q, 0, 0x1000, 1, false), -ENOSPC);
    virtq_publish(&q);
    /* A device that returns an id it was never given is reported, not trusted. */
    q.used->ring[0].id = 77;
    q.used->idx = 1;
    uint32_t len;
    assert_int_equal(virtq_get_used(&q, &len), -EIO);
    free(mem);
}

static void test_chains(void **state)
{
    (void)state;
    void *mem = ring_memory(8);
    struct virtq q;
    virtq_init(&q, 8, mem, false);
    struct sim_device dev = {.q = &q};
    const uint16_t ids[3] = {6, 1, 4};
    const uint64_t addrs[3] = {0x1000, 0x2000, 0x3000};
    const uint32_t lens[3] = {2048, 2048, 17};
    assert_int_equal(virtq_add_chain(&q, ids, addrs, lens, 0), -EINVAL);
    const uint16_t bad[2] = {1, 8};
    assert_int_equal(virtq_add_chain(&q, bad, addrs, lens, 2), -EINVAL);
    assert_int_equal(virtq_add_chain(&q, ids, addrs, lens, 3), 0);
    /* One ring entry, the head; the descriptors linked in order, the last without NEXT. */
    assert_int_equal(q.outstanding, 3);
    assert_int_equal(q.avail->ring[0], 6);
    assert_int_equal(q.desc[6].flags, VIRTQ_DESC_F_NEXT);
    assert_int_equal(q.desc[6].next, 1);
    assert_int_equal(q.desc[1].next, 4);
    assert_int_equal(q.desc[4].flags, 0);
    assert_int_equal(q.desc[4].len, 17);
    assert_int_equal(q.desc[1].addr, 0x2000);
    /* A chain that would make the device hold more than the ring has is refused. */
    const uint16_t six[6] = {0, 2, 3, 5, 7, 0};
    assert_int_equal(virtq_add_chain(&q, six, (uint64_t[6]){0}, (uint32_t[6]){0}, 6), -ENOSPC);
    assert_int_equal(virtq_add(&q, 2, 0x4000, 60, false), 0);
    assert_true(virtq_publish(&q));
    assert_int_equal(q.avail->idx, 2);
    assert_int_equal(device_complete_all(&dev, 0), 2);
    uint32_t len;
    assert_int_equal(virtq_get_used(&q, &len), 6); /* the whole chain comes back */
    assert_int_equal(q.outstanding, 1);
    assert_int_equal(virtq_get_used(&q, &len), 2);
    assert_int_equal(q.outstanding, 0);
    free(mem);
}

static void test_no_notify_flag(void **state)
{
    (void)state;
    void *mem = ring_memory(4);
    struct virtq q;
    virtq_init(&q, 4, mem, false);
    q.used->flags = VIRTQ_USED_F_NO_NOTIFY;
    virtq_add(&q, 0, 0x1000, 1, false);
    assert_false(virtq_publish(&q));
    q.used->flags = 0;
    virtq_add(&q, 1, 0x1000, 1, false);
    assert_true(virtq_publish(&q));
    free(mem);
}

static void test_event_idx_kick(void **state)
{
    (void)state;
    void *mem = ring_memory(16);
    struct virtq q;
    virtq_init(&q, 16, mem, true);
    struct sim_device dev = {.q = &q};
    /* The device wants to hear once the driver publishes index 3 (avail idx goes past 3). */
    *avail_event_of(&q) = 3;
    virtq_add(&q, 0, 0x1000, 1, true);
    virtq_add(&q, 1, 0x1000, 1, true);
    assert_false(virtq_publish(&q)); /* idx 0 -> 2: not past 3 */
    virtq_add(&q, 2, 0x1000, 1, true);
    assert_false(virtq_publish(&q)); /* 2 -> 3 */
    virtq_add(&q, 3, 0x1000, 1, true);
    assert_true(virtq_publish(&q)); /* 3 -> 4 crosses the event */
    virtq_add(&q, 4, 0x1000, 1, true);
    assert_false(virtq_publish(&q)); /* already told; the device has not asked again */
    /* A busy device that asks again at the current index is notified on the next batch. */
    *avail_event_of(&q) = q.avail->idx;
    virtq_add(&q, 5, 0x1000, 1, true);
    virtq_add(&q, 6, 0x1000, 1, true);
    assert_true(virtq_publish(&q));
    assert_int_equal(device_complete_all(&dev, 10), 7);
    free(mem);
}

static void test_interrupt_suppression(void **state)
{
    (void)state;
    void *mem = ring_memory(8);
    struct virtq q;
    virtq_init(&q, 8, mem, true);
    struct sim_device dev = {.q = &q};
    virtq_add(&q, 0, 0x1000, 1, true);
    virtq_publish(&q);
    virtq_disable_interrupts(&q);
    assert_int_equal(used_event_of(&q), (uint16_t)(q.last_used - 1));
    assert_false(virtq_enable_interrupts(&q));
    assert_int_equal(used_event_of(&q), q.last_used);
    device_complete_all(&dev, 1);
    /* An arrival before the request: enabling says so, so the caller polls instead of halting. */
    virtq_disable_interrupts(&q);
    assert_true(virtq_enable_interrupts(&q));
    free(mem);

    mem = ring_memory(8);
    virtq_init(&q, 8, mem, false);
    virtq_disable_interrupts(&q);
    assert_int_equal(q.avail->flags, VIRTQ_AVAIL_F_NO_INTERRUPT);
    assert_false(virtq_enable_interrupts(&q));
    assert_int_equal(q.avail->flags, 0);
    free(mem);
}

/* Buffers recycled through a small ring far past the 16-bit index wrap keep their identity. */
static void test_recycling_across_wrap(void **state)
{
    (void)state;
    void *mem = ring_memory(4);
    struct virtq q;
    virtq_init(&q, 4, mem, true);
    struct sim_device dev = {.q = &q};
    for (uint16_t id = 0; id < 4; id++)
        assert_int_equal(virtq_add(&q, id, 0x10000u * id, 2048, true), 0);
    virtq_publish(&q);
    for (int round = 0; round < 40000; round++) { /* 160,000 buffers: the indices wrap twice */
        assert_int_equal(device_complete_all(&dev, (uint32_t)round % 2048), 4);
        uint32_t len;
        int id;
        unsigned n = 0;
        while ((id = virtq_get_used(&q, &len)) >= 0) {
            assert_int_equal(len, (uint32_t)round % 2048);
            assert_int_equal(q.desc[id].addr, 0x10000u * (unsigned)id);
            assert_int_equal(virtq_add(&q, (uint16_t)id, 0x10000u * (unsigned)id, 2048, true), 0);
            n++;
        }
        assert_int_equal(id, -EAGAIN);
        assert_int_equal(n, 4);
        virtq_publish(&q);
    }
    assert_int_equal(q.outstanding, 4);
    assert_int_equal(q.avail->idx, (uint16_t)(4 + 40000 * 4));
    free(mem);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_add_publish_get),
        cmocka_unit_test(test_full_and_bad_ids),
        cmocka_unit_test(test_chains),
        cmocka_unit_test(test_no_notify_flag),
        cmocka_unit_test(test_event_idx_kick),
        cmocka_unit_test(test_interrupt_suppression),
        cmocka_unit_test(test_recycling_across_wrap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
