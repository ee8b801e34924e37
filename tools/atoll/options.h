/* Parsing of subcommand options: "--name VALUE", "--name=VALUE", "-x VALUE", "-xVALUE". */
#ifndef ATOLL_TOOL_OPTIONS_H
#define ATOLL_TOOL_OPTIONS_H

#include <stdbool.h>

enum { OPT_NO_MATCH = 0, OPT_MATCH = 1, OPT_ERROR = -1 };

/* Does argv[*index] name the option with a value (`long_name` like "--mem", `short_name` like
 * "-o" or NULL)? On a match, *value is set and *index moves past the value. A missing value is
 * reported as "<prog>: --mem needs a value" and gives OPT_ERROR. */
int opt_with_value(int argc, char **argv, int *index, const char *long_name, const char *short_name,
                   const char **value);

/* Does argv[index] name the flag (`long_name` or `short_name`, which may be NULL)? */
bool opt_flag(char **argv, int index, const char *long_name, const char *short_name);

/* Reports an unknown option: "<prog>: unknown option '--x' (see <prog> --help)". */
void opt_unknown(const char *arg);

#endif
