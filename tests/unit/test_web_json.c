/* Unit tests of the web server's JSON reader (with error positions) and of its HTTP dates. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../apps/web/json.h"
#include "../../apps/web/server.h"

static void expect_valid(const char *doc)
{
    struct json_error err = {0, NULL};
    if (json_validate(doc, strlen(doc), &err) != 0)
        fail_msg("\"%s\" refused at byte %zu: %s", doc, err.pos, err.what);
}

static void expect_error(const char *doc, size_t pos, const char *what)
{
    struct json_error err = {0, NULL};
    if (json_validate(doc, strlen(doc), &err) == 0)
        fail_msg("\"%s\" accepted", doc);
    if (err.pos != pos || strcmp(err.what, what) != 0)
        fail_msg("\"%s\": byte %zu \"%s\", want byte %zu \"%s\"", doc, err.pos, err.what, pos,
                 what);
}

static void test_valid_documents(void **state)
{
    (void)state;
    expect_valid("{}");
    expect_valid(" [ ] ");
    expect_valid("{\"text\":\"hi\",\"id\":3}");
    expect_valid("[1,-0,0.5,1e9,-2.5E-3,true,false,null,\"\",{\"a\":[{}]}]");
    expect_valid("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\"");
    expect_valid("\"caf\xc3\xa9\"");
    expect_valid("\t\r\n 42 \n");
}

static void test_errors_have_positions(void **state)
{
    (void)state;
    expect_error("", 0, "expected a value");
    expect_error("{\"a\" 1}", 5, "expected ':'");
    expect_error("{\"a\":1,}", 7, "expected a member name");
    expect_error("{\"a\":1 \"b\":2}", 7, "expected ',' or '}'");
    expect_error("[1 2]", 3, "expected ',' or ']'");
    expect_error("{\"text\":\"abc", 12, "unterminated string");
    expect_error("\"a\nb\"", 2, "control character in string");
    expect_error("\"\\x\"", 1, "bad escape");
    expect_error("\"\\u12G4\"", 1, "bad \\u escape");
    expect_error("\"\\udc00\"", 1, "lone low surrogate");
    expect_error("\"\\ud800x\"", 1, "high surrogate without its low half");
    expect_error("\"\xc0\xae\"", 1, "invalid UTF-8");
    expect_error("01", 1, "unexpected text after the value");
    expect_error("-", 1, "bad number");
    expect_error("1.", 2, "bad number");
    expect_error("1e", 2, "bad number");
    expect_error("tru", 0, "expected a value");
    expect_error("{} x", 3, "unexpected text after the value");
    expect_error("'a'", 0, "expected a value");
}

static void test_depth_limit(void **state)
{
    (void)state;
    char doc[2 * JSON_MAX_DEPTH + 4];
    size_t n = 0;
    for (int i = 0; i < JSON_MAX_DEPTH; i++)
        doc[n++] = '[';
    for (int i = 0; i < JSON_MAX_DEPTH; i++)
        doc[n++] = ']';
    doc[n] = '\0';
    expect_valid(doc);
    memmove(doc + 1, doc, n + 1);
    doc[0] = '[';
    doc[n + 1] = ']';
    doc[n + 2] = '\0';
    expect_error(doc, JSON_MAX_DEPTH, "nesting too deep");
}

static void test_object_members(void **state)
{
    (void)state;
    const char *doc = "{\"other\":{\"text\":1},\"text\":\"a\\u00e9\\ud83d\\ude00\\n\",\"id\":12}";
    struct json_value v;
    assert_int_equal(json_object_get(doc, strlen(doc), "text", &v), 0);
    assert_int_equal(v.type, JSON_STRING);
    char out[32];
    int n = json_string_decode(&v, out, sizeof(out));
    assert_int_equal(n, 8);
    assert_memory_equal(out, "a\xc3\xa9\xf0\x9f\x98\x80\n", 8);
    assert_int_equal(json_string_decode(&v, out, 4), -1);
    assert_int_equal(json_object_get(doc, strlen(doc), "id", &v), 0);
    assert_int_equal(v.type, JSON_NUMBER);
    assert_int_equal(v.len, 2);
    assert_int_equal(json_object_get(doc, strlen(doc), "missing", &v), -1);
    assert_int_equal(json_object_get("[1]", 3, "text", &v), -1);
    assert_int_equal(json_object_get("{}", 2, "text", &v), -1);
}

static void test_escaping(void **state)
{
    (void)state;
    char out[64];
    const char text[] = "a\"b\\c\nd\x01<e>";
    int n = json_escape(text, sizeof(text) - 1, out, sizeof(out));
    assert_true(n > 0);
    out[n] = '\0';
    assert_string_equal(out, "a\\\"b\\\\c\\nd\\u0001\\u003ce\\u003e");
    assert_int_equal(json_escape(text, sizeof(text) - 1, out, 4), -1);
}

static void test_http_dates(void **state)
{
    (void)state;
    char out[32];
    assert_int_equal(http_date_format(784111777, out), 29);
    assert_string_equal(out, "Sun, 06 Nov 1994 08:49:37 GMT");
    http_date_format(0, out);
    assert_string_equal(out, "Thu, 01 Jan 1970 00:00:00 GMT");
    http_date_format(1795730164, out);
    int64_t t;
    assert_int_equal(http_date_parse(out, strlen(out), &t), 0);
    assert_int_equal(t, 1795730164);
    assert_int_equal(http_date_parse("Sun, 06 Nov 1994 08:49:37 GMT", 29, &t), 0);
    assert_int_equal(t, 784111777);
    assert_int_equal(http_date_parse("Sunday, 06-Nov-94 08:49:37 GMT", 30, &t), -1);
    assert_int_equal(http_date_parse("Sun, 06 Nov 1994 08:49:37 UTC", 29, &t), -1);
    assert_int_equal(http_date_parse("Sun, 06 Foo 1994 08:49:37 GMT", 29, &t), -1);
    assert_int_equal(http_date_parse("Sun, 06 Nov 1994 25:49:37 GMT", 29, &t), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_documents), cmocka_unit_test(test_errors_have_positions),
        cmocka_unit_test(test_depth_limit),     cmocka_unit_test(test_object_members),
        cmocka_unit_test(test_escaping),        cmocka_unit_test(test_http_dates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
