/* Unit tests of the kernel's string functions (built freestanding, renamed kstring_*) vs libc. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

void *kstring_memcpy(void *dst, const void *src, size_t n);
void *kstring_memmove(void *dst, const void *src, size_t n);
void *kstring_memset(void *dst, int c, size_t n);
int kstring_memcmp(const void *a, const void *b, size_t n);
size_t kstring_strlen(const char *s);
size_t kstring_strnlen(const char *s, size_t max);
int kstring_strcmp(const char *a, const char *b);
int kstring_strncmp(const char *a, const char *b, size_t n);
char *kstring_strchr(const char *s, int c);
void *kfast_memcpy(void *dst, const void *src, size_t n);
void *kfast_memset(void *dst, int c, size_t n);

static int sign(int x)
{
    return (x > 0) - (x < 0);
}

static void fill(unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245 + 12345;
        p[i] = (unsigned char)(seed >> 16);
    }
}

/* Both builds: the core's, and the members' (ATOLL_STRING_FAST), whose tails are overlapping
 * moves chosen by size, so every size up to 200 and every alignment is tried. */
static void test_memcpy_and_memset(void **state)
{
    (void)state;
    static const struct {
        void *(*cpy)(void *, const void *, size_t);
        void *(*set)(void *, int, size_t);
    } builds[] = {{kstring_memcpy, kstring_memset}, {kfast_memcpy, kfast_memset}};
    unsigned char src[600], want[600], got[600];
    fill(src, sizeof(src), 1);
    for (size_t b = 0; b < sizeof(builds) / sizeof(builds[0]); b++) {
        for (size_t off = 0; off < 9; off++) {
            for (size_t n = 0; n < 580; n += (n < 200 ? 1 : 37)) {
                memset(want, 0xee, sizeof(want));
                memset(got, 0xee, sizeof(got));
                memcpy(want + off, src + 3, n);
                assert_ptr_equal(builds[b].cpy(got + off, src + 3, n), got + off);
                assert_memory_equal(want, got, sizeof(got));

                memset(want + off, 0x1ab, n); /* only the low byte counts */
                assert_ptr_equal(builds[b].set(got + off, 0x1ab, n), got + off);
                assert_memory_equal(want, got, sizeof(got));
            }
        }
    }
}

static void test_memmove_overlapping_both_ways(void **state)
{
    (void)state;
    unsigned char want[200], got[200];
    for (size_t src = 0; src < 40; src += 3) {
        for (size_t dst = 0; dst < 40; dst += 5) {
            for (size_t n = 0; n < 150; n += 7) {
                fill(want, sizeof(want), (unsigned)(src + dst + n));
                memcpy(got, want, sizeof(got));
                memmove(want + dst, want + src, n);
                assert_ptr_equal(kstring_memmove(got + dst, got + src, n), got + dst);
                assert_memory_equal(want, got, sizeof(got));
            }
        }
    }
}

static void test_memcmp(void **state)
{
    (void)state;
    unsigned char a[64], b[64];
    fill(a, sizeof(a), 7);
    memcpy(b, a, sizeof(b));
    assert_int_equal(kstring_memcmp(a, b, sizeof(a)), 0);
    assert_int_equal(kstring_memcmp(a, b, 0), 0);
    for (size_t i = 0; i < sizeof(a); i += 5) {
        b[i] = (unsigned char)(a[i] + 1);
        assert_int_equal(sign(kstring_memcmp(a, b, sizeof(a))), sign(memcmp(a, b, sizeof(a))));
        assert_int_equal(sign(kstring_memcmp(b, a, sizeof(a))), sign(memcmp(b, a, sizeof(a))));
        assert_int_equal(kstring_memcmp(a, b, i), 0);
        b[i] = a[i];
    }
    /* Bytes compare as unsigned. */
    assert_true(kstring_memcmp("\x80", "\x01", 1) > 0);
}

static void test_string_lengths(void **state)
{
    (void)state;
    const char *samples[] = {"", "a", "hello",
                             "with\x80high\xff"
                             "bytes",
                             "0123456789abcdef0123"};
    for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
        const char *s = samples[i];
        assert_int_equal(kstring_strlen(s), strlen(s));
        for (size_t max = 0; max < 25; max++)
            assert_int_equal(kstring_strnlen(s, max), strnlen(s, max));
    }
    /* strnlen reads no further than max: this array has no NUL. */
    char unterminated[3] = {'a', 'b', 'c'};
    assert_int_equal(kstring_strnlen(unterminated, 3), 3);
}

static void test_string_compares(void **state)
{
    (void)state;
    const char *s[] = {"", "a", "ab", "abc", "abd", "b", "\x80", "A", "abc\x01"};
    size_t count = sizeof(s) / sizeof(s[0]);
    for (size_t i = 0; i < count; i++) {
        for (size_t j = 0; j < count; j++) {
            assert_int_equal(sign(kstring_strcmp(s[i], s[j])), sign(strcmp(s[i], s[j])));
            for (size_t n = 0; n < 6; n++)
                assert_int_equal(sign(kstring_strncmp(s[i], s[j], n)),
                                 sign(strncmp(s[i], s[j], n)));
        }
    }
}

static void test_strchr(void **state)
{
    (void)state;
    const char *s = "path/to/file";
    assert_ptr_equal(kstring_strchr(s, '/'), s + 4);
    assert_ptr_equal(kstring_strchr(s, 'p'), s);
    assert_ptr_equal(kstring_strchr(s, 'e'), s + 11);
    assert_null(kstring_strchr(s, 'x'));
    assert_ptr_equal(kstring_strchr(s, '\0'), s + strlen(s));
    assert_ptr_equal(kstring_strchr("a\xff", 0xff), strchr("a\xff", 0xff));
    assert_null(kstring_strchr("", 'a'));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memcpy_and_memset),
        cmocka_unit_test(test_memmove_overlapping_both_ways),
        cmocka_unit_test(test_memcmp),
        cmocka_unit_test(test_string_lengths),
        cmocka_unit_test(test_string_compares),
        cmocka_unit_test(test_strchr),
    };
    return cmocka_run_group_tests_name("string", tests, NULL, NULL);
}
