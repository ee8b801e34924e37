/* libFuzzer harness: ksnprintf against the host's snprintf on fuzzer-built conversions. */
#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include "atoll/format.h"

/* The checks below build format strings at run time on purpose. */
#pragma clang diagnostic ignored "-Wformat-nonliteral"

struct input {
    const uint8_t *p;
    size_t left;
};

static uint64_t take(struct input *in, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n && in->left > 0; i++, in->left--)
        v = v << 8 | *in->p++;
    return v;
}

static char out_libc[4096], out_kernel[4096];

#define COMPARE(size, fmt, ...)                                                                    \
    do {                                                                                           \
        memset(out_libc, 'Z', sizeof(out_libc));                                                   \
        memset(out_kernel, 'Z', sizeof(out_kernel));                                               \
        int want = snprintf(out_libc, size, fmt, __VA_ARGS__);                                     \
        int got = ksnprintf(out_kernel, size, fmt, __VA_ARGS__);                                   \
        if (want != got || memcmp(out_libc, out_kernel, sizeof(out_libc)) != 0) {                  \
            fprintf(stderr, "format \"%s\" size %zu: libc %d, ksnprintf %d\n", fmt, (size_t)size,  \
                    want, got);                                                                    \
            __builtin_trap();                                                                      \
        }                                                                                          \
    } while (0)

/* Builds and checks one conversion from the input; false when the input is used up. */
static bool one_conversion(struct input *in)
{
    if (in->left < 4)
        return false;
    static const char conversions[] = "diuxXocsp";
    char conv = conversions[take(in, 1) % (sizeof(conversions) - 1)];
    unsigned flag_bits = (unsigned)take(in, 1);
    unsigned shape = (unsigned)take(in, 1);
    size_t size = take(in, 1) * 8 % (sizeof(out_libc) + 1);
    int width = (int)(take(in, 2) % 600) - 300;
    int precision = (int)(take(in, 2) % 400) - 100;
    uint64_t value = take(in, 8);

    /* Only the flags C defines for each conversion (glibc's extensions for %p). */
    const char *allowed = "-0+ #";
    if (conv == 'd' || conv == 'i')
        allowed = "-0+ ";
    else if (conv == 'u')
        allowed = "-0";
    else if (conv == 'x' || conv == 'X' || conv == 'o')
        allowed = "-0#";
    else if (conv == 'c' || conv == 's')
        allowed = "-";
    else if (conv == 'p')
        allowed = "-0+ ";

    char fmt[64];
    size_t n = 0;
    fmt[n++] = '%';
    for (int i = 0; i < 5; i++) {
        char f = "-0+ #"[i];
        if ((flag_bits >> i & 1) && strchr(allowed, f))
            fmt[n++] = f;
    }
    bool star_width = shape & 1, star_precision = shape & 2;
    bool use_width = shape & 4, use_precision = (shape & 8) && conv != 'c';
    if (use_width) {
        if (star_width)
            fmt[n++] = '*';
        else
            n += (size_t)sprintf(fmt + n, "%d", width < 0 ? -width : width);
    }
    if (use_precision) {
        if (star_precision)
            n += (size_t)sprintf(fmt + n, ".*");
        else
            n += (size_t)sprintf(fmt + n, ".%d", precision < 0 ? -precision : precision);
    }
    static const char *const lengths[] = {"", "hh", "h", "l", "ll", "z", "t", "j"};
    int length = (shape >> 4) % 8;
    if (strchr("diuxXo", conv))
        n += (size_t)sprintf(fmt + n, "%s", lengths[length]);
    else
        length = 0;
    fmt[n++] = conv;
    fmt[n] = '\0';

    int w = use_width && star_width ? width : 0;
    int pr = use_precision && star_precision ? precision : 0;
    bool signed_conv = conv == 'd' || conv == 'i';

    /* Arguments of exactly the type each conversion takes. */
#define RUN(arg)                                                                                   \
    do {                                                                                           \
        if (use_width && star_width && use_precision && star_precision)                            \
            COMPARE(size, fmt, w, pr, arg);                                                        \
        else if (use_width && star_width)                                                          \
            COMPARE(size, fmt, w, arg);                                                            \
        else if (use_precision && star_precision)                                                  \
            COMPARE(size, fmt, pr, arg);                                                           \
        else                                                                                       \
            COMPARE(size, fmt, arg);                                                               \
    } while (0)

    if (conv == 'c') {
        RUN((int)(value & 0xff));
    } else if (conv == 's') {
        static const char *const strings[] = {"", "a", "hello, world", NULL,
                                              "a longer string of text"};
        RUN(strings[value % 5]);
    } else if (conv == 'p') {
        RUN((void *)(uintptr_t)(value % 3 == 0 ? 0 : value));
    } else if (signed_conv) {
        switch (length) {
        case 1:
        case 2:
        case 0:
            RUN((int)value);
            break;
        case 3:
            RUN((long)value);
            break;
        case 4:
            RUN((long long)value);
            break;
        case 5:
            RUN((ssize_t)value);
            break;
        case 6:
            RUN((ptrdiff_t)value);
            break;
        default:
            RUN((intmax_t)value);
            break;
        }
    } else {
        switch (length) {
        case 1:
        case 2:
        case 0:
            RUN((unsigned)value);
            break;
        case 3:
            RUN((unsigned long)value);
            break;
        case 4:
            RUN((unsigned long long)value);
            break;
        case 5:
            RUN((size_t)value);
            break;
        case 6:
            RUN((ptrdiff_t)value);
            break;
        default:
            RUN((uintmax_t)value);
            break;
        }
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct input in = {data, size};
    for (int i = 0; i < 64 && one_conversion(&in); i++)
        continue;
    return 0;
}
