/* Helpers shared by the atoll tool: messages, memory, strings, sizes and paths. */
#ifndef ATOLL_TOOL_UTIL_H
#define ATOLL_TOOL_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Prefix of every message, e.g. "atoll build"; set by the subcommand that runs. */
extern const char *atoll_prog;

/* Exit statuses of the tool itself (the guest's own status is passed through by `atoll run`). */
enum {
    EXIT_USAGE = 2,     /* unknown option, missing argument */
    EXIT_TIMEOUT = 124, /* `atoll run --timeout` expired */
    EXIT_RUNNER = 125,  /* the runner failed, or QEMU ended without a status line */
};

void msg_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void msg_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void *xmalloc(size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *text);
char *xstrndup(const char *text, size_t len);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

bool str_ends_with(const char *text, const char *suffix);
bool str_starts_with(const char *text, const char *prefix);

/* Parses "4096", "256K", "64M", "1G" (also "64MiB", "64MB"; K/M/G are powers of 1024) into bytes.
 * Returns 0, or -EINVAL for malformed text, -ERANGE when the value does not fit 64 bits. */
int parse_size(const char *text, uint64_t *bytes);

/* Rounds up to a multiple of `unit` (a power of two); saturates instead of wrapping. */
uint64_t round_up(uint64_t value, uint64_t unit);

/* Path pieces, each a new string: "a/b/c.c" -> dirname "a/b", basename "c.c". */
char *path_dirname(const char *path);
char *path_basename(const char *path);
char *path_join(const char *dir, const char *name);
/* "x.img" -> "x" + new_ext; any other name -> name + new_ext. */
char *path_with_ext(const char *path, const char *old_ext, const char *new_ext);

bool path_is_dir(const char *path);
bool path_is_file(const char *path);
/* Creates `path` and its missing parents; returns 0 or -errno. */
int mkdir_parents(const char *path);
/* Finds `name` in $PATH (or checks it when it contains a slash); returns a new string or NULL. */
char *find_executable(const char *name);
/* Reads a whole file; returns NULL and sets errno on failure. The buffer ends with a NUL. */
char *read_whole_file(const char *path, size_t *len);

#endif
