/* Static files: GET and HEAD with conditional requests, single ranges and folder redirects. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "files.h"
#include "path.h"
#include "server.h"

#define STATIC_ALLOW "GET, HEAD, OPTIONS"

/* Weak comparison (RFC 9110 section 8.8.3.2) of each listed tag with ours; "*" matches any. */
static bool etag_listed(const struct http_span *list, const struct file_entry *e)
{
    const char *p = list->ptr, *end = p + list->len;
    while (p < end) {
        while (p < end && (*p == ' ' || *p == '\t' || *p == ','))
            p++;
        if (p < end && *p == '*')
            return true;
        if (end - p >= 2 && p[0] == 'W' && p[1] == '/')
            p += 2;
        const char *start = p;
        if (p < end && *p == '"') {
            p++;
            while (p < end && *p != '"')
                p++;
            if (p < end)
                p++;
        }
        if ((size_t)(p - start) == e->etag_len && memcmp(start, e->etag, e->etag_len) == 0)
            return true;
        while (p < end && *p != ',')
            p++;
    }
    return false;
}

static bool not_modified(const struct conn *c, const struct file_entry *e)
{
    if (c->req.if_none_match.ptr)
        return etag_listed(&c->req.if_none_match, e);
    int64_t since;
    if (c->req.if_modified_since.ptr && e->last_modified[0] &&
        http_date_parse(c->req.if_modified_since.ptr, c->req.if_modified_since.len, &since) == 0)
        return e->mtime <= since;
    return false;
}

/* Parses "bytes=FIRST-LAST", "bytes=FIRST-" or "bytes=-SUFFIX" against the file size.
 * Returns 1 with the range, 0 to ignore the field (malformed, several ranges), -416 if
 * unsatisfiable. */
static int parse_range(const struct http_span *r, uint64_t size, uint64_t *first, uint64_t *last)
{
    const char *p = r->ptr, *end = p + r->len;
    if (r->len < 7 || memcmp(p, "bytes=", 6) != 0 || memchr(p, ',', r->len))
        return 0;
    p += 6;
    uint64_t a = 0, b = 0;
    int da = 0, db = 0;
    while (p < end && *p >= '0' && *p <= '9' && da < 18)
        a = a * 10 + (uint64_t)(*p++ - '0'), da++;
    if (p >= end || *p != '-')
        return 0;
    p++;
    while (p < end && *p >= '0' && *p <= '9' && db < 18)
        b = b * 10 + (uint64_t)(*p++ - '0'), db++;
    if (p != end || (da == 0 && db == 0))
        return 0;
    if (da == 0) { /* suffix */
        if (b == 0 || size == 0)
            return -416;
        *first = b >= size ? 0 : size - b;
        *last = size - 1;
        return 1;
    }
    if (db && b < a)
        return 0;
    if (a >= size)
        return -416;
    *first = a;
    *last = (db && b < size) ? b : size - 1;
    return 1;
}

/* If-Range: the range applies only while the representation is the one the client has. */
static bool if_range_holds(const struct conn *c, const struct file_entry *e)
{
    const struct http_span *v = &c->req.if_range;
    if (!v->ptr)
        return true;
    if (v->len && v->ptr[0] == '"')
        return v->len == e->etag_len && memcmp(v->ptr, e->etag, e->etag_len) == 0;
    int64_t t;
    return e->last_modified[0] && http_date_parse(v->ptr, v->len, &t) == 0 && t == e->mtime;
}

static void send_body(struct conn *c, const struct file_entry *e, uint64_t first, uint64_t len)
{
    if (e->data)
        out_ref(c, e->data + first, (size_t)len);
    else
        out_file(c, e->fd, (off_t)first, (size_t)len);
}

/* Location for a folder named without its final slash: the path, percent-encoded where needed. */
static void redirect_to_folder(struct conn *c, const char *path, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    char location[WEB_PATH_MAX * 3 + 2];
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)path[i];
        if (ch <= 0x20 || ch >= 0x7f || strchr("\"%<>?#\\^`{|}", ch)) {
            location[n++] = '%';
            location[n++] = hex[ch >> 4];
            location[n++] = hex[ch & 15];
        } else {
            location[n++] = (char)ch;
        }
    }
    location[n++] = '/';
    const char *query = memchr(c->req.target.ptr, '?', c->req.target.len);
    size_t query_len = query ? c->req.target.len - (size_t)(query - c->req.target.ptr) : 0;
    static const char body[] = "301 Moved Permanently\n";
    resp_start(c, 301);
    out_printf(c, "Location: %.*s%.*s\r\nContent-Type: text/plain; charset=utf-8\r\n", (int)n,
               location, (int)query_len, query ? query : "");
    resp_end_head(c, sizeof(body) - 1, false);
    out_ref(c, body, sizeof(body) - 1);
}

void static_handle(struct conn *c)
{
    if (c->req.method == HTTP_OPTIONS) {
        resp_start(c, 204);
        out_printf(c, "Allow: %s\r\n", STATIC_ALLOW);
        resp_end_head(c, 0, true);
        return;
    }
    if (c->req.method != HTTP_GET && c->req.method != HTTP_HEAD) {
        resp_error(c, 405, STATIC_ALLOW, false, NULL);
        return;
    }
    char path[WEB_PATH_MAX + 16];
    int len = web_path_normalize(c->req.target.ptr, c->req.target.len, path, WEB_PATH_MAX);
    if (len < 0) {
        c->close_after = true;
        resp_error(c, -len, NULL, false, NULL);
        return;
    }
    bool folder = path[len - 1] == '/';
    struct file_entry *e = files_lookup(path, folder && len > 1 ? (size_t)len - 1 : (size_t)len);
    if (e && e->is_dir) {
        if (!folder) {
            redirect_to_folder(c, path, (size_t)len);
            return;
        }
        memcpy(path + len, "index.html", 11);
        len += 10;
        e = files_lookup(path, (size_t)len);
    } else if (e && folder) {
        e = NULL; /* "/file.txt/" names no file */
    }
    if (!e || e->is_dir) {
        resp_error(c, errno == EMFILE && !e ? 503 : 404, NULL, false, NULL);
        return;
    }
    if (not_modified(c, e)) {
        resp_start(c, 304);
        if (e->last_modified[0])
            out_printf(c, "Last-Modified: %s\r\n", e->last_modified);
        out_printf(c, "ETag: %s\r\n", e->etag);
        resp_end_head(c, 0, true);
        return;
    }
    uint64_t first = 0, last = 0;
    int range = c->req.range.ptr && c->req.method == HTTP_GET && if_range_holds(c, e)
                    ? parse_range(&c->req.range, e->size, &first, &last)
                    : 0;
    if (range == -416) {
        resp_start(c, 416);
        out_printf(c, "Content-Range: bytes */%llu\r\nContent-Type: text/plain; charset=utf-8\r\n",
                   (unsigned long long)e->size);
        static const char body[] = "416 Range Not Satisfiable\n";
        resp_end_head(c, sizeof(body) - 1, false);
        out_ref(c, body, sizeof(body) - 1);
        return;
    }
    if (range == 1) {
        resp_start(c, 206);
        out_printf(c, "Content-Type: %s\r\nContent-Range: bytes %llu-%llu/%llu\r\nETag: %s\r\n",
                   e->content_type, (unsigned long long)first, (unsigned long long)last,
                   (unsigned long long)e->size, e->etag);
        if (e->last_modified[0])
            out_printf(c, "Last-Modified: %s\r\n", e->last_modified);
        resp_end_head(c, last - first + 1, false);
        send_body(c, e, first, last - first + 1);
        return;
    }
    /* The hot path: one copy of prepared text, then the body by reference. */
    resp_ok_head(c, e->fields, e->fields_len);
    send_body(c, e, 0, e->size);
}
