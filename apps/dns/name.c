/* dns: domain names in canonical lowercase wire form: text parsing, decompression, comparison. */
#include "name.h"

#include <stdio.h>
#include <string.h>

static uint8_t lower_byte(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

size_t name_from_text(const char *text, size_t len, const uint8_t *origin, uint8_t *out,
                      const char **err)
{
    if (len == 1 && text[0] == '@') {
        if (!origin) {
            *err = "'@' used before any $ORIGIN (add $ORIGIN or use absolute names)";
            return 0;
        }
        size_t n = name_wire_len(origin);
        memcpy(out, origin, n);
        return n;
    }
    if (len == 1 && text[0] == '.') {
        out[0] = 0;
        return 1;
    }
    size_t pos = 0, label_start = 0, i = 0;
    int absolute = 0;
    out[pos++] = 0; /* the length of the first label, filled in below */
    while (i < len) {
        uint8_t c = (uint8_t)text[i++];
        if (c == '.') {
            size_t label_len = pos - label_start - 1;
            if (label_len == 0) {
                *err = "empty label in name (two dots in a row or a leading dot)";
                return 0;
            }
            out[label_start] = (uint8_t)label_len;
            if (i == len) {
                absolute = 1;
                break;
            }
            label_start = pos;
            if (pos >= DNS_NAME_MAX) {
                *err = "name longer than 255 bytes";
                return 0;
            }
            out[pos++] = 0;
            continue;
        }
        if (c == '\\') {
            if (i >= len) {
                *err = "name ends with a lone backslash";
                return 0;
            }
            if (text[i] >= '0' && text[i] <= '9') {
                if (i + 3 > len || text[i + 1] < '0' || text[i + 1] > '9' || text[i + 2] < '0' ||
                    text[i + 2] > '9') {
                    *err = "escape \\DDD needs exactly three decimal digits";
                    return 0;
                }
                int value = (text[i] - '0') * 100 + (text[i + 1] - '0') * 10 + (text[i + 2] - '0');
                if (value > 255) {
                    *err = "escape \\DDD above 255";
                    return 0;
                }
                c = (uint8_t)value;
                i += 3;
            } else {
                c = (uint8_t)text[i++];
            }
        }
        if (pos - label_start - 1 >= DNS_LABEL_MAX) {
            *err = "label longer than 63 bytes";
            return 0;
        }
        if (pos >= DNS_NAME_MAX - 1) {
            *err = "name longer than 255 bytes";
            return 0;
        }
        out[pos++] = lower_byte(c);
    }
    if (!absolute) {
        size_t label_len = pos - label_start - 1;
        if (label_len == 0) {
            *err = "empty name";
            return 0;
        }
        out[label_start] = (uint8_t)label_len;
        if (!origin) {
            *err = "relative name before any $ORIGIN (add $ORIGIN or end the name with a dot)";
            return 0;
        }
        size_t origin_len = name_wire_len(origin);
        if (pos + origin_len > DNS_NAME_MAX) {
            *err = "name longer than 255 bytes once the origin is appended";
            return 0;
        }
        memcpy(out + pos, origin, origin_len);
        return pos + origin_len;
    }
    out[pos++] = 0;
    return pos;
}

size_t name_read(const uint8_t *msg, size_t len, size_t *pos, uint8_t *out, int lower)
{
    size_t at = *pos, written = 0, end = 0;
    /* Every pointer must go below the start of the label that holds it, so at most len jumps. */
    size_t limit = at;
    int jumped = 0;
    for (;;) {
        if (at >= len)
            return 0;
        uint8_t c = msg[at];
        if ((c & 0xC0) == 0xC0) {
            if (at + 1 >= len)
                return 0;
            size_t target = ((size_t)(c & 0x3F) << 8) | msg[at + 1];
            if (target >= limit)
                return 0; /* a forward pointer or a loop */
            if (!jumped)
                end = at + 2;
            jumped = 1;
            limit = target;
            at = target;
            continue;
        }
        if (c & 0xC0)
            return 0; /* the 0x40 and 0x80 label types are obsolete or unassigned */
        if (c == 0) {
            if (written + 1 > DNS_NAME_MAX)
                return 0;
            out[written++] = 0;
            if (!jumped)
                end = at + 1;
            break;
        }
        if (at + 1 + c > len || written + 1 + c + 1 > DNS_NAME_MAX)
            return 0;
        out[written++] = c;
        for (size_t k = 0; k < c; k++)
            out[written++] = lower ? lower_byte(msg[at + 1 + k]) : msg[at + 1 + k];
        at += 1 + (size_t)c;
    }
    *pos = end;
    return written;
}

size_t name_wire_len(const uint8_t *name)
{
    size_t n = 0;
    while (name[n])
        n += (size_t)name[n] + 1;
    return n + 1;
}

int name_label_count(const uint8_t *name)
{
    int count = 0;
    for (size_t n = 0; name[n]; n += (size_t)name[n] + 1)
        count++;
    return count;
}

int name_label_offsets(const uint8_t *name, uint8_t offsets[DNS_LABELS_MAX])
{
    int count = 0;
    for (size_t n = 0; name[n]; n += (size_t)name[n] + 1)
        offsets[count++] = (uint8_t)n;
    return count;
}

int name_is_below_or_equal(const uint8_t *name, const uint8_t *parent)
{
    size_t name_len = name_wire_len(name), parent_len = name_wire_len(parent);
    if (parent_len > name_len)
        return 0;
    /* Walk label by label so that "xexample.com" is not taken for being below "example.com". */
    for (size_t n = 0;; n += (size_t)name[n] + 1) {
        if (name_len - n == parent_len)
            return memcmp(name + n, parent, parent_len) == 0;
        if (name_len - n < parent_len || !name[n])
            return 0;
    }
}

uint32_t name_hash(const uint8_t *name, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ name[i]) * 16777619u;
    return h;
}

void name_to_text(const uint8_t *name, char *out, size_t cap)
{
    size_t o = 0;
    if (cap == 0)
        return;
    if (!name[0]) {
        snprintf(out, cap, ".");
        return;
    }
    for (size_t n = 0; name[n]; n += (size_t)name[n] + 1) {
        for (size_t k = 1; k <= name[n]; k++) {
            uint8_t c = name[n + k];
            char piece[5];
            if (c == '.' || c == '\\' || c == '"' || c == ';' || c == '(' || c == ')')
                snprintf(piece, sizeof(piece), "\\%c", c);
            else if (c <= 32 || c >= 127)
                snprintf(piece, sizeof(piece), "\\%03u", c);
            else
                snprintf(piece, sizeof(piece), "%c", c);
            for (char *p = piece; *p && o + 1 < cap; p++)
                out[o++] = *p;
        }
        if (o + 1 < cap)
            out[o++] = '.';
    }
    out[o] = 0;
}

void name_lower(uint8_t *name)
{
    for (size_t n = 0; name[n]; n += (size_t)name[n] + 1)
        for (size_t k = 1; k <= name[n]; k++)
            name[n + k] = lower_byte(name[n + k]);
}
