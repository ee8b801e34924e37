/* dns: master-file RDATA of each supported type (and RFC 3597's \# form) to wire form. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "zone.h"

static const struct {
    const char *name;
    uint16_t type;
} type_names[] = {
    {"A", T_A},   {"NS", T_NS},   {"CNAME", T_CNAME}, {"SOA", T_SOA}, {"PTR", T_PTR},
    {"MX", T_MX}, {"TXT", T_TXT}, {"AAAA", T_AAAA},   {"SRV", T_SRV}, {"CAA", T_CAA},
};

static int same_text(const char *a, size_t a_len, const char *b)
{
    size_t b_len = strlen(b);
    if (a_len != b_len)
        return 0;
    for (size_t i = 0; i < a_len; i++) {
        char c = a[i] >= 'a' && a[i] <= 'z' ? (char)(a[i] - 32) : a[i];
        if (c != b[i])
            return 0;
    }
    return 1;
}

static int number_from_text(const char *text, size_t len, uint32_t max, uint32_t *value)
{
    uint64_t v = 0;
    if (len == 0 || len > 10)
        return -1;
    for (size_t i = 0; i < len; i++) {
        if (text[i] < '0' || text[i] > '9')
            return -1;
        v = v * 10 + (uint64_t)(text[i] - '0');
    }
    if (v > max)
        return -1;
    *value = (uint32_t)v;
    return 0;
}

int type_from_text(const char *text, size_t len)
{
    for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
        if (same_text(text, len, type_names[i].name))
            return type_names[i].type;
    uint32_t value;
    if (len > 4 && same_text(text, 4, "TYPE") &&
        number_from_text(text + 4, len - 4, 65535, &value) == 0)
        return (int)value;
    return -1;
}

int ttl_from_text(const char *text, size_t len, uint32_t *ttl)
{
    uint64_t total = 0, current = 0;
    int digits = 0, units = 0;
    if (len == 0 || text[0] < '0' || text[0] > '9')
        return -1;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (c >= '0' && c <= '9') {
            current = current * 10 + (uint64_t)(c - '0');
            if (current > 0xFFFFFFFFu)
                return -1;
            digits++;
            continue;
        }
        uint64_t scale;
        switch (c | 0x20) {
        case 's':
            scale = 1;
            break;
        case 'm':
            scale = 60;
            break;
        case 'h':
            scale = 3600;
            break;
        case 'd':
            scale = 86400;
            break;
        case 'w':
            scale = 604800;
            break;
        default:
            return -1;
        }
        if (!digits)
            return -1;
        total += current * scale;
        current = 0;
        digits = 0;
        units++;
    }
    if (digits && units)
        return -1; /* "1h30" has a number without its unit */
    total += current;
    if (total > 0x7FFFFFFFu)
        return -1; /* RFC 2181 8: TTLs are at most 2^31 - 1 */
    *ttl = (uint32_t)total;
    return 0;
}

/* Unescapes a character string (\X and \DDD) into OUT of CAP bytes; returns the length or -1. */
static long unescape(const struct token *t, uint8_t *out, size_t cap, const char **why)
{
    size_t n = 0;
    for (size_t i = 0; i < t->len; i++) {
        uint8_t c = (uint8_t)t->text[i];
        if (c == '\\' && i + 1 < t->len) {
            const char *d = t->text + i + 1;
            if (d[0] >= '0' && d[0] <= '9') {
                if (i + 3 >= t->len || d[1] < '0' || d[1] > '9' || d[2] < '0' || d[2] > '9') {
                    *why = "escape \\DDD needs exactly three decimal digits";
                    return -1;
                }
                int v = (d[0] - '0') * 100 + (d[1] - '0') * 10 + (d[2] - '0');
                if (v > 255) {
                    *why = "escape \\DDD above 255";
                    return -1;
                }
                c = (uint8_t)v;
                i += 3;
            } else {
                c = (uint8_t)d[0];
                i++;
            }
        }
        if (n == cap) {
            *why = "character string longer than 255 bytes";
            return -1;
        }
        out[n++] = c;
    }
    return (long)n;
}

struct writer {
    uint8_t *out;
    size_t len;
    const struct token *fields;
    int count, next;
    uint16_t type;
    const uint8_t *origin;
    char *err;
    size_t err_cap;
};

static const struct token *next_field(struct writer *w, const char *what)
{
    if (w->next >= w->count) {
        snprintf(w->err, w->err_cap, "missing rdata field: %s", what);
        return NULL;
    }
    return &w->fields[w->next++];
}

static int put_number(struct writer *w, const char *what, uint32_t max, int bytes, int ttl_units)
{
    const struct token *t = next_field(w, what);
    uint32_t v;
    if (!t)
        return -1;
    if (ttl_units ? ttl_from_text(t->text, t->len, &v)
                  : number_from_text(t->text, t->len, max, &v)) {
        snprintf(w->err, w->err_cap, "%s '%.*s' is not a number from 0 to %u", what, (int)t->len,
                 t->text, max);
        return -1;
    }
    for (int i = bytes - 1; i >= 0; i--)
        w->out[w->len++] = (uint8_t)(v >> (8 * i));
    return 0;
}

static int put_name(struct writer *w, const char *what)
{
    const struct token *t = next_field(w, what);
    const char *why = NULL;
    if (!t)
        return -1;
    size_t n = name_from_text(t->text, t->len, w->origin, w->out + w->len, &why);
    if (!n) {
        snprintf(w->err, w->err_cap, "bad %s '%.*s': %s", what, (int)t->len, t->text, why);
        return -1;
    }
    w->len += n;
    return 0;
}

static int put_string(struct writer *w, const struct token *t)
{
    const char *why = NULL;
    long n = unescape(t, w->out + w->len + 1, 255, &why);
    if (n < 0) {
        snprintf(w->err, w->err_cap, "bad character string '%.*s': %s", (int)t->len, t->text, why);
        return -1;
    }
    if (w->len + 1 + (size_t)n > 65535) {
        snprintf(w->err, w->err_cap, "rdata longer than 65535 bytes");
        return -1;
    }
    w->out[w->len] = (uint8_t)n;
    w->len += 1 + (size_t)n;
    return 0;
}

static int put_address(struct writer *w, int family)
{
    const struct token *t = next_field(w, family == AF_INET ? "IPv4 address" : "IPv6 address");
    char text[64];
    if (!t)
        return -1;
    if (t->len >= sizeof(text) || (memcpy(text, t->text, t->len), text[t->len] = 0,
                                   inet_pton(family, text, w->out + w->len) != 1)) {
        snprintf(w->err, w->err_cap, "'%.*s' is not an %s address", (int)t->len, t->text,
                 family == AF_INET ? "IPv4" : "IPv6");
        return -1;
    }
    w->len += family == AF_INET ? 4 : 16;
    return 0;
}

/* A wire name at P of at most LEN bytes, uncompressed; returns its length or 0. */
static size_t plain_name_len(const uint8_t *p, size_t len)
{
    size_t n = 0;
    while (n < len && p[n]) {
        if (p[n] > DNS_LABEL_MAX)
            return 0;
        n += (size_t)p[n] + 1;
    }
    if (n >= len || n + 1 > DNS_NAME_MAX)
        return 0;
    return n + 1;
}

/* RFC 3597 rdata of a type with names inside: the names must be plain; lowercases them. */
static int check_generic_names(uint16_t type, uint8_t *rd, size_t len)
{
    size_t at = 0, n;
    if (type == T_MX || type == T_SRV)
        at = type == T_MX ? 2 : 6;
    if (at > len || !(n = plain_name_len(rd + at, len - at)))
        return -1;
    name_lower(rd + at);
    at += n;
    if (type == T_SOA) {
        if (!(n = plain_name_len(rd + at, len - at)))
            return -1;
        name_lower(rd + at);
        at += n + 20;
    }
    return at == len ? 0 : -1;
}

static int generic_rdata(struct writer *w)
{
    uint32_t length;
    const struct token *t = next_field(w, "length after \\#");
    if (!t)
        return -1;
    if (number_from_text(t->text, t->len, 65535, &length)) {
        snprintf(w->err, w->err_cap, "\\# length '%.*s' is not a number from 0 to 65535",
                 (int)t->len, t->text);
        return -1;
    }
    int nibbles = 0;
    while (w->next < w->count) {
        t = &w->fields[w->next++];
        for (size_t i = 0; i < t->len; i++) {
            char c = t->text[i];
            int v = c >= '0' && c <= '9'                     ? c - '0'
                    : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10
                                                             : -1;
            if (v < 0) {
                snprintf(w->err, w->err_cap, "\\# data '%.*s' is not hexadecimal", (int)t->len,
                         t->text);
                return -1;
            }
            if (nibbles / 2 >= (int)length) {
                snprintf(w->err, w->err_cap, "\\# data is longer than its length %u", length);
                return -1;
            }
            if (nibbles % 2 == 0)
                w->out[nibbles / 2] = (uint8_t)(v << 4);
            else
                w->out[nibbles / 2] |= (uint8_t)v;
            nibbles++;
        }
    }
    if (nibbles != 2 * (int)length) {
        snprintf(w->err, w->err_cap, "\\# data has %d hex digits where its length %u needs %u",
                 nibbles, length, 2 * length);
        return -1;
    }
    w->len = length;
    int bad = 0;
    switch (w->type) {
    case T_A:
        bad = length != 4;
        break;
    case T_AAAA:
        bad = length != 16;
        break;
    case T_NS:
    case T_CNAME:
    case T_PTR:
    case T_MX:
    case T_SRV:
    case T_SOA:
        bad = check_generic_names(w->type, w->out, length) < 0;
        break;
    }
    if (bad) {
        snprintf(w->err, w->err_cap, "\\# data is not valid rdata for its type");
        return -1;
    }
    return 0;
}

int rdata_from_text(uint16_t type, const struct token *fields, int count, const uint8_t *origin,
                    uint8_t *out, char *err, size_t err_cap)
{
    struct writer w = {.out = out,
                       .fields = fields,
                       .count = count,
                       .type = type,
                       .origin = origin,
                       .err = err,
                       .err_cap = err_cap};
    int r = 0;
    if (count > 0 && !fields[0].quoted && fields[0].len == 2 &&
        memcmp(fields[0].text, "\\#", 2) == 0) {
        w.next = 1;
        return generic_rdata(&w) < 0 ? -1 : (int)w.len;
    }
    switch (type) {
    case T_A:
        r = put_address(&w, AF_INET);
        break;
    case T_AAAA:
        r = put_address(&w, AF_INET6);
        break;
    case T_NS:
    case T_CNAME:
    case T_PTR:
        r = put_name(&w, "target name");
        break;
    case T_MX:
        r = put_number(&w, "MX preference", 65535, 2, 0);
        r = r ? r : put_name(&w, "MX exchange name");
        break;
    case T_SRV:
        r = put_number(&w, "SRV priority", 65535, 2, 0);
        r = r ? r : put_number(&w, "SRV weight", 65535, 2, 0);
        r = r ? r : put_number(&w, "SRV port", 65535, 2, 0);
        r = r ? r : put_name(&w, "SRV target name");
        break;
    case T_SOA:
        r = put_name(&w, "SOA primary server name");
        r = r ? r : put_name(&w, "SOA mailbox name");
        r = r ? r : put_number(&w, "SOA serial", 0xFFFFFFFFu, 4, 0);
        r = r ? r : put_number(&w, "SOA refresh", 0x7FFFFFFF, 4, 1);
        r = r ? r : put_number(&w, "SOA retry", 0x7FFFFFFF, 4, 1);
        r = r ? r : put_number(&w, "SOA expire", 0x7FFFFFFF, 4, 1);
        r = r ? r : put_number(&w, "SOA minimum", 0x7FFFFFFF, 4, 1);
        break;
    case T_TXT:
        if (!next_field(&w, "TXT needs at least one character string"))
            return -1;
        for (w.next--; w.next < w.count && r == 0;)
            r = put_string(&w, &fields[w.next++]);
        break;
    case T_CAA: {
        r = put_number(&w, "CAA flags", 255, 1, 0);
        const struct token *tag = r ? NULL : next_field(&w, "CAA tag");
        if (!tag)
            return -1;
        int alnum = tag->len >= 1 && tag->len <= 15;
        for (size_t i = 0; alnum && i < tag->len; i++) {
            char c = tag->text[i] | 0x20;
            alnum = (c >= 'a' && c <= 'z') || (tag->text[i] >= '0' && tag->text[i] <= '9');
        }
        if (!alnum) {
            snprintf(err, err_cap, "CAA tag '%.*s' must be 1 to 15 letters or digits",
                     (int)tag->len, tag->text);
            return -1;
        }
        w.out[w.len++] = (uint8_t)tag->len;
        memcpy(w.out + w.len, tag->text, tag->len);
        w.len += tag->len;
        const struct token *value = next_field(&w, "CAA value");
        const char *why = NULL;
        long n = value ? unescape(value, w.out + w.len, 4096, &why) : -1;
        if (!value)
            return -1;
        if (n < 0) {
            snprintf(err, err_cap, "bad CAA value: %s", why);
            return -1;
        }
        w.len += (size_t)n;
        break;
    }
    default:
        snprintf(err, err_cap, "type %u needs its rdata in RFC 3597 form: \\# LENGTH HEX", type);
        return -1;
    }
    if (r)
        return -1;
    if (w.next < w.count) {
        snprintf(err, err_cap, "unexpected field '%.*s' after the rdata", (int)fields[w.next].len,
                 fields[w.next].text);
        return -1;
    }
    return (int)w.len;
}
