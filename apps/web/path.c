/* Request target to file path: percent-decoding and normalisation that never leaves the web root.
 */
#include "path.h"

#include <string.h>

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool web_utf8_valid(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t need;
        unsigned int cp, min;
        if (c >= 0xc2 && c <= 0xdf) { /* 0xc0 and 0xc1 only start overlong forms */
            need = 1, cp = c & 0x1f, min = 0x80;
        } else if (c >= 0xe0 && c <= 0xef) {
            need = 2, cp = c & 0x0f, min = 0x800;
        } else if (c >= 0xf0 && c <= 0xf4) {
            need = 3, cp = c & 0x07, min = 0x10000;
        } else {
            return false;
        }
        if (len - i <= need)
            return false;
        for (size_t k = 1; k <= need; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += need + 1;
    }
    return true;
}

int web_path_normalize_general(const char *target, size_t len, char *out, size_t out_cap)
{
    const char *query = memchr(target, '?', len);
    if (query)
        len = (size_t)(query - target);
    if (len == 0 || target[0] != '/' || out_cap < 2)
        return -400;
    /* Decode first: every check below sees the bytes the file system would see. */
    char decoded[WEB_PATH_MAX];
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)target[i];
        if (c == '%') {
            if (i + 2 >= len)
                return -400;
            int hi = hex_digit(target[i + 1]), lo = hex_digit(target[i + 2]);
            if (hi < 0 || lo < 0)
                return -400;
            c = (unsigned char)(hi * 16 + lo);
            i += 2;
        }
        if (c < 0x20 || c == 0x7f || c == '\\')
            return -400;
        if (n >= sizeof(decoded))
            return -414;
        decoded[n++] = (char)c;
    }
    if (!web_utf8_valid((const unsigned char *)decoded, n))
        return -400;

    size_t o = 0;
    bool dot_last = false; /* the last segment was "." or "..", which name a folder */
    size_t i = 0;
    while (i < n) {
        while (i < n && decoded[i] == '/')
            i++;
        size_t start = i;
        while (i < n && decoded[i] != '/')
            i++;
        size_t seg = i - start;
        if (seg == 0)
            continue;
        dot_last = false;
        if (seg == 1 && decoded[start] == '.') {
            dot_last = true;
            continue;
        }
        if (seg == 2 && decoded[start] == '.' && decoded[start + 1] == '.') {
            if (o == 0)
                return -400; /* would climb above the web root */
            while (out[o - 1] != '/')
                o--;
            o--; /* drop the '/' before the removed segment */
            dot_last = true;
            continue;
        }
        if (o + 1 + seg + 2 > out_cap)
            return -414;
        out[o++] = '/';
        memcpy(out + o, decoded + start, seg);
        o += seg;
    }
    bool folder = dot_last || decoded[n - 1] == '/';
    if (o == 0 || folder) {
        if (o + 2 > out_cap)
            return -414;
        out[o++] = '/';
    }
    out[o] = '\0';
    return (int)o;
}

/* Per byte of a target: PLAIN for what a segment may hold as it is (the '.' too, but not first),
 * SLASH, DOT, QUERY ('?' ends the path); 0 for what only the general path handles ('%', '\\',
 * controls, space, DEL, non-ASCII). */
enum { PLAIN = 1, SLASH = 2, DOT = 4 | PLAIN, QUERY = 8 };
static const unsigned char plain_byte[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x00 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x10 */
    0, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 5, 2, /* 0x20: SP !"#$%&'()*+,-./ */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 8, /* 0x30: 0-9 :;<=>? */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x40 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, /* 0x50: backslash */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x60 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, /* 0x70: DEL */
};

/*
 * The usual target ("/", "/index.html", "/a/b/?q") decodes and normalises to itself: ASCII with
 * no '%' or '\\', no empty segment and no segment starting with '.' (so no "." or ".."). Such a
 * path is checked and copied in one pass, eight bytes a step where it can; anything else goes the
 * general way, which gives the same answer for these (tests/unit/test_web_fast.c and
 * tests/fuzz/fuzz_web_fast.c check that the two agree).
 */
int web_path_normalize(const char *target, size_t len, char *out, size_t out_cap)
{
    if (len == 0 || target[0] != '/' || len + 2 > out_cap || len >= WEB_PATH_MAX)
        return web_path_normalize_general(target, len, out, out_cap);
    const unsigned char *t = (const unsigned char *)target, *k = plain_byte;
    out[0] = '/';
    size_t i = 1;
    while (i < len) {
        if (len - i >= 8 &&
            (k[t[i]] & k[t[i + 1]] & k[t[i + 2]] & k[t[i + 3]] & k[t[i + 4]] & k[t[i + 5]] &
             k[t[i + 6]] & k[t[i + 7]] & PLAIN) &&
            !(t[i] == '.' && t[i - 1] == '/')) {
            memcpy(out + i, t + i, 8);
            i += 8;
            continue;
        }
        unsigned char kind = k[t[i]];
        if (kind == QUERY)
            break;
        /* '/' or '.' right after a '/': an empty, "." or ".." segment (or a hidden name) */
        if (kind == 0 || (kind != PLAIN && t[i - 1] == '/'))
            return web_path_normalize_general(target, len, out, out_cap);
        out[i] = (char)t[i];
        i++;
    }
    out[i] = '\0';
    return (int)i;
}
