/* Quoting of arguments: for a POSIX shell (printed commands) and for Atoll's kernel command line.
 */
#ifndef ATOLL_TOOL_QUOTE_H
#define ATOLL_TOOL_QUOTE_H

#include <stdio.h>

/* Returns `arg` as one shell word: unchanged when it is plain, else in single quotes. */
char *shell_quote(const char *arg);
/* Prints an argument vector as one shell command line, followed by a newline. */
void shell_print_command(FILE *out, char *const argv[]);

/* Returns `arg` as one kernel command-line token: in double quotes, with " and \ escaped by a
 * backslash, so spaces and quotes reach the program unchanged. */
char *cmdline_quote(const char *arg);
/* Like cmdline_quote, but leaves a token without spaces, quotes or backslashes as it is. */
char *cmdline_quote_if_needed(const char *arg);

#endif
