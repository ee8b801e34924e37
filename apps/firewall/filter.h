/* The firewall's filter: the engine's hook that tracks connections and runs the chains. */
#ifndef FIREWALL_FILTER_H
#define FIREWALL_FILTER_H

#include <stdio.h>

#include "conntrack.h"
#include "engine.h"
#include "rules.h"

struct firewall {
    struct fw_ruleset rules;
    struct conntrack ct;
    struct nf_engine *engine;
    uint64_t untrackable; /* fragments hiding their header, truncated headers: dropped */
    uint64_t last_expire_ms;
    FILE *log;
};

void fw_init(struct firewall *fw, struct nf_engine *e);
enum nf_verdict fw_filter(void *ctx, const struct nf_packet *p, uint64_t now_ms);
/* Prints per-rule, per-policy, per-state and conntrack counters. */
void fw_print_counters(void *ctx, FILE *out);

#endif
