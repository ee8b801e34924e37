/* Unit tests of size parsing, rounding and path helpers. */
#include "test_util.h"

#include <errno.h>

#include "util.h"

static uint64_t size_of(const char *text)
{
    uint64_t bytes = 12345;
    assert_int_equal(parse_size(text, &bytes), 0);
    return bytes;
}

static void test_plain_bytes(void **state)
{
    (void)state;
    assert_int_equal(size_of("0"), 0);
    assert_int_equal(size_of("4096"), 4096);
    assert_int_equal(size_of("18446744073709551615"), UINT64_MAX);
}

static void test_suffixes(void **state)
{
    (void)state;
    assert_int_equal(size_of("256K"), 256 * 1024);
    assert_int_equal(size_of("256k"), 256 * 1024);
    assert_int_equal(size_of("64M"), 64ull << 20);
    assert_int_equal(size_of("64m"), 64ull << 20);
    assert_int_equal(size_of("1G"), 1ull << 30);
    assert_int_equal(size_of("3g"), 3ull << 30);
    assert_int_equal(size_of("64MiB"), 64ull << 20);
    assert_int_equal(size_of("64MB"), 64ull << 20);
    assert_int_equal(size_of("16777215G"), 16777215ull << 30);
}

static void test_malformed(void **state)
{
    (void)state;
    uint64_t bytes = 77;
    const char *bad[] = {"",    "M",   "-1", " 1",   "1 ",    "1.5M", "12X",
                         "1MM", "1Mi", "1T", "0x10", "1KiBB", "abc"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(parse_size(bad[i], &bytes), -EINVAL);
        assert_int_equal(bytes, 77);
    }
    assert_int_equal(parse_size(NULL, &bytes), -EINVAL);
}

static void test_overflow(void **state)
{
    (void)state;
    uint64_t bytes = 77;
    assert_int_equal(parse_size("18446744073709551616", &bytes), -ERANGE);
    assert_int_equal(parse_size("17179869184G", &bytes), -ERANGE);
    assert_int_equal(parse_size("99999999999999999999999K", &bytes), -ERANGE);
    assert_int_equal(bytes, 77);
}

static void test_round_up(void **state)
{
    (void)state;
    assert_int_equal(round_up(0, 4096), 0);
    assert_int_equal(round_up(1, 4096), 4096);
    assert_int_equal(round_up(4096, 4096), 4096);
    assert_int_equal(round_up(4097, 1 << 20), 1 << 20);
    assert_int_equal(round_up(UINT64_MAX - 5, 4096), UINT64_MAX & ~4095ull);
}

static void expect_new_string(char *got, const char *want)
{
    assert_string_equal(got, want);
    free(got);
}

static void test_paths(void **state)
{
    (void)state;
    expect_new_string(path_dirname("a/b/c.c"), "a/b");
    expect_new_string(path_dirname("c.c"), ".");
    expect_new_string(path_dirname("/c.c"), "/");
    expect_new_string(path_dirname("a/b/"), "a");
    expect_new_string(path_basename("a/b/c.c"), "c.c");
    expect_new_string(path_basename("apps/hello/"), "hello");
    expect_new_string(path_basename("/"), "/");
    expect_new_string(path_join("a", "b"), "a/b");
    expect_new_string(path_join("a/", "b"), "a/b");
    expect_new_string(path_join("a", "/abs"), "/abs");
    expect_new_string(path_with_ext("out/hello.img", ".img", ".dbg"), "out/hello.dbg");
    expect_new_string(path_with_ext("out/hello", ".img", ".dbg"), "out/hello.dbg");
    expect_new_string(path_with_ext("hello.bin", ".img", ".linux"), "hello.bin.linux");
}

static void test_mkdir_parents(void **state)
{
    (void)state;
    char *dir = test_make_tmpdir("atoll-mkdir");
    char *deep = path_join(dir, "x/y/z");
    assert_int_equal(mkdir_parents(deep), 0);
    assert_true(path_is_dir(deep));
    assert_int_equal(mkdir_parents(deep), 0);
    char *file = path_join(dir, "file");
    test_write_file(file, "x", 1, 0644);
    char *under_file = path_join(file, "sub");
    assert_int_not_equal(mkdir_parents(under_file), 0);
    test_remove_tree(dir);
    free(under_file);
    free(file);
    free(deep);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_bytes),   cmocka_unit_test(test_suffixes),
        cmocka_unit_test(test_malformed),     cmocka_unit_test(test_overflow),
        cmocka_unit_test(test_round_up),      cmocka_unit_test(test_paths),
        cmocka_unit_test(test_mkdir_parents),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
