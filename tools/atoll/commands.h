/* The subcommands of the atoll tool; each takes its own argv (argv[0] is its name). */
#ifndef ATOLL_TOOL_COMMANDS_H
#define ATOLL_TOOL_COMMANDS_H

/* The top Makefile passes its VERSION; a build without it still says something useful. */
#ifndef ATOLL_VERSION
#define ATOLL_VERSION "0.1.0"
#endif

int cmd_build(int argc, char **argv);
int cmd_run(int argc, char **argv);

#endif
