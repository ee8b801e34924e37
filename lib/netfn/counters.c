/* Names of the drop reasons, as printed with the counters. */
#include "counters.h"

const char *nf_drop_name(enum nf_drop reason)
{
    static const char *const names[DROP_COUNT] = {
        [DROP_RUNT] = "runt",
        [DROP_NOT_FOR_US] = "not_for_us",
        [DROP_ETHERTYPE] = "ethertype",
        [DROP_ARP_MALFORMED] = "arp_malformed",
        [DROP_IP_MALFORMED] = "ip_malformed",
        [DROP_IP_CHECKSUM] = "ip_checksum",
        [DROP_MARTIAN] = "martian_source",
        [DROP_NO_FORWARD] = "not_forwardable",
        [DROP_TTL] = "ttl_expired",
        [DROP_NO_ROUTE] = "no_route",
        [DROP_FRAG_NEEDED] = "frag_needed",
        [DROP_ARP_QUEUE] = "arp_unresolved",
        [DROP_FILTER] = "filtered",
        [DROP_REJECT] = "rejected",
        [DROP_LOCAL] = "local_unanswered",
        [DROP_TX] = "tx_failed",
    };
    return (unsigned)reason < DROP_COUNT ? names[reason] : "?";
}
