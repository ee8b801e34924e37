/* The check for process-creating calls (fork, exec*, posix_spawn*, system, popen), which an
 * image cannot serve: it runs one program. */
#include "forbidden.h"
#include "elfsym.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static const char *const forbidden_names[] = {
    "fork",   "vfork",  "_Fork",   "execve",      "execv",        "execvp", "execvpe", "execl",
    "execle", "execlp", "fexecve", "posix_spawn", "posix_spawnp", "system", "popen",
};

bool forbidden_function(const char *name)
{
    for (size_t i = 0; i < sizeof(forbidden_names) / sizeof(forbidden_names[0]); i++) {
        if (!strcmp(name, forbidden_names[i]))
            return true;
    }
    return false;
}

struct scan_ctx {
    struct forbidden_report *report;
    const char *source;
    bool want_defined;
};

static void add_use(struct forbidden_report *report, const char *function, const char *source)
{
    for (size_t i = 0; i < report->len; i++) {
        const struct forbidden_use *use = &report->uses[i];
        bool same_source =
            (!use->source && !source) || (use->source && source && !strcmp(use->source, source));
        if (same_source && !strcmp(use->function, function))
            return;
    }
    report->uses = xrealloc(report->uses, (report->len + 1) * sizeof(*report->uses));
    report->uses[report->len].function = xstrdup(function);
    report->uses[report->len].source = source ? xstrdup(source) : NULL;
    report->len++;
}

static void visit_symbol(void *ctx_ptr, const char *name, bool defined)
{
    struct scan_ctx *ctx = ctx_ptr;
    if (defined == ctx->want_defined && forbidden_function(name))
        add_use(ctx->report, name, ctx->source);
}

int forbidden_scan(const struct strvec *objects, const struct strvec *sources, const char *linked,
                   struct forbidden_report *report, char *err, size_t errlen)
{
    memset(report, 0, sizeof(*report));
    for (size_t i = 0; i < objects->len; i++) {
        struct elf_file *elf;
        if (elf_open(objects->items[i], &elf, err, errlen) != 0)
            return -1;
        struct scan_ctx ctx = {report, sources->items[i], false};
        elf_for_each_symbol(elf, visit_symbol, &ctx);
        elf_close(elf);
    }
    if (report->len > 0 || !linked)
        return 0;
    struct elf_file *elf;
    if (elf_open(linked, &elf, err, errlen) != 0)
        return -1;
    struct scan_ctx ctx = {report, NULL, true};
    elf_for_each_symbol(elf, visit_symbol, &ctx);
    elf_close(elf);
    return 0;
}

void forbidden_report_free(struct forbidden_report *report)
{
    for (size_t i = 0; i < report->len; i++) {
        free(report->uses[i].function);
        free(report->uses[i].source);
    }
    free(report->uses);
    memset(report, 0, sizeof(*report));
}
