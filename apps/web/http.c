/* HTTP/1.1 request head parser (RFC 9112 sections 2-6): strict, bounded, no allocation. */
#include "http.h"
#include "words.h"

#include <string.h>

static const char *const method_names[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"};

const char *http_method_name(enum http_method method)
{
    return method_names[method];
}

/* tchar from RFC 9110 section 5.6.2. */
static bool is_tchar(unsigned char c)
{
    return (http_byte_class[c] & HTTP_TCHAR) != 0;
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}

static bool span_ieq(const char *p, size_t len, const char *word)
{
    size_t n = strlen(word);
    if (len != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (lower(p[i]) != word[i])
            return false;
    return true;
}

bool http_list_has_token(const char *value, size_t len, const char *token)
{
    size_t i = 0;
    while (i < len) {
        while (i < len && (value[i] == ' ' || value[i] == '\t' || value[i] == ','))
            i++;
        size_t start = i;
        while (i < len && value[i] != ',')
            i++;
        size_t end = i;
        while (end > start && (value[end - 1] == ' ' || value[end - 1] == '\t'))
            end--;
        if (end > start && span_ieq(value + start, end - start, token))
            return true;
    }
    return false;
}

/* Finds the LF that ends the line starting at p; a CR must come right before it. */
static int line_end(const char *buf, size_t pos, size_t len, size_t *lf)
{
    for (size_t i = pos; i < len; i++) {
        if (buf[i] == '\n') {
            /* A bare LF could be read as a line end by one peer and not by another: refuse it. */
            if (i == pos || buf[i - 1] != '\r')
                return -400;
            *lf = i;
            return 1;
        }
        if (buf[i] == '\r' && i + 1 < len && buf[i + 1] != '\n')
            return -400; /* a bare CR */
    }
    return 0;
}

static int parse_method(const char *p, size_t len, struct http_request *req)
{
    if (len == 0)
        return -400;
    for (size_t i = 0; i < len; i++)
        if (!is_tchar((unsigned char)p[i]))
            return -400;
    for (size_t m = 0; m < sizeof(method_names) / sizeof(method_names[0]); m++) {
        if (strlen(method_names[m]) == len && memcmp(p, method_names[m], len) == 0) {
            req->method = (enum http_method)m;
            return 0;
        }
    }
    return -501; /* a well-formed method this server does not implement (methods are case-sensitive)
                  */
}

static int parse_target(const char *p, size_t len, struct http_request *req)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c <= 0x20 || c >= 0x7f || c == '#')
            return -400;
    }
    if (len >= 1 && p[0] == '/') {
        req->target = (struct http_span){p, len};
        return 0;
    }
    if (len == 1 && p[0] == '*')
        return req->method == HTTP_OPTIONS ? (req->target = (struct http_span){p, 1}, 0) : -400;
    /* absolute-form: scheme "://" authority path; the authority then stands for Host. */
    const char *scheme_end = memchr(p, ':', len);
    if (!scheme_end || (size_t)(scheme_end - p) + 3 > len || memcmp(scheme_end, "://", 3) != 0)
        return -400;
    if (!span_ieq(p, (size_t)(scheme_end - p), "http") &&
        !span_ieq(p, (size_t)(scheme_end - p), "https"))
        return -400;
    const char *authority = scheme_end + 3;
    const char *end = p + len;
    const char *path = authority;
    while (path < end && *path != '/' && *path != '?')
        path++;
    if (path == authority)
        return -400;
    if (path == end || *path != '/')
        req->target = (struct http_span){"/", 1};
    else
        req->target = (struct http_span){path, (size_t)(end - path)};
    return 0;
}

static int parse_request_line(const char *line, size_t len, struct http_request *req)
{
    const char *sp1 = memchr(line, ' ', len);
    if (!sp1)
        return -400;
    const char *rest = sp1 + 1;
    size_t rest_len = len - (size_t)(rest - line);
    const char *sp2 = memchr(rest, ' ', rest_len);
    if (!sp2)
        return -400;
    const char *version = sp2 + 1;
    size_t version_len = len - (size_t)(version - line);
    /* The version comes first: a request for HTTP/2 deserves 505 whatever its method is. */
    if (version_len != 8 || memcmp(version, "HTTP/", 5) != 0 || version[6] != '.' ||
        version[5] < '0' || version[5] > '9' || version[7] < '0' || version[7] > '9')
        return -400;
    if (version[5] != '1')
        return -505;
    req->minor_version = version[7] == '0' ? 0 : 1;
    int rc = parse_method(line, (size_t)(sp1 - line), req);
    if (rc)
        return rc;
    if (sp2 == rest)
        return -400;
    return parse_target(rest, (size_t)(sp2 - rest), req);
}

/* Content-Length: 1*DIGIT, or a list of identical values (RFC 9110 section 8.6). */
static int parse_content_length(const char *p, size_t len, struct http_request *req)
{
    size_t i = 0;
    bool any = false;
    while (i < len) {
        while (i < len && (p[i] == ' ' || p[i] == '\t'))
            i++;
        uint64_t value = 0;
        size_t digits = 0;
        while (i < len && p[i] >= '0' && p[i] <= '9') {
            if (++digits > 15)
                return -400;
            value = value * 10 + (uint64_t)(p[i] - '0');
            i++;
        }
        if (digits == 0)
            return -400;
        while (i < len && (p[i] == ' ' || p[i] == '\t'))
            i++;
        if (i < len) {
            if (p[i] != ',')
                return -400;
            i++;
        }
        if (req->has_content_length && req->content_length != value)
            return -400;
        req->has_content_length = true;
        req->content_length = value;
        any = true;
    }
    return any ? 0 : -400;
}

/* Only "chunked", once and last, is understood; other codings are 501. */
static int parse_transfer_encoding(const char *p, size_t len, struct http_request *req)
{
    if (req->chunked)
        return -400;
    size_t i = 0;
    int codings = 0;
    bool chunked = false;
    while (i < len) {
        while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == ','))
            i++;
        size_t start = i;
        while (i < len && p[i] != ',')
            i++;
        size_t end = i;
        while (end > start && (p[end - 1] == ' ' || p[end - 1] == '\t'))
            end--;
        if (end == start)
            continue;
        codings++;
        if (chunked)
            return -400; /* chunked must be the final coding and appear once */
        if (span_ieq(p + start, end - start, "chunked"))
            chunked = true;
        else
            return -501;
    }
    if (codings == 0)
        return -400;
    req->chunked = true;
    return 0;
}

static void set_span(struct http_span *span, const char *p, size_t len)
{
    span->ptr = p;
    span->len = len;
}

/* Field name (tchar only) == word (lower case, 4 bytes or more), ignoring case. A few word-sized
 * compares instead of a loop: setting bit 5 lowers a letter, and on a tchar it makes a letter or
 * '-' only from that same letter or '-', so the compare is exact. */
static bool name_is(const char *p, size_t len, const char *word, size_t word_len)
{
    if (len != word_len)
        return false;
    if (len < 8)
        return ((load32(p) | 0x20202020u) == load32(word)) &&
               ((load32(p + len - 4) | 0x20202020u) == load32(word + len - 4));
    const uint64_t lower_bits = 0x2020202020202020ull;
    for (size_t i = 0; i + 8 < len; i += 8)
        if ((load64(p + i) | lower_bits) != load64(word + i))
            return false;
    return (load64(p + len - 8) | lower_bits) == load64(word + len - 8);
}

#define NAME_IS(word) name_is(name, name_len, word, sizeof(word) - 1)

int http_parse_field(const char *name, size_t name_len, const char *value, size_t value_len,
                     struct http_request *req, bool *connection_close, bool *connection_keep)
{
    /* Dispatch on the length first: most fields a server does not use fail with one compare. */
    switch (name_len) {
    case 4:
        if (NAME_IS("host")) {
            if (req->host.ptr)
                return -400;
            set_span(&req->host, value, value_len);
        }
        break;
    case 5:
        if (NAME_IS("range")) {
            if (req->range.ptr)
                return -400;
            set_span(&req->range, value, value_len);
        }
        break;
    case 6:
        if (NAME_IS("expect") && span_ieq(value, value_len, "100-continue"))
            req->expect_continue = true;
        break;
    case 8:
        if (NAME_IS("if-range"))
            set_span(&req->if_range, value, value_len);
        break;
    case 10:
        if (NAME_IS("connection")) {
            if (http_list_has_token(value, value_len, "close"))
                *connection_close = true;
            if (http_list_has_token(value, value_len, "keep-alive"))
                *connection_keep = true;
        } else if (NAME_IS("user-agent")) {
            set_span(&req->user_agent, value, value_len);
        }
        break;
    case 12:
        if (NAME_IS("content-type"))
            set_span(&req->content_type, value, value_len);
        break;
    case 13:
        if (NAME_IS("if-none-match"))
            set_span(&req->if_none_match, value, value_len);
        break;
    case 14:
        if (NAME_IS("content-length"))
            return parse_content_length(value, value_len, req);
        break;
    case 17:
        if (NAME_IS("transfer-encoding"))
            return parse_transfer_encoding(value, value_len, req);
        if (NAME_IS("if-modified-since"))
            set_span(&req->if_modified_since, value, value_len);
        break;
    default:
        break;
    }
    return 0;
}

/* One field line: name ":" OWS value OWS, no obs-fold, no whitespace before the colon. */
static int parse_field_line(const char *line, size_t len, struct http_request *req, bool *close,
                            bool *keep)
{
    if (line[0] == ' ' || line[0] == '\t')
        return -400; /* obs-fold */
    size_t i = 0;
    while (i < len && is_tchar((unsigned char)line[i]))
        i++;
    if (i == 0 || i == len || line[i] != ':')
        return -400;
    size_t name_len = i++;
    while (i < len && (line[i] == ' ' || line[i] == '\t'))
        i++;
    size_t start = i, end = len;
    for (size_t j = start; j < len; j++) {
        unsigned char c = (unsigned char)line[j];
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return -400;
    }
    while (end > start && (line[end - 1] == ' ' || line[end - 1] == '\t'))
        end--;
    return http_parse_field(line, name_len, line + start, end - start, req, close, keep);
}

int http_parse_head_general(const char *buf, size_t len, struct http_request *req)
{
    memset(req, 0, sizeof(*req));
    size_t pos = 0;
    /* RFC 9112 section 2.2: ignore empty lines before the request line (a few, not forever). */
    while (pos + 1 < len && buf[pos] == '\r' && buf[pos + 1] == '\n' && pos < 8)
        pos += 2;
    size_t lf;
    size_t window = len < HTTP_MAX_HEAD ? len : HTTP_MAX_HEAD;
    int rc = line_end(buf, pos, window, &lf);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return window - pos >= HTTP_MAX_REQUEST_LINE ? -414 : (len >= HTTP_MAX_HEAD ? -431 : 0);
    if (lf - pos - 1 > HTTP_MAX_REQUEST_LINE)
        return -414;
    rc = parse_request_line(buf + pos, lf - pos - 1, req);
    if (rc)
        return rc;
    pos = lf + 1;
    bool close = false, keep = false;
    int fields = 0;
    for (;;) {
        rc = line_end(buf, pos, window, &lf);
        if (rc < 0)
            return rc;
        if (rc == 0)
            return len >= HTTP_MAX_HEAD ? -431 : 0;
        size_t line_len = lf - pos - 1;
        if (line_len == 0) {
            pos = lf + 1;
            break;
        }
        if (++fields > HTTP_MAX_HEADERS)
            return -431;
        rc = parse_field_line(buf + pos, line_len, req, &close, &keep);
        if (rc)
            return rc;
        pos = lf + 1;
    }
    return http_head_finish(req, pos, close, keep);
}

int http_head_finish(struct http_request *req, size_t head_len, bool close, bool keep)
{
    req->head_len = head_len;
    if (req->minor_version == 1 && !req->host.ptr)
        return -400;
    if (req->chunked && req->has_content_length)
        return -400; /* the classic smuggling vector: refuse rather than pick one */
    if (req->chunked && req->minor_version == 0)
        return -400;
    if ((req->method == HTTP_POST || req->method == HTTP_PUT) && !req->chunked &&
        !req->has_content_length)
        return -411;
    if (req->has_content_length && req->content_length > HTTP_MAX_BODY)
        return -413;
    req->keep_alive = req->minor_version == 1 ? !close : (keep && !close);
    return (int)head_len;
}
