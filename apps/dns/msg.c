/* dns: building a response message: sections, records and name compression, all bounded. */
#include "msg.h"

#include <string.h>

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

void msg_remember_name(struct msg *m, const uint8_t *name, size_t offset)
{
    size_t len = name_wire_len(name);
    for (size_t s = 0; name[s] && offset + s < 0x4000; s += (size_t)name[s] + 1) {
        if (m->compress_count == MSG_COMPRESS_ENTRIES)
            return;
        m->compress[m->compress_count++] = (struct compress_entry){
            .name = name + s, .len = (uint16_t)(len - s), .offset = (uint16_t)(offset + s)};
    }
}

static int find_suffix(const struct msg *m, const uint8_t *suffix, size_t len)
{
    for (int i = 0; i < m->compress_count; i++)
        if (m->compress[i].len == len && memcmp(m->compress[i].name, suffix, len) == 0)
            return m->compress[i].offset;
    return -1;
}

int msg_put_name(struct msg *m, const uint8_t *name, int compress)
{
    size_t len = name_wire_len(name);
    size_t start = m->len;
    for (size_t s = 0;; s += (size_t)name[s] + 1) {
        int offset = name[s] && compress ? find_suffix(m, name + s, len - s) : -1;
        if (offset >= 0 || !name[s]) {
            size_t need = s + (offset >= 0 ? 2 : 1);
            if (m->len + need > m->limit)
                return -1;
            memcpy(m->buf + m->len, name, s);
            if (offset >= 0)
                put16(m->buf + m->len + s, (uint16_t)(0xC000 | offset));
            else
                m->buf[m->len + s] = 0;
            m->len += need;
            /* Only the labels written out in full can be pointed at later. */
            size_t keep = m->compress_count;
            msg_remember_name(m, name, start);
            for (size_t i = keep; i < (size_t)m->compress_count; i++)
                if (m->compress[i].offset >= start + s) {
                    m->compress_count = (int)i;
                    break;
                }
            return 0;
        }
    }
}

/* Writes one record's rdata, compressing the names RFC 1035 types carry (RFC 3597 4). */
static int put_rdata(struct msg *m, uint16_t type, const uint8_t *rd, size_t rd_len)
{
    size_t length_at = m->len;
    if (m->len + 2 > m->limit)
        return -1;
    m->len += 2;
    size_t fixed = 0, names = 0;
    int compress = 1;
    switch (type) {
    case T_NS:
    case T_CNAME:
    case T_PTR:
        names = 1;
        break;
    case T_MX:
        fixed = 2, names = 1;
        break;
    case T_SOA:
        names = 2;
        break;
    case T_SRV: /* RFC 2782: the target is never compressed, but later names may point to it */
        fixed = 6, names = 1, compress = 0;
        break;
    default:
        break;
    }
    if (names) {
        size_t at = 0;
        if (m->len + fixed > m->limit)
            return -1;
        memcpy(m->buf + m->len, rd, fixed);
        m->len += fixed;
        at = fixed;
        for (size_t i = 0; i < names; i++) {
            if (msg_put_name(m, rd + at, compress) < 0)
                return -1;
            at += name_wire_len(rd + at);
        }
        if (m->len + (rd_len - at) > m->limit)
            return -1;
        memcpy(m->buf + m->len, rd + at, rd_len - at);
        m->len += rd_len - at;
    } else {
        if (m->len + rd_len > m->limit)
            return -1;
        memcpy(m->buf + m->len, rd, rd_len);
        m->len += rd_len;
    }
    put16(m->buf + length_at, (uint16_t)(m->len - length_at - 2));
    return 0;
}

int msg_put_rrs(struct msg *m, const struct db *db, int section, const uint8_t *owner,
                const struct rrset *set, uint32_t first, uint32_t count, uint32_t ttl,
                uint16_t rr_class)
{
    size_t saved_len = m->len;
    int saved_compress = m->compress_count;
    for (uint32_t i = first; i < first + count; i++) {
        const struct rdata *rd = &db->rdatas[set->first_rdata + i];
        if (msg_put_name(m, owner, 1) < 0 || m->len + 8 > m->limit)
            goto no_room;
        uint8_t *p = m->buf + m->len;
        put16(p, set->type);
        put16(p + 2, rr_class);
        put16(p + 4, (uint16_t)(ttl >> 16));
        put16(p + 6, (uint16_t)ttl);
        m->len += 8;
        if (put_rdata(m, set->type, db->bytes + rd->offset, rd->length) < 0)
            goto no_room;
    }
    m->counts[section] = (uint16_t)(m->counts[section] + count);
    return 0;
no_room:
    m->len = saved_len;
    m->compress_count = saved_compress;
    return -1;
}

int msg_put_rrset(struct msg *m, const struct db *db, int section, const uint8_t *owner,
                  const struct rrset *set, uint32_t ttl, uint16_t rr_class)
{
    return msg_put_rrs(m, db, section, owner, set, 0, set->count, ttl, rr_class);
}
