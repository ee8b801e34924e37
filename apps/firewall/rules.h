/* The firewall's rule set as parsed from *.rules files: sets, chains with their policy and
 * first-match-wins rules, plus the interfaces and routes (kept in the frame engine). */
#ifndef FIREWALL_RULES_H
#define FIREWALL_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "engine.h"

#define FW_MAX_RULES  256
#define FW_MAX_RANGES 1024
#define FW_MAX_SETS   64
#define FW_NAME_MAX   32

enum fw_action { FW_ACCEPT, FW_DROP, FW_REJECT, FW_CONTINUE /* log alone */ };

/* Connection states a rule can match (bits of ct_mask). */
enum { CT_NEW = 1, CT_ESTABLISHED = 2, CT_RELATED = 4, CT_INVALID = 8 };

/* TCP flag bits as on the wire. */
enum { TCPF_FIN = 1, TCPF_SYN = 2, TCPF_RST = 4, TCPF_PSH = 8, TCPF_ACK = 16, TCPF_URG = 32 };

/* A slice of the range pool: addresses or ports, each element an inclusive [lo, hi]. */
struct fw_ranges {
    uint16_t first, count;
    uint8_t used, negate;
};

struct fw_range {
    uint32_t lo, hi;
};

struct fw_rule {
    int8_t in_if, out_if; /* engine interface index, -1: any */
    uint8_t proto;        /* 0: any */
    struct fw_ranges src, dst, sport, dport;
    int16_t icmp_type; /* -1: any */
    uint8_t flags_set, flags_clear;
    uint8_t ct_mask; /* 0: any state */
    uint8_t action;
    uint8_t log;
    unsigned line, col;
    const char *file; /* the rule file, as given to fw_parse (kept by the caller) */
    uint64_t packets, bytes;
};

struct fw_chain {
    int defined;
    enum fw_action policy;
    unsigned first, count; /* rules[first .. first+count) */
    unsigned line;
    uint64_t policy_packets;
};

struct fw_set {
    char name[FW_NAME_MAX];
    int is_ports;
    struct fw_ranges ranges;
    unsigned line, col;
    int used;
};

struct fw_ruleset {
    struct fw_chain chains[3]; /* HOOK_INPUT, HOOK_FORWARD, HOOK_OUTPUT */
    struct fw_rule rules[FW_MAX_RULES];
    unsigned nrules;
    struct fw_range ranges[FW_MAX_RANGES];
    unsigned nranges;
    struct fw_set sets[FW_MAX_SETS];
    unsigned nsets;
};

/* One finding of the parser or checker: `file:line:col: message` and a hint. */
struct fw_diag {
    char file[256];
    unsigned line, col;
    char message[160];
    char hint[160];
    int warning; /* unused sets: reported, not fatal */
};

#define FW_MAX_DIAGS 32

struct fw_diags {
    struct fw_diag items[FW_MAX_DIAGS];
    unsigned count, errors;
};

/* Parses rule text (file names the source for messages) into rs and the engine's interfaces and
 * routes. Every problem goes to diags; returns the number of errors (0: usable). */
unsigned fw_parse(const char *file, const char *text, struct fw_ruleset *rs, struct nf_engine *e,
                  struct fw_diags *diags);
/* Reports rules that an earlier rule of the same chain always takes first; returns how many. */
unsigned fw_check_shadowed(const struct fw_ruleset *rs, struct fw_diags *d);
/* Adds one diagnostic (printf-style message; hint may be NULL). */
void fw_diag_add(struct fw_diags *d, const char *file, unsigned line, unsigned col, int warning,
                 const char *hint, const char *fmt, ...) __attribute__((format(printf, 7, 8)));

#endif
