/* The firewall's filter: tracks the connection of every packet, then runs the chain of its hook
 * first-match-wins, falling back on the chain's policy; a NEW packet that is accepted creates
 * its connection. Packets whose headers cannot be read (a first fragment too short for the
 * ports, a truncated header) are dropped and counted before any rule. */
#include "filter.h"
#include "wire.h"

#include <string.h>

static const char *const hook_names[3] = {"input", "forward", "output"};
static const char *const action_names[4] = {"accept", "drop", "reject", "log"};
#define LOG_PER_SECOND 20

void fw_init(struct firewall *fw, struct nf_engine *e)
{
    memset(fw, 0, sizeof(*fw));
    ct_init(&fw->ct);
    fw->engine = e;
    fw->log = stdout;
}

static int in_ranges(const struct fw_ruleset *rs, const struct fw_ranges *m, uint32_t v)
{
    int hit = 0;
    for (unsigned i = 0; i < m->count && !hit; i++) {
        const struct fw_range *r = &rs->ranges[m->first + i];
        hit = r->lo <= v && v <= r->hi;
    }
    return hit != m->negate;
}

static int rule_matches(const struct fw_ruleset *rs, const struct fw_rule *r,
                        const struct nf_packet *p, const struct ct_packet *cp, int state,
                        int later_fragment)
{
    const uint8_t *ip = p->ip;
    if ((r->in_if >= 0 && r->in_if != p->in_if) || (r->out_if >= 0 && r->out_if != p->out_if))
        return 0;
    if (r->proto && r->proto != ip[IP_PROTO])
        return 0;
    if (r->src.used && !in_ranges(rs, &r->src, get32(ip + IP_SRC)))
        return 0;
    if (r->dst.used && !in_ranges(rs, &r->dst, get32(ip + IP_DST)))
        return 0;
    int needs_l4 = r->sport.used || r->dport.used || r->icmp_type >= 0 || r->flags_set ||
                   r->flags_clear || r->ct_mask;
    if (needs_l4 && later_fragment)
        return 0; /* a later fragment shows no ports, type, flags or connection */
    if (r->sport.used && !in_ranges(rs, &r->sport, cp->key.sport))
        return 0;
    if (r->dport.used && !in_ranges(rs, &r->dport, cp->key.dport))
        return 0;
    if (r->icmp_type >= 0 && r->icmp_type != cp->icmp_type)
        return 0;
    if ((cp->tcp_flags & r->flags_set) != r->flags_set || (cp->tcp_flags & r->flags_clear))
        return 0;
    if (r->ct_mask && !(r->ct_mask & state))
        return 0;
    return 1;
}

static void log_packet(struct firewall *fw, const struct nf_packet *p, const struct fw_rule *r,
                       uint64_t now_ms)
{
    static uint64_t window_start;
    static unsigned in_window;
    if (now_ms - window_start >= 1000) {
        window_start = now_ms;
        in_window = 0;
    }
    if (++in_window > LOG_PER_SECOND)
        return;
    const uint8_t *ip = p->ip;
    uint32_t s = get32(ip + IP_SRC), d = get32(ip + IP_DST);
    const char *in = p->in_if >= 0 ? fw->engine->ifaces[p->in_if].name : "-";
    const char *out = p->out_if >= 0 ? fw->engine->ifaces[p->out_if].name : "-";
    fprintf(fw->log,
            "firewall: log %s:%u chain %s %s in %s out %s proto %u %u.%u.%u.%u -> %u.%u.%u.%u\n",
            r->file ? r->file : "?", r->line, hook_names[p->hook], action_names[r->action], in, out,
            ip[IP_PROTO], s >> 24, s >> 16 & 255, s >> 8 & 255, s & 255, d >> 24, d >> 16 & 255,
            d >> 8 & 255, d & 255);
    fflush(fw->log);
}

enum nf_verdict fw_filter(void *ctx, const struct nf_packet *p, uint64_t now_ms)
{
    struct firewall *fw = ctx;
    if (now_ms - fw->last_expire_ms >= 1000) {
        ct_expire(&fw->ct, now_ms);
        fw->last_expire_ms = now_ms;
    }
    struct ct_packet cp;
    int later_fragment = (get16(p->ip + IP_FRAG) & IP_FRAG_OFF_MASK) != 0;
    if (ct_parse(p->ip, p->len, &cp) != 0 && !later_fragment) {
        fw->untrackable++;
        return VERDICT_DROP;
    }
    int state = 0;
    struct ct_entry *entry = NULL;
    if (!later_fragment)
        state = ct_classify(&fw->ct, &cp, now_ms, &entry);
    struct fw_chain *chain = &fw->rules.chains[p->hook];
    enum fw_action verdict = chain->policy;
    int decided = 0;
    for (unsigned i = 0; i < chain->count && !decided; i++) {
        struct fw_rule *r = &fw->rules.rules[chain->first + i];
        if (!rule_matches(&fw->rules, r, p, &cp, state, later_fragment))
            continue;
        r->packets++;
        r->bytes += p->len;
        if (r->log)
            log_packet(fw, p, r, now_ms);
        if (r->action != FW_CONTINUE) {
            verdict = r->action;
            decided = 1;
        }
    }
    if (!decided)
        chain->policy_packets++;
    if (verdict == FW_ACCEPT && state == CT_NEW && ct_commit(&fw->ct, &cp, now_ms) != 0)
        return VERDICT_DROP; /* the table is full of established connections */
    return verdict == FW_ACCEPT   ? VERDICT_ACCEPT
           : verdict == FW_REJECT ? VERDICT_REJECT
                                  : VERDICT_DROP;
}

void fw_print_counters(void *ctx, FILE *out)
{
    struct firewall *fw = ctx;
    const struct fw_ruleset *rs = &fw->rules;
    for (int h = 0; h < 3; h++) {
        const struct fw_chain *c = &rs->chains[h];
        for (unsigned i = 0; i < c->count; i++) {
            const struct fw_rule *r = &rs->rules[c->first + i];
            fprintf(out, "rule %s:%u chain %s %s packets %llu bytes %llu\n",
                    r->file ? r->file : "?", r->line, hook_names[h], action_names[r->action],
                    (unsigned long long)r->packets, (unsigned long long)r->bytes);
        }
        fprintf(out, "policy %s %s packets %llu\n", hook_names[h], action_names[c->policy],
                (unsigned long long)c->policy_packets);
    }
    static const char *const states[4] = {"new", "established", "related", "invalid"};
    for (int s = 0; s < 4; s++)
        fprintf(out, "ct_state %s packets %llu\n", states[s],
                (unsigned long long)fw->ct.state_packets[s]);
    static const char *const tcp_states[TCP_STATE_COUNT] = {
        "none", "syn_sent", "syn_recv", "established", "fin_wait", "time_wait", "close"};
    for (int s = 1; s < TCP_STATE_COUNT; s++)
        fprintf(out, "ct_tcp %s entries %llu\n", tcp_states[s],
                (unsigned long long)fw->ct.tcp_state_entries[s]);
    fprintf(out, "ct entries %u evicted %llu table_full %llu expired %llu\n", fw->ct.count,
            (unsigned long long)fw->ct.evicted, (unsigned long long)fw->ct.table_full,
            (unsigned long long)fw->ct.expired);
    fprintf(out, "untrackable %llu\n", (unsigned long long)fw->untrackable);
}
