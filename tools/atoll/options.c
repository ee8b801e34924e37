/* Parsing of subcommand options: "--name VALUE", "--name=VALUE", "-x VALUE", "-xVALUE". */
#include "options.h"
#include "util.h"

#include <string.h>

int opt_with_value(int argc, char **argv, int *index, const char *long_name, const char *short_name,
                   const char **value)
{
    const char *arg = argv[*index];
    const char *name = NULL;
    size_t long_len = strlen(long_name);
    if (strncmp(arg, long_name, long_len) == 0 && (arg[long_len] == '\0' || arg[long_len] == '=')) {
        name = long_name;
        if (arg[long_len] == '=') {
            *value = arg + long_len + 1;
            return OPT_MATCH;
        }
    } else if (short_name && strncmp(arg, short_name, 2) == 0) {
        name = short_name;
        if (arg[2] != '\0') {
            *value = arg + 2;
            return OPT_MATCH;
        }
    } else {
        return OPT_NO_MATCH;
    }
    if (*index + 1 >= argc) {
        msg_error("%s needs a value (see %s --help)", name, atoll_prog);
        return OPT_ERROR;
    }
    *index += 1;
    *value = argv[*index];
    return OPT_MATCH;
}

bool opt_flag(char **argv, int index, const char *long_name, const char *short_name)
{
    return (long_name && strcmp(argv[index], long_name) == 0) ||
           (short_name && strcmp(argv[index], short_name) == 0);
}

void opt_unknown(const char *arg)
{
    msg_error("unknown option '%s' (see %s --help)", arg, atoll_prog);
}
