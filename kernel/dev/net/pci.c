/* PCI configuration mechanism #1 (ports 0xCF8/0xCFC): config reads and writes, BARs, bus scan. */
#include "atoll/pci.h"

#define PCI_CONFIG_ADDRESS 0xcf8
#define PCI_CONFIG_DATA    0xcfc

static void select_reg(struct pci_addr a, uint8_t off)
{
    port_out32(PCI_CONFIG_ADDRESS, 0x80000000u | (uint32_t)a.bus << 16 | (uint32_t)a.slot << 11 |
                                       (uint32_t)a.func << 8 | (off & 0xfc));
}

uint32_t pci_read32(struct pci_addr a, uint8_t off)
{
    select_reg(a, off);
    return port_in32(PCI_CONFIG_DATA);
}

uint16_t pci_read16(struct pci_addr a, uint8_t off)
{
    return (uint16_t)(pci_read32(a, off) >> ((off & 2) * 8));
}

uint8_t pci_read8(struct pci_addr a, uint8_t off)
{
    return (uint8_t)(pci_read32(a, off) >> ((off & 3) * 8));
}

void pci_write32(struct pci_addr a, uint8_t off, uint32_t v)
{
    select_reg(a, off);
    port_out32(PCI_CONFIG_DATA, v);
}

void pci_write16(struct pci_addr a, uint8_t off, uint16_t v)
{
    select_reg(a, off);
    port_out16(PCI_CONFIG_DATA + (off & 2), v);
}

uint64_t pci_bar(struct pci_addr a, unsigned n, bool *is_io)
{
    if (n > 5)
        return 0;
    uint32_t lo = pci_read32(a, (uint8_t)(PCI_BAR0 + 4 * n));
    *is_io = lo & 1;
    if (*is_io)
        return lo & ~3u;
    uint64_t base = lo & ~0xfu;
    if (((lo >> 1) & 3) == 2 && n < 5) /* 64-bit memory BAR: the next one holds the top half */
        base |= (uint64_t)pci_read32(a, (uint8_t)(PCI_BAR0 + 4 * (n + 1))) << 32;
    return base;
}

void pci_scan(pci_visit_fn fn)
{
    /* QEMU's pc and q35 put every device on bus 0 unless bridges are added; scanning every bus
     * costs 8192 config reads, so only bus 0 is walked. */
    for (uint8_t slot = 0; slot < 32; slot++) {
        for (uint8_t func = 0; func < 8; func++) {
            struct pci_addr a = {0, slot, func};
            uint32_t id = pci_read32(a, PCI_VENDOR_ID);
            if ((id & 0xffff) == 0xffff) {
                if (func == 0)
                    break;
                continue;
            }
            fn(a, (uint16_t)id, (uint16_t)(id >> 16));
            if (func == 0 && !(pci_read8(a, PCI_HEADER_TYPE) & 0x80))
                break; /* not multi-function */
        }
    }
}
