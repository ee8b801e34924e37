/* Pieces shared by the *.rules parser's files: tokens with their columns, and the helpers the
 * rule parser (rule_parse.c) borrows from the statement parser (parse.c). */
#ifndef FIREWALL_PARSE_UTIL_H
#define FIREWALL_PARSE_UTIL_H

#include "rules.h"

#define MAX_TOKENS 64
#define TOKEN_MAX  64

enum token_kind { TOK_WORD, TOK_PUNCT };

struct token {
    enum token_kind kind;
    unsigned col; /* 1-based */
    char text[TOKEN_MAX];
};

/* Splits one line (without its newline) into tokens; `#` starts a comment. Returns the count,
 * -1 for a character no token holds (bad->col, bad->text a hint), -2 for too many or too long. */
int tokenize(const char *line, size_t len, struct token *out, struct token *bad);

void fw_parse_rule(const char *file, unsigned line, struct token *t, unsigned n,
                   struct fw_ruleset *rs, struct nf_engine *e, int hook, struct fw_diags *d);
/* After every file: chains that were never defined, sets never used. Returns errors added. */
unsigned fw_finish(const char *file, struct fw_ruleset *rs, struct fw_diags *d);
struct fw_set *fw_find_set(struct fw_ruleset *rs, const char *name);
int fw_address_element(const char *file, unsigned line, const struct token *t,
                       struct fw_ruleset *rs, struct fw_diags *d);
int fw_port_element(const char *file, unsigned line, const struct token *t, struct fw_ruleset *rs,
                    struct fw_diags *d);

#endif
