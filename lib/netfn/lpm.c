/* Longest-prefix match over IPv4: a multibit trie of four 8-bit strides with controlled prefix
 * expansion. A prefix of length L ends at level (L-1)/8 and fills 2^(8 - L%8) slots there (L%8 of
 * 0 meaning a whole byte: one slot), except slots that hold a longer prefix already. */
#include "lpm.h"
#include "wire.h"

#include <string.h>

static void node_clear(struct lpm_node *n)
{
    for (int i = 0; i < 256; i++)
        n->slot[i] = (struct lpm_slot){.value = LPM_NONE, .plen = 0, .child = 0};
}

void lpm_init(struct lpm *t)
{
    node_clear(&t->nodes[0]);
    t->used = 1;
}

int lpm_add(struct lpm *t, uint32_t prefix, unsigned plen, uint16_t value)
{
    if (plen > 32 || value == LPM_NONE)
        return -1;
    prefix &= prefix_mask(plen);
    /* The default route lives in all 256 slots of the root. */
    unsigned level_end = plen ? (plen - 1) / 8 : 0;
    unsigned node = 0;
    for (unsigned level = 0; level < level_end; level++) {
        unsigned byte = (prefix >> (24 - 8 * level)) & 0xff;
        struct lpm_slot *s = &t->nodes[node].slot[byte];
        if (!s->child) {
            if (t->used >= LPM_MAX_NODES)
                return -1;
            unsigned fresh = t->used++;
            node_clear(&t->nodes[fresh]);
            /* The child inherits the covering prefix so that lookups ending there find it. */
            for (int i = 0; i < 256; i++) {
                t->nodes[fresh].slot[i].value = s->value;
                t->nodes[fresh].slot[i].plen = s->plen;
            }
            s->child = (uint16_t)fresh;
        }
        node = s->child;
    }
    unsigned byte = (prefix >> (24 - 8 * level_end)) & 0xff;
    unsigned span = 1u << (8 * (level_end + 1) - plen);
    /* Fills the slots and, below them, every slot that held a shorter prefix (push down). */
    struct work {
        uint16_t node, first, count;
    } stack[LPM_MAX_NODES + 1];
    unsigned depth = 0;
    stack[depth++] = (struct work){(uint16_t)node, (uint16_t)byte, (uint16_t)span};
    while (depth) {
        struct work w = stack[--depth];
        for (unsigned i = w.first; i < (unsigned)w.first + w.count; i++) {
            struct lpm_slot *s = &t->nodes[w.node].slot[i];
            if (s->value != LPM_NONE && s->plen > plen)
                continue; /* a longer prefix covers this slot and everything below it */
            s->value = value;
            s->plen = (uint8_t)plen;
            if (s->child && depth <= LPM_MAX_NODES)
                stack[depth++] = (struct work){s->child, 0, 256};
        }
    }
    return 0;
}

uint16_t lpm_lookup(const struct lpm *t, uint32_t addr)
{
    unsigned node = 0;
    uint16_t best = LPM_NONE;
    for (int level = 0; level < 4; level++) {
        const struct lpm_slot *s = &t->nodes[node].slot[(addr >> (24 - 8 * level)) & 0xff];
        best = s->value;
        if (!s->child)
            break;
        node = s->child;
    }
    return best;
}
