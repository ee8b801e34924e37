/* Building responses into a connection's output queue: status line, fields, bodies by reference. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "server.h"

/* The buffer only grows (API answers can be large), and stays with the connection. */
#define OBUF_MAX (1024 * 1024)

int out_reserve(struct conn *c, size_t n)
{
    if (c->obuf_len + n <= c->obuf_cap)
        return 0;
    size_t cap = c->obuf_cap ? c->obuf_cap : 1024;
    while (cap < c->obuf_len + n)
        cap *= 2;
    if (cap > OBUF_MAX)
        return -1;
    char *grown = realloc(c->obuf, cap);
    if (!grown)
        return -1;
    c->obuf = grown;
    c->obuf_cap = cap;
    return 0;
}

static struct out_seg *last_seg(struct conn *c)
{
    return c->seg_count ? &c->segs[(c->seg_first + c->seg_count - 1) % CONN_SEGS] : NULL;
}

static struct out_seg *new_seg(struct conn *c)
{
    if (c->seg_count == CONN_SEGS)
        return NULL; /* callers check out_has_room before starting a response */
    struct out_seg *seg = &c->segs[(c->seg_first + c->seg_count) % CONN_SEGS];
    c->seg_count++;
    memset(seg, 0, sizeof(*seg));
    seg->fd = -1;
    return seg;
}

/* Memory ran out (or the queue filled) in the middle of an answer: drop that answer whole, so the
 * client never sees a body without its head, and close once the complete answers before it left. */
static void out_fail(struct conn *c)
{
    c->seg_count = c->mark_segs;
    c->obuf_len = c->mark_obuf;
    struct out_seg *seg = last_seg(c);
    if (seg)
        seg->len = c->mark_last_len;
    c->out_failed = true;
    c->close_after = true;
}

/* memcpy for the short pieces of a response head, sixteen bytes a step: under emulation the C
 * library's string instructions cost a translated block per eight bytes, and a call more. */
static inline void copy_bytes(char *dst, const char *src, size_t n)
{
    if (n >= 16) {
        for (size_t i = 0; i + 16 < n; i += 16)
            memcpy(dst + i, src + i, 16);
        memcpy(dst + n - 16, src + n - 16, 16);
    } else if (n >= 8) {
        memcpy(dst, src, 8);
        memcpy(dst + n - 8, src + n - 8, 8);
    } else if (n >= 4) {
        memcpy(dst, src, 4);
        memcpy(dst + n - 4, src + n - 4, 4);
    } else if (n > 0) {
        dst[0] = src[0];
        dst[n / 2] = src[n / 2];
        dst[n - 1] = src[n - 1];
    }
}

/* The len bytes just written at obuf + obuf_len join the queue: they extend the last segment
 * when it ends there, or start a new one. */
static void out_commit(struct conn *c, size_t len)
{
    struct out_seg *seg = last_seg(c);
    if (seg && !seg->ptr && seg->fd < 0 && seg->off + seg->len == c->obuf_len) {
        seg->len += len;
    } else if ((seg = new_seg(c)) != NULL) {
        seg->off = c->obuf_len;
        seg->len = len;
    } else {
        out_fail(c);
        return;
    }
    c->obuf_len += len;
}

void out_append(struct conn *c, const void *data, size_t len)
{
    if (len == 0 || c->out_failed)
        return;
    if (c->obuf_len + len > c->obuf_cap && out_reserve(c, len) != 0) {
        out_fail(c);
        return;
    }
    copy_bytes(c->obuf + c->obuf_len, data, len);
    out_commit(c, len);
}

void out_printf(struct conn *c, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n > 0)
        out_append(c, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

void out_ref(struct conn *c, const char *ptr, size_t len)
{
    if (len == 0 || c->req.method == HTTP_HEAD || c->out_failed)
        return;
    struct out_seg *seg = new_seg(c);
    if (!seg) {
        out_fail(c);
        return;
    }
    seg->ptr = ptr;
    seg->len = len;
    c->last_bytes += len;
}

void out_file(struct conn *c, int fd, off_t off, size_t len)
{
    if (len == 0 || c->req.method == HTTP_HEAD || c->out_failed)
        return;
    struct out_seg *seg = new_seg(c);
    if (!seg) {
        out_fail(c);
        return;
    }
    seg->fd = fd;
    seg->off = (size_t)off;
    seg->len = len;
    c->last_bytes += len;
}

const char *http_reason(int status)
{
    switch (status) {
    case 100:
        return "Continue";
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 204:
        return "No Content";
    case 206:
        return "Partial Content";
    case 301:
        return "Moved Permanently";
    case 304:
        return "Not Modified";
    case 400:
        return "Bad Request";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 411:
        return "Length Required";
    case 413:
        return "Content Too Large";
    case 414:
        return "URI Too Long";
    case 415:
        return "Unsupported Media Type";
    case 416:
        return "Range Not Satisfiable";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 503:
        return "Service Unavailable";
    case 505:
        return "HTTP Version Not Supported";
    case 507:
        return "Insufficient Storage";
    default:
        return "Unknown";
    }
}

static const char status_ok[] = "HTTP/1.1 200 OK\r\n";

/* Where an answer begins: what out_fail rolls back to. */
static void resp_mark(struct conn *c, int status)
{
    struct out_seg *last = last_seg(c);
    c->mark_segs = c->seg_count;
    c->mark_obuf = c->obuf_len;
    c->mark_last_len = last ? last->len : 0;
    c->last_status = status;
    c->last_bytes = 0;
}

/* Room for len bytes more at once (and some to spare for the fields that follow). */
static bool reserve_head(struct conn *c, size_t len)
{
    if (c->obuf_len + len + 256 <= c->obuf_cap || out_reserve(c, len + 256) == 0 ||
        out_reserve(c, len) == 0)
        return true;
    out_fail(c);
    return false;
}

/* Status line, Server and Date, copied and queued as one piece. */
static void put_head_start(struct conn *c, const char *status_line, size_t n)
{
    char *w = c->obuf + c->obuf_len;
    copy_bytes(w, status_line, n);
    copy_bytes(w + n, web.server_line, web.server_line_len);
    copy_bytes(w + n + web.server_line_len, web.date_line, web.date_line_len);
}

void resp_start(struct conn *c, int status)
{
    char line[64];
    const char *text = status_ok;
    size_t n = sizeof(status_ok) - 1;
    if (status != 200) { /* the hot path copies a constant; the rest are formatted */
        n = (size_t)snprintf(line, sizeof(line), "HTTP/1.1 %d %s\r\n", status, http_reason(status));
        text = line;
    }
    resp_mark(c, status);
    size_t len = n + web.server_line_len + web.date_line_len;
    if (c->out_failed || !reserve_head(c, len))
        return;
    put_head_start(c, text, n);
    out_commit(c, len);
}

/* The Connection field and the empty line that end a head; decides whether the connection closes
 * after this answer. */
static const char *head_end(struct conn *c, size_t *len)
{
    static const char close_line[] = "Connection: close\r\n\r\n";
    static const char keep_line[] = "Connection: keep-alive\r\n\r\n";
    if (c->close_after || !c->req.keep_alive) {
        c->close_after = true;
        *len = sizeof(close_line) - 1;
        return close_line;
    }
    if (c->req.minor_version == 0) {
        *len = sizeof(keep_line) - 1;
        return keep_line;
    }
    *len = 2;
    return "\r\n";
}

void resp_end_head(struct conn *c, uint64_t content_length, bool no_length)
{
    if (!no_length) {
        char buf[48];
        int n = snprintf(buf, sizeof(buf), "Content-Length: %llu\r\n",
                         (unsigned long long)content_length);
        out_append(c, buf, (size_t)n);
    }
    size_t len;
    const char *end = head_end(c, &len);
    out_append(c, end, len);
}

void resp_ok_head(struct conn *c, const char *fields, size_t fields_len)
{
    resp_mark(c, 200);
    size_t end_len;
    const char *end = head_end(c, &end_len);
    size_t start_len = sizeof(status_ok) - 1 + web.server_line_len + web.date_line_len;
    if (c->out_failed || !reserve_head(c, start_len + fields_len + end_len))
        return;
    put_head_start(c, status_ok, sizeof(status_ok) - 1);
    copy_bytes(c->obuf + c->obuf_len + start_len, fields, fields_len);
    copy_bytes(c->obuf + c->obuf_len + start_len + fields_len, end, end_len);
    out_commit(c, start_len + fields_len + end_len);
}

void resp_error(struct conn *c, int status, const char *allow, bool json, const char *detail)
{
    char body[512];
    int n;
    if (json) {
        const char *text = detail ? detail : http_reason(status);
        char escaped[384];
        int len = json_escape(text, strlen(text), escaped, sizeof(escaped));
        n = snprintf(body, sizeof(body), "{\"error\":\"%.*s\"}\n", len < 0 ? 0 : len, escaped);
    } else
        n = snprintf(body, sizeof(body), "%d %s\n", status, http_reason(status));
    if (n < 0 || (size_t)n >= sizeof(body))
        n = 0;
    resp_start(c, status);
    if (allow)
        out_printf(c, "Allow: %s\r\n", allow);
    out_printf(c, "Content-Type: %s\r\n", json ? "application/json" : "text/plain; charset=utf-8");
    resp_end_head(c, (uint64_t)n, false);
    if (c->req.method != HTTP_HEAD) {
        out_append(c, body, (size_t)n);
        c->last_bytes = (size_t)n;
    }
}
