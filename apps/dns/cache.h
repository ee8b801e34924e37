/* dns: a fixed-size cache of complete UDP responses, so repeated questions skip the lookup. */
#pragma once
#include <stddef.h>
#include <stdint.h>

#define CACHE_ENTRIES      1024
#define CACHE_MAX_RESPONSE 512
#define CACHE_KEY_MAX      (255 + 5)

/* What a cached response depends on besides the zones: the lowercase question name, its type,
 * whether the query had EDNS and the DO bit, and the size limit the response was built for. */
struct cache_key {
    uint8_t bytes[CACHE_KEY_MAX];
    uint16_t len;
    uint32_t hash;
};

/* Builds the key; QNAME is the lowercase wire name of QNAME_LEN bytes. */
void cache_key_make(struct cache_key *key, const uint8_t *qname, size_t qname_len, uint16_t qtype,
                    int edns, int edns_do, size_t limit);
/* Copies the cached response for KEY into OUT and returns its length, or 0 when there is none. */
size_t cache_get(const struct cache_key *key, uint8_t *out);
/* Stores RESPONSE (LEN bytes; ignored above CACHE_MAX_RESPONSE) under KEY, replacing the entry
 * that held its slot. */
void cache_put(const struct cache_key *key, const uint8_t *response, size_t len);
