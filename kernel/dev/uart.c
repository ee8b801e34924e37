/* 16550 UART at COM1 (0x3f8): the console's output device, written by polling. */
#include "atoll/dev.h"
#include "atoll/x86.h"

#define COM1          0x3f8
#define LSR_THR_EMPTY 0x20

void uart_init(void)
{
    outb(COM1 + 1, 0x00); /* no interrupts: the console drains by polling */
    outb(COM1 + 3, 0x80); /* DLAB */
    outb(COM1 + 0, 0x01); /* 115200 baud */
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03); /* 8N1 */
    outb(COM1 + 2, 0x07); /* FIFO on, cleared */
}

/* THRE means the whole 16-byte transmit FIFO is empty: one status read per burst of 16 bytes
 * halves the port accesses, each of which is a VM exit under KVM and a slow path under TCG. */
#define FIFO_DEPTH 16

void uart_write(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i += FIFO_DEPTH) {
        /* Bounded wait: a missing UART reads 0xff and must not hang the kernel. */
        for (unsigned spins = 0; !(inb(COM1 + 5) & LSR_THR_EMPTY) && spins < 100000; spins++)
            ;
        size_t burst = len - i < FIFO_DEPTH ? len - i : FIFO_DEPTH;
        for (size_t k = 0; k < burst; k++)
            outb(COM1, (uint8_t)s[i + k]);
    }
}
