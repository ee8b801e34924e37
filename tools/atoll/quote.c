/* Quoting of arguments: for a POSIX shell (printed commands) and for Atoll's kernel command line.
 */
#include "quote.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static bool is_shell_plain(const char *arg)
{
    if (!*arg)
        return false;
    for (const char *p = arg; *p; p++) {
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                    "_-+=/.,:@%^",
                    *p))
            return false;
    }
    return true;
}

char *shell_quote(const char *arg)
{
    if (is_shell_plain(arg))
        return xstrdup(arg);
    /* Inside single quotes nothing is special except the quote itself: write it as '\''. */
    size_t len = 2;
    for (const char *p = arg; *p; p++)
        len += *p == '\'' ? 4 : 1;
    char *out = xmalloc(len + 1), *o = out;
    *o++ = '\'';
    for (const char *p = arg; *p; p++) {
        if (*p == '\'') {
            memcpy(o, "'\\''", 4);
            o += 4;
        } else {
            *o++ = *p;
        }
    }
    *o++ = '\'';
    *o = '\0';
    return out;
}

void shell_print_command(FILE *out, char *const argv[])
{
    for (size_t i = 0; argv[i]; i++) {
        char *word = shell_quote(argv[i]);
        fprintf(out, "%s%s", i ? " " : "", word);
        free(word);
    }
    fputc('\n', out);
}

char *cmdline_quote(const char *arg)
{
    size_t len = 2;
    for (const char *p = arg; *p; p++)
        len += (*p == '"' || *p == '\\') ? 2 : 1;
    char *out = xmalloc(len + 1), *o = out;
    *o++ = '"';
    for (const char *p = arg; *p; p++) {
        if (*p == '"' || *p == '\\')
            *o++ = '\\';
        *o++ = *p;
    }
    *o++ = '"';
    *o = '\0';
    return out;
}

char *cmdline_quote_if_needed(const char *arg)
{
    if (*arg && !strpbrk(arg, " \t\n\"\\"))
        return xstrdup(arg);
    return cmdline_quote(arg);
}
