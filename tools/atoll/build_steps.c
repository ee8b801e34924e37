/* The compile and link steps of `atoll build`: the objects, the Linux binary, the image. */
#include "build.h"
#include "cpio_write.h"
#include "meta.h"
#include "proc.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int build_compile_all(struct build_plan *plan)
{
    for (size_t i = 0; i < plan->sources.len; i++) {
        const char *label = plan->labels.items[i];
        char *stem = xstrndup(label, strlen(label) - 2);
        char *object = xasprintf("%s/%s.o", plan->obj_dir, stem);
        free(stem);
        char *object_dir = path_dirname(object);
        int made = mkdir_parents(object_dir);
        if (made != 0)
            msg_error("%s: %s", object_dir, strerror(-made));
        free(object_dir);
        strvec_push_owned(&plan->objects, object);
        if (made != 0)
            return -1;
        struct strvec argv = STRVEC_INIT;
        const char *fixed[] = {"musl-gcc", "-std=gnu11", "-O2", "-g", "-fno-pie",
                               "-fno-omit-frame-pointer",
                               /* lets the image link drop what the program never calls */
                               "-ffunction-sections", "-fdata-sections"};
        for (size_t f = 0; f < sizeof(fixed) / sizeof(fixed[0]); f++)
            strvec_push(&argv, fixed[f]);
        strvec_push_owned(&argv, xasprintf("-I%s", plan->app_dir));
        for (size_t d = 0; d < plan->include_dirs.len; d++)
            strvec_push_owned(&argv, xasprintf("-I%s", plan->include_dirs.items[d]));
        strvec_push(&argv, "-c");
        strvec_push(&argv, plan->sources.items[i]);
        strvec_push(&argv, "-o");
        strvec_push(&argv, object);
        int status = proc_run(argv.items, plan->opts->verbose);
        strvec_free(&argv);
        if (status != 0) {
            msg_error("compiling %s failed", label);
            return -1;
        }
    }
    return 0;
}

int build_link_linux(struct build_plan *plan)
{
    struct strvec argv = STRVEC_INIT;
    strvec_push(&argv, "musl-gcc");
    strvec_push(&argv, "-static");
    strvec_push(&argv, "-no-pie");
    strvec_push(&argv, "-o");
    strvec_push(&argv, plan->linux_bin);
    for (size_t i = 0; i < plan->objects.len; i++)
        strvec_push(&argv, plan->objects.items[i]);
    int status = proc_run(argv.items, plan->opts->verbose);
    strvec_free(&argv);
    if (status != 0) {
        msg_error("linking %s failed", plan->linux_bin);
        return -1;
    }
    return 0;
}

/* The image's default command line: --cmdline, else PATH/cmdline with newlines as spaces. */
static char *default_cmdline(const struct build_plan *plan)
{
    if (plan->opts->cmdline)
        return xstrdup(plan->opts->cmdline);
    if (!path_is_dir(plan->opts->path))
        return xstrdup("");
    char *file = path_join(plan->opts->path, "cmdline");
    char *text = path_is_file(file) ? read_whole_file(file, NULL) : NULL;
    free(file);
    if (!text)
        return xstrdup("");
    for (char *p = text; *p; p++) {
        if (*p == '\n' || *p == '\r' || *p == '\t')
            *p = ' ';
    }
    size_t len = strlen(text);
    while (len > 0 && text[len - 1] == ' ')
        text[--len] = '\0';
    return text;
}

/* The memory the image recommends: --mem, else PATH/mem (one size such as 48M; `#` starts a
 * comment), else none. -1 after an error naming the file and line. */
static int default_memory(const struct build_plan *plan, uint64_t *memory)
{
    *memory = plan->opts->memory;
    if (*memory || !path_is_dir(plan->opts->path))
        return 0;
    char *file = path_join(plan->opts->path, "mem");
    char *text = path_is_file(file) ? read_whole_file(file, NULL) : NULL;
    int rc = 0, line = 0, sizes = 0;
    for (char *next, *cur = text; cur && *cur && rc == 0; cur = next) {
        line++;
        next = strchr(cur, '\n');
        if (next)
            *next++ = '\0';
        else
            next = cur + strlen(cur);
        char *hash = strchr(cur, '#');
        if (hash)
            *hash = '\0';
        char *word = cur + strspn(cur, " \t\r");
        size_t len = strcspn(word, " \t\r");
        if (!len)
            continue;
        bool alone = word[len + strspn(word + len, " \t\r")] == '\0';
        word[len] = '\0';
        if (sizes++ || !alone || parse_size(word, memory) != 0 || !*memory) {
            msg_error("%s:%d: expected one memory size such as 48M, 512K or 1G", file, line);
            rc = -1;
        }
    }
    free(text);
    free(file);
    return rc;
}

/* Writes and assembles atoll_meta.S, packing the rootfs first when there is one. */
int build_meta(struct build_plan *plan, char **meta_object)
{
    const char *rootfs = plan->opts->rootfs;
    char *default_rootfs = NULL;
    if (!rootfs && path_is_dir(plan->opts->path)) {
        default_rootfs = path_join(plan->opts->path, "rootfs");
        if (path_is_dir(default_rootfs))
            rootfs = default_rootfs;
    }
    char *cpio_abs = NULL;
    int rc = 0;
    if (rootfs) {
        char resolved[PATH_MAX], err[1024];
        if (!realpath(plan->obj_dir, resolved)) {
            msg_error("%s: %s", plan->obj_dir, strerror(errno));
            rc = -1;
        } else {
            cpio_abs = path_join(resolved, "rootfs.cpio");
            if (plan->opts->verbose)
                fprintf(stderr, "# pack %s into %s\n", rootfs, cpio_abs);
            if (cpio_write_tree_to_path(rootfs, cpio_abs, NULL, err, sizeof(err)) != 0) {
                msg_error("--rootfs: %s", err);
                rc = -1;
            }
        }
    }
    char *cmdline = default_cmdline(plan);
    uint64_t memory = 0;
    if (rc == 0 && default_memory(plan, &memory) != 0)
        rc = -1;
    struct meta_config cfg = {
        .app_name = plan->name,
        .cmdline = cmdline,
        .rootfs_cpio = cpio_abs,
        .memory = memory,
    };
    char *source = path_join(plan->obj_dir, "atoll_meta.S");
    *meta_object = path_join(plan->obj_dir, "atoll_meta.o");
    if (rc == 0) {
        char *text = meta_assembly(&cfg);
        FILE *out = fopen(source, "w");
        if (!out || fputs(text, out) == EOF || fclose(out) != 0) {
            msg_error("%s: %s", source, strerror(errno));
            rc = -1;
        }
        free(text);
    }
    if (rc == 0) {
        char *argv[] = {"gcc", "-c", source, "-o", *meta_object, NULL};
        if (proc_run(argv, plan->opts->verbose) != 0) {
            msg_error("assembling %s failed", source);
            rc = -1;
        }
    }
    free(source);
    free(cmdline);
    free(cpio_abs);
    free(default_rootfs);
    return rc;
}

int build_link_image(struct build_plan *plan, const char *meta_object, const struct strvec *undefs)
{
    char *gcc_argv[] = {"gcc", "-print-libgcc-file-name", NULL};
    char *libgcc = proc_output(gcc_argv, plan->opts->verbose);
    if (!libgcc) {
        msg_error("gcc -print-libgcc-file-name failed");
        return -1;
    }
    struct strvec argv = STRVEC_INIT;
    const char *head[] = {"ld", "-static", "-nostdlib", "-no-pie", "-z", "max-page-size=4096", "-z",
                          "noexecstack",
                          /* unreferenced functions of musl, the kernel and the program stay out */
                          "--gc-sections", "-T", plan->kernel_lds, "-o", plan->dbg,
                          MUSL_LIB_DIR "/crt1.o", MUSL_LIB_DIR "/crti.o"};
    for (size_t i = 0; i < sizeof(head) / sizeof(head[0]); i++)
        strvec_push(&argv, head[i]);
    for (size_t i = 0; undefs && i < undefs->len; i++) {
        strvec_push(&argv, "-u"); /* an optional kernel member the program needs */
        strvec_push(&argv, undefs->items[i]);
    }
    for (size_t i = 0; i < plan->objects.len; i++)
        strvec_push(&argv, plan->objects.items[i]);
    strvec_push(&argv, meta_object);
    strvec_push(&argv, "--start-group");
    strvec_push(&argv, plan->kernel_lib);
    strvec_push(&argv, MUSL_LIB_DIR "/libc.a");
    strvec_push_owned(&argv, libgcc);
    strvec_push(&argv, "--end-group");
    strvec_push(&argv, MUSL_LIB_DIR "/crtn.o");
    int status = proc_run(argv.items, plan->opts->verbose);
    strvec_free(&argv);
    if (status != 0) {
        msg_error("linking %s failed", plan->dbg);
        return -1;
    }
    char *strip[] = {"objcopy", "--strip-all", plan->dbg, plan->image, NULL};
    if (proc_run(strip, plan->opts->verbose) != 0) {
        msg_error("objcopy %s %s failed", plan->dbg, plan->image);
        return -1;
    }
    return 0;
}
