/* libFuzzer harness for a whole web connection: bytes in, every handler (files, API, notes) run. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../apps/web/conn.h"
#include "../../apps/web/files.h"

static struct conn *c;

static void setup(void)
{
    web.cfg.root = "apps/web/rootfs/www";
    web.cfg.header_timeout_ms = 10000;
    web.cfg.idle_timeout_ms = 15000;
    web.runtime = "linux";
    memcpy(web.server_line, "Server: fuzz\r\n", 14);
    web.server_line_len = 14;
    memcpy(web.date_line, "Date: Thu, 01 Jan 1970 00:00:00 GMT\r\n", 37);
    web.date_line_len = 37;
    notes_init(&web.notes);
    if (files_init(web.cfg.root) != 0)
        abort(); /* run from the repository root, as `make fuzz` does */
    c = calloc(1, sizeof(*c));
    c->in = malloc(CONN_IN_SIZE); /* the largest the server lets it grow */
    c->in_cap = CONN_IN_SIZE;
    c->fd = -1;
}

/* What flushing would do, without a socket: check the queue and drop it. */
static void drain(void)
{
    for (unsigned k = 0; k < c->seg_count; k++) {
        const struct out_seg *s = &c->segs[(c->seg_first + k) % CONN_SEGS];
        if (!s->ptr && s->fd < 0 && s->off + s->len > c->obuf_len)
            abort(); /* a piece outside the output buffer */
    }
    c->seg_first = c->seg_count = 0;
    c->obuf_len = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!c)
        setup();
    memset(c, 0, offsetof(struct conn, obuf));
    c->fd = -1;
    /* Feed the input in two reads, so requests split across reads are exercised too. */
    size_t first = size ? data[0] % (size + 1) : 0;
    size_t parts[2] = {first, size - first};
    const uint8_t *p = data;
    for (int i = 0; i < 2; i++) {
        size_t n = parts[i];
        if (n > CONN_IN_SIZE - c->in_len)
            n = CONN_IN_SIZE - c->in_len;
        memcpy(c->in + c->in_len, p, n);
        c->in_len += n;
        p += parts[i];
        for (int round = 0; round < 64 && !c->close_after; round++) {
            unsigned before = c->served;
            conn_process(c);
            int queued = c->seg_count != 0;
            drain();
            if (!queued && c->served == before)
                break;
        }
        if (c->in_start > c->in_len || c->in_len > CONN_IN_SIZE)
            abort();
    }
    return 0;
}
