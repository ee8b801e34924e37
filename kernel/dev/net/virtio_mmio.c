/* virtio over MMIO (versions 1 and 2): devices named by `virtio_mmio.device=SIZE@ADDR:IRQ` on the
 * kernel command line, or else found by probing the window where QEMU's microvm places them. */
#include "atoll/arch.h"
#include "atoll/cmdline.h"
#include "atoll/kernel.h"
#include "atoll/pci.h"
#include "atoll/virtio.h"

#define MMIO_MAGIC          0x000
#define MMIO_VERSION        0x004
#define MMIO_DEVICE_ID      0x008
#define MMIO_DEVICE_FEAT    0x010
#define MMIO_DEVICE_FEATSEL 0x014
#define MMIO_DRIVER_FEAT    0x020
#define MMIO_DRIVER_FEATSEL 0x024
#define MMIO_GUEST_PAGESIZE 0x028 /* version 1 */
#define MMIO_QUEUE_SEL      0x030
#define MMIO_QUEUE_NUM_MAX  0x034
#define MMIO_QUEUE_NUM      0x038
#define MMIO_QUEUE_ALIGN    0x03c /* version 1 */
#define MMIO_QUEUE_PFN      0x040 /* version 1 */
#define MMIO_QUEUE_READY    0x044
#define MMIO_QUEUE_NOTIFY   0x050
#define MMIO_INT_STATUS     0x060
#define MMIO_INT_ACK        0x064
#define MMIO_INT_VRING      1u /* InterruptStatus bits: used buffers */
#define MMIO_INT_CONFIG     2u /* ... and a configuration change */
#define MMIO_STATUS         0x070
#define MMIO_QUEUE_DESC     0x080
#define MMIO_QUEUE_AVAIL    0x090
#define MMIO_QUEUE_USED     0x0a0
#define MMIO_CONFIG         0x100

#define MMIO_MAGIC_VALUE 0x74726976 /* "virt" */

/* QEMU's microvm: transports 512 bytes apart from 0xfeb00000, 8 of them (24 with a second
 * IOAPIC), interrupts from GSI 5 (16 with the second IOAPIC). */
#define MICROVM_MMIO_BASE   0xfeb00000ull
#define MICROVM_MMIO_STRIDE 512
#define MICROVM_MMIO_SLOTS  24

#define MAX_DEVICES 8
static struct virtio_dev devices[MAX_DEVICES];
static unsigned ndevices;

static uint8_t mmio_get_status(struct virtio_dev *d)
{
    return (uint8_t)mmio_read32(d->base + MMIO_STATUS);
}

static void mmio_set_status(struct virtio_dev *d, uint8_t s)
{
    mmio_write32(d->base + MMIO_STATUS, s);
}

static uint64_t mmio_get_features(struct virtio_dev *d)
{
    mmio_write32(d->base + MMIO_DEVICE_FEATSEL, 0);
    uint64_t lo = mmio_read32(d->base + MMIO_DEVICE_FEAT);
    mmio_write32(d->base + MMIO_DEVICE_FEATSEL, 1);
    return lo | (uint64_t)mmio_read32(d->base + MMIO_DEVICE_FEAT) << 32;
}

static void mmio_set_features(struct virtio_dev *d, uint64_t f)
{
    mmio_write32(d->base + MMIO_DRIVER_FEATSEL, 0);
    mmio_write32(d->base + MMIO_DRIVER_FEAT, (uint32_t)f);
    mmio_write32(d->base + MMIO_DRIVER_FEATSEL, 1);
    mmio_write32(d->base + MMIO_DRIVER_FEAT, (uint32_t)(f >> 32));
}

static uint16_t mmio_queue_max(struct virtio_dev *d, uint16_t index)
{
    mmio_write32(d->base + MMIO_QUEUE_SEL, index);
    uint32_t max = mmio_read32(d->base + MMIO_QUEUE_NUM_MAX);
    return max > VIRTQ_MAX_SIZE ? VIRTQ_MAX_SIZE : (uint16_t)max;
}

static void write64(uint64_t reg, uint64_t v)
{
    mmio_write32(reg, (uint32_t)v);
    mmio_write32(reg + 4, (uint32_t)(v >> 32));
}

static int mmio_queue_setup(struct virtio_dev *d, uint16_t index, struct virtq *q)
{
    mmio_write32(d->base + MMIO_QUEUE_SEL, index);
    mmio_write32(d->base + MMIO_QUEUE_NUM, q->size);
    if (!d->modern) {
        /* Version 1 takes one page number and derives the rest from the legacy layout. */
        mmio_write32(d->base + MMIO_QUEUE_ALIGN, VIRTQ_ALIGN);
        mmio_write32(d->base + MMIO_QUEUE_PFN, (uint32_t)((uint64_t)q->desc >> 12));
        return 0;
    }
    write64(d->base + MMIO_QUEUE_DESC, (uint64_t)q->desc);
    write64(d->base + MMIO_QUEUE_AVAIL, (uint64_t)q->avail);
    write64(d->base + MMIO_QUEUE_USED, (uint64_t)q->used);
    mmio_write32(d->base + MMIO_QUEUE_READY, 1);
    return 0;
}

static void mmio_notify(struct virtio_dev *d, uint16_t index)
{
    mmio_write32(d->base + MMIO_QUEUE_NOTIFY, index);
}

static uint8_t mmio_config_read8(struct virtio_dev *d, unsigned offset)
{
    return mmio_read8(d->base + MMIO_CONFIG + offset);
}

/* Acknowledges both causes (used buffers, configuration change) without reading which: the
 * driver polls every queue after an interrupt anyway and acts on no configuration change, and
 * under TCG the status read is one more exit per interrupt. A cause that arrives after the write
 * raises the line again. */
static uint8_t mmio_isr_ack(struct virtio_dev *d)
{
    mmio_write32(d->base + MMIO_INT_ACK, MMIO_INT_VRING | MMIO_INT_CONFIG);
    return MMIO_INT_VRING | MMIO_INT_CONFIG;
}

static const struct virtio_transport_ops mmio_ops = {
    mmio_get_status,  mmio_set_status, mmio_get_features, mmio_set_features, mmio_queue_max,
    mmio_queue_setup, mmio_notify,     mmio_config_read8, mmio_isr_ack,
};

/* Looks at one transport; registers it when a device sits behind it. */
static void try_transport(uint64_t base, uint8_t irq, virtio_found_fn found)
{
    if (ndevices >= MAX_DEVICES)
        return;
    if (vm_map(ALIGN_DOWN(base, PAGE_SIZE), ALIGN_DOWN(base, PAGE_SIZE), PAGE_SIZE,
               VM_RW | VM_UNCACHED) < 0)
        return;
    uint32_t version = mmio_read32(base + MMIO_VERSION);
    if (mmio_read32(base + MMIO_MAGIC) != MMIO_MAGIC_VALUE || (version != 1 && version != 2))
        return;
    uint32_t id = mmio_read32(base + MMIO_DEVICE_ID);
    if (id == 0) /* an empty transport */
        return;
    struct virtio_dev *d = &devices[ndevices++];
    memset(d, 0, sizeof(*d));
    d->ops = &mmio_ops;
    d->base = base;
    d->modern = version == 2;
    d->device_id = (uint16_t)id;
    d->irq = irq;
    ksnprintf(d->where, sizeof(d->where), "mmio 0x%llx", (unsigned long long)base);
    if (!d->modern)
        mmio_write32(base + MMIO_GUEST_PAGESIZE, PAGE_SIZE);
    d->irq_routed = irq != 0xff && ioapic_route_level(irq, VIRTIO_NET_VECTOR) == 0;
    found(d);
}

/* Parses "SIZE@ADDR:IRQ" (SIZE with an optional K suffix, numbers in C syntax, as Linux takes
 * them); false when malformed. */
static bool parse_number(const char **s, uint64_t *out)
{
    const char *c = *s;
    unsigned base = 10;
    if (c[0] == '0' && (c[1] == 'x' || c[1] == 'X'))
        base = 16, c += 2;
    uint64_t n = 0;
    const char *start = c;
    for (;; c++) {
        unsigned digit;
        if (*c >= '0' && *c <= '9')
            digit = (unsigned)(*c - '0');
        else if (base == 16 && (*c | 0x20) >= 'a' && (*c | 0x20) <= 'f')
            digit = (unsigned)((*c | 0x20) - 'a' + 10);
        else
            break;
        n = n * base + digit;
    }
    if (c == start)
        return false;
    *out = n;
    *s = c;
    return true;
}

static bool parse_device(const char *s, uint64_t *addr, uint8_t *irq)
{
    uint64_t size, a, i;
    if (!parse_number(&s, &size))
        return false;
    if (*s == 'K' || *s == 'k')
        s++;
    if (*s++ != '@' || !parse_number(&s, &a) || *s++ != ':' || !parse_number(&s, &i) ||
        *s != '\0' || a == 0 || i > 255)
        return false;
    *addr = a;
    *irq = (uint8_t)i;
    return true;
}

void virtio_mmio_probe(virtio_found_fn found)
{
    const struct boot_config *cfg = boot_cfg;
    if (cfg->virtio_mmio_count > 0) {
        for (int i = 0; i < cfg->virtio_mmio_count; i++) {
            uint64_t addr;
            uint8_t irq;
            if (parse_device(cfg->virtio_mmio[i], &addr, &irq))
                try_transport(addr, irq, found);
            else
                kprintf_always("atoll: ignoring virtio_mmio.device=%s (expected SIZE@ADDR:IRQ)\n",
                               cfg->virtio_mmio[i]);
        }
        return;
    }
    /* QEMU fills the transports from the top down: the first -device lands in the last slot.
     * With its second I/O APIC (24 transports) slot N raises GSI 24 + N, else 5 + N (8 of them);
     * a device above slot 7 can only exist with the second I/O APIC. */
    bool ioapic2 = false;
    for (int slot = MICROVM_MMIO_SLOTS - 1; slot >= 8 && !ioapic2; slot--) {
        uint64_t base = MICROVM_MMIO_BASE + (uint64_t)slot * MICROVM_MMIO_STRIDE;
        vm_map(ALIGN_DOWN(base, PAGE_SIZE), ALIGN_DOWN(base, PAGE_SIZE), PAGE_SIZE,
               VM_RW | VM_UNCACHED);
        ioapic2 = mmio_read32(base + MMIO_MAGIC) == MMIO_MAGIC_VALUE;
    }
    int slots = ioapic2 ? MICROVM_MMIO_SLOTS : 8, gsi_base = ioapic2 ? 24 : 5;
    for (int slot = slots - 1; slot >= 0; slot--)
        try_transport(MICROVM_MMIO_BASE + (uint64_t)slot * MICROVM_MMIO_STRIDE,
                      (uint8_t)(gsi_base + slot), found);
}
