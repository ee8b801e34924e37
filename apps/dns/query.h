/* dns: answering one query message: parsing it, the lookup (RFC 1034 4.3.2) and the response. */
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "db.h"

/* The UDP payload size this server advertises and uses when the client offers more (RFC 6891,
 * the 2020 DNS flag day's 1232 bytes). */
#define DNS_EDNS_SIZE 1232
#define DNS_MAX_QUERY 65535

enum {
    RCODE_NOERROR = 0,
    RCODE_FORMERR = 1,
    RCODE_SERVFAIL = 2,
    RCODE_NXDOMAIN = 3,
    RCODE_NOTIMP = 4,
    RCODE_REFUSED = 5,
    RCODE_BADVERS = 16,
};

struct dns_stats {
    uint64_t queries, udp, tcp;
    uint64_t rcodes[17]; /* by response code, BADVERS at 16 */
    uint64_t dropped;    /* malformed or a response: no reply at all */
    uint64_t truncated;  /* TC=1 over UDP */
};

struct dns_server_config {
    const struct db *db;
    int stats_query; /* answer CH TXT stats.atoll. with the counters */
};

/* Answers QUERY (LEN bytes) into OUT (at least 65535 bytes for TCP, DNS_EDNS_SIZE otherwise).
 * Returns the response length, or 0 when nothing must be sent. */
size_t dns_answer(const struct dns_server_config *cfg, struct dns_stats *stats,
                  const uint8_t *query, size_t len, uint8_t *out, int over_tcp);

/* Writes the counters as "name=value" words separated by spaces into OUT. */
void dns_stats_format(const struct dns_stats *stats, char *out, size_t cap);
