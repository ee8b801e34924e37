/* dns: the in-memory zone database: zones, owner-name nodes in a hash, RRsets in wire form. */
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "name.h"

enum {
    T_A = 1,
    T_NS = 2,
    T_CNAME = 5,
    T_SOA = 6,
    T_PTR = 12,
    T_MX = 15,
    T_TXT = 16,
    T_AAAA = 28,
    T_SRV = 33,
    T_OPT = 41,
    T_DS = 43,
    T_IXFR = 251,
    T_AXFR = 252,
    T_MAILB = 253,
    T_MAILA = 254,
    T_ANY = 255,
    T_CAA = 257,
};
enum { C_IN = 1, C_CH = 3, C_ANY = 255 };

#define DB_MAX_ZONES 256

struct rrset {
    uint16_t type;
    uint16_t count;
    uint32_t ttl;
    uint32_t first_rdata; /* index into db.rdatas */
};

struct rdata {
    uint32_t offset; /* into db.bytes */
    uint16_t length;
};

struct node {
    uint32_t name_offset; /* into db.bytes: lowercase wire name */
    uint16_t name_length;
    uint16_t zone;
    uint32_t first_rrset; /* index into db.rrsets */
    uint16_t rrset_count;
    uint8_t is_apex;
    uint8_t is_cut; /* has NS and is not the apex: a delegation */
};

struct zone {
    uint32_t apex;      /* node index */
    uint32_t soa_rrset; /* rrset index */
    uint32_t neg_ttl;   /* RFC 2308: min(SOA TTL, SOA MINIMUM) */
    char origin_text[DNS_NAME_MAX * 4 + 2];
};

struct db {
    uint8_t *bytes; /* names and rdata */
    size_t bytes_used, bytes_cap;
    struct node *nodes;
    uint32_t node_count, node_cap;
    struct rrset *rrsets;
    uint32_t rrset_count;
    struct rdata *rdatas;
    uint32_t rdata_count;
    uint32_t *hash; /* node index + 1, 0 = empty; size hash_mask + 1 */
    uint32_t hash_mask;
    struct zone zones[DB_MAX_ZONES];
    uint32_t zone_count;
    /* Records as parsed, before db_finish groups them; freed by db_finish. */
    struct pending_rr *pending;
    uint32_t pending_count, pending_cap;
    /* File names the pending records point at, for db_finish's messages. */
    char **files;
    uint32_t file_count;
};

/* Adds a zone whose apex is ORIGIN; returns its index or -1 when it exists or too many zones. */
int db_add_zone(struct db *db, const uint8_t *origin);
/* Adds one record to zone ZONE (OWNER at or below the origin); duplicates are dropped at
 * db_finish. Returns 0, or -1 when memory or a bound runs out. */
int db_add_record(struct db *db, int zone, const uint8_t *owner, uint16_t type, uint32_t ttl,
                  const uint8_t *rdata, size_t rdata_len, const char *file, uint32_t line);
/* Keeps a copy of a file name for the messages of db_finish; returns it, or NULL. */
const char *db_keep_file_name(struct db *db, const char *name);
/* Groups records into RRsets and nodes, adds empty non-terminals, builds the hash. Fills ERR
 * with a sentence and returns -1 for a zone without SOA, a CNAME beside other data, etc. */
int db_finish(struct db *db, char *err, size_t err_cap);
void db_free(struct db *db);

/* The zone holding NAME (the one with the longest origin), or -1. */
int db_find_zone(const struct db *db, const uint8_t *name, size_t len);
/* The node for NAME (lowercase wire, LEN bytes) in ZONE, or -1. */
int db_find_node(const struct db *db, int zone, const uint8_t *name, size_t len, uint32_t hash);
/* The RRset of TYPE at NODE, or NULL. */
const struct rrset *db_find_rrset(const struct db *db, int node, uint16_t type);

static inline const uint8_t *db_node_name(const struct db *db, int node)
{
    return db->bytes + db->nodes[node].name_offset;
}
static inline const uint8_t *db_rdata(const struct db *db, uint32_t index)
{
    return db->bytes + db->rdatas[index].offset;
}
