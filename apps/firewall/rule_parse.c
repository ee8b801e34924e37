/* One rule inside a chain block: matches, then an action.
 *   [in IF] [out IF] [proto tcp|udp|icmp] [src [!]ADDR|$set] [dst [!]ADDR|$set]
 *   [sport PORT|$set] [dport PORT|$set] [type ICMPTYPE] [flags F,!F...] [ct STATE,...]
 *   [log] accept|drop|reject      (or `log` alone: log and go on) */
#include "parse_util.h"
#include "rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct name_value {
    const char *name;
    int value;
};

static const struct name_value icmp_types[] = {
    {"echo-reply", 0},         {"unreachable", 3},
    {"source-quench", 4},      {"redirect", 5},
    {"echo-request", 8},       {"time-exceeded", 11},
    {"parameter-problem", 12}, {"timestamp-request", 13},
    {"timestamp-reply", 14},   {NULL, 0},
};

static const struct name_value tcp_flags[] = {
    {"fin", TCPF_FIN}, {"syn", TCPF_SYN}, {"rst", TCPF_RST}, {"psh", TCPF_PSH},
    {"ack", TCPF_ACK}, {"urg", TCPF_URG}, {NULL, 0},
};

static const struct name_value ct_states[] = {
    {"new", CT_NEW},
    {"established", CT_ESTABLISHED},
    {"related", CT_RELATED},
    {"invalid", CT_INVALID},
    {NULL, 0},
};

static int lookup(const struct name_value *table, const char *name)
{
    for (int i = 0; table[i].name; i++) {
        if (!strcmp(table[i].name, name))
            return table[i].value;
    }
    return -1;
}

struct rule_parser {
    const char *file;
    unsigned line;
    struct token *t;
    unsigned n, i;
    struct fw_ruleset *rs;
    struct nf_engine *e;
    struct fw_diags *d;
    int failed;
};

#define RERR(r, tok, hint, ...)                                                                    \
    do {                                                                                           \
        fw_diag_add((r)->d, (r)->file, (r)->line, (tok)->col, 0, hint, __VA_ARGS__);               \
        (r)->failed = 1;                                                                           \
    } while (0)

/* The value after a keyword, or NULL after reporting it missing. */
static struct token *value_of(struct rule_parser *r, const char *what)
{
    struct token *key = &r->t[r->i];
    if (r->i + 1 >= r->n || r->t[r->i + 1].kind != TOK_WORD) {
        RERR(r, key, NULL, "`%s` needs %s", key->text, what);
        return NULL;
    }
    r->i++;
    return &r->t[r->i];
}

static int interface_index(struct rule_parser *r, struct token *t)
{
    for (unsigned i = 0; i < r->e->nifaces; i++) {
        if (!strcmp(r->e->ifaces[i].name, t->text))
            return (int)i;
    }
    RERR(r, t, "declare it first: interface NAME address A.B.C.D/LEN", "unknown interface `%s`",
         t->text);
    return -1;
}

/* ADDR, !ADDR, $set or !$set (ports: PORT, LOW-HIGH or $set). */
static void ranges_match(struct rule_parser *r, struct fw_ranges *m, int ports)
{
    struct token *t = value_of(r, ports ? "a port, a range or $set" : "an address or $set");
    if (!t)
        return;
    if (m->used) {
        RERR(r, &r->t[r->i - 1], "use a set to match several values", "`%s` given twice",
             r->t[r->i - 1].text);
        return;
    }
    const char *text = t->text;
    int negate = 0;
    if (*text == '!' && !ports) {
        negate = 1;
        text++;
    }
    if (*text == '$') {
        struct fw_set *s = fw_find_set(r->rs, text + 1);
        if (!s) {
            RERR(r, t, "define it before this line: set NAME = { ... }", "unknown set `%s`",
                 text + 1);
            return;
        }
        if (s->is_ports != ports) {
            RERR(r, t, ports ? "use a set of ports here" : "use a set of addresses here",
                 "set `%s` holds %s", s->name, s->is_ports ? "ports" : "addresses");
            return;
        }
        s->used = 1;
        *m = s->ranges;
        m->negate = (uint8_t)negate;
        return;
    }
    struct token element = *t;
    snprintf(element.text, sizeof(element.text), "%s", text);
    if (negate)
        element.col++;
    uint16_t first = (uint16_t)r->rs->nranges;
    int rc = ports ? fw_port_element(r->file, r->line, &element, r->rs, r->d)
                   : fw_address_element(r->file, r->line, &element, r->rs, r->d);
    if (rc != 0) {
        r->failed = 1;
        return;
    }
    *m = (struct fw_ranges){.first = first, .count = 1, .used = 1, .negate = (uint8_t)negate};
}

/* NAME[,NAME...] (flags also !NAME): the names are separate tokens joined by commas. */
static void list_match(struct rule_parser *r, const struct name_value *table, const char *what,
                       const char *hint, uint8_t *set, uint8_t *clear)
{
    struct token *t = value_of(r, what);
    while (t) {
        const char *item = t->text;
        int not = clear && *item == '!';
        int v = lookup(table, item + not );
        if (v < 0) {
            RERR(r, t, hint, "unknown %s `%s`", what, item + not );
            return;
        }
        *(not ? clear : set) |= (uint8_t)v;
        t = NULL;
        if (r->i + 2 < r->n && !strcmp(r->t[r->i + 1].text, ",") &&
            r->t[r->i + 2].kind == TOK_WORD) {
            r->i += 2;
            t = &r->t[r->i];
        }
    }
}

void fw_parse_rule(const char *file, unsigned line, struct token *t, unsigned n,
                   struct fw_ruleset *rs, struct nf_engine *e, int hook, struct fw_diags *d)
{
    struct rule_parser r = {.file = file, .line = line, .t = t, .n = n, .rs = rs, .e = e, .d = d};
    struct fw_rule rule = {.in_if = -1,
                           .out_if = -1,
                           .icmp_type = -1,
                           .action = 255,
                           .line = line,
                           .col = t[0].col,
                           .file = file};
    struct token *proto_tok = NULL, *port_tok = NULL, *type_tok = NULL, *flags_tok = NULL;
    for (r.i = 0; r.i < n && !r.failed; r.i++) {
        struct token *k = &t[r.i];
        const char *w = k->text;
        if (rule.action != 255) {
            RERR(&r, k, "the action ends the rule", "unexpected `%s` after the action", w);
        } else if (!strcmp(w, "in") || !strcmp(w, "out")) {
            struct token *v = value_of(&r, "an interface name");
            int idx = v ? interface_index(&r, v) : -1;
            if (idx >= 0 && w[0] == 'i' && hook == HOOK_OUTPUT)
                RERR(&r, k, "match `out` in the output chain",
                     "the output chain has no `in` interface");
            else if (idx >= 0 && w[0] == 'o' && hook == HOOK_INPUT)
                RERR(&r, k, "match `in` in the input chain",
                     "the input chain has no `out` interface");
            else if (idx >= 0)
                *(w[0] == 'i' ? &rule.in_if : &rule.out_if) = (int8_t)idx;
        } else if (!strcmp(w, "proto")) {
            struct token *v = value_of(&r, "tcp, udp or icmp");
            if (v && !strcmp(v->text, "tcp"))
                rule.proto = 6;
            else if (v && !strcmp(v->text, "udp"))
                rule.proto = 17;
            else if (v && !strcmp(v->text, "icmp"))
                rule.proto = 1;
            else if (v)
                RERR(&r, v, "tcp, udp or icmp", "unknown protocol `%s`", v->text);
            proto_tok = k;
        } else if (!strcmp(w, "src") || !strcmp(w, "dst")) {
            ranges_match(&r, w[0] == 's' ? &rule.src : &rule.dst, 0);
        } else if (!strcmp(w, "sport") || !strcmp(w, "dport")) {
            port_tok = k;
            ranges_match(&r, w[0] == 's' ? &rule.sport : &rule.dport, 1);
        } else if (!strcmp(w, "type")) {
            type_tok = k;
            struct token *v = value_of(&r, "an ICMP type");
            int type = v ? lookup(icmp_types, v->text) : -1;
            if (v && type < 0)
                RERR(&r, v, "echo-request, echo-reply, unreachable, time-exceeded, ...",
                     "unknown ICMP type `%s`", v->text);
            rule.icmp_type = (int16_t)type;
        } else if (!strcmp(w, "flags")) {
            flags_tok = k;
            list_match(&r, tcp_flags, "TCP flag", "fin, syn, rst, psh, ack, urg; !flag: clear",
                       &rule.flags_set, &rule.flags_clear);
        } else if (!strcmp(w, "ct")) {
            list_match(&r, ct_states, "connection state", "new, established, related, invalid",
                       &rule.ct_mask, NULL);
        } else if (!strcmp(w, "log")) {
            rule.log = 1;
            if (r.i + 1 == n)
                rule.action = FW_CONTINUE;
        } else if (!strcmp(w, "accept")) {
            rule.action = FW_ACCEPT;
        } else if (!strcmp(w, "drop")) {
            rule.action = FW_DROP;
        } else if (!strcmp(w, "reject")) {
            rule.action = FW_REJECT;
        } else {
            RERR(&r, k,
                 "matches: in out proto src dst sport dport type flags ct; actions: accept drop "
                 "reject log",
                 "unknown word `%s`", w);
        }
    }
    if (r.failed)
        return;
    if (rule.action == 255) {
        fw_diag_add(d, file, line, t[n - 1].col, 0, "end the rule with accept, drop, reject or log",
                    "rule without an action");
        return;
    }
    /* Port, type and flag matches need their protocol named: no silent never-matching rule. */
    if (port_tok && rule.proto != 6 && rule.proto != 17) {
        fw_diag_add(d, file, line, port_tok->col, 0, "add `proto tcp` or `proto udp` before it",
                    "`%s` without a TCP or UDP protocol", port_tok->text);
        return;
    }
    if (type_tok && rule.proto != 1) {
        fw_diag_add(d, file, line, type_tok->col, 0, "add `proto icmp` before it",
                    "`type` without `proto icmp`");
        return;
    }
    if (flags_tok && rule.proto != 6) {
        fw_diag_add(d, file, line, flags_tok->col, 0, "add `proto tcp` before it",
                    "`flags` without `proto tcp`");
        return;
    }
    if (rule.flags_set & rule.flags_clear) {
        fw_diag_add(d, file, line, flags_tok->col, 0, "name each flag once",
                    "a flag both set and clear never matches");
        return;
    }
    (void)proto_tok;
    if (rs->nrules >= FW_MAX_RULES) {
        fw_diag_add(d, file, line, t[0].col, 0, "merge rules with sets",
                    "too many rules (at most %d)", FW_MAX_RULES);
        return;
    }
    rs->rules[rs->nrules++] = rule;
}
