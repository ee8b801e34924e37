/* The help texts of the atoll tool (docs/cli.md says the same in markdown). */
#ifndef ATOLL_TOOL_HELP_H
#define ATOLL_TOOL_HELP_H

#include <stdio.h>

void help_main(FILE *out);
void help_build(FILE *out);
void help_run(FILE *out);

#endif
