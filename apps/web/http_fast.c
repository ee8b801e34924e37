/* The request head parser's fast path: one pass over a complete head of the usual shape. */
#include <string.h>

#include "http.h"
#include "words.h"

/* HTTP_TCHAR | HTTP_VALUE | HTTP_TARGET per byte (tests/unit/test_web_http.c checks every entry
 * against the RFC definitions). */
const unsigned char http_byte_class[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, /* 0x00: HTAB only */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x10 */
    2, 7, 6, 3, 7, 7, 7, 7, 6, 6, 7, 7, 6, 7, 7, 6, /* 0x20: SP !"#$%&'()*+,-./ */
    7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 6, 6, 6, 6, 6, 6, /* 0x30: 0-9 :;<=>? */
    6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, /* 0x40: @A-O */
    7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 6, 6, 6, 7, 7, /* 0x50: P-Z [\]^_ */
    7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, /* 0x60: `a-o */
    7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 6, 7, 6, 7, 0, /* 0x70: p-z {|}~ DEL */
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, /* 0x80-0xff: obs-text */
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, /**/
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, /**/
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, /**/
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, /**/
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, /**/
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, /**/
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, /**/
};

/* The end of the run of bytes of class cls from pos. It needs no bound: the caller knows a byte
 * outside every class (the head's last LF) stops it. Eight bytes a test where it can, since
 * under emulation each taken branch costs far more than a few loads. */
static inline __attribute__((always_inline)) size_t run(const unsigned char *p, size_t pos,
                                                        size_t end, unsigned cls)
{
    const unsigned char *k = http_byte_class;
    while (end - pos >= 8 && (k[p[pos]] & k[p[pos + 1]] & k[p[pos + 2]] & k[p[pos + 3]] &
                              k[p[pos + 4]] & k[p[pos + 5]] & k[p[pos + 6]] & k[p[pos + 7]] & cls))
        pos += 8;
    if (end - pos >= 4 && (k[p[pos]] & k[p[pos + 1]] & k[p[pos + 2]] & k[p[pos + 3]] & cls))
        pos += 4;
    while (k[p[pos]] & cls)
        pos++;
    return pos;
}

/* memset(req, 0, ...) in 32-byte stores: the C library's (and the compiler's) string
 * instructions cost a translated block per eight bytes under emulation. */
static void clear_request(struct http_request *req)
{
    char *bytes = (char *)req;
    _Static_assert(sizeof(*req) >= 32, "a request is cleared 32 bytes at a time");
    for (size_t i = 0; i + 32 <= sizeof(*req); i += 32)
        memset(bytes + i, 0, 32);
    memset(bytes + sizeof(*req) - 32, 0, 32);
}

static int method_of(const unsigned char *p, size_t len)
{
    static const char *const names[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"};
    for (int m = 0; m < (int)(sizeof(names) / sizeof(names[0])); m++)
        if (strlen(names[m]) == len && memcmp(p, names[m], len) == 0)
            return m;
    return -1;
}

/*
 * A head with no leading empty line, an origin-form target, HTTP/1.0 or 1.1 and clean field
 * lines, complete in buf[0..end) where buf[end - 1] is its final LF. Sets *rc to the answer and
 * returns true; returns false, having decided nothing, when anything else is met: the general
 * parser then reads the head from the start, so every rule and error keeps one implementation.
 */
static bool parse_clean(const unsigned char *p, size_t end, struct http_request *req, int *rc)
{
    size_t pos;
    if (end >= 4 && load32(p) == load32((const unsigned char *)"GET ")) {
        req->method = HTTP_GET;
        pos = 4;
    } else {
        pos = run(p, 0, end, HTTP_TCHAR);
        int m = method_of(p, pos);
        if (pos == 0 || p[pos] != ' ' || m < 0)
            return false;
        req->method = (enum http_method)m;
        pos++;
    }
    size_t target = pos;
    pos = run(p, pos, end, HTTP_TARGET);
    if (pos == target || p[target] != '/' || p[pos] != ' ' || end - pos < 11)
        return false;
    req->target = (struct http_span){(const char *)p + target, pos - target};
    pos++;
    /* "HTTP/1.0" or "HTTP/1.1" (bit 0 of the last digit) and CRLF. */
    const uint64_t minor_bit = load64((const unsigned char *)"\0\0\0\0\0\0\0\1");
    if ((load64(p + pos) | minor_bit) != load64((const unsigned char *)"HTTP/1.1") ||
        p[pos + 8] != '\r' || p[pos + 9] != '\n' || pos + 8 > HTTP_MAX_REQUEST_LINE)
        return false;
    req->minor_version = p[pos + 7] - '0';
    pos += 10;
    bool close = false, keep = false;
    int fields = 0;
    for (;;) {
        if (pos >= end)
            return false;
        if (p[pos] == '\r') {
            if (pos + 1 >= end || p[pos + 1] != '\n')
                return false;
            pos += 2;
            break;
        }
        size_t name = pos;
        pos = run(p, pos, end, HTTP_TCHAR);
        if (pos == name || p[pos] != ':' || ++fields > HTTP_MAX_HEADERS)
            return false;
        size_t name_len = pos - name;
        pos++;
        while (p[pos] == ' ' || p[pos] == '\t')
            pos++;
        size_t value = pos;
        pos = run(p, pos, end, HTTP_VALUE);
        if (p[pos] != '\r' || p[pos + 1] != '\n')
            return false; /* p[pos + 1] exists: a CR is never the last byte */
        size_t value_end = pos;
        while (value_end > value && (p[value_end - 1] == ' ' || p[value_end - 1] == '\t'))
            value_end--;
        if (http_parse_field((const char *)p + name, name_len, (const char *)p + value,
                             value_end - value, req, &close, &keep) != 0)
            return false;
        pos += 2;
    }
    *rc = http_head_finish(req, pos, close, keep);
    return true;
}

int http_parse_head(const char *buf, size_t len, struct http_request *req)
{
    clear_request(req);
    size_t window = len < HTTP_MAX_HEAD ? len : HTTP_MAX_HEAD;
    /* The fast path needs its input to end in an LF; a head alone (no pipelined request or body
     * behind it yet) does, and otherwise one is looked for a little way back. */
    size_t end = window;
    while (end > 0 && end + 64 > window && buf[end - 1] != '\n')
        end--;
    int rc;
    if (end > 0 && buf[end - 1] == '\n' && parse_clean((const unsigned char *)buf, end, req, &rc))
        return rc;
    return http_parse_head_general(buf, len, req);
}
