/* kvsnprintf/ksnprintf: the kernel's printf-style formatter (integers, chars, strings, pointers).
 */
#include <stdbool.h>
#include <stdint.h>

#include "atoll/format.h"

/* Where the output goes: bytes past the buffer are counted but not stored. */
struct sink {
    char *buf;
    size_t size;
    size_t pos;
};

static void put_char(struct sink *s, char c)
{
    if (s->pos + 1 < s->size)
        s->buf[s->pos] = c;
    s->pos++;
}

static void put_bytes(struct sink *s, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put_char(s, p[i]);
}

/* Repeats c count times; only the part that lands in the buffer is looped over, so a huge
 * width cannot make formatting slow. */
static void put_repeat(struct sink *s, char c, size_t count)
{
    size_t room = s->pos + 1 < s->size ? s->size - 1 - s->pos : 0;
    size_t stored = count < room ? count : room;
    for (size_t i = 0; i < stored; i++)
        s->buf[s->pos + i] = c;
    s->pos += count;
}

enum {
    FLAG_LEFT = 1 << 0,
    FLAG_ZERO = 1 << 1,
    FLAG_PLUS = 1 << 2,
    FLAG_SPACE = 1 << 3,
    FLAG_ALT = 1 << 4,
};

enum length { LEN_NONE, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_Z, LEN_T, LEN_J };

struct spec {
    unsigned flags;
    size_t width;
    long precision; /* -1 when not given */
    enum length length;
};

/* Widths and precisions beyond this are clamped; the output length then exceeds INT_MAX
 * anyway and the call returns -1. */
#define FIELD_MAX ((size_t)1 << 31)

static size_t parse_number(const char **p)
{
    size_t n = 0;
    while (**p >= '0' && **p <= '9') {
        if (n < FIELD_MAX)
            n = n * 10 + (size_t)(**p - '0');
        (*p)++;
    }
    return n < FIELD_MAX ? n : FIELD_MAX;
}

static void pad(struct sink *s, size_t used, size_t width)
{
    if (width > used)
        put_repeat(s, ' ', width - used);
}

/* Pads a finished piece of text (string, char, "(nil)") to the field width. */
static void put_field(struct sink *s, const struct spec *sp, const char *text, size_t len)
{
    if (!(sp->flags & FLAG_LEFT))
        pad(s, len, sp->width);
    put_bytes(s, text, len);
    if (sp->flags & FLAG_LEFT)
        pad(s, len, sp->width);
}

/* Formats one integer: prefix (sign or 0x), precision zeros, digits, padded to width. */
static void put_integer(struct sink *s, const struct spec *sp, uintmax_t magnitude, bool negative,
                        bool is_signed, unsigned base, bool upper)
{
    const char *digit_chars = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char digits[24]; /* 2^64 in octal is 22 digits */
    size_t ndigits = 0;
    while (magnitude != 0) {
        digits[sizeof(digits) - 1 - ndigits++] = digit_chars[magnitude % base];
        magnitude /= base;
    }
    bool value_is_zero = ndigits == 0;

    char prefix[3]; /* sign and 0x, as in "%+p" */
    size_t nprefix = 0;
    if (is_signed) {
        if (negative)
            prefix[nprefix++] = '-';
        else if (sp->flags & FLAG_PLUS)
            prefix[nprefix++] = '+';
        else if (sp->flags & FLAG_SPACE)
            prefix[nprefix++] = ' ';
    }
    if ((sp->flags & FLAG_ALT) && base == 16 && !value_is_zero) {
        prefix[nprefix++] = '0';
        prefix[nprefix++] = upper ? 'X' : 'x';
    }

    /* Default precision is 1, so zero prints as "0"; an explicit precision of 0 prints no
     * digits for zero. */
    size_t precision = sp->precision < 0 ? 1 : (size_t)sp->precision;
    size_t zeros = precision > ndigits ? precision - ndigits : 0;
    /* '#' with octal forces a leading zero digit. */
    if ((sp->flags & FLAG_ALT) && base == 8 && zeros == 0)
        zeros = 1;

    size_t body = nprefix + zeros + ndigits;
    bool zero_pad = (sp->flags & FLAG_ZERO) && !(sp->flags & FLAG_LEFT) && sp->precision < 0;
    if (zero_pad && sp->width > body) {
        zeros += sp->width - body;
        body = sp->width;
    }

    if (!(sp->flags & FLAG_LEFT))
        pad(s, body, sp->width);
    put_bytes(s, prefix, nprefix);
    put_repeat(s, '0', zeros);
    put_bytes(s, digits + sizeof(digits) - ndigits, ndigits);
    if (sp->flags & FLAG_LEFT)
        pad(s, body, sp->width);
}

static intmax_t take_signed(enum length len, va_list *ap)
{
    switch (len) {
    case LEN_HH:
        return (signed char)va_arg(*ap, int);
    case LEN_H:
        return (short)va_arg(*ap, int);
    case LEN_L:
        return va_arg(*ap, long);
    case LEN_LL:
        return va_arg(*ap, long long);
    case LEN_Z:
        return (intmax_t)va_arg(*ap, size_t); /* the signed type of size_t's width */
    case LEN_T:
        return va_arg(*ap, ptrdiff_t);
    case LEN_J:
        return va_arg(*ap, intmax_t);
    default:
        return va_arg(*ap, int);
    }
}

static uintmax_t take_unsigned(enum length len, va_list *ap)
{
    switch (len) {
    case LEN_HH:
        return (unsigned char)va_arg(*ap, unsigned);
    case LEN_H:
        return (unsigned short)va_arg(*ap, unsigned);
    case LEN_L:
        return va_arg(*ap, unsigned long);
    case LEN_LL:
        return va_arg(*ap, unsigned long long);
    case LEN_Z:
        return va_arg(*ap, size_t);
    case LEN_T:
        return (uintmax_t)va_arg(*ap, ptrdiff_t);
    case LEN_J:
        return va_arg(*ap, uintmax_t);
    default:
        return va_arg(*ap, unsigned);
    }
}

static enum length parse_length(const char **p)
{
    switch (**p) {
    case 'h':
        (*p)++;
        if (**p == 'h') {
            (*p)++;
            return LEN_HH;
        }
        return LEN_H;
    case 'l':
        (*p)++;
        if (**p == 'l') {
            (*p)++;
            return LEN_LL;
        }
        return LEN_L;
    case 'z':
        (*p)++;
        return LEN_Z;
    case 't':
        (*p)++;
        return LEN_T;
    case 'j':
        (*p)++;
        return LEN_J;
    default:
        return LEN_NONE;
    }
}

static size_t bounded_length(const char *str, size_t max)
{
    size_t n = 0;
    while (n < max && str[n] != '\0')
        n++;
    return n;
}

static void put_string(struct sink *s, const struct spec *sp, const char *str)
{
    if (str == NULL) {
        /* glibc prints "(null)" only when it fits the precision. */
        str = sp->precision >= 0 && sp->precision < 6 ? "" : "(null)";
    }
    size_t max = sp->precision < 0 ? SIZE_MAX : (size_t)sp->precision;
    put_field(s, sp, str, bounded_length(str, max));
}

static void put_pointer(struct sink *s, const struct spec *sp, const void *ptr)
{
    if (ptr == NULL) {
        put_field(s, sp, "(nil)", 5);
        return;
    }
    struct spec hex = *sp;
    hex.flags |= FLAG_ALT;
    /* Pointers take + and space like signed conversions do in glibc. */
    put_integer(s, &hex, (uintptr_t)ptr, false, true, 16, false);
}

/* Parses one conversion after '%' and emits it; returns the position after it. */
static const char *format_one(struct sink *s, const char *p, va_list *ap)
{
    const char *start = p - 1; /* the '%' */
    struct spec sp = {.flags = 0, .width = 0, .precision = -1, .length = LEN_NONE};

    for (;; p++) {
        if (*p == '-')
            sp.flags |= FLAG_LEFT;
        else if (*p == '0')
            sp.flags |= FLAG_ZERO;
        else if (*p == '+')
            sp.flags |= FLAG_PLUS;
        else if (*p == ' ')
            sp.flags |= FLAG_SPACE;
        else if (*p == '#')
            sp.flags |= FLAG_ALT;
        else
            break;
    }

    if (*p == '*') {
        int w = va_arg(*ap, int);
        if (w < 0) {
            sp.flags |= FLAG_LEFT;
            sp.width = (size_t) - (long)w;
        } else {
            sp.width = (size_t)w;
        }
        p++;
    } else {
        sp.width = parse_number(&p);
    }

    if (*p == '.') {
        p++;
        if (*p == '*') {
            int prec = va_arg(*ap, int);
            sp.precision = prec < 0 ? -1 : prec;
            p++;
        } else {
            sp.precision = (long)parse_number(&p);
        }
    }

    sp.length = parse_length(&p);

    switch (*p) {
    case 'd':
    case 'i': {
        intmax_t v = take_signed(sp.length, ap);
        uintmax_t magnitude = v < 0 ? (uintmax_t)0 - (uintmax_t)v : (uintmax_t)v;
        put_integer(s, &sp, magnitude, v < 0, true, 10, false);
        break;
    }
    case 'u':
        put_integer(s, &sp, take_unsigned(sp.length, ap), false, false, 10, false);
        break;
    case 'x':
        put_integer(s, &sp, take_unsigned(sp.length, ap), false, false, 16, false);
        break;
    case 'X':
        put_integer(s, &sp, take_unsigned(sp.length, ap), false, false, 16, true);
        break;
    case 'o':
        put_integer(s, &sp, take_unsigned(sp.length, ap), false, false, 8, false);
        break;
    case 'c': {
        char c = (char)va_arg(*ap, int);
        put_field(s, &sp, &c, 1);
        break;
    }
    case 's':
        put_string(s, &sp, va_arg(*ap, const char *));
        break;
    case 'p':
        put_pointer(s, &sp, va_arg(*ap, const void *));
        break;
    case '%':
        put_char(s, '%');
        break;
    case '\0':
        /* A lone '%' at the end of the format: print what was there. */
        put_bytes(s, start, (size_t)(p - start));
        return p;
    default:
        /* Unsupported conversion: copy it literally so the mistake is visible. */
        put_bytes(s, start, (size_t)(p - start) + 1);
        break;
    }
    return p + 1;
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct sink s = {.buf = buf, .size = size, .pos = 0};
    va_list args;
    va_copy(args, ap);
    const char *p = fmt;
    while (*p != '\0') {
        if (*p != '%') {
            put_char(&s, *p++);
            continue;
        }
        p = format_one(&s, p + 1, &args);
    }
    va_end(args);
    if (size > 0)
        buf[s.pos < size ? s.pos : size - 1] = '\0';
    return s.pos > (size_t)INT32_MAX ? -1 : (int)s.pos;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = kvsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
