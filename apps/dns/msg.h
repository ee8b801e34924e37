/* dns: building a response message: sections, records and name compression, all bounded. */
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "db.h"

#define MSG_COMPRESS_ENTRIES 96

struct compress_entry {
    const uint8_t *name; /* lowercase wire suffix, stable while the message is built */
    uint16_t len;
    uint16_t offset;
};

struct msg {
    uint8_t *buf;
    size_t len, limit;
    uint16_t counts[3]; /* answer, authority, additional */
    int compress_count;
    struct compress_entry compress[MSG_COMPRESS_ENTRIES];
};

/* A point to roll back to when a record set does not fit. */
struct msg_mark {
    size_t len;
    int compress_count;
    uint16_t count;
};

enum { SECTION_ANSWER = 0, SECTION_AUTHORITY = 1, SECTION_ADDITIONAL = 2 };

/* Remembers NAME (lowercase, stable) as written at OFFSET, and each of its suffixes. */
void msg_remember_name(struct msg *m, const uint8_t *name, size_t offset);
/* Writes NAME (lowercase wire), pointing at an earlier copy of a suffix when COMPRESS. */
int msg_put_name(struct msg *m, const uint8_t *name, int compress);
/* Appends every record of SET with owner OWNER (lowercase wire) to SECTION, TTL given. Returns 0,
 * or -1 when they do not all fit (the message is then as before the call). */
int msg_put_rrset(struct msg *m, const struct db *db, int section, const uint8_t *owner,
                  const struct rrset *set, uint32_t ttl, uint16_t rr_class);
/* Appends the records of SET numbered FIRST..FIRST+COUNT-1 only. */
int msg_put_rrs(struct msg *m, const struct db *db, int section, const uint8_t *owner,
                const struct rrset *set, uint32_t first, uint32_t count, uint32_t ttl,
                uint16_t rr_class);
