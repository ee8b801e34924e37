/* dns: a fixed-size cache of complete UDP responses, so repeated questions skip the lookup. */
#include "cache.h"

#include <string.h>

#include "name.h"

struct cache_entry {
    struct cache_key key;
    uint16_t len; /* 0: empty */
    uint8_t response[CACHE_MAX_RESPONSE];
};

/* Static, so that the UDP path allocates nothing; direct-mapped by the key's hash. */
static struct cache_entry entries[CACHE_ENTRIES];

void cache_key_make(struct cache_key *key, const uint8_t *qname, size_t qname_len, uint16_t qtype,
                    int edns, int edns_do, size_t limit)
{
    memcpy(key->bytes, qname, qname_len);
    uint8_t *p = key->bytes + qname_len;
    p[0] = (uint8_t)(qtype >> 8);
    p[1] = (uint8_t)qtype;
    p[2] = (uint8_t)((edns ? 1 : 0) | (edns_do ? 2 : 0));
    p[3] = (uint8_t)(limit >> 8);
    p[4] = (uint8_t)limit;
    key->len = (uint16_t)(qname_len + 5);
    key->hash = name_hash(key->bytes, key->len);
}

size_t cache_get(const struct cache_key *key, uint8_t *out)
{
    const struct cache_entry *e = &entries[key->hash % CACHE_ENTRIES];
    if (!e->len || e->key.hash != key->hash || e->key.len != key->len ||
        memcmp(e->key.bytes, key->bytes, key->len) != 0)
        return 0;
    memcpy(out, e->response, e->len);
    return e->len;
}

void cache_put(const struct cache_key *key, const uint8_t *response, size_t len)
{
    if (len > CACHE_MAX_RESPONSE)
        return;
    struct cache_entry *e = &entries[key->hash % CACHE_ENTRIES];
    e->key = *key;
    memcpy(e->response, response, len);
    e->len = (uint16_t)len;
}
