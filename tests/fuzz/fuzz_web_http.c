/* libFuzzer harness for the web server's parsers: request heads, chunked bodies, paths and JSON. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../apps/web/http.h"
#include "../../apps/web/json.h"
#include "../../apps/web/path.h"

static void check_span(const struct http_span *s, const uint8_t *data, size_t size)
{
    if (s->ptr && (s->ptr < (const char *)data || s->ptr + s->len > (const char *)data + size) &&
        !(s->len == 1 && s->ptr[0] == '/'))
        abort(); /* a span must point into the request */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct http_request req;
    int rc = http_parse_head((const char *)data, size, &req);
    if (rc > 0) {
        if ((size_t)rc > size || req.head_len != (size_t)rc)
            abort();
        check_span(&req.host, data, size);
        check_span(&req.range, data, size);
        /* The path normaliser sees what the server would give it, and must stay under the root. */
        if (req.target.ptr[0] == '/') {
            char out[WEB_PATH_MAX];
            int n = web_path_normalize(req.target.ptr, req.target.len, out, sizeof(out));
            if (n > 0 && (out[0] != '/' || strstr(out, "/../") || strstr(out, "\\") ||
                          (int)strlen(out) != n))
                abort();
        }
        /* Whatever follows the head is tried as a chunked body. */
        size_t body = size - (size_t)rc;
        char *copy = malloc(body + 1);
        memcpy(copy, data + rc, body);
        struct http_chunked ch;
        http_chunked_init(&ch);
        size_t in_pos = 0, out_len = 0;
        int crc = http_chunked_decode(&ch, copy, &in_pos, body, &out_len, HTTP_MAX_BODY);
        if (crc > 1 || (crc >= 0 && (out_len > in_pos || in_pos > body)))
            abort();
        free(copy);
    }
    /* The whole input as a JSON document. */
    struct json_error err;
    if (json_validate((const char *)data, size, &err) == 0) {
        struct json_value v;
        if (json_object_get((const char *)data, size, "text", &v) == 0 && v.type == JSON_STRING) {
            char out[512];
            json_string_decode(&v, out, sizeof(out));
        }
    } else if (err.pos > size) {
        abort();
    }
    return 0;
}
