/* Unit tests of path_resolve: normalization, "." and "..", cwd, and length limits. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "atoll/path.h"

static void expect_path(const char *cwd, const char *path, const char *want)
{
    char out[256];
    memset(out, 'Z', sizeof(out));
    int rc = path_resolve(cwd, path, out, sizeof(out));
    if (rc != 0 || strcmp(out, want) != 0)
        fail_msg("path_resolve(\"%s\", \"%s\") = %d \"%.*s\", want \"%s\"", cwd ? cwd : "(null)",
                 path, rc, rc == 0 ? (int)sizeof(out) : 0, out, want);
}

static void test_absolute_paths(void **state)
{
    (void)state;
    expect_path("/", "/", "/");
    expect_path("/", "/a", "/a");
    expect_path("/", "/a/b/c", "/a/b/c");
    expect_path("/", "//a///b//", "/a/b");
    expect_path("/", "/a/./b/.", "/a/b");
    expect_path("/", "/./././", "/");
    expect_path("/", "/a/b/../c", "/a/c");
    expect_path("/", "/a/b/../../..", "/");
    expect_path("/", "/..", "/");
    expect_path("/", "/../../a", "/a");
    expect_path("/", "/a/..b/c", "/a/..b/c");
    expect_path("/", "/a/.b/...", "/a/.b/...");
    expect_path("/x/y", "/a", "/a"); /* an absolute path ignores cwd */
}

static void test_relative_paths(void **state)
{
    (void)state;
    expect_path("/", "a", "/a");
    expect_path("/", ".", "/");
    expect_path("/", "..", "/");
    expect_path("/home/user", "file", "/home/user/file");
    expect_path("/home/user", "./file", "/home/user/file");
    expect_path("/home/user", "../other/./f", "/home/other/f");
    expect_path("/home/user", "../../../..", "/");
    expect_path("/home/user", ".", "/home/user");
    expect_path("/home/user/", "x//y/", "/home/user/x/y");
    expect_path("/home/./user/../u2", "f", "/home/u2/f"); /* cwd is normalized too */
    expect_path(NULL, "a/b", "/a/b");
    expect_path("", "a", "/a");
}

static void test_empty_path_is_enoent(void **state)
{
    (void)state;
    char out[16];
    assert_int_equal(path_resolve("/", "", out, sizeof(out)), -ENOENT);
    assert_int_equal(path_resolve("/", NULL, out, sizeof(out)), -ENOENT);
}

static void test_output_size_limits(void **state)
{
    (void)state;
    char out[8];
    memset(out, 'Z', sizeof(out));
    assert_int_equal(path_resolve("/", "/abcdef", out, 8), 0); /* 7 bytes + NUL */
    assert_string_equal(out, "/abcdef");
    assert_int_equal(path_resolve("/", "/abcdefg", out, 8), -ENAMETOOLONG);
    assert_int_equal(path_resolve("/ab", "cde", out, 8), 0);
    assert_string_equal(out, "/ab/cde");
    assert_int_equal(path_resolve("/ab", "cdef", out, 8), -ENAMETOOLONG);
    assert_int_equal(path_resolve("/abc", "cdef", out, 8), -ENAMETOOLONG);
    assert_int_equal(path_resolve("/", "/", out, 2), 0);
    assert_string_equal(out, "/");
    assert_int_equal(path_resolve("/", "/", out, 1), -ENAMETOOLONG);
    assert_int_equal(path_resolve("/", "/", out, 0), -ENAMETOOLONG);
    assert_int_equal(path_resolve("/", "/a", out, 2), -ENAMETOOLONG);
    /* Writes never pass outsz. */
    memset(out, 'Z', sizeof(out));
    assert_int_equal(path_resolve("/", "/abcdefghij", out, 4), -ENAMETOOLONG);
    assert_int_equal(out[4], 'Z');
}

static void test_component_length_limit(void **state)
{
    (void)state;
    char name[300], path[310], out[512];
    memset(name, 'n', 255);
    name[255] = '\0';
    strcpy(path, "/");
    strcat(path, name);
    assert_int_equal(path_resolve("/", path, out, sizeof(out)), 0);
    assert_int_equal(strlen(out), 256);

    name[255] = 'n';
    name[256] = '\0';
    strcpy(path, "/");
    strcat(path, name);
    assert_int_equal(path_resolve("/", path, out, sizeof(out)), -ENAMETOOLONG);
    assert_int_equal(path_resolve(path, "x", out, sizeof(out)), -ENAMETOOLONG);
}

static void test_long_paths(void **state)
{
    (void)state;
    /* 2000 components of "d/" then as many ".." : the result is "/". */
    size_t n = 2000;
    char *path = malloc(n * 5 + 1);
    assert_non_null(path);
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        memcpy(path + at, "d/", 2);
        at += 2;
    }
    for (size_t i = 0; i < n; i++) {
        memcpy(path + at, "../", 3);
        at += 3;
    }
    path[at] = '\0';
    char out[4096 + 1];
    assert_int_equal(path_resolve("/", path, out, sizeof(out)), 0);
    assert_string_equal(out, "/");
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_absolute_paths),         cmocka_unit_test(test_relative_paths),
        cmocka_unit_test(test_empty_path_is_enoent),   cmocka_unit_test(test_output_size_limits),
        cmocka_unit_test(test_component_length_limit), cmocka_unit_test(test_long_paths),
    };
    return cmocka_run_group_tests_name("path", tests, NULL, NULL);
}
