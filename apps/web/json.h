/* A strict JSON (RFC 8259) validator and reader for small request bodies, with error positions. */
#ifndef WEB_JSON_H
#define WEB_JSON_H

#include <stddef.h>

#define JSON_MAX_DEPTH 32

enum json_type {
    JSON_NONE,
    JSON_STRING,
    JSON_NUMBER,
    JSON_OBJECT,
    JSON_ARRAY,
    JSON_TRUE,
    JSON_FALSE,
    JSON_NULL
};

/* Where and why a document was refused: pos is the byte offset of the offending byte. */
struct json_error {
    size_t pos;
    const char *what;
};

/* A value's text inside the document (strings keep their quotes). */
struct json_value {
    enum json_type type;
    const char *ptr;
    size_t len;
};

/* Returns 0 when s[0..len) is one valid JSON value (with optional white space around it). */
int json_validate(const char *s, size_t len, struct json_error *err);

/*
 * In a validated document whose top value is an object, finds the member named key (compared
 * byte for byte with the member name as written). Returns 0 and fills out, or -1 when absent or
 * when the document is not an object.
 */
int json_object_get(const char *s, size_t len, const char *key, struct json_value *out);

/* Decodes a validated string value (quotes included) to UTF-8; returns its length or -1 if over
 * cap. */
int json_string_decode(const struct json_value *value, char *out, size_t cap);

/* Writes text as a JSON string body (no quotes), escaping what must be; returns bytes written or
 * -1. */
int json_escape(const char *text, size_t len, char *out, size_t cap);

#endif
