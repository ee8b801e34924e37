/* Unit tests of the web server's target-to-path normalisation: it must never leave the web root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../apps/web/path.h"

static void expect_path(const char *target, const char *want)
{
    char out[WEB_PATH_MAX];
    int rc = web_path_normalize(target, strlen(target), out, sizeof(out));
    if (rc < 0 || strcmp(out, want) != 0 || (size_t)rc != strlen(want))
        fail_msg("web_path_normalize(\"%s\") = %d \"%s\", want \"%s\"", target, rc,
                 rc < 0 ? "" : out, want);
}

static void expect_refused(const char *target, int status)
{
    char out[WEB_PATH_MAX];
    int rc = web_path_normalize(target, strlen(target), out, sizeof(out));
    if (rc != -status)
        fail_msg("web_path_normalize(\"%s\") = %d, want %d", target, rc, -status);
}

static void test_plain_paths(void **state)
{
    (void)state;
    expect_path("/", "/");
    expect_path("/index.html", "/index.html");
    expect_path("/a/b/c.txt", "/a/b/c.txt");
    expect_path("/a/b/", "/a/b/");
    expect_path("//a///b", "/a/b");
    expect_path("/x?y=1&z=/../..", "/x"); /* the query is not part of the path */
    expect_path("/?", "/");
}

static void test_dots(void **state)
{
    (void)state;
    expect_path("/a/./b", "/a/b");
    expect_path("/a/b/../c", "/a/c");
    expect_path("/a/..", "/");
    expect_path("/a/b/..", "/a/");
    expect_path("/a/.", "/a/");
    expect_path("/./", "/");
    expect_path("/..a/b..", "/..a/b..");
    expect_path("/...", "/...");
}

static void test_percent_decoding(void **state)
{
    (void)state;
    expect_path("/a%20b", "/a b");
    expect_path("/%41%62", "/Ab");
    expect_path("/caf%C3%A9", "/caf\xc3\xa9");
    expect_path("/a%2fb", "/a/b");
    expect_path("/a/%2e/b", "/a/b");
    expect_path("/a/b/%2E%2E/c", "/a/c");
}

static void test_escapes_are_refused(void **state)
{
    (void)state;
    expect_refused("/..", 400);
    expect_refused("/../etc/passwd", 400);
    expect_refused("/a/../..", 400);
    expect_refused("/a/../../b", 400);
    expect_refused("/%2e%2e/etc/passwd", 400);
    expect_refused("/%2E%2e%2Fetc", 400);
    expect_refused("/a%2f..%2f..%2fb", 400);
    expect_refused("/..%2f", 400);
}

static void test_bad_bytes_are_refused(void **state)
{
    (void)state;
    expect_refused("/a%00.html", 400);   /* NUL */
    expect_refused("/a\\..\\b", 400);    /* backslash */
    expect_refused("/a%5c..%5cb", 400);  /* encoded backslash */
    expect_refused("/a%0d%0aX: y", 400); /* CR LF */
    expect_refused("/a%7f", 400);
    expect_refused("/%zz", 400);
    expect_refused("/%4", 400);
    expect_refused("/%", 400);
    expect_refused("/%c0%ae%c0%ae/x", 400); /* overlong "." */
    expect_refused("/%c0%af", 400);         /* overlong "/" */
    expect_refused("/%e0%80%ae", 400);      /* three-byte overlong */
    expect_refused("/%ed%a0%80", 400);      /* a surrogate */
    expect_refused("/%f4%90%80%80", 400);   /* above U+10FFFF */
    expect_refused("/%c3", 400);            /* truncated sequence */
    expect_refused("/%ff", 400);
    expect_refused("", 400);
    expect_refused("a/b", 400);
}

static void test_length_limit(void **state)
{
    (void)state;
    char target[WEB_PATH_MAX + 8];
    target[0] = '/';
    memset(target + 1, 'a', WEB_PATH_MAX + 2);
    target[WEB_PATH_MAX + 3] = '\0';
    expect_refused(target, 414);
    char out[8];
    assert_int_equal(web_path_normalize("/abcdefgh", 9, out, sizeof(out)), -414);
    assert_int_equal(web_path_normalize("/abcde", 6, out, sizeof(out)), 6);
}

static void test_utf8(void **state)
{
    (void)state;
    assert_true(web_utf8_valid((const unsigned char *)"plain", 5));
    assert_true(web_utf8_valid((const unsigned char *)"\xf0\x9f\x98\x80", 4));
    assert_false(web_utf8_valid((const unsigned char *)"\xf0\x9f\x98", 3));
    assert_false(web_utf8_valid((const unsigned char *)"\x80", 1));
    assert_false(web_utf8_valid((const unsigned char *)"\xc1\xbf", 2));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_paths),
        cmocka_unit_test(test_dots),
        cmocka_unit_test(test_percent_decoding),
        cmocka_unit_test(test_escapes_are_refused),
        cmocka_unit_test(test_bad_bytes_are_refused),
        cmocka_unit_test(test_length_limit),
        cmocka_unit_test(test_utf8),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
