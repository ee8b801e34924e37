/* Unit tests of kvsnprintf/ksnprintf, checked against the host C library's snprintf. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "atoll/format.h"

static int compared_cases;
/* Hidden from the compiler so that it does not reject printing a NULL string. */
static const char *volatile null_string = NULL;

/* Formats with both implementations at several buffer sizes and requires identical results
 * (return value and buffer contents, including the bytes after the NUL being untouched). */
static void compare_with_libc(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void compare_with_libc(const char *file, int line, const char *fmt, ...)
{
    char want[512], got[512];
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int want_n = vsnprintf(want, sizeof(want), fmt, ap);
    int got_n = kvsnprintf(got, sizeof(got), fmt, ap2);
    va_end(ap2);
    va_end(ap);
    if (want_n != got_n || strcmp(want, got) != 0)
        fail_msg("%s:%d: format \"%s\": libc gave %d \"%s\", kvsnprintf gave %d \"%s\"", file, line,
                 fmt, want_n, want, got_n, got);

    size_t sizes[] = {0, 1, 2, 3, 5, 8, (size_t)want_n, (size_t)want_n + 1};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        size_t size = sizes[i];
        if (size > sizeof(got))
            continue;
        char small_want[512], small_got[512];
        memset(small_want, 'Z', sizeof(small_want));
        memset(small_got, 'Z', sizeof(small_got));
        va_start(ap, fmt);
        va_copy(ap2, ap);
        int a = vsnprintf(small_want, size, fmt, ap);
        int b = kvsnprintf(small_got, size, fmt, ap2);
        va_end(ap2);
        va_end(ap);
        if (a != b || memcmp(small_want, small_got, sizeof(small_got)) != 0)
            fail_msg("%s:%d: format \"%s\" with size %zu: libc \"%.*s\" (%d), kvsnprintf "
                     "\"%.*s\" (%d)",
                     file, line, fmt, size, (int)size, small_want, a, (int)size, small_got, b);
    }
    compared_cases++;
}

#define SAME(...) compare_with_libc(__FILE__, __LINE__, __VA_ARGS__)

/* The cases combine flags on purpose in ways compilers warn about ("'0' flag ignored with
 * precision"): C defines those combinations and both implementations must agree on them. */
#ifdef __clang__
#pragma clang diagnostic ignored "-Wunknown-warning-option" /* GCC-only groups below */
#endif
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-zero-length"

static void test_plain_text_and_percent(void **state)
{
    (void)state;
    SAME("");
    SAME("hello, world");
    SAME("100%%");
    SAME("%%%%%%");
    SAME("a%%b%%c");
}

static void test_signed_decimal(void **state)
{
    (void)state;
    int ints[] = {0, 1, -1, 7, -7, 42, 12345, -12345, INT_MAX, INT_MIN};
    for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
        int v = ints[i];
        SAME("%d", v);
        SAME("%i", v);
        SAME("[%5d]", v);
        SAME("[%-5d]", v);
        SAME("[%05d]", v);
        SAME("[%+d]", v);
        SAME("[% d]", v);
        SAME("[%+05d]", v);
        SAME("[% 05d]", v);
        SAME("[%.3d]", v);
        SAME("[%8.3d]", v);
        SAME("[%-8.3d]", v);
        SAME("[%08.3d]", v);
        SAME("[%.0d]", v);
        SAME("[%+.0d]", v);
        SAME("[% .0d]", v);
        SAME("[%5.0d]", v);
        SAME("[%-+8d]", v);
        SAME("[%-08d]", v);
        SAME("[%+ d]", v);
        SAME("[%20.15d]", v);
    }
}

static void test_unsigned_bases(void **state)
{
    (void)state;
    unsigned vals[] = {0, 1, 7, 8, 15, 16, 255, 0x1234abcd, UINT_MAX};
    for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
        unsigned v = vals[i];
        SAME("%u %x %X %o", v, v, v, v);
        SAME("[%#x] [%#X] [%#o]", v, v, v);
        SAME("[%#10x] [%#-10X] [%#010o]", v, v, v);
        SAME("[%#.0x] [%#.0o] [%.0u]", v, v, v);
        SAME("[%#.5x] [%#.5o] [%#12.5o]", v, v, v);
        SAME("[%012x] [%-12o] [%12u]", v, v, v);
        SAME("[%#012x] [%#012X]", v, v);
        SAME("[%.10u] [%010.4x]", v, v);
    }
}

static void test_length_modifiers(void **state)
{
    (void)state;
    SAME("%hhd %hhu %hhx", 300, 300, 300);
    SAME("%hhd %hhd", -129, 127);
    SAME("%hd %hu %hx", 70000, 70000, -1);
    SAME("%ld %lu %lx", LONG_MIN, ULONG_MAX, 0xdeadbeefcafeUL);
    SAME("%lld %llu %llo", LLONG_MIN, ULLONG_MAX, ULLONG_MAX);
    SAME("%lld %llX", LLONG_MAX, 0x0123456789abcdefULL);
    SAME("%zu %zx %zd", (size_t)SIZE_MAX, (size_t)4096, (ptrdiff_t)-5);
    SAME("%td %tx", (ptrdiff_t)-12345678901LL, (ptrdiff_t)255);
    SAME("%jd %ju %jx", INTMAX_MIN, UINTMAX_MAX, (uintmax_t)1 << 63);
    SAME("[%#24llo] [%-+22lld]", ULLONG_MAX, LLONG_MIN);
    SAME("[%030.25lld]", LLONG_MIN);
}

static void test_chars_and_strings(void **state)
{
    (void)state;
    SAME("%c%c%c", 'a', 'b', 'c');
    SAME("[%5c] [%-5c]", 'x', 'y');
    SAME("%s", "text");
    SAME("[%10s] [%-10s] [%.2s] [%10.2s] [%-10.0s]", "abc", "abc", "abc", "abc", "abc");
    SAME("[%.10s]", "short");
    SAME("[%s]", "");
    SAME("[%3s]", "longer than width");
    SAME("[%s] [%10s] [%-10s]", null_string, null_string, null_string);
    SAME("[%.6s] [%.7s]", null_string, null_string);
    SAME("[%.5s] [%.0s]", null_string, null_string);
}

static void test_precision_bounds_string_reads(void **state)
{
    (void)state;
    /* With a precision, %s must not read past it: this array has no NUL. */
    char unterminated[4] = {'a', 'b', 'c', 'd'};
    char out[16];
    assert_int_equal(ksnprintf(out, sizeof(out), "%.4s|", unterminated), 5);
    assert_string_equal(out, "abcd|");
    assert_int_equal(ksnprintf(out, sizeof(out), "%.*s|", 2, unterminated), 3);
    assert_string_equal(out, "ab|");
}

static void test_pointers(void **state)
{
    (void)state;
    int x;
    void *ptrs[] = {&x, (void *)0x1234, (void *)UINTPTR_MAX, NULL};
    for (size_t i = 0; i < sizeof(ptrs) / sizeof(ptrs[0]); i++) {
        void *p = ptrs[i];
        SAME("%p", p);
        SAME("[%20p] [%-20p]", p, p);
    }
}

static void test_star_width_and_precision(void **state)
{
    (void)state;
    SAME("[%*d]", 6, 42);
    SAME("[%*d]", -6, 42);
    SAME("[%-*d]", -6, 42);
    SAME("[%.*d]", 4, 42);
    SAME("[%.*d]", -4, 42);
    SAME("[%*.*x]", 10, 6, 0xab);
    SAME("[%*.*s]", -8, 3, "abcdef");
    SAME("[%0*d]", 7, -3);
    SAME("[%.*s]", -1, "negative precision means none");
}

static void test_mixed(void **state)
{
    (void)state;
    SAME("atoll: crash: pc=0x%016lx rip=%#lx err=%u in %s (%c) %5.1d%%", 0xffffffff81000000UL,
         0x401000UL, 14u, "main", 'X', 3);
    SAME("%s=%d, %s=%u, %s=%llx", "a", -1, "b", 2u, "c", 3ULL);
}

static void test_truncation_and_return_value(void **state)
{
    (void)state;
    char buf[8];
    memset(buf, 'Z', sizeof(buf));
    assert_int_equal(ksnprintf(buf, 4, "%s", "abcdef"), 6);
    assert_string_equal(buf, "abc");
    assert_int_equal(buf[4], 'Z');

    assert_int_equal(ksnprintf(NULL, 0, "%d", 123456), 6);
    assert_int_equal(ksnprintf(buf, 1, "%d", 123456), 6);
    assert_int_equal(buf[0], '\0');

    /* A huge width is counted, not looped over, and still truncated safely. */
    assert_int_equal(ksnprintf(buf, sizeof(buf), "%100000000d", 5), 100000000);
    assert_string_equal(buf, "       ");
}

/* The cases below are outside ISO C's printf. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-extra-args"
#pragma GCC diagnostic ignored "-Wformat-overflow"

static void test_output_past_int_max(void **state)
{
    (void)state;
    char buf[8];
    /* Output longer than INT_MAX gives -1, as C requires. */
    assert_int_equal(ksnprintf(buf, sizeof(buf), "%2000000000d%2000000000d", 1, 2), -1);
}

static void test_pointer_flags_like_glibc(void **state)
{
    (void)state;
    SAME("[%020p] [%.8p] [%+p] [% p] [%#p]", (void *)0x1234, (void *)0x1234, (void *)0x1234,
         (void *)0x1234, (void *)0x1234);
    SAME("[%+p] [%.3p] [%010p]", (void *)0, (void *)0, (void *)0);
}

static void test_unsupported_conversions_are_literal(void **state)
{
    (void)state;
    char buf[64];
    /* Floating point is not supported: the spec is printed and no argument is taken. */
    assert_int_equal(ksnprintf(buf, sizeof(buf), "a%5.2fb%d", 7), 8);
    assert_string_equal(buf, "a%5.2fb7");
    /* %n would write through a pointer: never supported. */
    assert_int_equal(ksnprintf(buf, sizeof(buf), "x%ny"), 4);
    assert_string_equal(buf, "x%ny");
    /* A '%' at the very end is printed as is. */
    assert_int_equal(ksnprintf(buf, sizeof(buf), "50%"), 3);
    assert_string_equal(buf, "50%");
    assert_int_equal(ksnprintf(buf, sizeof(buf), "50%-08"), 6);
    assert_string_equal(buf, "50%-08");
    /* Width on %% is ignored, as glibc does. */
    assert_int_equal(ksnprintf(buf, sizeof(buf), "[%5%]"), 3);
    assert_string_equal(buf, "[%]");
}
#pragma GCC diagnostic pop

static void test_case_count(void **state)
{
    (void)state;
    /* Guards against the comparison tests silently doing nothing. */
    assert_true(compared_cases > 300);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_text_and_percent),
        cmocka_unit_test(test_signed_decimal),
        cmocka_unit_test(test_unsigned_bases),
        cmocka_unit_test(test_length_modifiers),
        cmocka_unit_test(test_chars_and_strings),
        cmocka_unit_test(test_precision_bounds_string_reads),
        cmocka_unit_test(test_pointers),
        cmocka_unit_test(test_star_width_and_precision),
        cmocka_unit_test(test_mixed),
        cmocka_unit_test(test_truncation_and_return_value),
        cmocka_unit_test(test_output_past_int_max),
        cmocka_unit_test(test_pointer_flags_like_glibc),
        cmocka_unit_test(test_unsupported_conversions_are_literal),
        cmocka_unit_test(test_case_count),
    };
    return cmocka_run_group_tests_name("format", tests, NULL, NULL);
}
