/* A strict JSON (RFC 8259) validator and reader for small request bodies, with error positions. */
#include "json.h"

#include <stdbool.h>
#include <string.h>

#include "path.h"

struct cursor {
    const char *s;
    size_t len;
    size_t pos;
    struct json_error *err;
};

static int fail(struct cursor *c, const char *what)
{
    if (c->err) {
        c->err->pos = c->pos;
        c->err->what = what;
    }
    return -1;
}

static void skip_ws(struct cursor *c)
{
    while (c->pos < c->len && (c->s[c->pos] == ' ' || c->s[c->pos] == '\t' ||
                               c->s[c->pos] == '\n' || c->s[c->pos] == '\r'))
        c->pos++;
}

static int hex4(const char *p)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char ch = p[i];
        int d = (ch >= '0' && ch <= '9')   ? ch - '0'
                : (ch >= 'a' && ch <= 'f') ? ch - 'a' + 10
                : (ch >= 'A' && ch <= 'F') ? ch - 'A' + 10
                                           : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

static size_t utf8_length(unsigned char lead)
{
    return lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
}

static int parse_string(struct cursor *c)
{
    c->pos++; /* the opening quote */
    while (c->pos < c->len) {
        unsigned char ch = (unsigned char)c->s[c->pos];
        if (ch == '"') {
            c->pos++;
            return 0;
        }
        if (ch < 0x20)
            return fail(c, "control character in string");
        if (ch == '\\') {
            if (c->pos + 1 >= c->len)
                return fail(c, "unterminated string");
            char e = c->s[c->pos + 1];
            if (e == 'u') {
                if (c->pos + 6 > c->len)
                    return fail(c, "bad \\u escape");
                int cp = hex4(c->s + c->pos + 2);
                if (cp < 0)
                    return fail(c, "bad \\u escape");
                if (cp >= 0xdc00 && cp <= 0xdfff)
                    return fail(c, "lone low surrogate");
                if (cp >= 0xd800 && cp <= 0xdbff) {
                    int low =
                        c->pos + 12 <= c->len && c->s[c->pos + 6] == '\\' && c->s[c->pos + 7] == 'u'
                            ? hex4(c->s + c->pos + 8)
                            : -1;
                    if (low < 0xdc00 || low > 0xdfff)
                        return fail(c, "high surrogate without its low half");
                    c->pos += 6;
                }
                c->pos += 6;
                continue;
            }
            if (!strchr("\"\\/bfnrt", e) || e == 0)
                return fail(c, "bad escape");
            c->pos += 2;
            continue;
        }
        if (ch >= 0x80) {
            size_t n = utf8_length(ch);
            if (c->pos + n > c->len || !web_utf8_valid((const unsigned char *)c->s + c->pos, n))
                return fail(c, "invalid UTF-8");
            c->pos += n;
            continue;
        }
        c->pos++;
    }
    return fail(c, "unterminated string");
}

static bool digit_at(struct cursor *c)
{
    return c->pos < c->len && c->s[c->pos] >= '0' && c->s[c->pos] <= '9';
}

static int parse_number(struct cursor *c)
{
    if (c->s[c->pos] == '-')
        c->pos++;
    if (!digit_at(c))
        return fail(c, "bad number");
    if (c->s[c->pos] == '0')
        c->pos++;
    else
        while (digit_at(c))
            c->pos++;
    if (c->pos < c->len && c->s[c->pos] == '.') {
        c->pos++;
        if (!digit_at(c))
            return fail(c, "bad number");
        while (digit_at(c))
            c->pos++;
    }
    if (c->pos < c->len && (c->s[c->pos] == 'e' || c->s[c->pos] == 'E')) {
        c->pos++;
        if (c->pos < c->len && (c->s[c->pos] == '+' || c->s[c->pos] == '-'))
            c->pos++;
        if (!digit_at(c))
            return fail(c, "bad number");
        while (digit_at(c))
            c->pos++;
    }
    return 0;
}

static int parse_literal(struct cursor *c, const char *word)
{
    size_t n = strlen(word);
    if (c->len - c->pos < n || memcmp(c->s + c->pos, word, n) != 0)
        return fail(c, "expected a value");
    c->pos += n;
    return 0;
}

static int parse_value(struct cursor *c, int depth);

static int parse_container(struct cursor *c, int depth, char close, bool object)
{
    if (depth >= JSON_MAX_DEPTH)
        return fail(c, "nesting too deep");
    c->pos++;
    skip_ws(c);
    if (c->pos < c->len && c->s[c->pos] == close) {
        c->pos++;
        return 0;
    }
    for (;;) {
        skip_ws(c);
        if (object) {
            if (c->pos >= c->len || c->s[c->pos] != '"')
                return fail(c, "expected a member name");
            if (parse_string(c))
                return -1;
            skip_ws(c);
            if (c->pos >= c->len || c->s[c->pos] != ':')
                return fail(c, "expected ':'");
            c->pos++;
        }
        if (parse_value(c, depth + 1))
            return -1;
        skip_ws(c);
        if (c->pos < c->len && c->s[c->pos] == ',') {
            c->pos++;
            continue;
        }
        if (c->pos < c->len && c->s[c->pos] == close) {
            c->pos++;
            return 0;
        }
        return fail(c, object ? "expected ',' or '}'" : "expected ',' or ']'");
    }
}

static int parse_value(struct cursor *c, int depth)
{
    skip_ws(c);
    if (c->pos >= c->len)
        return fail(c, "expected a value");
    switch (c->s[c->pos]) {
    case '{':
        return parse_container(c, depth, '}', true);
    case '[':
        return parse_container(c, depth, ']', false);
    case '"':
        return parse_string(c);
    case 't':
        return parse_literal(c, "true");
    case 'f':
        return parse_literal(c, "false");
    case 'n':
        return parse_literal(c, "null");
    default:
        if (c->s[c->pos] == '-' || (c->s[c->pos] >= '0' && c->s[c->pos] <= '9'))
            return parse_number(c);
        return fail(c, "expected a value");
    }
}

int json_validate(const char *s, size_t len, struct json_error *err)
{
    struct cursor c = {s, len, 0, err};
    if (parse_value(&c, 0))
        return -1;
    skip_ws(&c);
    if (c.pos != len)
        return fail(&c, "unexpected text after the value");
    return 0;
}

static enum json_type type_of(char first)
{
    switch (first) {
    case '{':
        return JSON_OBJECT;
    case '[':
        return JSON_ARRAY;
    case '"':
        return JSON_STRING;
    case 't':
        return JSON_TRUE;
    case 'f':
        return JSON_FALSE;
    case 'n':
        return JSON_NULL;
    default:
        return JSON_NUMBER;
    }
}

int json_object_get(const char *s, size_t len, const char *key, struct json_value *out)
{
    struct cursor c = {s, len, 0, NULL};
    skip_ws(&c);
    if (c.pos >= len || s[c.pos] != '{')
        return -1;
    c.pos++;
    size_t key_len = strlen(key);
    for (;;) {
        skip_ws(&c);
        if (c.pos >= len || s[c.pos] != '"')
            return -1;
        size_t name = c.pos + 1;
        if (parse_string(&c))
            return -1;
        size_t name_len = c.pos - 1 - name;
        skip_ws(&c);
        c.pos++; /* ':' */
        skip_ws(&c);
        size_t start = c.pos;
        if (parse_value(&c, 1))
            return -1;
        if (name_len == key_len && memcmp(s + name, key, key_len) == 0) {
            *out = (struct json_value){type_of(s[start]), s + start, c.pos - start};
            return 0;
        }
        skip_ws(&c);
        if (c.pos >= len || s[c.pos] != ',')
            return -1;
        c.pos++;
    }
}

static size_t put_utf8(char *out, unsigned int cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

int json_string_decode(const struct json_value *value, char *out, size_t cap)
{
    const char *p = value->ptr + 1, *end = value->ptr + value->len - 1;
    size_t n = 0;
    while (p < end) {
        char tmp[4];
        size_t k = 1;
        if (*p != '\\') {
            tmp[0] = *p++;
        } else {
            char e = p[1];
            p += 2;
            if (e == 'u') {
                unsigned int cp = (unsigned int)hex4(p);
                p += 4;
                if (cp >= 0xd800 && cp <= 0xdbff) {
                    cp = 0x10000 + ((cp - 0xd800) << 10) + ((unsigned int)hex4(p + 2) - 0xdc00);
                    p += 6;
                }
                k = put_utf8(tmp, cp);
            } else {
                const char *from = "\"\\/bfnrt", *to = "\"\\/\b\f\n\r\t";
                tmp[0] = to[strchr(from, e) - from];
            }
        }
        if (n + k > cap)
            return -1;
        memcpy(out + n, tmp, k);
        n += k;
    }
    return (int)n;
}

int json_escape(const char *text, size_t len, char *out, size_t cap)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)text[i];
        char buf[6];
        size_t k = 0;
        if (ch == '"' || ch == '\\') {
            buf[k++] = '\\';
            buf[k++] = (char)ch;
        } else if (ch == '\n') {
            buf[k++] = '\\';
            buf[k++] = 'n';
        } else if (ch < 0x20 || ch == '<' || ch == '>') { /* <, > too: safe inside HTML as well */
            memcpy(buf, "\\u00", 4);
            buf[4] = hex[ch >> 4];
            buf[5] = hex[ch & 15];
            k = 6;
        } else {
            buf[k++] = (char)ch;
        }
        if (n + k > cap)
            return -1;
        memcpy(out + n, buf, k);
        n += k;
    }
    return (int)n;
}
