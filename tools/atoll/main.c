/* Entry point of the atoll tool: dispatches to the subcommands, global --help and --version. */
#include "commands.h"
#include "help.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

static int cmd_help(int argc, char **argv)
{
    if (argc < 2) {
        help_main(stdout);
    } else if (!strcmp(argv[1], "build")) {
        help_build(stdout);
    } else if (!strcmp(argv[1], "run")) {
        help_run(stdout);
    } else {
        msg_error("no help for '%s': commands are build and run", argv[1]);
        return EXIT_USAGE;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        help_main(stderr);
        return EXIT_USAGE;
    }
    const char *command = argv[1];
    if (!strcmp(command, "--help") || !strcmp(command, "-h"))
        return cmd_help(1, argv + 1);
    if (!strcmp(command, "--version")) {
        printf("atoll %s\n", ATOLL_VERSION);
        return 0;
    }
    if (!strcmp(command, "help"))
        return cmd_help(argc - 1, argv + 1);
    if (!strcmp(command, "build"))
        return cmd_build(argc - 1, argv + 1);
    if (!strcmp(command, "run"))
        return cmd_run(argc - 1, argv + 1);
    if (command[0] == '-')
        msg_error("unknown option '%s' (see atoll --help)", command);
    else
        msg_error("unknown command '%s' (see atoll --help)", command);
    return EXIT_USAGE;
}
