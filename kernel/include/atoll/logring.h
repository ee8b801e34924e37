/* The console ring buffer: writers never block, overflow is counted, a drainer empties it. */
#ifndef ATOLL_LOGRING_H
#define ATOLL_LOGRING_H

#include <stddef.h>
#include <stdint.h>

/* head and tail count bytes ever written and read; head - tail bytes are buffered. Callers
 * serialise access (the kernel has one CPU and masks interrupts around it). */
struct logring {
    char *buf;
    size_t cap; /* a power of two */
    uint64_t head, tail, dropped;
};

/* cap must be a power of two; any other value is rounded down to one (0 keeps nothing). */
void logring_init(struct logring *r, char *buf, size_t cap);
/* Copies what fits, adds the rest to dropped; returns the bytes copied. */
size_t logring_write(struct logring *r, const char *data, size_t len);
/* Takes up to max bytes, oldest first; returns how many. */
size_t logring_read(struct logring *r, char *out, size_t max);
size_t logring_used(const struct logring *r);
/* Returns the number of bytes dropped since the last call, and clears it. */
uint64_t logring_take_dropped(struct logring *r);

#endif
