/* Composition of the boot-time kernel command line from `atoll run`'s options. */
#include "cmdline.h"
#include "quote.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

char *cmdline_compose(const struct strvec *env, const struct strvec *appends, bool app_args_given,
                      const struct strvec *app_args)
{
    struct strvec parts = STRVEC_INIT;
    for (size_t i = 0; i < env->len; i++) {
        char *token = xasprintf("env.%s", env->items[i]);
        strvec_push_owned(&parts, cmdline_quote_if_needed(token));
        free(token);
    }
    for (size_t i = 0; i < appends->len; i++) {
        if (*appends->items[i])
            strvec_push(&parts, appends->items[i]);
    }
    if (app_args_given) {
        strvec_push(&parts, "--");
        for (size_t i = 0; i < app_args->len; i++)
            strvec_push_owned(&parts, cmdline_quote(app_args->items[i]));
    }
    size_t len = 1;
    for (size_t i = 0; i < parts.len; i++)
        len += strlen(parts.items[i]) + 1;
    char *cmdline = xmalloc(len), *o = cmdline;
    for (size_t i = 0; i < parts.len; i++) {
        if (i)
            *o++ = ' ';
        size_t part_len = strlen(parts.items[i]);
        memcpy(o, parts.items[i], part_len);
        o += part_len;
    }
    *o = '\0';
    strvec_free(&parts);
    return cmdline;
}
