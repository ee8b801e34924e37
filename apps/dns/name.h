/* dns: domain names in canonical lowercase wire form: text parsing, decompression, comparison. */
#pragma once
#include <stddef.h>
#include <stdint.h>

#define DNS_NAME_MAX  255
#define DNS_LABEL_MAX 63
/* Most labels a name can have (each label costs at least two bytes, the root one more). */
#define DNS_LABELS_MAX 128

/* Parses a master-file name (escapes \X and \DDD, '@', relative to ORIGIN when not ending in a
 * dot) into lowercase wire form in OUT (DNS_NAME_MAX bytes). Returns the wire length, or 0 with
 * *ERR set to a sentence saying what is wrong. ORIGIN may be NULL (then relative names fail). */
size_t name_from_text(const char *text, size_t len, const uint8_t *origin, uint8_t *out,
                      const char **err);

/* Reads a possibly compressed name at *POS of a message of LEN bytes into OUT (wire form, case
 * kept, or lowercased when LOWER), advancing *POS past the name as written. Pointers must point
 * strictly backwards, so loops and forward pointers are refused. Returns the wire length or 0. */
size_t name_read(const uint8_t *msg, size_t len, size_t *pos, uint8_t *out, int lower);

/* Length of a valid wire name, terminator included. */
size_t name_wire_len(const uint8_t *name);
/* Number of labels, the root not counted. */
int name_label_count(const uint8_t *name);
/* Offsets of each label of NAME, from the first to the last (root excluded); returns the count. */
int name_label_offsets(const uint8_t *name, uint8_t offsets[DNS_LABELS_MAX]);
/* True when NAME equals PARENT or lies below it (both lowercase wire names). */
int name_is_below_or_equal(const uint8_t *name, const uint8_t *parent);
/* FNV-1a over LEN bytes of a lowercase wire name. */
uint32_t name_hash(const uint8_t *name, size_t len);
/* Writes NAME as presentation text (with a trailing dot) into OUT of CAP bytes. */
void name_to_text(const uint8_t *name, char *out, size_t cap);
/* Lowercases ASCII letters of a wire name in place. */
void name_lower(uint8_t *name);
