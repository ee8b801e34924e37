/* Request target to file path: percent-decoding and normalisation that never leaves the web root.
 */
#ifndef WEB_PATH_H
#define WEB_PATH_H

#include <stdbool.h>
#include <stddef.h>

#define WEB_PATH_MAX 1024

/*
 * Decodes the path part of an origin-form target (up to '?') into out: "/" followed by its
 * segments, "." and empty segments dropped, ".." resolved, a final "/" kept when the target named
 * a folder. Returns the length of out (NUL-terminated), -400 for a target that is malformed or
 * would climb above the root (bad %XX, %00, control bytes, backslashes, invalid or overlong
 * UTF-8, ".." at the root), or -414 when the result does not fit out_cap.
 */
int web_path_normalize(const char *target, size_t len, char *out, size_t out_cap);

/* The byte-at-a-time decoder web_path_normalize falls back to for any target that is not a plain
 * path; the same contract (exposed so that tests can check the two agree). */
int web_path_normalize_general(const char *target, size_t len, char *out, size_t out_cap);

/* True when the byte string is valid UTF-8 with no overlong forms and no surrogates. */
bool web_utf8_valid(const unsigned char *s, size_t len);

#endif
