/* The *.rules parser: a line-oriented language (grammar in docs/firewall-rules.md). Every
 * error names file:line:col and carries a hint; parsing goes on after an error so that one run
 * reports as many as it can. */
#include "netconf.h"
#include "parse_util.h"
#include "rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const hook_names[3] = {"input", "forward", "output"};
/* open_chain: a hook, NONE outside a chain, SKIPPING inside a chain whose header was wrong
 * (its lines are skipped so that one mistake gives one error). */
enum { NONE = -1, SKIPPING = -2 };

struct parser {
    const char *file;
    struct fw_ruleset *rs;
    struct nf_engine *e;
    struct fw_diags *d;
    int open_chain; /* a hook, NONE or SKIPPING */
    unsigned line;
    struct token tok[MAX_TOKENS];
    unsigned ntok;
};

#define ERR(p, t, hint, ...)                                                                       \
    fw_diag_add((p)->d, (p)->file, (p)->line, (t)->col, 0, hint, __VA_ARGS__)

static struct fw_set *find_set(struct fw_ruleset *rs, const char *name)
{
    for (unsigned i = 0; i < rs->nsets; i++) {
        if (!strcmp(rs->sets[i].name, name))
            return &rs->sets[i];
    }
    return NULL;
}

static int add_range(struct parser *p, const struct token *t, uint32_t lo, uint32_t hi)
{
    if (p->rs->nranges >= FW_MAX_RANGES) {
        ERR(p, t, "use fewer or wider ranges", "too many addresses and ports (at most %d)",
            FW_MAX_RANGES);
        return -1;
    }
    p->rs->ranges[p->rs->nranges++] = (struct fw_range){lo, hi};
    return 0;
}

/* One address element: A.B.C.D, A.B.C.D/LEN or A.B.C.D-E.F.G.H. */
static int address_element(struct parser *p, const struct token *t)
{
    uint32_t lo, hi;
    unsigned plen;
    char buf[64];
    const char *dash = strchr(t->text, '-');
    if (dash && (size_t)(dash - t->text) < sizeof(buf)) {
        memcpy(buf, t->text, (size_t)(dash - t->text));
        buf[dash - t->text] = '\0';
        if (parse_ipv4(buf, &lo) != 0 || parse_ipv4(dash + 1, &hi) != 0 || hi < lo) {
            ERR(p, t, "write a range as A.B.C.D-E.F.G.H, lowest first", "bad address range `%s`",
                t->text);
            return -1;
        }
        return add_range(p, t, lo, hi);
    }
    if (parse_cidr(t->text, &lo, &plen) != 0) {
        ERR(p, t, "write A.B.C.D, A.B.C.D/LEN, a range or $set", "bad address `%s`", t->text);
        return -1;
    }
    if (lo & ~prefix_mask(plen)) {
        ERR(p, t, "mask the host bits out of the prefix (e.g. 10.0.0.0/24)",
            "host bits set in `%s`", t->text);
        return -1;
    }
    return add_range(p, t, lo, lo | ~prefix_mask(plen));
}

/* One port element: N or N-M, from 0 to 65535. */
static int port_element(struct parser *p, const struct token *t)
{
    char *end;
    unsigned long lo = strtoul(t->text, &end, 10), hi = lo;
    if (end != t->text && *end == '-')
        hi = strtoul(end + 1, &end, 10);
    if (end == t->text || *end || t->text[0] == '-' || lo > 65535 || hi > 65535 || hi < lo) {
        ERR(p, t, "ports go from 0 to 65535; a range is LOW-HIGH", "bad port `%s`", t->text);
        return -1;
    }
    return add_range(p, t, (uint32_t)lo, (uint32_t)hi);
}

static int looks_like_port(const char *text)
{
    return text[0] >= '0' && text[0] <= '9' && !strchr(text, '.');
}

/* set NAME = { ELEMENT, ... }   (all addresses or all ports) */
static void parse_set(struct parser *p)
{
    struct token *t = p->tok;
    if (p->ntok < 2 || t[1].kind != TOK_WORD) {
        ERR(p, &t[p->ntok < 2 ? 0 : 1], "set NAME = { ELEMENT, ... }", "set needs a name");
        return;
    }
    if (find_set(p->rs, t[1].text)) {
        ERR(p, &t[1], "give each set its own name", "set `%s` defined twice", t[1].text);
        return;
    }
    if (p->ntok < 4 || strcmp(t[2].text, "=") || strcmp(t[3].text, "{")) {
        ERR(p, &t[p->ntok < 3 ? 1 : 2], "set NAME = { ELEMENT, ... }",
            "expected `= {` after the set name");
        return;
    }
    if (p->rs->nsets >= FW_MAX_SETS) {
        ERR(p, &t[1], "merge sets", "too many sets (at most %d)", FW_MAX_SETS);
        return;
    }
    if (strlen(t[1].text) >= FW_NAME_MAX) {
        ERR(p, &t[1], "use a shorter name", "set name longer than %d characters", FW_NAME_MAX - 1);
        return;
    }
    struct fw_set *s = &p->rs->sets[p->rs->nsets];
    memset(s, 0, sizeof(*s));
    memcpy(s->name, t[1].text, strlen(t[1].text) + 1);
    s->line = p->line;
    s->col = t[1].col;
    s->ranges.first = (uint16_t)p->rs->nranges;
    int kind = -1; /* unknown until the first element */
    unsigned i = 4;
    for (; i < p->ntok && strcmp(t[i].text, "}"); i++) {
        if (!strcmp(t[i].text, ","))
            continue;
        int is_port = looks_like_port(t[i].text);
        if (kind >= 0 && is_port != kind) {
            ERR(p, &t[i], "a set holds addresses or ports, not both: make two sets",
                "`%s` mixes ports and addresses", t[i].text);
            return;
        }
        kind = is_port;
        if ((is_port ? port_element(p, &t[i]) : address_element(p, &t[i])) != 0)
            return;
    }
    if (i >= p->ntok) {
        ERR(p, &t[p->ntok - 1], "close the set on the same line",
            "missing `}` at the end of the set");
        return;
    }
    if (kind < 0) {
        ERR(p, &t[i], "list at least one address or port", "empty set `%s`", s->name);
        return;
    }
    if (i + 1 < p->ntok)
        ERR(p, &t[i + 1], "one statement a line", "unexpected `%s` after the set", t[i + 1].text);
    s->is_ports = kind;
    s->ranges.count = (uint16_t)(p->rs->nranges - s->ranges.first);
    s->ranges.used = 1;
    p->rs->nsets++;
}

/* chain input|forward|output policy accept|drop { */
static void parse_chain(struct parser *p)
{
    struct token *t = p->tok;
    if (p->open_chain >= 0) {
        ERR(p, &t[0], "close the open chain with `}` first", "chain inside a chain");
        p->open_chain = SKIPPING;
        return;
    }
    if (p->open_chain == SKIPPING) {
        ERR(p, &t[0], "close the open chain with `}` first", "chain inside a chain");
        return;
    }
    int hook = -1;
    for (int h = 0; h < 3 && p->ntok > 1; h++) {
        if (!strcmp(t[1].text, hook_names[h]))
            hook = h;
    }
    if (hook < 0) {
        ERR(p, &t[p->ntok > 1 ? 1 : 0], "the chains are input, forward and output",
            "unknown chain `%s`", p->ntok > 1 ? t[1].text : "");
        p->open_chain = SKIPPING;
        return;
    }
    struct fw_chain *c = &p->rs->chains[hook];
    if (c->defined) {
        ERR(p, &t[1], "put all the rules of a chain in one block",
            "chain %s defined twice (first on line %u)", hook_names[hook], c->line);
        p->open_chain = SKIPPING;
        return;
    }
    if (p->ntok < 4 || strcmp(t[2].text, "policy") ||
        (strcmp(t[3].text, "accept") && strcmp(t[3].text, "drop"))) {
        ERR(p, &t[p->ntok > 2 ? 2 : 1], "write `chain NAME policy accept {` or `... policy drop {`",
            "chain %s needs an explicit policy", hook_names[hook]);
        p->open_chain = SKIPPING;
        return;
    }
    if (p->ntok != 5 || strcmp(t[4].text, "{")) {
        ERR(p, &t[p->ntok > 4 ? 4 : 3], "the block opens on the chain's line",
            "expected `{` after the policy");
        p->open_chain = SKIPPING;
        return;
    }
    c->defined = 1;
    c->policy = strcmp(t[3].text, "accept") ? FW_DROP : FW_ACCEPT;
    c->line = p->line;
    c->first = p->rs->nrules;
    p->open_chain = hook;
}

static void parse_statement(struct parser *p)
{
    struct token *t = p->tok;
    const char *w = t[0].text;
    if (!strcmp(w, "}")) {
        if (p->open_chain == NONE)
            ERR(p, &t[0], "remove it, or open a chain before", "`}` without an open chain");
        else if (p->ntok > 1)
            ERR(p, &t[1], "one statement a line", "unexpected `%s` after `}`", t[1].text);
        p->open_chain = NONE;
        return;
    }
    if (p->open_chain == SKIPPING)
        return;
    if (p->open_chain >= 0 && !strcmp(w, "chain")) {
        parse_chain(p);
        return;
    }
    if (p->open_chain >= 0) {
        fw_parse_rule(p->file, p->line, t, p->ntok, p->rs, p->e, p->open_chain, p->d);
        p->rs->chains[p->open_chain].count = p->rs->nrules - p->rs->chains[p->open_chain].first;
        return;
    }
    if (!strcmp(w, "set")) {
        parse_set(p);
    } else if (!strcmp(w, "chain")) {
        parse_chain(p);
    } else if (!strcmp(w, "interface") || !strcmp(w, "route") || !strcmp(w, "default")) {
        char *words[MAX_TOKENS];
        for (unsigned i = 0; i < p->ntok; i++)
            words[i] = t[i].text;
        char msg[200];
        unsigned bad = 0;
        if (netconf_apply(p->e, words, p->ntok, msg, sizeof(msg), &bad) != 0) {
            char *open = strchr(msg, '(');
            char hint[160] = "";
            if (open) {
                snprintf(hint, sizeof(hint), "%.*s", (int)strcspn(open + 1, ")"), open + 1);
                while (open > msg && open[-1] == ' ')
                    open--;
                *open = '\0';
            }
            ERR(p, &t[bad], *hint ? hint : NULL, "%s", msg);
        }
    } else {
        ERR(p, &t[0], "statements are interface, route, default, set, chain",
            "unknown statement `%s`", w);
    }
}

unsigned fw_parse(const char *file, const char *text, struct fw_ruleset *rs, struct nf_engine *e,
                  struct fw_diags *d)
{
    struct parser p = {.file = file, .rs = rs, .e = e, .d = d, .open_chain = NONE};
    unsigned errors_before = d->errors;
    const char *line = text;
    while (line && *line) {
        const char *next = strchr(line, '\n');
        size_t len = next ? (size_t)(next - line) : strlen(line);
        p.line++;
        struct token bad;
        int n = tokenize(line, len, p.tok, &bad);
        if (n < 0) {
            fw_diag_add(d, file, p.line, bad.col, 0, bad.text, "%s",
                        n == -1 ? "unexpected character" : "line too long or too many words");
        } else if (n > 0) {
            p.ntok = (unsigned)n;
            parse_statement(&p);
        }
        line = next ? next + 1 : NULL;
    }
    if (p.open_chain >= 0)
        fw_diag_add(d, file, p.line, 1, 0, "close every chain with `}`", "chain %s is not closed",
                    hook_names[p.open_chain]);
    return d->errors - errors_before;
}

unsigned fw_finish(const char *file, struct fw_ruleset *rs, struct fw_diags *d)
{
    unsigned errors_before = d->errors;
    for (int h = 0; h < 3; h++) {
        if (!rs->chains[h].defined)
            fw_diag_add(d, file, 1, 1, 0,
                        "add `chain NAME policy accept|drop { }`: no default is assumed",
                        "chain %s is missing", hook_names[h]);
    }
    for (unsigned i = 0; i < rs->nsets; i++) {
        if (!rs->sets[i].used)
            fw_diag_add(d, file, rs->sets[i].line, rs->sets[i].col, 1, "remove it or use it",
                        "set `%s` is never used", rs->sets[i].name);
    }
    return d->errors - errors_before;
}

struct fw_set *fw_find_set(struct fw_ruleset *rs, const char *name)
{
    return find_set(rs, name);
}

int fw_address_element(const char *file, unsigned line, const struct token *t,
                       struct fw_ruleset *rs, struct fw_diags *d)
{
    struct parser p = {.file = file, .rs = rs, .d = d, .line = line};
    return address_element(&p, t);
}

int fw_port_element(const char *file, unsigned line, const struct token *t, struct fw_ruleset *rs,
                    struct fw_diags *d)
{
    struct parser p = {.file = file, .rs = rs, .d = d, .line = line};
    return port_element(&p, t);
}
