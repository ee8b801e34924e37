/* Unit tests of the web server's request parser: every accepted form and one test per error status.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../apps/web/http.h"

static int parse(const char *text, struct http_request *req)
{
    return http_parse_head(text, strlen(text), req);
}

static void expect_status(const char *text, int status)
{
    struct http_request req;
    int rc = parse(text, &req);
    if (rc != -status)
        fail_msg("parsing \"%s\" gave %d, want %d", text, rc, -status);
}

static bool span_is(struct http_span s, const char *want)
{
    return s.ptr && s.len == strlen(want) && memcmp(s.ptr, want, s.len) == 0;
}

static void test_simple_get(void **state)
{
    (void)state;
    struct http_request req;
    const char *text = "GET /index.html?x=1 HTTP/1.1\r\nHost: a\r\nUser-Agent: t\r\n\r\n";
    assert_int_equal(parse(text, &req), (int)strlen(text));
    assert_int_equal(req.method, HTTP_GET);
    assert_true(span_is(req.target, "/index.html?x=1"));
    assert_true(span_is(req.host, "a"));
    assert_true(span_is(req.user_agent, "t"));
    assert_int_equal(req.minor_version, 1);
    assert_true(req.keep_alive);
    assert_false(req.has_content_length);
}

static void test_every_method(void **state)
{
    (void)state;
    const char *names[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"};
    for (int m = 0; m < 6; m++) {
        char text[128];
        snprintf(text, sizeof(text), "%s / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n",
                 names[m]);
        struct http_request req;
        assert_true(parse(text, &req) > 0);
        assert_int_equal(req.method, m);
        assert_string_equal(http_method_name(req.method), names[m]);
    }
}

static void test_incomplete_needs_more(void **state)
{
    (void)state;
    struct http_request req;
    assert_int_equal(parse("GET / HTTP/1.1\r\nHost: a\r\n", &req), 0);
    assert_int_equal(parse("GET / HT", &req), 0);
    assert_int_equal(parse("", &req), 0);
}

static void test_pipelined_head_stops_at_its_end(void **state)
{
    (void)state;
    struct http_request req;
    const char *first = "GET /a HTTP/1.1\r\nHost: a\r\n\r\n";
    char text[256];
    snprintf(text, sizeof(text), "%sGET /b HTTP/1.1\r\nHost: a\r\n\r\n", first);
    assert_int_equal(parse(text, &req), (int)strlen(first));
    assert_true(span_is(req.target, "/a"));
}

static void test_connection_rules(void **state)
{
    (void)state;
    struct http_request req;
    assert_true(parse("GET / HTTP/1.0\r\n\r\n", &req) > 0);
    assert_false(req.keep_alive); /* 1.0 closes by default, and needs no Host */
    assert_true(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", &req) > 0);
    assert_true(req.keep_alive);
    assert_true(parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: foo, close\r\n\r\n", &req) > 0);
    assert_false(req.keep_alive);
    assert_true(parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\n\r\n", &req) > 0);
    assert_true(req.keep_alive);
}

static void test_accepted_forms(void **state)
{
    (void)state;
    struct http_request req;
    /* empty lines before the request line are ignored (RFC 9112 section 2.2) */
    assert_true(parse("\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", &req) > 0);
    /* absolute-form */
    assert_true(parse("GET http://example.org/x?y HTTP/1.1\r\nHost: a\r\n\r\n", &req) > 0);
    assert_true(span_is(req.target, "/x?y"));
    assert_true(parse("GET http://example.org HTTP/1.1\r\nHost: a\r\n\r\n", &req) > 0);
    assert_true(span_is(req.target, "/"));
    /* asterisk-form for OPTIONS only */
    assert_true(parse("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", &req) > 0);
    /* a later minor version is served as 1.1 */
    assert_true(parse("GET / HTTP/1.7\r\nHost: a\r\n\r\n", &req) > 0);
    assert_int_equal(req.minor_version, 1);
    /* field values lose their surrounding white space; names are case-insensitive */
    assert_true(parse("GET / HTTP/1.1\r\nhOsT:  \t a b \t\r\nRange:bytes=0-1\r\n\r\n", &req) > 0);
    assert_true(span_is(req.host, "a b"));
    assert_true(span_is(req.range, "bytes=0-1"));
    /* identical Content-Length values, as repeated fields or a list */
    assert_true(
        parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n",
              &req) > 0);
    assert_int_equal(req.content_length, 5);
    assert_true(parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 7, 7\r\n\r\n", &req) > 0);
    assert_int_equal(req.content_length, 7);
    assert_true(parse("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n", &req) >
                0);
    assert_true(req.chunked);
    assert_true(
        parse("PUT / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n",
              &req) > 0);
    assert_true(req.expect_continue);
    assert_true(
        parse("GET / HTTP/1.1\r\nHost: a\r\nIf-None-Match: \"x\"\r\nIf-Modified-Since: d\r\n"
              "If-Range: \"x\"\r\nContent-Type: text/plain\r\n\r\n",
              &req) > 0);
    assert_true(span_is(req.if_none_match, "\"x\""));
    assert_true(span_is(req.if_modified_since, "d"));
    assert_true(span_is(req.if_range, "\"x\""));
    assert_true(span_is(req.content_type, "text/plain"));
}

static void test_400_malformed_request_line(void **state)
{
    (void)state;
    expect_status("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400);   /* two spaces */
    expect_status("GET / HTTP/1.1 \r\nHost: a\r\n\r\n", 400);   /* trailing space */
    expect_status("GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", 400); /* space in the target */
    expect_status("GET / HTTP/1.x\r\nHost: a\r\n\r\n", 400);
    expect_status("GET / http/1.1\r\nHost: a\r\n\r\n", 400);
    expect_status("G@T / HTTP/1.1\r\nHost: a\r\n\r\n", 400); /* not a token */
    expect_status("GET x HTTP/1.1\r\nHost: a\r\n\r\n", 400); /* not origin-form */
    expect_status("GET * HTTP/1.1\r\nHost: a\r\n\r\n", 400); /* * is for OPTIONS */
    expect_status("GET /#frag HTTP/1.1\r\nHost: a\r\n\r\n", 400);
    expect_status("GET /\x01 HTTP/1.1\r\nHost: a\r\n\r\n", 400);
    expect_status("GET ftp://x/ HTTP/1.1\r\nHost: a\r\n\r\n", 400);
}

static void test_400_malformed_fields(void **state)
{
    (void)state;
    expect_status("GET / HTTP/1.1\r\n\r\n", 400);                          /* no Host in 1.1 */
    expect_status("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400);    /* two Hosts */
    expect_status("GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400);              /* space before colon */
    expect_status("GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n 2\r\n\r\n", 400); /* obs-fold */
    expect_status("GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n", 400);
    expect_status("GET / HTTP/1.1\r\nHost: a\r\n: empty\r\n\r\n", 400);
    expect_status("GET / HTTP/1.1\r\nHost: a\x01\r\n\r\n", 400); /* control byte */
    expect_status("GET / HTTP/1.1\r\nHost: a\r\nRange: a\r\nRange: b\r\n\r\n", 400);
}

static void test_400_bare_line_ends(void **state)
{
    (void)state;
    expect_status("GET / HTTP/1.1\nHost: a\r\n\r\n", 400);
    expect_status("GET / HTTP/1.1\r\nHost: a\n\r\n", 400);
    expect_status("GET / HTTP/1.1\r\nHost: a\r\n\n", 400);
    expect_status("GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n", 400);
}

static void test_400_smuggling(void **state)
{
    (void)state;
    expect_status(
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
        400);
    expect_status(
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n",
        400);
    expect_status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
                  400);
    expect_status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 6\r\n\r\n", 400);
    expect_status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n", 400);
    expect_status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x5\r\n\r\n", 400);
    expect_status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \r\n\r\n", 400);
    expect_status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n",
                  400);
    expect_status("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", 400);
    expect_status("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: "
                  "chunked\r\n\r\n",
                  400);
    expect_status("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400);
    expect_status("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n\r\n", 400);
}

static void test_411_length_required(void **state)
{
    (void)state;
    expect_status("POST /api/notes HTTP/1.1\r\nHost: a\r\n\r\n", 411);
    expect_status("PUT /api/notes/1 HTTP/1.1\r\nHost: a\r\n\r\n", 411);
}

static void test_413_body_too_large(void **state)
{
    (void)state;
    char text[128];
    snprintf(text, sizeof(text), "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: %d\r\n\r\n",
             HTTP_MAX_BODY + 1);
    expect_status(text, 413);
}

static void test_414_uri_too_long(void **state)
{
    (void)state;
    size_t n = HTTP_MAX_REQUEST_LINE + 100;
    char *text = malloc(n + 64);
    strcpy(text, "GET /");
    memset(text + 5, 'a', n);
    text[5 + n] = '\0';
    expect_status(text, 414); /* known before the line even ends */
    strcat(text, " HTTP/1.1\r\nHost: a\r\n\r\n");
    expect_status(text, 414);
    free(text);
}

static void test_431_fields_too_large(void **state)
{
    (void)state;
    char *text = malloc(HTTP_MAX_HEAD * 2);
    strcpy(text, "GET / HTTP/1.1\r\nHost: a\r\n");
    for (int i = 0; i <= HTTP_MAX_HEADERS; i++)
        sprintf(text + strlen(text), "X-%d: %d\r\n", i, i);
    strcat(text, "\r\n");
    expect_status(text, 431); /* too many fields */
    strcpy(text, "GET / HTTP/1.1\r\nHost: a\r\nX: ");
    size_t len = strlen(text);
    memset(text + len, 'v', HTTP_MAX_HEAD);
    text[len + HTTP_MAX_HEAD] = '\0';
    expect_status(text, 431); /* one field larger than the whole head may be */
    free(text);
}

static void test_501_not_implemented(void **state)
{
    (void)state;
    expect_status("PATCH / HTTP/1.1\r\nHost: a\r\n\r\n", 501);
    expect_status("get / HTTP/1.1\r\nHost: a\r\n\r\n", 501); /* methods are case-sensitive */
    expect_status("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501);
    expect_status("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\n\r\n", 501);
}

static void test_505_version(void **state)
{
    (void)state;
    expect_status("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505);
    expect_status("GET / HTTP/0.9\r\n\r\n", 505);
}

static void test_list_tokens(void **state)
{
    (void)state;
    const char *v = " Keep-Alive ,  Upgrade";
    assert_true(http_list_has_token(v, strlen(v), "keep-alive"));
    assert_true(http_list_has_token(v, strlen(v), "upgrade"));
    assert_false(http_list_has_token(v, strlen(v), "close"));
}

/* Decodes a whole chunked body given in pieces of `step` bytes. */
static int decode(const char *encoded, size_t step, char *out, size_t *out_len, size_t *used)
{
    size_t len = strlen(encoded);
    char *buf = malloc(len + 1);
    memcpy(buf, encoded, len + 1);
    struct http_chunked ch;
    http_chunked_init(&ch);
    size_t in_pos = 0, produced = 0, end = 0;
    int rc = 0;
    while (rc == 0 && end < len) {
        end = end + step > len ? len : end + step;
        rc = http_chunked_decode(&ch, buf, &in_pos, end, &produced, 1000);
    }
    memcpy(out, buf, produced);
    out[produced] = '\0';
    *out_len = produced;
    *used = in_pos;
    free(buf);
    return rc;
}

static void test_chunked_decoding(void **state)
{
    (void)state;
    const char *body =
        "5\r\nhello\r\n7;ext=1\r\n, world\r\nA \r\n0123456789\r\n0\r\nTrailer: x\r\n\r\nNEXT";
    for (size_t step = 1; step <= 8; step++) {
        char out[128];
        size_t n, used;
        assert_int_equal(decode(body, step, out, &n, &used), 1);
        assert_string_equal(out, "hello, world0123456789");
        assert_int_equal(used, strlen(body) - 4); /* stops before the next request */
    }
}

static void test_chunked_errors(void **state)
{
    (void)state;
    char out[2048];
    size_t n, used;
    assert_int_equal(decode("x\r\n", 1, out, &n, &used), -400); /* no size */
    assert_int_equal(decode("-1\r\n", 1, out, &n, &used), -400);
    assert_int_equal(decode("0x5\r\nhello\r\n", 1, out, &n, &used), -400);
    assert_int_equal(decode("0000000000000001\r\n", 1, out, &n, &used), -400); /* 16 digits */
    assert_int_equal(decode("5\nhello\r\n", 1, out, &n, &used), -400);         /* bare LF */
    assert_int_equal(decode("5\r\nhelloX\r\n", 1, out, &n, &used),
                     -400); /* data longer than said */
    assert_int_equal(decode("5 x\r\n", 1, out, &n, &used), -400);
    assert_int_equal(decode("0\r\n folded\r\n\r\n", 1, out, &n, &used), -400);
    assert_int_equal(decode("3E9\r\n", 1, out, &n, &used), -413); /* 1001 > limit of 1000 */
    char many[2048] = "";
    for (int i = 0; i < 120; i++)
        strcat(many, "9\r\n123456789\r\n");
    assert_int_equal(decode(many, 64, out, &n, &used), -413);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simple_get),
        cmocka_unit_test(test_every_method),
        cmocka_unit_test(test_incomplete_needs_more),
        cmocka_unit_test(test_pipelined_head_stops_at_its_end),
        cmocka_unit_test(test_connection_rules),
        cmocka_unit_test(test_accepted_forms),
        cmocka_unit_test(test_400_malformed_request_line),
        cmocka_unit_test(test_400_malformed_fields),
        cmocka_unit_test(test_400_bare_line_ends),
        cmocka_unit_test(test_400_smuggling),
        cmocka_unit_test(test_411_length_required),
        cmocka_unit_test(test_413_body_too_large),
        cmocka_unit_test(test_414_uri_too_long),
        cmocka_unit_test(test_431_fields_too_large),
        cmocka_unit_test(test_501_not_implemented),
        cmocka_unit_test(test_505_version),
        cmocka_unit_test(test_list_tokens),
        cmocka_unit_test(test_chunked_decoding),
        cmocka_unit_test(test_chunked_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
