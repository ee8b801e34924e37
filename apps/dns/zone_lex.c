/* dns: the master-file tokenizer: fields, quoted strings, comments and parenthesised lines. */
#include "zone.h"

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

int lex_entry(struct lexer *lx, struct token *tokens, int *blank_owner, const char **err,
              uint32_t *err_line)
{
    int count = 0, depth = 0;
    uint32_t open_line = 0;
    int at_line_start = lx->pos == 0 || lx->data[lx->pos - 1] == '\n';
    *blank_owner = 0;
    while (lx->pos < lx->len) {
        char c = lx->data[lx->pos];
        if (at_line_start && count == 0)
            *blank_owner = is_blank(c);
        at_line_start = 0;
        if (c == '\n') {
            lx->pos++;
            lx->line++;
            at_line_start = 1;
            if (depth == 0 && count > 0)
                return count;
            continue;
        }
        if (is_blank(c)) {
            lx->pos++;
            continue;
        }
        if (c == ';') {
            while (lx->pos < lx->len && lx->data[lx->pos] != '\n')
                lx->pos++;
            continue;
        }
        if (c == '(') {
            if (depth++ == 0)
                open_line = lx->line;
            lx->pos++;
            continue;
        }
        if (c == ')') {
            if (depth == 0) {
                *err = "')' without a matching '('";
                *err_line = lx->line;
                return -1;
            }
            depth--;
            lx->pos++;
            continue;
        }
        if (count == ZONE_MAX_TOKENS) {
            *err = "entry has more than 512 fields";
            *err_line = lx->line;
            return -1;
        }
        struct token *t = &tokens[count++];
        t->line = lx->line;
        if (c == '"') {
            size_t start = ++lx->pos;
            while (lx->pos < lx->len && lx->data[lx->pos] != '"' && lx->data[lx->pos] != '\n') {
                if (lx->data[lx->pos] == '\\' && lx->pos + 1 < lx->len &&
                    lx->data[lx->pos + 1] != '\n')
                    lx->pos++;
                lx->pos++;
            }
            if (lx->pos >= lx->len || lx->data[lx->pos] != '"') {
                *err = "unterminated quoted string (a '\"' is missing before the end of the line)";
                *err_line = t->line;
                return -1;
            }
            t->text = lx->data + start;
            t->len = (uint32_t)(lx->pos - start);
            t->quoted = 1;
            lx->pos++;
            continue;
        }
        size_t start = lx->pos;
        while (lx->pos < lx->len) {
            char d = lx->data[lx->pos];
            if (d == '\\' && lx->pos + 1 < lx->len && lx->data[lx->pos + 1] != '\n') {
                lx->pos += 2;
                continue;
            }
            if (is_blank(d) || d == '\n' || d == ';' || d == '(' || d == ')' || d == '"')
                break;
            lx->pos++;
        }
        t->text = lx->data + start;
        t->len = (uint32_t)(lx->pos - start);
        t->quoted = 0;
    }
    if (depth > 0) {
        *err = "'(' is never closed (a ')' is missing)";
        *err_line = open_line;
        return -1;
    }
    return count;
}
