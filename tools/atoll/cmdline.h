/* Composition of the boot-time kernel command line from `atoll run`'s options. */
#ifndef ATOLL_TOOL_CMDLINE_H
#define ATOLL_TOOL_CMDLINE_H

#include <stdbool.h>

#include "strvec.h"

/* Returns "env.K=V ... <appends> -- "arg1" "arg2"": each -e pair as one token (quoted when it
 * holds spaces, quotes or backslashes), the --append texts as they are, then, when `--` was
 * given, a `--` and every app argument in double quotes. */
char *cmdline_compose(const struct strvec *env, const struct strvec *appends, bool app_args_given,
                      const struct strvec *app_args);

#endif
