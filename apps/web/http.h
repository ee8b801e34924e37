/* HTTP/1.1 request head and chunked body parsing (RFC 9112): pure functions over a byte buffer. */
#ifndef WEB_HTTP_H
#define WEB_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bounds on what one request may send; over them the parser answers 414, 431 or 413. */
#define HTTP_MAX_REQUEST_LINE 8192
#define HTTP_MAX_HEAD         16384
#define HTTP_MAX_HEADERS      64
#define HTTP_MAX_BODY         16384

enum http_method {
    HTTP_GET,
    HTTP_HEAD,
    HTTP_POST,
    HTTP_PUT,
    HTTP_DELETE,
    HTTP_OPTIONS,
};

/* A span of the buffer the head was parsed from (not NUL-terminated). */
struct http_span {
    const char *ptr;
    size_t len;
};

struct http_request {
    enum http_method method;
    struct http_span target; /* origin-form path and query, or "*" */
    int minor_version;       /* HTTP/1.0 or HTTP/1.1 */
    bool keep_alive;         /* after Connection and the version's default */
    bool chunked;            /* Transfer-Encoding: chunked */
    bool has_content_length;
    uint64_t content_length;
    bool expect_continue; /* Expect: 100-continue */
    struct http_span host;
    struct http_span content_type;
    struct http_span if_none_match;
    struct http_span if_modified_since;
    struct http_span range;
    struct http_span if_range;
    struct http_span user_agent;
    size_t head_len; /* bytes of the request line and fields, final CRLF included */
};

/*
 * Parses the request head at the start of buf[0..len).
 * Returns the head's length (> 0) once it is complete and valid, 0 when more bytes are needed,
 * or minus the HTTP status to answer (400, 411, 413, 414, 431, 501, 505) when the request is bad.
 * A request that fails must be answered and its connection closed: what follows is not trusted.
 */
int http_parse_head(const char *buf, size_t len, struct http_request *req);

/*
 * The general parser, byte after byte (http.c). http_parse_head takes a one-pass fast path for a
 * complete head of the usual shape and falls back to this one for anything else (leading empty
 * lines, absolute-form, errors, incomplete heads), so both always give the same answer: exposed
 * so that tests can check it.
 */
int http_parse_head_general(const char *buf, size_t len, struct http_request *req);

/* Pieces both parsers share: one field (name and trimmed value), and the checks once the head is
 * complete (returns head_len or minus a status). */
int http_parse_field(const char *name, size_t name_len, const char *value, size_t value_len,
                     struct http_request *req, bool *connection_close, bool *connection_keep);
int http_head_finish(struct http_request *req, size_t head_len, bool close, bool keep);

/* Byte classes (RFC 9110 section 5.6.2, RFC 9112 section 3.2), one table lookup per byte. */
#define HTTP_TCHAR  1 /* token character, as in methods and field names */
#define HTTP_VALUE  2 /* field-value byte: HTAB, SP, VCHAR, obs-text (no other control) */
#define HTTP_TARGET 4 /* request-target byte: VCHAR except '#' */
extern const unsigned char http_byte_class[256];

/* Incremental chunked body decoder (RFC 9112 section 7.1), bounded in size and in chunk metadata.
 */
struct http_chunked {
    int state;
    uint64_t chunk_left; /* bytes of data left in the current chunk */
    uint64_t body_len;   /* data bytes decoded so far */
    size_t line_len;     /* bytes of the current size line or trailer field */
    int digits;
};

void http_chunked_init(struct http_chunked *ch);

/*
 * Decodes base[*in_pos..in_end) in place: data bytes are written at base[*out_len...] (never past
 * *in_pos, so nothing unread is overwritten); both positions advance.
 * Returns 1 when the body ended (*in_pos is then just past it), 0 when all input was consumed and
 * more is needed, -400 for a malformed chunk, -413 when the data exceed max_body.
 */
int http_chunked_decode(struct http_chunked *ch, char *base, size_t *in_pos, size_t in_end,
                        size_t *out_len, uint64_t max_body);

/* Name of a method, for the access log and Allow checks. */
const char *http_method_name(enum http_method method);

/* True when the field value list (comma-separated, case-insensitive) holds the token. */
bool http_list_has_token(const char *value, size_t len, const char *token);

#endif
