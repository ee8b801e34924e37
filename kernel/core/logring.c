/* Console ring buffer: a power-of-two byte ring with free-running head/tail counters. */
#include "atoll/logring.h"
#include "atoll/klib.h"

void logring_init(struct logring *r, char *buf, size_t cap)
{
    /* Keep only the highest set bit so that masking with cap - 1 is a valid index. */
    while (cap & (cap - 1))
        cap &= cap - 1;
    r->buf = buf;
    r->cap = cap;
    r->head = 0;
    r->tail = 0;
    r->dropped = 0;
}

size_t logring_used(const struct logring *r)
{
    return (size_t)(r->head - r->tail);
}

size_t logring_write(struct logring *r, const char *data, size_t len)
{
    size_t room = r->cap - logring_used(r);
    size_t n = len < room ? len : room;
    r->dropped += len - n;
    if (n == 0)
        return 0;
    size_t at = (size_t)(r->head & (r->cap - 1));
    size_t first = n < r->cap - at ? n : r->cap - at;
    memcpy(r->buf + at, data, first);
    memcpy(r->buf, data + first, n - first);
    r->head += n;
    return n;
}

size_t logring_read(struct logring *r, char *out, size_t max)
{
    size_t used = logring_used(r);
    size_t n = max < used ? max : used;
    if (n == 0)
        return 0;
    size_t at = (size_t)(r->tail & (r->cap - 1));
    size_t first = n < r->cap - at ? n : r->cap - at;
    memcpy(out, r->buf + at, first);
    memcpy(out + first, r->buf, n - first);
    r->tail += n;
    return n;
}

uint64_t logring_take_dropped(struct logring *r)
{
    uint64_t d = r->dropped;
    r->dropped = 0;
    return d;
}
