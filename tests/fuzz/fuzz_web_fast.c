/* libFuzzer harness: the web server's fast paths (request head, plain path) must give exactly the
 * answers of the general parsers they stand in for, on any input. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../apps/web/http.h"
#include "../../apps/web/path.h"

static void same_span(const struct http_span *a, const struct http_span *b)
{
    if (a->ptr != b->ptr || a->len != b->len)
        abort();
}

static void same_request(const struct http_request *a, const struct http_request *b)
{
    if (a->method != b->method || a->minor_version != b->minor_version ||
        a->keep_alive != b->keep_alive || a->chunked != b->chunked ||
        a->has_content_length != b->has_content_length || a->content_length != b->content_length ||
        a->expect_continue != b->expect_continue || a->head_len != b->head_len)
        abort();
    same_span(&a->target, &b->target);
    same_span(&a->host, &b->host);
    same_span(&a->content_type, &b->content_type);
    same_span(&a->if_none_match, &b->if_none_match);
    same_span(&a->if_modified_since, &b->if_modified_since);
    same_span(&a->range, &b->range);
    same_span(&a->if_range, &b->if_range);
    same_span(&a->user_agent, &b->user_agent);
}

static void same_path(const char *target, size_t len, size_t cap)
{
    char fast[WEB_PATH_MAX + 8], general[WEB_PATH_MAX + 8];
    int a = web_path_normalize(target, len, fast, cap);
    int b = web_path_normalize_general(target, len, general, cap);
    if (a != b || (a > 0 && memcmp(fast, general, (size_t)a + 1) != 0))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct http_request fast, general;
    int a = http_parse_head((const char *)data, size, &fast);
    int b = http_parse_head_general((const char *)data, size, &general);
    if (a != b)
        abort();
    if (a > 0)
        same_request(&fast, &general);
    /* The whole input as a target, with room to spare and with a tight output buffer. */
    if (size <= WEB_PATH_MAX + 8) {
        same_path((const char *)data, size, WEB_PATH_MAX);
        same_path((const char *)data, size, size + 2);
        same_path((const char *)data, size, size > 0 ? size % 17 : 0);
    }
    return 0;
}
