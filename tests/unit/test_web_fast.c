/* Unit tests of the web server's fast paths: the byte-class table, and the one-pass head parser
 * and plain-path normaliser giving exactly the general parsers' answers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../apps/web/http.h"
#include "../../apps/web/path.h"

static void test_byte_classes(void **state)
{
    (void)state;
    for (int c = 0; c < 256; c++) {
        bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        bool tchar = alnum || (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
        bool value = c == '\t' || (c >= 0x20 && c != 0x7f);
        bool target = c > 0x20 && c < 0x7f && c != '#';
        unsigned want =
            (tchar ? HTTP_TCHAR : 0) | (value ? HTTP_VALUE : 0) | (target ? HTTP_TARGET : 0);
        if (http_byte_class[c] != want)
            fail_msg("byte 0x%02x: class %u, want %u", c, http_byte_class[c], want);
    }
}

static bool same_span(struct http_span a, struct http_span b)
{
    return a.ptr == b.ptr && a.len == b.len;
}

/* Both parsers on text[0..len): the same answer, and the same request when it is valid. */
static void expect_agree(const char *text, size_t len)
{
    struct http_request a, b;
    int fast = http_parse_head(text, len, &a);
    int general = http_parse_head_general(text, len, &b);
    if (fast != general)
        fail_msg("\"%.*s\": fast path %d, general parser %d", (int)len, text, fast, general);
    if (fast <= 0)
        return;
    if (a.method != b.method || a.minor_version != b.minor_version ||
        a.keep_alive != b.keep_alive || a.chunked != b.chunked ||
        a.has_content_length != b.has_content_length || a.content_length != b.content_length ||
        a.expect_continue != b.expect_continue || a.head_len != b.head_len ||
        !same_span(a.target, b.target) || !same_span(a.host, b.host) ||
        !same_span(a.content_type, b.content_type) ||
        !same_span(a.if_none_match, b.if_none_match) ||
        !same_span(a.if_modified_since, b.if_modified_since) || !same_span(a.range, b.range) ||
        !same_span(a.if_range, b.if_range) || !same_span(a.user_agent, b.user_agent))
        fail_msg("\"%.*s\": the two parsers read different requests", (int)len, text);
}

static const char *const heads[] = {
    "GET /index.html HTTP/1.1\r\nHost: 10.78.0.2\r\n\r\n",
    "GET / HTTP/1.0\r\n\r\n",
    "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
    "HEAD /a/b/?q=1&r=/../ HTTP/1.1\r\nHOST: x\r\nuser-AGENT: curl/8\r\n\r\n",
    "POST /api/notes HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
    "Content-Length: 12\r\n\r\n{\"text\":\"a\"}",
    "PUT /api/notes/1 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
    "DELETE /api/notes/1 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
    "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n",
    "OPTIONS /x HTTP/1.1\r\nHost: a\r\n\r\n",
    "GET /x HTTP/1.1\r\nHost: a\r\nIf-None-Match: \"h1-2\", W/\"x\"\r\nRange: bytes=0-1\r\n"
    "If-Range: \"h1-2\"\r\nIf-Modified-Since: Thu, 01 Jan 1970 00:00:00 GMT\r\n\r\n",
    "GET /x HTTP/1.1\r\nHost:\t a \t\r\nX-Empty:\r\nX-Obs-Text: caf\xc3\xa9\r\n\r\n",
    "GET /x HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3, 3\r\n\r\n",
    "GET /x HTTP/1.1\r\nHost: a\r\nConnection: Keep-Alive, Upgrade\r\n\r\n",
    "GET /pipelined HTTP/1.1\r\nHost: a\r\n\r\nGET /next HTTP/1.1\r\nHost: a\r\n\r\n",
    "GET http://a/x HTTP/1.1\r\n\r\n",
    "\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
    /* each of these is refused, by the general parser alone */
    "GET / HTTP/1.1\r\n\r\n",
    "GET / HTTP/2.0\r\nHost: a\r\n\r\n",
    "GET / HTTP/1.5\r\nHost: a\r\n\r\n",
    "get / HTTP/1.1\r\nHost: a\r\n\r\n",
    "BREW / HTTP/1.1\r\nHost: a\r\n\r\n",
    "GET /a#b HTTP/1.1\r\nHost: a\r\n\r\n",
    "GET  / HTTP/1.1\r\nHost: a\r\n\r\n",
    "GET / HTTP/1.1 \r\nHost: a\r\n\r\n",
    "GET / HTTP/1.1\nHost: a\r\n\r\n",
    "GET / HTTP/1.1\r\nHost: a\n\r\n",
    "GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n",
    "GET / HTTP/1.1\r\nHost: a\r\r\n\r\n",
    "GET / HTTP/1.1\r\nHost : a\r\n\r\n",
    "GET / HTTP/1.1\r\nHost: a\r\n b\r\n\r\n",
    "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
    "GET / HTTP/1.1\r\nHost: a\x01\r\n\r\n",
    "GET / HTTP/1.1\r\nHost: a\x7f\r\n\r\n",
    "GET / HTTP/1.1\r\nHost: a\r\nRange: a\r\nRANGE: b\r\n\r\n",
    "POST / HTTP/1.1\r\nHost: a\r\n\r\n",
    "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
    "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
    "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999\r\n\r\n",
    "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n",
    "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
    "GET / HTTP/1.1\r\nHost: a\r\n\r",
    "GET / HTTP/1.1\r\nHost: a\r\n",
};

static void test_heads_agree(void **state)
{
    (void)state;
    for (size_t h = 0; h < sizeof(heads) / sizeof(heads[0]); h++) {
        size_t len = strlen(heads[h]);
        /* every prefix too: incomplete heads, and heads that end elsewhere than after an LF */
        for (size_t n = 0; n <= len; n++)
            expect_agree(heads[h], n);
    }
}

static void test_field_names_ignore_case(void **state)
{
    (void)state;
    struct http_request req;
    const char *text = "GET / HTTP/1.1\r\nhOsT: a\r\nCONTENT-length: 0\r\nIF-NONE-MATCH: \"t\"\r\n"
                       "If-Modified-SINCE: x\r\nTRANSFER-encoding-x: y\r\nHostx: z\r\n\r\n";
    assert_int_equal(http_parse_head(text, strlen(text), &req), (int)strlen(text));
    assert_int_equal(req.host.len, 1);
    assert_true(req.has_content_length);
    assert_int_equal(req.if_none_match.len, 3);
    assert_int_equal(req.if_modified_since.len, 1);
    assert_false(req.chunked);
    expect_agree(text, strlen(text));
}

static void test_many_fields(void **state)
{
    (void)state;
    char text[4096];
    for (int fields = HTTP_MAX_HEADERS - 1; fields <= HTTP_MAX_HEADERS + 1; fields++) {
        size_t n = (size_t)snprintf(text, sizeof(text), "GET / HTTP/1.1\r\n");
        for (int f = 0; f < fields; f++)
            n += (size_t)snprintf(text + n, sizeof(text) - n, "%s: %d\r\n",
                                  f == 0 ? "Host" : "X-Field", f);
        n += (size_t)snprintf(text + n, sizeof(text) - n, "\r\n");
        expect_agree(text, n);
    }
    struct http_request req;
    assert_int_equal(http_parse_head(text, strlen(text), &req), -431);
}

static void expect_paths_agree(const char *target)
{
    size_t len = strlen(target);
    size_t caps[] = {0, 1, 2, 3, len, len + 1, len + 2, len + 3, WEB_PATH_MAX};
    for (size_t k = 0; k < sizeof(caps) / sizeof(caps[0]); k++) {
        char fast[WEB_PATH_MAX + 8], general[WEB_PATH_MAX + 8];
        int a = web_path_normalize(target, len, fast, caps[k]);
        int b = web_path_normalize_general(target, len, general, caps[k]);
        if (a != b || (a > 0 && strcmp(fast, general) != 0))
            fail_msg("\"%s\" into %zu bytes: fast %d \"%s\", general %d \"%s\"", target, caps[k], a,
                     a > 0 ? fast : "", b, b > 0 ? general : "");
    }
}

static void test_paths_agree(void **state)
{
    (void)state;
    const char *targets[] = {
        "/",
        "/index.html",
        "/a/b/c.txt",
        "/a/b/",
        "/?",
        "/x?y=/../..",
        "/a.b.c",
        "/a./b..",
        "/.hidden",
        "/a/.",
        "/a/..",
        "/a/../b",
        "//a",
        "/a//b",
        "/a%41",
        "/a\\b",
        "/a b",
        "/caf\xc3\xa9",
        "/\xc0\xaf",
        "/a\x7f",
        "/#frag",
        "/~user/x",
        "",
        "x",
        "?",
        "/a?%zz",
        "/abcdefgh/ijklmnop.html",
        "/abcdefgh/.ijklmnop",
        "/a/.bcdefghij",
        "/abcdefg//hijklmn",
        "/abcdefgh%2e/x",
        "/abcdefghijklmnop?q",
        "/abcdefg?hijklmnop",
        "/abc.efgh.jklm/",
    };
    for (size_t t = 0; t < sizeof(targets) / sizeof(targets[0]); t++)
        expect_paths_agree(targets[t]);
    char longest[WEB_PATH_MAX + 4];
    for (size_t len = WEB_PATH_MAX - 3; len <= WEB_PATH_MAX + 2; len++) {
        memset(longest, 'a', len);
        longest[0] = '/';
        longest[len] = '\0';
        expect_paths_agree(longest);
        longest[len - 1] = '/';
        expect_paths_agree(longest);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_byte_classes),
        cmocka_unit_test(test_heads_agree),
        cmocka_unit_test(test_field_names_ignore_case),
        cmocka_unit_test(test_many_fields),
        cmocka_unit_test(test_paths_agree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
