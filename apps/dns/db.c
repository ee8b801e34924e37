/* dns: the in-memory zone database: zones, owner-name nodes in a hash, RRsets in wire form. */
#include "db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bounds that keep a hostile or broken zone from exhausting memory. */
#define DB_MAX_BYTES   (256u << 20)
#define DB_MAX_RECORDS (4u << 20)

struct pending_rr {
    uint32_t owner_offset, rdata_offset;
    uint16_t owner_length, rdata_length;
    uint16_t zone, type;
    uint32_t ttl, line;
    const char *file;
};

static long store_bytes(struct db *db, const void *data, size_t len)
{
    if (db->bytes_used + len > db->bytes_cap) {
        size_t cap = db->bytes_cap ? db->bytes_cap : 65536;
        while (cap < db->bytes_used + len)
            cap *= 2;
        if (cap > DB_MAX_BYTES)
            return -1;
        uint8_t *grown = realloc(db->bytes, cap);
        if (!grown)
            return -1;
        db->bytes = grown;
        db->bytes_cap = cap;
    }
    memcpy(db->bytes + db->bytes_used, data, len);
    db->bytes_used += len;
    return (long)(db->bytes_used - len);
}

const char *db_keep_file_name(struct db *db, const char *name)
{
    char **grown = realloc(db->files, (db->file_count + 1) * sizeof(*grown));
    if (!grown)
        return NULL;
    db->files = grown;
    char *copy = strdup(name);
    if (!copy)
        return NULL;
    db->files[db->file_count++] = copy;
    return copy;
}

int db_add_zone(struct db *db, const uint8_t *origin)
{
    size_t len = name_wire_len(origin);
    for (uint32_t z = 0; z < db->zone_count; z++) {
        /* Until db_finish, apex holds the byte offset of the origin. */
        const uint8_t *other = db->bytes + db->zones[z].apex;
        if (name_wire_len(other) == len && memcmp(other, origin, len) == 0)
            return -1;
    }
    if (db->zone_count >= DB_MAX_ZONES)
        return -1;
    long at = store_bytes(db, origin, len);
    if (at < 0)
        return -1;
    struct zone *zone = &db->zones[db->zone_count];
    memset(zone, 0, sizeof(*zone));
    zone->apex = (uint32_t)at;
    name_to_text(origin, zone->origin_text, sizeof(zone->origin_text));
    return (int)db->zone_count++;
}

int db_add_record(struct db *db, int zone, const uint8_t *owner, uint16_t type, uint32_t ttl,
                  const uint8_t *rdata, size_t rdata_len, const char *file, uint32_t line)
{
    if (db->pending_count >= DB_MAX_RECORDS || rdata_len > 65535)
        return -1;
    if (db->pending_count == db->pending_cap) {
        uint32_t cap = db->pending_cap ? db->pending_cap * 2 : 1024;
        struct pending_rr *grown = realloc(db->pending, cap * sizeof(*grown));
        if (!grown)
            return -1;
        db->pending = grown;
        db->pending_cap = cap;
    }
    size_t owner_len = name_wire_len(owner);
    long owner_at = store_bytes(db, owner, owner_len);
    long rdata_at = store_bytes(db, rdata, rdata_len);
    if (owner_at < 0 || rdata_at < 0)
        return -1;
    db->pending[db->pending_count++] = (struct pending_rr){
        .owner_offset = (uint32_t)owner_at,
        .owner_length = (uint16_t)owner_len,
        .rdata_offset = (uint32_t)rdata_at,
        .rdata_length = (uint16_t)rdata_len,
        .zone = (uint16_t)zone,
        .type = type,
        .ttl = ttl,
        .line = line,
        .file = file,
    };
    return 0;
}

/* qsort has no context argument in C11: the comparison reads the bytes through this. */
static const uint8_t *sort_bytes;

static int compare_bytes(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len)
{
    int c = memcmp(a, b, a_len < b_len ? a_len : b_len);
    if (c)
        return c;
    return (a_len > b_len) - (a_len < b_len);
}

static int compare_pending(const void *pa, const void *pb)
{
    const struct pending_rr *a = pa, *b = pb;
    if (a->zone != b->zone)
        return a->zone < b->zone ? -1 : 1;
    int c = compare_bytes(sort_bytes + a->owner_offset, a->owner_length,
                          sort_bytes + b->owner_offset, b->owner_length);
    if (c)
        return c;
    if (a->type != b->type)
        return a->type < b->type ? -1 : 1;
    c = compare_bytes(sort_bytes + a->rdata_offset, a->rdata_length, sort_bytes + b->rdata_offset,
                      b->rdata_length);
    if (c)
        return c;
    /* Earlier lines first, so an RRset takes the TTL of its first record in the file. */
    if (a->file != b->file)
        return a->file < b->file ? -1 : 1;
    return (a->line > b->line) - (a->line < b->line);
}

static uint32_t slot_hash(int zone, const uint8_t *name, size_t len)
{
    return name_hash(name, len) ^ ((uint32_t)zone * 0x9E3779B1u);
}

int db_find_node(const struct db *db, int zone, const uint8_t *name, size_t len, uint32_t hash)
{
    uint32_t slot = (hash ^ ((uint32_t)zone * 0x9E3779B1u)) & db->hash_mask;
    for (;;) {
        uint32_t entry = db->hash[slot];
        if (!entry)
            return -1;
        const struct node *node = &db->nodes[entry - 1];
        if (node->zone == zone && node->name_length == len &&
            memcmp(db->bytes + node->name_offset, name, len) == 0)
            return (int)(entry - 1);
        slot = (slot + 1) & db->hash_mask;
    }
}

static int new_node(struct db *db, int zone, uint32_t name_offset, uint16_t name_length)
{
    if (db->node_count == db->node_cap)
        return -1;
    uint32_t index = db->node_count++;
    db->nodes[index] = (struct node){
        .name_offset = name_offset, .name_length = name_length, .zone = (uint16_t)zone};
    uint32_t slot = slot_hash(zone, db->bytes + name_offset, name_length) & db->hash_mask;
    while (db->hash[slot])
        slot = (slot + 1) & db->hash_mask;
    db->hash[slot] = index + 1;
    return (int)index;
}

const struct rrset *db_find_rrset(const struct db *db, int node, uint16_t type)
{
    const struct node *n = &db->nodes[node];
    for (uint32_t i = 0; i < n->rrset_count; i++)
        if (db->rrsets[n->first_rrset + i].type == type)
            return &db->rrsets[n->first_rrset + i];
    return NULL;
}

int db_find_zone(const struct db *db, const uint8_t *name, size_t len)
{
    int best = -1;
    size_t best_len = 0;
    for (uint32_t z = 0; z < db->zone_count; z++) {
        const struct node *apex = &db->nodes[db->zones[z].apex];
        if (apex->name_length > len || (best >= 0 && apex->name_length < best_len))
            continue;
        if (name_is_below_or_equal(name, db->bytes + apex->name_offset)) {
            best = (int)z;
            best_len = apex->name_length;
        }
    }
    return best;
}

static int fail(char *err, size_t cap, const struct pending_rr *rr, const char *what)
{
    if (rr)
        snprintf(err, cap, "%s:%u: %s", rr->file, rr->line, what);
    else
        snprintf(err, cap, "%s", what);
    return -1;
}

/* Checks one node's RRsets for what RFC 1034 and 2181 forbid. */
static int check_node(struct db *db, int index, const struct pending_rr *first_rr, char *err,
                      size_t cap)
{
    struct node *node = &db->nodes[index];
    int has_cname = 0;
    for (uint32_t i = 0; i < node->rrset_count; i++) {
        const struct rrset *set = &db->rrsets[node->first_rrset + i];
        if (set->type == T_CNAME) {
            has_cname = 1;
            if (set->count > 1)
                return fail(err, cap, first_rr, "more than one CNAME record at one name");
        }
        if (set->type == T_SOA && !node->is_apex)
            return fail(err, cap, first_rr, "SOA record below the zone origin");
        if (set->type == T_SOA && set->count > 1)
            return fail(err, cap, first_rr, "more than one SOA record at the zone origin");
        if (set->type == T_NS && !node->is_apex)
            node->is_cut = 1;
    }
    if (has_cname && node->is_apex)
        return fail(err, cap, first_rr, "CNAME at the zone origin");
    if (has_cname && node->rrset_count > 1)
        return fail(err, cap, first_rr, "CNAME and other data at the same name (RFC 1034 3.6.2)");
    return 0;
}

int db_finish(struct db *db, char *err, size_t cap)
{
    sort_bytes = db->bytes;
    if (db->pending_count)
        qsort(db->pending, db->pending_count, sizeof(*db->pending), compare_pending);

    /* Upper bound of nodes: every record's owner and each of its ancestors, plus the apexes. */
    size_t bound = db->zone_count;
    for (uint32_t i = 0; i < db->pending_count; i++)
        bound += (size_t)name_label_count(db->bytes + db->pending[i].owner_offset) + 1;
    size_t slots = 16;
    while (slots < bound * 2)
        slots *= 2;
    db->hash = calloc(slots, sizeof(*db->hash));
    db->hash_mask = (uint32_t)(slots - 1);
    db->nodes = calloc(bound, sizeof(*db->nodes));
    db->node_cap = (uint32_t)bound;
    db->rrsets = calloc(db->pending_count + 1, sizeof(*db->rrsets));
    db->rdatas = calloc(db->pending_count + 1, sizeof(*db->rdatas));
    if (!db->hash || !db->nodes || !db->rrsets || !db->rdatas)
        return fail(err, cap, NULL, "out of memory while indexing the zones");

    /* Apexes first, so that each zone's apex exists even before its records are seen. */
    for (uint32_t z = 0; z < db->zone_count; z++) {
        uint32_t origin_offset = db->zones[z].apex;
        int apex =
            new_node(db, (int)z, origin_offset, (uint16_t)name_wire_len(db->bytes + origin_offset));
        db->nodes[apex].is_apex = 1;
        db->zones[z].apex = (uint32_t)apex;
    }

    for (uint32_t i = 0; i < db->pending_count;) {
        const struct pending_rr *rr = &db->pending[i];
        const uint8_t *owner = db->bytes + rr->owner_offset;
        uint32_t hash = name_hash(owner, rr->owner_length);
        int index = db_find_node(db, rr->zone, owner, rr->owner_length, hash);
        if (index < 0)
            index = new_node(db, rr->zone, rr->owner_offset, rr->owner_length);
        struct node *node = &db->nodes[index];
        node->first_rrset = db->rrset_count;
        uint32_t j = i;
        /* Every RRset of this owner. */
        while (j < db->pending_count && db->pending[j].zone == rr->zone &&
               db->pending[j].owner_length == rr->owner_length &&
               memcmp(db->bytes + db->pending[j].owner_offset, owner, rr->owner_length) == 0) {
            const struct pending_rr *head = &db->pending[j];
            struct rrset *set = &db->rrsets[db->rrset_count++];
            *set = (struct rrset){
                .type = head->type, .ttl = head->ttl, .first_rdata = db->rdata_count};
            const struct pending_rr *previous = NULL;
            while (j < db->pending_count && db->pending[j].zone == rr->zone &&
                   db->pending[j].owner_length == rr->owner_length &&
                   db->pending[j].type == head->type &&
                   memcmp(db->bytes + db->pending[j].owner_offset, owner, rr->owner_length) == 0) {
                const struct pending_rr *cur = &db->pending[j++];
                /* RFC 2181 5: duplicate records are one record. */
                if (previous && previous->rdata_length == cur->rdata_length &&
                    memcmp(db->bytes + previous->rdata_offset, db->bytes + cur->rdata_offset,
                           cur->rdata_length) == 0)
                    continue;
                if (set->count == 65535)
                    return fail(err, cap, cur, "more than 65535 records in one RRset");
                db->rdatas[db->rdata_count++] =
                    (struct rdata){.offset = cur->rdata_offset, .length = cur->rdata_length};
                set->count++;
                previous = cur;
            }
            node->rrset_count++;
        }
        /* Problems are reported at the node's last record in the file: the one that conflicts. */
        const struct pending_rr *last = rr;
        for (uint32_t k = i; k < j; k++)
            if (db->pending[k].line > last->line)
                last = &db->pending[k];
        if (check_node(db, index, last, err, cap) < 0)
            return -1;
        i = j;
    }

    for (uint32_t z = 0; z < db->zone_count; z++) {
        struct zone *zone = &db->zones[z];
        const struct rrset *soa = db_find_rrset(db, (int)zone->apex, T_SOA);
        if (!soa) {
            snprintf(err, cap, "zone %s: no SOA record at the zone origin", zone->origin_text);
            return -1;
        }
        zone->soa_rrset = (uint32_t)(soa - db->rrsets);
        const struct rdata *rd = &db->rdatas[soa->first_rdata];
        const uint8_t *minimum = db->bytes + rd->offset + rd->length - 4;
        uint32_t min_ttl = ((uint32_t)minimum[0] << 24) | ((uint32_t)minimum[1] << 16) |
                           ((uint32_t)minimum[2] << 8) | minimum[3];
        zone->neg_ttl = soa->ttl < min_ttl ? soa->ttl : min_ttl;
    }

    /* Empty non-terminals: every ancestor of an owner, up to its apex, is a node. */
    uint32_t owners = db->node_count;
    for (uint32_t n = 0; n < owners; n++) {
        int zone = db->nodes[n].zone;
        size_t apex_len = db->nodes[db->zones[zone].apex].name_length;
        uint32_t offset = db->nodes[n].name_offset;
        size_t len = db->nodes[n].name_length;
        while (len > apex_len) {
            size_t label = db->bytes[offset] + 1u;
            offset += (uint32_t)label;
            len -= label;
            if (len <= apex_len)
                break;
            if (db_find_node(db, zone, db->bytes + offset, len,
                             name_hash(db->bytes + offset, len)) >= 0)
                break;
            if (new_node(db, zone, offset, (uint16_t)len) < 0)
                return fail(err, cap, NULL, "too many names");
        }
    }
    free(db->pending);
    db->pending = NULL;
    db->pending_count = db->pending_cap = 0;
    return 0;
}

void db_free(struct db *db)
{
    free(db->bytes);
    free(db->nodes);
    free(db->rrsets);
    free(db->rdatas);
    free(db->hash);
    free(db->pending);
    for (uint32_t i = 0; i < db->file_count; i++)
        free(db->files[i]);
    free(db->files);
    memset(db, 0, sizeof(*db));
}
