/* Running the compiler, assembler and linker as child processes. */
#ifndef ATOLL_TOOL_PROC_H
#define ATOLL_TOOL_PROC_H

#include <stdbool.h>

/* Runs argv[0] (searched in $PATH) with the tool's stdout and stderr; prints the command first
 * when `verbose`. Returns its exit status, 128+N when killed by signal N, or -1 (with a message)
 * when it could not be started. */
int proc_run(char *const argv[], bool verbose);

/* Runs a command and returns its standard output without trailing newlines, or NULL. */
char *proc_output(char *const argv[], bool verbose);

#endif
