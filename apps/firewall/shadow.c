/* Unreachable rules: a rule is shadowed when an earlier rule of its chain with a final action
 * matches every packet it matches. The test is per match, conservative: a reported rule is
 * certainly unreachable; some unreachable rules (covered by several earlier ones together) are
 * not reported. */
#include "rules.h"

#include <stdio.h>

static const char *const chain_names[3] = {"input", "forward", "output"};

/* Every range of inner lies inside one range of outer. */
static int ranges_cover(const struct fw_ruleset *rs, const struct fw_ranges *outer,
                        const struct fw_ranges *inner)
{
    for (unsigned i = 0; i < inner->count; i++) {
        const struct fw_range *in = &rs->ranges[inner->first + i];
        int inside = 0;
        for (unsigned o = 0; o < outer->count && !inside; o++) {
            const struct fw_range *out = &rs->ranges[outer->first + o];
            inside = out->lo <= in->lo && in->hi <= out->hi;
        }
        if (!inside)
            return 0;
    }
    return 1;
}

static int match_covers(const struct fw_ruleset *rs, const struct fw_ranges *a,
                        const struct fw_ranges *b)
{
    if (!a->used)
        return 1;
    if (!b->used || a->negate != b->negate)
        return 0;
    return a->negate ? ranges_cover(rs, b, a) : ranges_cover(rs, a, b);
}

static int rule_covers(const struct fw_ruleset *rs, const struct fw_rule *a,
                       const struct fw_rule *b)
{
    return (a->in_if < 0 || a->in_if == b->in_if) && (a->out_if < 0 || a->out_if == b->out_if) &&
           (!a->proto || a->proto == b->proto) && match_covers(rs, &a->src, &b->src) &&
           match_covers(rs, &a->dst, &b->dst) && match_covers(rs, &a->sport, &b->sport) &&
           match_covers(rs, &a->dport, &b->dport) &&
           (a->icmp_type < 0 || a->icmp_type == b->icmp_type) &&
           (a->flags_set & ~b->flags_set) == 0 && (a->flags_clear & ~b->flags_clear) == 0 &&
           (!a->ct_mask || (b->ct_mask && (b->ct_mask & ~a->ct_mask) == 0));
}

unsigned fw_check_shadowed(const struct fw_ruleset *rs, struct fw_diags *d)
{
    unsigned found = 0;
    for (int h = 0; h < 3; h++) {
        const struct fw_chain *c = &rs->chains[h];
        for (unsigned j = 1; j < c->count; j++) {
            const struct fw_rule *b = &rs->rules[c->first + j];
            for (unsigned i = 0; i < j; i++) {
                const struct fw_rule *a = &rs->rules[c->first + i];
                if (a->action == FW_CONTINUE || !rule_covers(rs, a, b))
                    continue;
                char hint[160];
                snprintf(hint, sizeof(hint), "move it above line %u or remove it", a->line);
                fw_diag_add(
                    d, b->file, b->line, b->col, 0, hint,
                    "unreachable rule in chain %s: the rule on line %u takes all its packets",
                    chain_names[h], a->line);
                found++;
                break;
            }
        }
    }
    return found;
}
