/* Console: kernel and app output go into a ring that is drained to the UART when the CPU would
 * idle. */
#include "atoll/dev.h"
#include "atoll/kernel.h"
#include "atoll/logring.h"

#define CONSOLE_RING_SIZE (64 * 1024)

static char ring_storage[CONSOLE_RING_SIZE];
static struct logring ring;
static bool quiet;

void console_init(void)
{
    logring_init(&ring, ring_storage, sizeof(ring_storage));
    uart_init();
}

void console_set_quiet(bool q)
{
    quiet = q;
}

void console_write(const char *s, size_t len)
{
    logring_write(&ring, s, len); /* never blocks: a full ring counts what it drops */
}

/* A UART byte costs microseconds under QEMU: idle time drains in small chunks up to the deadline,
 * so a sleeping program wakes on time and the rest goes out at the next idle moment. */
#define DRAIN_CHUNK 64

void console_drain_until(uint64_t deadline_ns)
{
    if (!logring_used(&ring) && !ring.dropped)
        return; /* the usual case, before every halt: nothing to write */
    char chunk[DRAIN_CHUNK];
    size_t n;
    while (clock_monotonic_ns() < deadline_ns &&
           (n = logring_read(&ring, chunk, sizeof(chunk))) > 0)
        uart_write(chunk, n);
    if (!logring_used(&ring))
        console_drain();
}

void console_drain(void)
{
    char chunk[256];
    size_t n;
    while ((n = logring_read(&ring, chunk, sizeof(chunk))) > 0)
        uart_write(chunk, n);
    uint64_t dropped = logring_take_dropped(&ring);
    if (dropped) {
        int len = ksnprintf(chunk, sizeof(chunk),
                            "\natoll: console: %llu bytes dropped (output faster than the UART)\n",
                            (unsigned long long)dropped);
        uart_write(chunk, (size_t)len);
    }
}

static void vprint(const char *fmt, va_list ap)
{
    char buf[512];
    int n = kvsnprintf(buf, sizeof(buf), fmt, ap);
    if (n < 0)
        return;
    console_write(buf, MIN((size_t)n, sizeof(buf) - 1));
}

void kprintf(const char *fmt, ...)
{
    if (quiet)
        return;
    va_list ap;
    va_start(ap, fmt);
    vprint(fmt, ap);
    va_end(ap);
}

void kprintf_always(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprint(fmt, ap);
    va_end(ap);
}
