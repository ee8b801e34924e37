/* `atoll build`: compiles a C program once and links it into an image and a Linux binary. */
#include "build.h"
#include "commands.h"
#include "forbidden.h"
#include "members.h"
#include "help.h"
#include "options.h"
#include "sources.h"
#include "strvec.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define EXIT_BUILD_FAILED 1

static int parse_build_options(int argc, char **argv, struct build_options *opts)
{
    opts->targets = TARGET_UNIKERNEL;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *value = NULL;
        int m;
        if (opt_flag(argv, i, "--help", "-h")) {
            help_build(stdout);
            return 0;
        }
        if (opt_flag(argv, i, "--verbose", "-v")) {
            opts->verbose = true;
        } else if (opt_flag(argv, i, "--strict", NULL)) {
            opts->strict = true;
        } else if ((m = opt_with_value(argc, argv, &i, "--output", "-o", &value)) != OPT_NO_MATCH) {
            if (m == OPT_ERROR)
                return EXIT_USAGE;
            opts->output = value;
        } else if ((m = opt_with_value(argc, argv, &i, "--target", NULL, &value)) != OPT_NO_MATCH) {
            if (m == OPT_ERROR)
                return EXIT_USAGE;
            if (!strcmp(value, "unikernel"))
                opts->targets = TARGET_UNIKERNEL;
            else if (!strcmp(value, "linux"))
                opts->targets = TARGET_LINUX;
            else if (!strcmp(value, "all"))
                opts->targets = TARGET_UNIKERNEL | TARGET_LINUX;
            else {
                msg_error("--target %s: expected unikernel, linux or all", value);
                return EXIT_USAGE;
            }
        } else if ((m = opt_with_value(argc, argv, &i, "--rootfs", NULL, &value)) != OPT_NO_MATCH) {
            if (m == OPT_ERROR)
                return EXIT_USAGE;
            opts->rootfs = value;
        } else if ((m = opt_with_value(argc, argv, &i, "--cmdline", NULL, &value)) !=
                   OPT_NO_MATCH) {
            if (m == OPT_ERROR)
                return EXIT_USAGE;
            opts->cmdline = value;
        } else if ((m = opt_with_value(argc, argv, &i, "--mem", NULL, &value)) != OPT_NO_MATCH) {
            if (m == OPT_ERROR)
                return EXIT_USAGE;
            if (parse_size(value, &opts->memory) != 0) {
                msg_error("--mem %s: expected a size such as 64M, 512K or 1G", value);
                return EXIT_USAGE;
            }
        } else if ((m = opt_with_value(argc, argv, &i, "--name", NULL, &value)) != OPT_NO_MATCH) {
            if (m == OPT_ERROR)
                return EXIT_USAGE;
            if (!*value || strchr(value, '/')) {
                msg_error("--name '%s': expected a plain name without '/'", value);
                return EXIT_USAGE;
            }
            opts->name = value;
        } else if (arg[0] == '-' && arg[1] != '\0') {
            opt_unknown(arg);
            return EXIT_USAGE;
        } else if (opts->path) {
            msg_error("unexpected argument '%s': one PATH only (see atoll build --help)", arg);
            return EXIT_USAGE;
        } else {
            opts->path = arg;
        }
    }
    if (!opts->path) {
        msg_error("missing PATH, a folder of C files or one .c file (see atoll build --help)");
        return EXIT_USAGE;
    }
    return -1;
}

/* The folder holding the kernel library: $ATOLL_KERNEL_DIR, else ../kernel beside atoll. */
static char *kernel_dir(void)
{
    const char *env = getenv("ATOLL_KERNEL_DIR");
    if (env && *env)
        return xstrdup(env);
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (len <= 0)
        return xstrdup("build/kernel");
    exe[len] = '\0';
    char *tools_dir = path_dirname(exe);
    char *dir = path_join(tools_dir, "../kernel");
    free(tools_dir);
    char resolved[PATH_MAX];
    if (realpath(dir, resolved)) {
        free(dir);
        return xstrdup(resolved);
    }
    return dir;
}

/* Checks that musl, the compiler, binutils and (for images) the kernel library are there. */
static int check_toolchain(struct build_plan *plan)
{
    char *musl_gcc = find_executable("musl-gcc");
    if (!musl_gcc) {
        msg_error("musl-gcc not found: apt-get install musl-tools");
        return -1;
    }
    free(musl_gcc);
    static const char *const tools[] = {"gcc", "ld", "objcopy"};
    for (size_t i = 0; i < 3; i++) {
        char *found = find_executable(tools[i]);
        if (!found) {
            msg_error("%s not found: apt-get install gcc binutils", tools[i]);
            return -1;
        }
        free(found);
    }
    if (!(plan->opts->targets & TARGET_UNIKERNEL))
        return 0;
    static const char *const crt[] = {"crt1.o", "crti.o", "crtn.o", "libc.a"};
    for (size_t i = 0; i < 4; i++) {
        char *path = path_join(MUSL_LIB_DIR, crt[i]);
        bool present = path_is_file(path);
        if (!present)
            msg_error("%s not found: apt-get install musl-dev", path);
        free(path);
        if (!present)
            return -1;
    }
    char *dir = kernel_dir();
    plan->kernel_lib = path_join(dir, "libatoll.a");
    plan->kernel_lds = path_join(dir, "image.ld");
    free(dir);
    const char *missing = !path_is_file(plan->kernel_lib)   ? plan->kernel_lib
                          : !path_is_file(plan->kernel_lds) ? plan->kernel_lds
                                                            : NULL;
    if (missing) {
        msg_error("%s not found: run make in the Atoll tree first (or set ATOLL_KERNEL_DIR)",
                  missing);
        return -1;
    }
    return 0;
}

/* Adds the .c files of the folders named in PATH/sources (see sources_extra_dirs). */
static int add_extra_sources(const char *app_dir, struct build_plan *plan)
{
    char err[1024];
    struct strvec written = STRVEC_INIT;
    int rc = sources_extra_dirs(app_dir, &plan->include_dirs, &written, err, sizeof(err));
    for (size_t d = 0; rc == 0 && d < plan->include_dirs.len; d++) {
        struct strvec rel = STRVEC_INIT;
        rc = sources_find(plan->include_dirs.items[d], &rel, err, sizeof(err));
        for (size_t i = 0; rc == 0 && i < rel.len; i++) {
            strvec_push_owned(&plan->sources, path_join(plan->include_dirs.items[d], rel.items[i]));
            strvec_push_owned(&plan->labels, sources_extra_label(written.items[d], rel.items[i]));
        }
        strvec_free(&rel);
    }
    strvec_free(&written);
    if (rc != 0)
        msg_error("%s", err);
    return rc;
}

/* Works out the app folder, name, sources and output paths. */
static int plan_build(const struct build_options *opts, struct build_plan *plan)
{
    plan->opts = opts;
    struct stat st;
    if (stat(opts->path, &st) != 0) {
        msg_error("%s: %s", opts->path, strerror(errno));
        return -1;
    }
    char *default_name;
    if (S_ISDIR(st.st_mode)) {
        plan->app_dir = xstrdup(opts->path);
        char resolved[PATH_MAX];
        default_name = path_basename(realpath(opts->path, resolved) ? resolved : opts->path);
        char err[1024];
        struct strvec rel = STRVEC_INIT;
        if (sources_find(opts->path, &rel, err, sizeof(err)) != 0) {
            msg_error("%s", err);
            return -1;
        }
        for (size_t i = 0; i < rel.len; i++) {
            strvec_push_owned(&plan->sources, path_join(opts->path, rel.items[i]));
            strvec_push(&plan->labels, rel.items[i]);
        }
        strvec_free(&rel);
        if (add_extra_sources(opts->path, plan) != 0) {
            free(default_name);
            return -1;
        }
        if (plan->sources.len == 0) {
            msg_error("%s: no .c files in this folder", opts->path);
            free(default_name);
            return -1;
        }
    } else if (S_ISREG(st.st_mode) && str_ends_with(opts->path, ".c")) {
        plan->app_dir = path_dirname(opts->path);
        char *base = path_basename(opts->path);
        default_name = xstrndup(base, strlen(base) - 2);
        strvec_push(&plan->sources, opts->path);
        strvec_push_owned(&plan->labels, base);
    } else {
        msg_error("%s: neither a folder nor a .c file", opts->path);
        return -1;
    }
    plan->name = xstrdup(opts->name ? opts->name : default_name);
    free(default_name);
    if (!*plan->name || !strcmp(plan->name, "/")) {
        msg_error("%s: cannot derive a program name; pass --name NAME", opts->path);
        return -1;
    }
    plan->image = opts->output ? xstrdup(opts->output) : xasprintf("%s.img", plan->name);
    plan->dbg = path_with_ext(plan->image, ".img", ".dbg");
    plan->linux_bin = path_with_ext(plan->image, ".img", ".linux");
    char *out_dir = path_dirname(plan->image);
    char *obj_leaf = xasprintf(".obj-%s", plan->name);
    plan->obj_dir = path_join(out_dir, obj_leaf);
    free(obj_leaf);
    free(out_dir);
    return 0;
}

/* Creates the image's folder and the object folder inside it. */
static int make_output_dirs(const struct build_plan *plan)
{
    int rc = mkdir_parents(plan->obj_dir);
    if (rc != 0)
        msg_error("%s: %s", plan->obj_dir, strerror(-rc));
    return rc == 0 ? 0 : -1;
}

/* Warns about (or with --strict refuses) calls that would need a second process. */
/* Links once, then again with the optional kernel members (networking, event syscalls) that the
 * linked C library functions call for, until nothing more is needed. */
static int link_with_members(struct build_plan *plan, const char *meta_object)
{
    struct strvec undefs = STRVEC_INIT;
    int rc = build_link_image(plan, meta_object, NULL);
    for (int round = 0; rc == 0 && round < 3; round++) {
        char err[256];
        int added = members_needed(plan->dbg, &undefs, err, sizeof(err));
        if (added < 0) {
            msg_error("%s", err);
            rc = -1;
        } else if (added == 0) {
            break;
        } else {
            rc = build_link_image(plan, meta_object, &undefs);
        }
    }
    strvec_free(&undefs);
    return rc;
}

static int check_forbidden_calls(struct build_plan *plan)
{
    struct forbidden_report report;
    char err[1024];
    if (forbidden_scan(&plan->objects, &plan->labels, plan->dbg, &report, err, sizeof(err)) != 0) {
        msg_error("%s", err);
        return -1;
    }
    for (size_t i = 0; i < report.len; i++) {
        const struct forbidden_use *use = &report.uses[i];
        char *who = use->source ? xasprintf("%s calls", use->source)
                                : xstrdup("the program links (through the C library)");
        const char *fmt = "%s %s(): Atoll runs one program per image, so %s fails with ENOSYS "
                          "at run time%s";
        if (plan->opts->strict)
            msg_error(fmt, who, use->function, use->function, " (--strict)");
        else
            msg_warning(fmt, who, use->function, use->function, "");
        free(who);
    }
    bool refuse = plan->opts->strict && report.len > 0;
    forbidden_report_free(&report);
    if (refuse) {
        unlink(plan->image);
        unlink(plan->dbg);
        return -1;
    }
    return 0;
}

static void free_plan(struct build_plan *plan)
{
    free(plan->app_dir);
    free(plan->name);
    free(plan->image);
    free(plan->dbg);
    free(plan->linux_bin);
    free(plan->obj_dir);
    free(plan->kernel_lib);
    free(plan->kernel_lds);
    strvec_free(&plan->sources);
    strvec_free(&plan->labels);
    strvec_free(&plan->objects);
    strvec_free(&plan->include_dirs);
}

static int build(const struct build_options *opts)
{
    struct build_plan plan = {.opts = opts};
    int rc = plan_build(opts, &plan);
    if (rc == 0)
        rc = check_toolchain(&plan);
    if (rc == 0)
        rc = make_output_dirs(&plan);
    if (rc == 0)
        rc = build_compile_all(&plan);
    if (rc == 0 && (opts->targets & TARGET_LINUX))
        rc = build_link_linux(&plan);
    if (rc == 0 && (opts->targets & TARGET_UNIKERNEL)) {
        char *meta_object = NULL;
        rc = build_meta(&plan, &meta_object);
        if (rc == 0)
            rc = link_with_members(&plan, meta_object);
        if (rc == 0)
            rc = check_forbidden_calls(&plan);
        free(meta_object);
    }
    if (rc == 0) {
        struct stat st;
        if ((opts->targets & TARGET_UNIKERNEL) && stat(plan.image, &st) == 0)
            printf("atoll build: %s (%lld KiB), symbols in %s\n", plan.image,
                   (long long)(st.st_size + 1023) / 1024, plan.dbg);
        if (opts->targets & TARGET_LINUX)
            printf("atoll build: %s\n", plan.linux_bin);
    }
    free_plan(&plan);
    return rc == 0 ? 0 : EXIT_BUILD_FAILED;
}

int cmd_build(int argc, char **argv)
{
    atoll_prog = "atoll build";
    struct build_options opts = {0};
    int rc = parse_build_options(argc, argv, &opts);
    return rc >= 0 ? rc : build(&opts);
}
