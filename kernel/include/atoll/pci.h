/* PCI configuration space through the legacy 0xCF8/0xCFC ports, and port I/O for legacy BARs. */
#ifndef ATOLL_PCI_H
#define ATOLL_PCI_H

#include "atoll/klib.h"

#define PCI_VENDOR_ID   0x00
#define PCI_DEVICE_ID   0x02
#define PCI_COMMAND     0x04
#define PCI_STATUS      0x06
#define PCI_HEADER_TYPE 0x0e
#define PCI_BAR0        0x10
#define PCI_CAP_PTR     0x34
#define PCI_INTR_LINE   0x3c

#define PCI_COMMAND_IO     0x1
#define PCI_COMMAND_MEMORY 0x2
#define PCI_COMMAND_MASTER 0x4
#define PCI_STATUS_CAPS    0x10

struct pci_addr {
    uint8_t bus, slot, func;
};

uint32_t pci_read32(struct pci_addr a, uint8_t off);
uint16_t pci_read16(struct pci_addr a, uint8_t off);
uint8_t pci_read8(struct pci_addr a, uint8_t off);
void pci_write32(struct pci_addr a, uint8_t off, uint32_t v);
void pci_write16(struct pci_addr a, uint8_t off, uint16_t v);
/* Base address of BAR n (memory or I/O, 64-bit BARs joined); *is_io says which. 0 if unset. */
uint64_t pci_bar(struct pci_addr a, unsigned n, bool *is_io);
/* Calls fn for every present function on every bus, in bus/slot/function order. */
typedef void (*pci_visit_fn)(struct pci_addr a, uint16_t vendor, uint16_t device);
void pci_scan(pci_visit_fn fn);

static inline void port_out8(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}
static inline void port_out16(uint16_t port, uint16_t v)
{
    __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}
static inline void port_out32(uint16_t port, uint32_t v)
{
    __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}
static inline uint8_t port_in8(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline uint16_t port_in16(uint16_t port)
{
    uint16_t v;
    __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline uint32_t port_in32(uint16_t port)
{
    uint32_t v;
    __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

/* Memory-mapped register access (the mapping must be uncached). */
static inline uint8_t mmio_read8(uint64_t a)
{
    return *(volatile uint8_t *)a;
}
static inline uint16_t mmio_read16(uint64_t a)
{
    return *(volatile uint16_t *)a;
}
static inline uint32_t mmio_read32(uint64_t a)
{
    return *(volatile uint32_t *)a;
}
static inline void mmio_write8(uint64_t a, uint8_t v)
{
    *(volatile uint8_t *)a = v;
}
static inline void mmio_write16(uint64_t a, uint16_t v)
{
    *(volatile uint16_t *)a = v;
}
static inline void mmio_write32(uint64_t a, uint32_t v)
{
    *(volatile uint32_t *)a = v;
}

#endif
