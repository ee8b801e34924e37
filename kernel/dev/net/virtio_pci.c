/* virtio over PCI: modern devices (virtio 1.x capabilities in memory BARs) and legacy or
 * transitional devices used through their I/O BAR when they offer nothing else. */
#include "atoll/arch.h"
#include "atoll/kernel.h"
#include "atoll/pci.h"
#include "atoll/virtio.h"

#define VIRTIO_PCI_VENDOR 0x1af4

/* Modern capability types and the common configuration layout (virtio 1.1, 4.1.4). */
#define CAP_VENDOR_SPECIFIC 0x09
#define CFG_COMMON          1
#define CFG_NOTIFY          2
#define CFG_ISR             3
#define CFG_DEVICE          4

#define COMMON_DFSELECT  0
#define COMMON_DF        4
#define COMMON_GFSELECT  8
#define COMMON_GF        12
#define COMMON_STATUS    20
#define COMMON_Q_SELECT  22
#define COMMON_Q_SIZE    24
#define COMMON_Q_MSIX    26
#define COMMON_Q_ENABLE  28
#define COMMON_Q_NOFF    30
#define COMMON_Q_DESCLO  32
#define COMMON_Q_DESCHI  36
#define COMMON_Q_AVAILLO 40
#define COMMON_Q_AVAILHI 44
#define COMMON_Q_USEDLO  48
#define COMMON_Q_USEDHI  52

/* Legacy I/O registers (virtio 1.1, 4.1.4.8), device config at 20 while MSI-X is off. */
#define LEGACY_HOST_FEATURES  0x00
#define LEGACY_GUEST_FEATURES 0x04
#define LEGACY_QUEUE_PFN      0x08
#define LEGACY_QUEUE_SIZE     0x0c
#define LEGACY_QUEUE_SELECT   0x0e
#define LEGACY_QUEUE_NOTIFY   0x10
#define LEGACY_STATUS         0x12
#define LEGACY_ISR            0x13
#define LEGACY_CONFIG         0x14

#define MAX_DEVICES 8
static struct virtio_dev devices[MAX_DEVICES];

/* ---- modern ---- */

static uint8_t modern_get_status(struct virtio_dev *d)
{
    return mmio_read8(d->common + COMMON_STATUS);
}

static void modern_set_status(struct virtio_dev *d, uint8_t s)
{
    mmio_write8(d->common + COMMON_STATUS, s);
}

static uint64_t modern_get_features(struct virtio_dev *d)
{
    mmio_write32(d->common + COMMON_DFSELECT, 0);
    uint64_t lo = mmio_read32(d->common + COMMON_DF);
    mmio_write32(d->common + COMMON_DFSELECT, 1);
    return lo | (uint64_t)mmio_read32(d->common + COMMON_DF) << 32;
}

static void modern_set_features(struct virtio_dev *d, uint64_t f)
{
    mmio_write32(d->common + COMMON_GFSELECT, 0);
    mmio_write32(d->common + COMMON_GF, (uint32_t)f);
    mmio_write32(d->common + COMMON_GFSELECT, 1);
    mmio_write32(d->common + COMMON_GF, (uint32_t)(f >> 32));
}

static uint16_t modern_queue_max(struct virtio_dev *d, uint16_t index)
{
    mmio_write16(d->common + COMMON_Q_SELECT, index);
    return mmio_read16(d->common + COMMON_Q_SIZE);
}

static int modern_queue_setup(struct virtio_dev *d, uint16_t index, struct virtq *q)
{
    mmio_write16(d->common + COMMON_Q_SELECT, index);
    mmio_write16(d->common + COMMON_Q_SIZE, q->size);
    /* MSI-X entry 0 for every queue; the device answers 0xffff when it cannot. */
    mmio_write16(d->common + COMMON_Q_MSIX, d->msix ? 0 : 0xffff);
    if (d->msix && mmio_read16(d->common + COMMON_Q_MSIX) != 0)
        d->msix = false;
    uint64_t desc = (uint64_t)q->desc, avail = (uint64_t)q->avail, used = (uint64_t)q->used;
    mmio_write32(d->common + COMMON_Q_DESCLO, (uint32_t)desc);
    mmio_write32(d->common + COMMON_Q_DESCHI, (uint32_t)(desc >> 32));
    mmio_write32(d->common + COMMON_Q_AVAILLO, (uint32_t)avail);
    mmio_write32(d->common + COMMON_Q_AVAILHI, (uint32_t)(avail >> 32));
    mmio_write32(d->common + COMMON_Q_USEDLO, (uint32_t)used);
    mmio_write32(d->common + COMMON_Q_USEDHI, (uint32_t)(used >> 32));
    mmio_write16(d->common + COMMON_Q_ENABLE, 1);
    return 0;
}

static void modern_notify(struct virtio_dev *d, uint16_t index)
{
    mmio_write16(d->common + COMMON_Q_SELECT, index);
    uint16_t off = mmio_read16(d->common + COMMON_Q_NOFF);
    mmio_write16(d->notify + (uint64_t)off * d->notify_mult, index);
}

static uint8_t modern_config_read8(struct virtio_dev *d, unsigned offset)
{
    return mmio_read8(d->device + offset);
}

static uint8_t modern_isr_ack(struct virtio_dev *d)
{
    return mmio_read8(d->isr);
}

static const struct virtio_transport_ops modern_ops = {
    modern_get_status,   modern_set_status,   modern_get_features,
    modern_set_features, modern_queue_max,    modern_queue_setup,
    modern_notify,       modern_config_read8, modern_isr_ack,
};

/* ---- legacy ---- */

static uint8_t legacy_get_status(struct virtio_dev *d)
{
    return port_in8((uint16_t)(d->base + LEGACY_STATUS));
}

static void legacy_set_status(struct virtio_dev *d, uint8_t s)
{
    port_out8((uint16_t)(d->base + LEGACY_STATUS), s);
}

static uint64_t legacy_get_features(struct virtio_dev *d)
{
    return port_in32((uint16_t)(d->base + LEGACY_HOST_FEATURES));
}

static void legacy_set_features(struct virtio_dev *d, uint64_t f)
{
    port_out32((uint16_t)(d->base + LEGACY_GUEST_FEATURES), (uint32_t)f);
}

static uint16_t legacy_queue_max(struct virtio_dev *d, uint16_t index)
{
    port_out16((uint16_t)(d->base + LEGACY_QUEUE_SELECT), index);
    return port_in16((uint16_t)(d->base + LEGACY_QUEUE_SIZE));
}

static int legacy_queue_setup(struct virtio_dev *d, uint16_t index, struct virtq *q)
{
    port_out16((uint16_t)(d->base + LEGACY_QUEUE_SELECT), index);
    /* Legacy devices have a fixed queue size: the driver must use all of it. */
    if (port_in16((uint16_t)(d->base + LEGACY_QUEUE_SIZE)) != q->size)
        return -EINVAL;
    port_out32((uint16_t)(d->base + LEGACY_QUEUE_PFN), (uint32_t)((uint64_t)q->desc >> 12));
    return 0;
}

static void legacy_notify(struct virtio_dev *d, uint16_t index)
{
    port_out16((uint16_t)(d->base + LEGACY_QUEUE_NOTIFY), index);
}

static uint8_t legacy_config_read8(struct virtio_dev *d, unsigned offset)
{
    return port_in8((uint16_t)(d->base + LEGACY_CONFIG + offset));
}

static uint8_t legacy_isr_ack(struct virtio_dev *d)
{
    return port_in8((uint16_t)(d->base + LEGACY_ISR));
}

static const struct virtio_transport_ops legacy_ops = {
    legacy_get_status,   legacy_set_status,   legacy_get_features,
    legacy_set_features, legacy_queue_max,    legacy_queue_setup,
    legacy_notify,       legacy_config_read8, legacy_isr_ack,
};

/* ---- discovery ---- */

/* Maps [addr, addr + len) uncached; returns addr, or 0 when it cannot. */
static uint64_t map_registers(uint64_t addr, uint64_t len)
{
    uint64_t start = ALIGN_DOWN(addr, PAGE_SIZE), end = ALIGN_UP(addr + len, PAGE_SIZE);
    if (addr == 0 || vm_map(start, start, end - start, VM_RW | VM_UNCACHED) < 0)
        return 0;
    return addr;
}

/* Finds the modern capabilities; false when the device has none (a legacy-only device). */
static bool find_modern(struct pci_addr a, struct virtio_dev *d)
{
    if (!(pci_read16(a, PCI_STATUS) & PCI_STATUS_CAPS))
        return false;
    uint8_t cap = pci_read8(a, PCI_CAP_PTR) & 0xfc;
    for (int guard = 0; cap != 0 && guard < 48; guard++) {
        if (pci_read8(a, cap) == CAP_VENDOR_SPECIFIC) {
            uint8_t type = pci_read8(a, cap + 3), bar = pci_read8(a, cap + 4);
            uint32_t offset = pci_read32(a, cap + 8), length = pci_read32(a, cap + 12);
            bool is_io;
            uint64_t base = pci_bar(a, bar, &is_io);
            if (!is_io && base != 0 && length != 0) {
                uint64_t at = map_registers(base + offset, length);
                if (type == CFG_COMMON && !d->common)
                    d->common = at;
                else if (type == CFG_NOTIFY && !d->notify) {
                    d->notify = at;
                    d->notify_mult = pci_read32(a, cap + 16);
                } else if (type == CFG_ISR && !d->isr)
                    d->isr = at;
                else if (type == CFG_DEVICE && !d->device)
                    d->device = at;
            }
        }
        cap = pci_read8(a, cap + 1) & 0xfc;
    }
    return d->common && d->notify && d->isr && d->device;
}

#define CAP_MSIX          0x11
#define MSIX_ENABLE       (1u << 15)
#define MSIX_FUNC_MASK    (1u << 14)
#define MSI_ADDRESS_APIC0 0xfee00000u

/* Points MSI-X entry 0 at the NIC vector on APIC 0 and enables MSI-X; false when the device has
 * no MSI-X (it then runs on polling alone). */
static bool setup_msix(struct pci_addr a)
{
    uint8_t cap = pci_read8(a, PCI_CAP_PTR) & 0xfc;
    for (int guard = 0; cap != 0 && guard < 48; guard++) {
        if (pci_read8(a, cap) == CAP_MSIX) {
            uint32_t table = pci_read32(a, cap + 4);
            bool is_io;
            uint64_t bar = pci_bar(a, table & 7, &is_io);
            if (is_io || bar == 0)
                return false;
            uint64_t entry = map_registers(bar + (table & ~7u), 16);
            if (entry == 0)
                return false;
            mmio_write32(entry + 0, MSI_ADDRESS_APIC0);
            mmio_write32(entry + 4, 0);
            mmio_write32(entry + 8, VIRTIO_NET_VECTOR); /* fixed delivery, edge */
            mmio_write32(entry + 12, 0);                /* unmasked */
            uint16_t control = pci_read16(a, cap + 2);
            pci_write16(a, cap + 2, (uint16_t)((control & ~MSIX_FUNC_MASK) | MSIX_ENABLE));
            return true;
        }
        cap = pci_read8(a, cap + 1) & 0xfc;
    }
    return false;
}

static virtio_found_fn pci_found;
static unsigned ndevices;

static void visit(struct pci_addr a, uint16_t vendor, uint16_t device)
{
    /* 0x1000-0x103f: transitional (legacy) IDs; 0x1040 + type: modern-only. */
    if (vendor != VIRTIO_PCI_VENDOR || device < 0x1000 || device > 0x107f)
        return;
    if (ndevices >= ARRAY_SIZE(devices))
        return;
    struct virtio_dev *d = &devices[ndevices];
    memset(d, 0, sizeof(*d));
    d->irq = pci_read8(a, PCI_INTR_LINE);
    ksnprintf(d->where, sizeof(d->where), "pci %02x:%02x.%x", a.bus, a.slot, a.func);
    pci_write16(a, PCI_COMMAND,
                pci_read16(a, PCI_COMMAND) | PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
                    PCI_COMMAND_MASTER);
    if (find_modern(a, d)) {
        d->ops = &modern_ops;
        d->modern = true;
        d->msix = setup_msix(a);
        d->device_id =
            device >= 0x1040 ? (uint16_t)(device - 0x1040) : pci_read16(a, 0x2e); /* subsystem ID */
    } else {
        bool is_io;
        uint64_t base = pci_bar(a, 0, &is_io);
        if (device >= 0x1040 || !is_io || base == 0)
            return;
        d->ops = &legacy_ops;
        d->base = base;
        /* INTx: the line the firmware assigned, level-triggered and active high as QEMU's ACPI
         * tables declare it; the handler reads the ISR register, which lowers the line. */
        d->irq_routed =
            d->irq > 0 && d->irq < 24 && ioapic_route_level(d->irq, VIRTIO_NET_VECTOR) == 0;
        d->device_id = pci_read16(a, 0x2e);
    }
    ndevices++;
    pci_found(d);
}

void virtio_pci_probe(virtio_found_fn found)
{
    pci_found = found;
    pci_scan(visit);
}
