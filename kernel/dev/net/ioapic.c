/* Routes a NIC's interrupt line (a GSI) through the I/O APIC to the network vector. QEMU places
 * the first I/O APIC at 0xfec00000 (GSIs 0-23) and microvm's second one 64 KiB above (24-47). */
#include "atoll/arch.h"
#include "atoll/pci.h"
#include "atoll/virtio.h"

#define IOAPIC_BASE        0xfec00000ull
#define IOAPIC_STRIDE      0x10000ull
#define IOAPIC_PINS        24
#define IOAPIC_REGSEL      0x00
#define IOAPIC_WINDOW      0x10
#define IOAPIC_REDIR_TABLE 0x10
#define REDIR_LEVEL        (1u << 15)

static void ioapic_write(uint64_t base, uint32_t reg, uint32_t value)
{
    mmio_write32(base + IOAPIC_REGSEL, reg);
    mmio_write32(base + IOAPIC_WINDOW, value);
}

int ioapic_route_level(unsigned gsi, uint8_t vector)
{
    if (gsi >= 2 * IOAPIC_PINS)
        return -1;
    uint64_t base = IOAPIC_BASE + (gsi / IOAPIC_PINS) * IOAPIC_STRIDE;
    unsigned pin = gsi % IOAPIC_PINS;
    if (vm_map(base, base, PAGE_SIZE, VM_RW | VM_UNCACHED) < 0)
        return -1;
    /* Level-triggered, active high, to APIC 0: the handler acknowledges the device (dropping the
     * line) before the EOI, so a line that stays up means more work rather than a lost edge. */
    ioapic_write(base, IOAPIC_REDIR_TABLE + 2 * pin + 1, 0);
    ioapic_write(base, IOAPIC_REDIR_TABLE + 2 * pin, REDIR_LEVEL | vector);
    return 0;
}
