/* libFuzzer harness of the dns query path: any bytes as a query over UDP and TCP, answered from
 * the PoC zones; the response must decode and never exceed the transport's limit. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../apps/dns/query.h"
#include "../../apps/dns/zone.h"

static struct db db;
static struct dns_server_config cfg;
static struct dns_stats stats;
static uint8_t out[65536], first[65536];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    static const char *zones[] = {"apps/dns/rootfs/zones/poc.test.zone",
                                  "apps/dns/rootfs/zones/10.0.0.rev.zone",
                                  "tests/e2e/dns/zones/diff.test.zone"};
    char err[4096];
    for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
        if (zone_load(&db, zones[i], err, sizeof(err)) < 0) {
            fprintf(stderr, "fuzz_dns_query: %s (run from the repository root)\n", err);
            abort();
        }
    }
    if (db_finish(&db, err, sizeof(err)) < 0) {
        fprintf(stderr, "fuzz_dns_query: %s\n", err);
        abort();
    }
    cfg.db = &db;
    cfg.stats_query = 1;
    return 0;
}

static void check_response(const uint8_t *query, size_t query_len, size_t len, size_t limit)
{
    if (len == 0)
        return;
    if (len < 12 || len > limit)
        abort();
    /* Bad input never gets a reply larger than itself. */
    int rcode = out[3] & 0xF;
    if ((rcode == RCODE_FORMERR || rcode == RCODE_NOTIMP) && len > query_len)
        abort();
    if (memcmp(out, query, 2) != 0 || !(out[2] & 0x80))
        abort();
    size_t pos = 12;
    uint8_t name[DNS_NAME_MAX];
    unsigned records = 0;
    for (int i = 0; i < 4; i++)
        records += (unsigned)((out[4 + 2 * i] << 8) | out[5 + 2 * i]);
    unsigned questions = (unsigned)((out[4] << 8) | out[5]);
    for (unsigned i = 0; i < records; i++) {
        if (!name_read(out, len, &pos, name, 0))
            abort();
        pos += i < questions ? 4 : 10 + (size_t)((out[pos + 8] << 8) | out[pos + 9]);
        if (pos > len)
            abort();
    }
    if (pos != len)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65535)
        return 0;
    size_t len = dns_answer(&cfg, &stats, data, size, out, 0);
    check_response(data, size, len, DNS_EDNS_SIZE);
    len = dns_answer(&cfg, &stats, data, size, out, 1);
    check_response(data, size, len, 65535);
    /* The same question twice (the second from the response cache) gets the same bytes; the
     * counters query is left out, since its answer changes with every query. */
    struct dns_server_config no_stats = cfg;
    no_stats.stats_query = 0;
    len = dns_answer(&no_stats, &stats, data, size, first, 0);
    size_t again = dns_answer(&no_stats, &stats, data, size, out, 0);
    if (again != len || memcmp(first, out, len) != 0)
        abort();
    return 0;
}
