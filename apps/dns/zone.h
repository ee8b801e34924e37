/* dns: loading RFC 1035 master files into the database, and the tokens they are made of. */
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "db.h"

/* One field of a master-file entry: raw text (escapes kept) and whether it was quoted. */
struct token {
    const char *text;
    uint32_t len;
    uint32_t line;
    uint8_t quoted;
};

struct lexer {
    const char *data;
    size_t len, pos;
    uint32_t line;
};

#define ZONE_MAX_TOKENS 512

/* Reads the next entry (a record or a directive, parentheses joining lines) into TOKENS.
 * Returns the number of tokens, 0 at the end of the data, or -1 with a sentence in ERR (and
 * *ERR_LINE the line it is about). *BLANK_OWNER tells whether the entry began with white space. */
int lex_entry(struct lexer *lx, struct token *tokens, int *blank_owner, const char **err,
              uint32_t *err_line);

/* Loads one master file (and what it includes) into DB as one zone. Returns 0, or -1 with
 * "file:line: what is wrong" in ERR. */
int zone_load(struct db *db, const char *path, char *err, size_t err_cap);

/* Type mnemonics: A, NS, ... or TYPEnnn (RFC 3597). Returns the number or -1. */
int type_from_text(const char *text, size_t len);
/* Converts the rdata fields of TYPE to wire form in OUT (65535 bytes). Returns the length, or -1
 * with a sentence in ERR. */
int rdata_from_text(uint16_t type, const struct token *fields, int count, const uint8_t *origin,
                    uint8_t *out, char *err, size_t err_cap);
/* Parses a TTL: seconds, or BIND units like 1h30m. Returns 0, or -1 when it is not one. */
int ttl_from_text(const char *text, size_t len, uint32_t *ttl);
