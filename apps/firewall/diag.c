/* Findings of the rule parser and checker, and the tokenizer they all start from. */
#include "parse_util.h"
#include "rules.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void fw_diag_add(struct fw_diags *d, const char *file, unsigned line, unsigned col, int warning,
                 const char *hint, const char *fmt, ...)
{
    if (!warning)
        d->errors++;
    if (d->count >= FW_MAX_DIAGS)
        return; /* counted, not kept */
    struct fw_diag *g = &d->items[d->count++];
    snprintf(g->file, sizeof(g->file), "%s", file);
    g->line = line;
    g->col = col;
    g->warning = warning;
    snprintf(g->hint, sizeof(g->hint), "%s", hint ? hint : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(g->message, sizeof(g->message), fmt, ap);
    va_end(ap);
}

static int word_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '/' || c == '-' || c == '$' || c == '!' || c == ':';
}

int tokenize(const char *line, size_t len, struct token *out, struct token *bad)
{
    int n = 0;
    size_t i = 0;
    while (i < len) {
        char c = line[i];
        if (c == '#')
            break;
        if (c == ' ' || c == '\t' || c == '\r') {
            i++;
            continue;
        }
        if (n >= MAX_TOKENS) {
            bad->col = (unsigned)i + 1;
            snprintf(bad->text, sizeof(bad->text), "split the statement");
            return -2;
        }
        struct token *t = &out[n];
        t->col = (unsigned)i + 1;
        if (c == '{' || c == '}' || c == ',' || c == '=') {
            t->kind = TOK_PUNCT;
            t->text[0] = c;
            t->text[1] = '\0';
            i++;
            n++;
            continue;
        }
        if (!word_char(c)) {
            bad->col = (unsigned)i + 1;
            snprintf(bad->text, sizeof(bad->text),
                     "names, addresses and ports use A-Z a-z 0-9 _ . / - $ !");
            return -1;
        }
        size_t start = i;
        while (i < len && word_char(line[i]))
            i++;
        if (i - start >= TOKEN_MAX) {
            bad->col = (unsigned)start + 1;
            snprintf(bad->text, sizeof(bad->text), "words are at most %d characters",
                     TOKEN_MAX - 1);
            return -2;
        }
        t->kind = TOK_WORD;
        memcpy(t->text, line + start, i - start);
        t->text[i - start] = '\0';
        n++;
    }
    return n;
}
